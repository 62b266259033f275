package breaking

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
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
		at := c.new.Position(nf)
		el := string(of.FullName())
		if ot, nt := fieldType(of, c.newName), fieldType(nf, nil); ot != nt {
			ot = fieldType(of, nil)
			c.add(RuleFieldTypeChanged, at, el, "field %d %q on message %s changed type from %s to %s",
				of.Number(), of.Name(), om.FullName(), ot, nt)
		}
		if oc, nc := cardinality(of), cardinality(nf); oc != nc {
			c.add(RuleFieldCardinalityChanged, at, el, "field %d %q on message %s changed label from %s to %s",
				of.Number(), of.Name(), om.FullName(), oc, nc)
		}
		switch {
		case of.Name() != nf.Name():
			c.add(RuleFieldNameChanged, at, el, "field %d on message %s was renamed from %q to %q",
				of.Number(), om.FullName(), of.Name(), nf.Name())
		case of.JSONName() != nf.JSONName():
			c.add(RuleFieldJSONNameChanged, at, el, "field %d %q on message %s changed JSON name from %q to %q",
				of.Number(), of.Name(), om.FullName(), of.JSONName(), nf.JSONName())
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
			c.add(RuleFieldOneofChanged, at, el, "field %d %q on message %s %s", of.Number(), of.Name(), om.FullName(), how)
		}
	}
}

// checkFieldDeleted reports a deleted field unless the new message reserves
// both its number (wire) and its name (JSON).
func (c *checker) checkFieldDeleted(of protoreflect.FieldDescriptor, nm protoreflect.MessageDescriptor) {
	numberReserved := nm.ReservedRanges().Has(of.Number())
	nameReserved := nm.ReservedNames().Has(of.Name())
	if numberReserved && nameReserved {
		return
	}
	var missing []string
	if !numberReserved {
		missing = append(missing, fmt.Sprintf("number %d", of.Number()))
	}
	if !nameReserved {
		missing = append(missing, fmt.Sprintf("name %q", of.Name()))
	}
	c.add(RuleFieldDeleted, c.new.Position(nm), string(of.FullName()),
		"field %d %q on message %s was deleted without reserving its %s",
		of.Number(), of.Name(), nm.FullName(), strings.Join(missing, " and "))
}

// fieldType names what a field holds, without its label: the scalar kind,
// the message or enum full name, or map<key, value>. rename, when not nil,
// maps message and enum names (to compare across a package change).
func fieldType(fd protoreflect.FieldDescriptor, rename func(protoreflect.Descriptor) protoreflect.FullName) string {
	if fd.IsMap() {
		return fmt.Sprintf("map<%s, %s>", fieldType(fd.MapKey(), rename), fieldType(fd.MapValue(), rename))
	}
	name := func(d protoreflect.Descriptor) string {
		if rename != nil {
			return string(rename(d))
		}
		return string(d.FullName())
	}
	switch fd.Kind() {
	case protoreflect.MessageKind:
		return name(fd.Message())
	case protoreflect.GroupKind:
		return "group " + name(fd.Message())
	case protoreflect.EnumKind:
		return "enum " + name(fd.Enum())
	}
	return fd.Kind().String()
}

// cardinality names a field's label. proto3 optional and implicit presence
// are the same on the wire and in JSON, so both are "optional".
func cardinality(fd protoreflect.FieldDescriptor) string {
	return fd.Cardinality().String()
}

// oneofName is the name of the real (not synthetic) oneof holding fd, or "".
func oneofName(fd protoreflect.FieldDescriptor) string {
	if o := fd.ContainingOneof(); o != nil && !o.IsSynthetic() {
		return string(o.Name())
	}
	return ""
}
