package breaking

import (
	"fmt"
	"math"
	"math/big"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/contracts-dev/contracts/formats/proto"
)

// Source path numbers in FieldDescriptorProto and FieldOptions.
const (
	fieldNamePath     = 1
	fieldTypePath     = 5
	fieldTypeNamePath = 6
	fieldDefaultPath  = 7
	fieldOptionsPath  = 8
	fieldJSONNamePath = 10
	fieldCTypeOption  = 1
	fieldJSTypeOption = 6
)

// checkFields compares om's fields with nm's, matching them by number: the
// number is the field's identity on the wire.
func (c *checker) checkFields(om, nm protoreflect.MessageDescriptor) {
	fields := om.Fields()
	for i := 0; i < fields.Len(); i++ {
		of := fields.Get(i)
		nf := nm.Fields().ByNumber(of.Number())
		if nf == nil {
			c.checkFieldDeleted(of, nm)
			continue
		}
		c.compareField(of, nf)
	}
}

// checkFieldDeleted applies the three deletion rules: FIELD_NO_DELETE
// (FILE, PACKAGE), and unless the number (WIRE, WIRE_JSON) or the name
// (WIRE_JSON) is reserved.
func (c *checker) checkFieldDeleted(of protoreflect.FieldDescriptor, nm protoreflect.MessageDescriptor) {
	at, el := c.new.Position(nm), string(of.FullName())
	c.add(RuleFieldDeleted, at, el, "field %d %q on message %s was deleted", of.Number(), of.Name(), nm.FullName())
	if !nm.ReservedRanges().Has(of.Number()) {
		c.add(RuleFieldDeletedNumberNotReserved, at, el, "field %d %q on message %s was deleted without reserving its number %d",
			of.Number(), of.Name(), nm.FullName(), of.Number())
	}
	if !nm.ReservedNames().Has(of.Name()) {
		c.add(RuleFieldDeletedNameNotReserved, at, el, "field %d %q on message %s was deleted without reserving its name %q",
			of.Number(), of.Name(), nm.FullName(), of.Name())
	}
}

// describe names a field or extension in messages.
func describe(fd protoreflect.FieldDescriptor) string {
	if fd.IsExtension() {
		return fmt.Sprintf("extension %d %q on message %s", fd.Number(), fd.FullName(), fd.ContainingMessage().FullName())
	}
	return fmt.Sprintf("field %d %q on message %s", fd.Number(), fd.Name(), fd.ContainingMessage().FullName())
}

// compareField applies the field rules to a field or extension present on
// both sides.
func (c *checker) compareField(of, nf protoreflect.FieldDescriptor) {
	el := string(of.FullName())
	at := c.fieldPosition(nf)
	bothEntries := !of.IsExtension() && of.ContainingMessage().IsMapEntry() && nf.ContainingMessage().IsMapEntry()

	// Cardinality.
	if !bothEntries {
		oc, nc := cardinalityOf(of), cardinalityOf(nf)
		if oc != nc {
			c.add(RuleFieldCardinalityChanged, at, el, "%s changed cardinality from %q to %q", describe(of), oc, nc)
		}
		if wireCardinality[oc] != wireCardinality[nc] {
			c.add(RuleFieldWireCardinalityChanged, at, el, "%s changed cardinality from %q to %q", describe(of), oc, nc)
		}
		if wireJSONCardinality[oc] != wireJSONCardinality[nc] {
			c.add(RuleFieldWireJSONCardinality, at, el, "%s changed cardinality from %q to %q", describe(of), oc, nc)
		}
	}

	c.compareTypes(of, nf, el)

	// Names.
	if of.IsExtension() {
		if of.FullName() != nf.FullName() {
			nameAt, _ := c.new.PositionAt(nf, fieldNamePath)
			c.add(RuleFieldNameChanged, nameAt, el, "%s was renamed to %q", describe(of), nf.FullName())
		}
	} else {
		if of.Name() != nf.Name() {
			nameAt, _ := c.new.PositionAt(nf, fieldNamePath)
			c.add(RuleFieldNameChanged, nameAt, el, "%s was renamed to %q", describe(of), nf.Name())
		}
		if of.JSONName() != nf.JSONName() {
			jsonAt, _ := c.new.PositionAt(nf, fieldJSONNamePath)
			c.add(RuleFieldJSONNameChanged, jsonAt, el, "%s changed JSON name from %q to %q", describe(of), of.JSONName(), nf.JSONName())
		}
		if oo, no := oneofName(of), oneofName(nf); oo != no {
			var how string
			switch {
			case oo == "":
				how = fmt.Sprintf("moved into oneof %q", no)
			case no == "":
				how = fmt.Sprintf("moved out of oneof %q", oo)
			default:
				how = fmt.Sprintf("moved from oneof %q to oneof %q", oo, no)
			}
			c.add(RuleFieldOneofChanged, at, el, "%s %s", describe(of), how)
		}
	}

	// Defaults.
	if c.on(RuleFieldDefaultChanged) && canHaveDefault(of) && canHaveDefault(nf) {
		od, nd := defaultOf(of), defaultOf(nf)
		if !(od.zero && nd.zero) && !defaultsEqual(od, nd) {
			defAt, _ := c.new.PositionAt(nf, fieldDefaultPath)
			c.add(RuleFieldDefaultChanged, defAt, el, "%s changed default value from %s to %s", describe(of), od.text, nd.text)
		}
	}

	// Language options.
	if is64Bit(of.Kind()) && is64Bit(nf.Kind()) && fieldOpts(of).GetJstype() != fieldOpts(nf).GetJstype() {
		optAt, _ := c.new.PositionAt(nf, fieldOptionsPath, fieldJSTypeOption)
		c.add(RuleFieldJSTypeChanged, optAt, el, "%s changed option \"jstype\" from %s to %s", describe(of), fieldOpts(of).GetJstype(), fieldOpts(nf).GetJstype())
	}
	if !bothEntries && isStringOrBytes(of) && isStringOrBytes(nf) {
		ot, op := cppStringType(of)
		nt, np := cppStringType(nf)
		if (ot != nt || op != np) && !(op && nt == descriptorpb.FieldOptions_STRING) {
			optAt, _ := c.new.PositionAt(nf, fieldOptionsPath, fieldCTypeOption)
			c.add(RuleFieldCppStringTypeChanged, optAt, el, "%s changed C++ string type", describe(of))
		}
	}
	if of.Kind() == protoreflect.StringKind && nf.Kind() == protoreflect.StringKind {
		if o, n := javaUTF8(of), javaUTF8(nf); o != n {
			optAt, ok := c.new.PositionAt(nf.ParentFile(), fileOptionsPath, 27)
			if !ok {
				optAt = at
			}
			c.add(RuleFieldJavaUTF8ValidationChanged, optAt, el, "%s changed Java UTF-8 validation from %v to %v", describe(of), o, n)
		}
		if o, n := feature(of, "utf8_validation"), feature(nf, "utf8_validation"); o != n {
			c.add(RuleFieldUTF8ValidationChanged, at, el, "%s changed UTF-8 validation from %v to %v", describe(of),
				descriptorpb.FeatureSet_Utf8Validation(o), descriptorpb.FeatureSet_Utf8Validation(n))
		}
	}
}

// compareTypes applies the three type rules: FIELD_SAME_TYPE (FILE,
// PACKAGE), and the wire- (WIRE) and wire-and-JSON- (WIRE_JSON) compatible
// type rules, which accept the pairs those encodings read alike.
func (c *checker) compareTypes(of, nf protoreflect.FieldDescriptor, el string) {
	at := c.typePosition(nf)
	changed := fmt.Sprintf("%s changed type from %s to %s", describe(of), typeString(of), typeString(nf))
	namedKind := func(k protoreflect.Kind) bool {
		return k == protoreflect.MessageKind || k == protoreflect.GroupKind || k == protoreflect.EnumKind
	}
	sameName := typeName(of) == typeName(nf)

	// FIELD_SAME_TYPE.
	if of.Kind() != nf.Kind() || (namedKind(nf.Kind()) && !sameName) {
		c.add(RuleFieldTypeChanged, at, el, "%s", changed)
	}
	// FIELD_WIRE_COMPATIBLE_TYPE.
	if c.on(RuleFieldWireTypeChanged) {
		og, ng := wireGroup[of.Kind()], wireGroup[nf.Kind()]
		switch {
		case og != ng:
			if !(of.Kind() == protoreflect.StringKind && nf.Kind() == protoreflect.BytesKind) {
				c.add(RuleFieldWireTypeChanged, at, el, "%s", changed)
			}
		case nf.Kind() == protoreflect.EnumKind && !sameName:
			if !enumCompatible(of.Enum(), nf.Enum()) {
				c.add(RuleFieldWireTypeChanged, at, el, "%s", changed)
			}
		case namedKind(nf.Kind()) && !sameName:
			c.add(RuleFieldWireTypeChanged, at, el, "%s", changed)
		}
	}
	// FIELD_WIRE_JSON_COMPATIBLE_TYPE.
	if c.on(RuleFieldWireJSONTypeChanged) {
		og, ng := wireJSONGroup[of.Kind()], wireJSONGroup[nf.Kind()]
		switch {
		case og != ng:
			c.add(RuleFieldWireJSONTypeChanged, at, el, "%s", changed)
		case nf.Kind() == protoreflect.EnumKind && !sameName:
			if !enumCompatible(of.Enum(), nf.Enum()) {
				c.add(RuleFieldWireJSONTypeChanged, at, el, "%s", changed)
			}
		case namedKind(nf.Kind()) && !sameName:
			c.add(RuleFieldWireJSONTypeChanged, at, el, "%s", changed)
		}
	}
}

// typePosition locates a field's type: its type name for messages, enums
// and groups, else its scalar type, else the field.
func (c *checker) typePosition(nf protoreflect.FieldDescriptor) proto.Position {
	sub := int32(fieldTypePath)
	switch nf.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind, protoreflect.EnumKind:
		sub = fieldTypeNamePath
	}
	if pos, ok := c.new.PositionAt(nf, sub); ok {
		return pos
	}
	return c.fieldPosition(nf)
}

// fieldPosition locates a field; the key and value of a map entry, which
// have no source of their own, at the map field.
func (c *checker) fieldPosition(nf protoreflect.FieldDescriptor) proto.Position {
	entry := nf.ContainingMessage()
	if nf.IsExtension() || !entry.IsMapEntry() {
		return c.new.Position(nf)
	}
	if parent, ok := entry.Parent().(protoreflect.MessageDescriptor); ok {
		fields := parent.Fields()
		for i := 0; i < fields.Len(); i++ {
			if f := fields.Get(i); f.IsMap() && f.Message().FullName() == entry.FullName() {
				return c.new.Position(f)
			}
		}
	}
	return c.new.Position(nf)
}

// enumCompatible reports whether an enum field may switch from enum o to
// enum n: same short name and every value of o, by name and number, in n.
func enumCompatible(o, n protoreflect.EnumDescriptor) bool {
	if o.Name() != n.Name() {
		return false
	}
	for i := 0; i < o.Values().Len(); i++ {
		ov := o.Values().Get(i)
		nv := n.Values().ByName(ov.Name())
		if nv == nil || nv.Number() != ov.Number() {
			return false
		}
	}
	return true
}

func typeName(fd protoreflect.FieldDescriptor) protoreflect.FullName {
	switch {
	case fd.Enum() != nil:
		return fd.Enum().FullName()
	case fd.Message() != nil:
		return fd.Message().FullName()
	}
	return ""
}

func typeString(fd protoreflect.FieldDescriptor) string {
	if n := typeName(fd); n != "" {
		return string(n)
	}
	return fd.Kind().String()
}

// Wire-compatible kinds share a group (protobuf's "updating a message
// type" rules): int32, uint32, int64, uint64 and bool; sint32 and sint64;
// fixed32 and sfixed32; fixed64 and sfixed64. string -> bytes is accepted
// separately.
var wireGroup = map[protoreflect.Kind]int{
	protoreflect.Int32Kind: 1, protoreflect.Int64Kind: 1, protoreflect.Uint32Kind: 1, protoreflect.Uint64Kind: 1, protoreflect.BoolKind: 1,
	protoreflect.Sint32Kind: 2, protoreflect.Sint64Kind: 2,
	protoreflect.StringKind: 3, protoreflect.BytesKind: 4,
	protoreflect.Fixed32Kind: 5, protoreflect.Sfixed32Kind: 5,
	protoreflect.Fixed64Kind: 6, protoreflect.Sfixed64Kind: 6,
	protoreflect.DoubleKind: 7, protoreflect.FloatKind: 8,
	protoreflect.GroupKind: 9, protoreflect.MessageKind: 10, protoreflect.EnumKind: 11,
}

// Wire- and JSON-compatible kinds: the pairs that are wire-compatible and
// print the same in JSON (32-bit and 64-bit integers differ in JSON).
var wireJSONGroup = map[protoreflect.Kind]int{
	protoreflect.Int32Kind: 1, protoreflect.Uint32Kind: 1,
	protoreflect.Int64Kind: 2, protoreflect.Uint64Kind: 2,
	protoreflect.Fixed32Kind: 3, protoreflect.Sfixed32Kind: 3,
	protoreflect.Fixed64Kind: 4, protoreflect.Sfixed64Kind: 4,
	protoreflect.BoolKind: 5, protoreflect.Sint32Kind: 6, protoreflect.Sint64Kind: 7,
	protoreflect.StringKind: 8, protoreflect.BytesKind: 9,
	protoreflect.DoubleKind: 10, protoreflect.FloatKind: 11,
	protoreflect.GroupKind: 12, protoreflect.MessageKind: 13, protoreflect.EnumKind: 14,
}

// cardinality of a field as buf distinguishes it.
type cardinality string

const (
	cardExplicit cardinality = "optional with explicit presence"
	cardImplicit cardinality = "optional with implicit presence"
	cardRequired cardinality = "required"
	cardRepeated cardinality = "repeated"
	cardMap      cardinality = "map"
)

func cardinalityOf(fd protoreflect.FieldDescriptor) cardinality {
	switch {
	case fd.IsList():
		return cardRepeated
	case fd.IsMap():
		return cardMap
	case fd.Cardinality() == protoreflect.Required:
		return cardRequired
	case fd.HasPresence():
		return cardExplicit
	}
	return cardImplicit
}

// Presence never changes the wire; a map is a repeated entry message on the
// wire but an object, not an array, in JSON.
var (
	wireCardinality     = map[cardinality]int{cardExplicit: 1, cardImplicit: 1, cardRequired: 2, cardRepeated: 3, cardMap: 3}
	wireJSONCardinality = map[cardinality]int{cardExplicit: 1, cardImplicit: 1, cardRequired: 2, cardRepeated: 3, cardMap: 4}
)

// oneofName is the name of the real (not synthetic) oneof holding fd, or "".
func oneofName(fd protoreflect.FieldDescriptor) string {
	if o := fd.ContainingOneof(); o != nil && !o.IsSynthetic() {
		return string(o.Name())
	}
	return ""
}

func fieldOpts(fd protoreflect.FieldDescriptor) *descriptorpb.FieldOptions {
	o, _ := fd.Options().(*descriptorpb.FieldOptions)
	return o
}

func is64Bit(k protoreflect.Kind) bool {
	switch k {
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind:
		return true
	}
	return false
}

func isStringOrBytes(fd protoreflect.FieldDescriptor) bool {
	return fd.Kind() == protoreflect.StringKind || fd.Kind() == protoreflect.BytesKind
}

// cppStringType is the field's C++ string type from its ctype option, and
// whether it is STRING_PIECE (moving from it to STRING is compatible).
func cppStringType(fd protoreflect.FieldDescriptor) (descriptorpb.FieldOptions_CType, bool) {
	switch fieldOpts(fd).GetCtype() {
	case descriptorpb.FieldOptions_CORD:
		return descriptorpb.FieldOptions_CORD, false
	case descriptorpb.FieldOptions_STRING_PIECE:
		return descriptorpb.FieldOptions_STRING, true
	}
	return descriptorpb.FieldOptions_STRING, false
}

// javaUTF8 is whether generated Java checks a string field's UTF-8: the
// file's java_string_check_utf8, else the utf8_validation feature.
func javaUTF8(fd protoreflect.FieldDescriptor) descriptorpb.FeatureSet_Utf8Validation {
	def := descriptorpb.FeatureSet_Utf8Validation(feature(fd, "utf8_validation"))
	o := fileOpts(fd.ParentFile())
	if fd.ParentFile().Syntax() != protoreflect.Editions || (o != nil && o.JavaStringCheckUtf8 != nil) {
		if o.GetJavaStringCheckUtf8() {
			return descriptorpb.FeatureSet_VERIFY
		}
	}
	return def
}

func canHaveDefault(fd protoreflect.FieldDescriptor) bool {
	return !fd.IsList() && !fd.IsMap() && fd.Message() == nil
}

// fieldDefault is a default value, comparable across numeric kinds.
type fieldDefault struct {
	str     *string    // string and bytes
	num     *big.Float // numbers, bools and enums; nil for NaN
	isNaN   bool
	isFloat bool // float or double
	is32    bool // float
	zero    bool
	text    string
	floatV  float64
}

func defaultOf(fd protoreflect.FieldDescriptor) fieldDefault {
	v := fd.Default()
	switch fd.Kind() {
	case protoreflect.StringKind:
		s := v.String()
		return fieldDefault{str: &s, zero: s == "", text: fmt.Sprintf("%q", s)}
	case protoreflect.BytesKind:
		s := string(v.Bytes())
		return fieldDefault{str: &s, zero: s == "", text: fmt.Sprintf("%q", s)}
	case protoreflect.EnumKind:
		n := v.Enum()
		name := fmt.Sprint(n)
		if ev := fd.Enum().Values().ByNumber(n); ev != nil {
			name = string(ev.Name())
		}
		return fieldDefault{num: new(big.Float).SetInt64(int64(n)), zero: n == 0, text: name}
	case protoreflect.BoolKind:
		b := v.Bool()
		f := new(big.Float)
		if b {
			f.SetInt64(1)
		}
		return fieldDefault{num: f, zero: !b, text: fmt.Sprint(b)}
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		x := v.Float()
		d := fieldDefault{zero: x == 0 && !math.Signbit(x), text: fmt.Sprint(x), isFloat: true, is32: fd.Kind() == protoreflect.FloatKind, floatV: x}
		if math.IsNaN(x) {
			d.isNaN = true
			return d
		}
		d.num = big.NewFloat(x)
		return d
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		u := v.Uint()
		return fieldDefault{num: new(big.Float).SetUint64(u), zero: u == 0, text: fmt.Sprint(u)}
	}
	i := v.Int()
	return fieldDefault{num: new(big.Float).SetInt64(i), zero: i == 0, text: fmt.Sprint(i)}
}

// defaultsEqual compares defaults leniently across kinds (the type rules
// report type changes): strings with bytes, numbers with numbers, a float
// with a double at float precision.
func defaultsEqual(o, n fieldDefault) bool {
	if o.str != nil || n.str != nil {
		return o.str != nil && n.str != nil && *o.str == *n.str
	}
	if o.isNaN || n.isNaN {
		return o.isNaN == n.isNaN
	}
	if o.isFloat && n.isFloat && o.is32 != n.is32 {
		return float32(o.floatV) == float32(n.floatV)
	}
	return o.num.Cmp(n.num) == 0
}
