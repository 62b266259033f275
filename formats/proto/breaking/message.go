package breaking

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bufbuild/protocompile/protoutil"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Source path numbers: DescriptorProto.options, MessageOptions.features,
// and the FeatureSet fields.
const (
	messageOptionsPath    = 7
	messageFeaturesOption = 12
	featureEnumType       = 2
	featureJSONFormat     = 6
)

// checkMessages compares every message present in both schemas (matched
// by full name, map entries included): its options, reserved and
// extension ranges, required fields, oneofs and fields.
func (c *checker) checkMessages() {
	for _, name := range sortedNames(c.oldIdx.messages) {
		om := c.oldIdx.messages[name]
		nm, ok := c.newIdx.messages[name]
		if !ok {
			continue // reported by the FILE and PACKAGE deletion rules
		}

		if !messageOpts(om).GetNoStandardDescriptorAccessor() && messageOpts(nm).GetNoStandardDescriptorAccessor() {
			optAt, _ := c.new.PositionAt(nm, messageOptionsPath, 2)
			c.add(RuleMessageDescriptorAccessorGone, optAt, string(name), `message %s option "no_standard_descriptor_accessor" changed from false to true`, name)
		}
		if c.on(RuleMessageJSONFormatChanged) {
			if o, n := jsonFormat(om), jsonFormat(nm); o == descriptorpb.FeatureSet_ALLOW && n != o {
				optAt, _ := c.new.PositionAt(nm, messageOptionsPath, messageFeaturesOption, featureJSONFormat)
				c.add(RuleMessageJSONFormatChanged, optAt, string(name), "message %s JSON format changed from %v to %v", name, o, n)
			}
		}
		if c.on(RuleMessageReservedDeleted) {
			c.checkRanges(RuleMessageReservedDeleted, "reserved", nm, rangesOf(om.ReservedRanges()), rangesOf(nm.ReservedRanges()))
			c.checkReservedNames(RuleMessageReservedDeleted, nm, om.ReservedNames(), nm.ReservedNames())
		}
		if c.on(RuleMessageExtensionRangeDeleted) {
			c.checkRanges(RuleMessageExtensionRangeDeleted, "extension", nm, rangesOf(om.ExtensionRanges()), rangesOf(nm.ExtensionRanges()))
		}
		c.checkRequired(om, nm)
		c.checkOneofs(om, nm)
		c.checkFields(om, nm)
	}
}

func messageOpts(md protoreflect.MessageDescriptor) *descriptorpb.MessageOptions {
	o, _ := md.Options().(*descriptorpb.MessageOptions)
	return o
}

// feature resolves a field of google.protobuf.FeatureSet for d, through
// its parents and the edition's defaults.
func feature(d protoreflect.Descriptor, name protoreflect.Name) protoreflect.EnumNumber {
	fd := (*descriptorpb.FeatureSet)(nil).ProtoReflect().Descriptor().Fields().ByName(name)
	v, err := protoutil.ResolveFeature(d, fd)
	if err != nil {
		return 0
	}
	return v.Enum()
}

func jsonFormat(d protoreflect.Descriptor) descriptorpb.FeatureSet_JsonFormat {
	return descriptorpb.FeatureSet_JsonFormat(feature(d, "json_format"))
}

// tagRange is an inclusive range of numbers.
type tagRange struct{ start, end int64 }

type rangeList interface {
	Len() int
	Get(i int) [2]protoreflect.FieldNumber
}

// rangesOf converts protobuf's half-open ranges to inclusive ones.
func rangesOf(rs rangeList) []tagRange {
	out := make([]tagRange, rs.Len())
	for i := range out {
		r := rs.Get(i)
		out[i] = tagRange{int64(r[0]), int64(r[1]) - 1}
	}
	return out
}

func enumRangesOf(rs protoreflect.EnumRanges) []tagRange {
	out := make([]tagRange, rs.Len())
	for i := range out {
		r := rs.Get(i)
		out[i] = tagRange{int64(r[0]), int64(r[1])}
	}
	return out
}

// checkRanges reports each old range with numbers no new range covers.
func (c *checker) checkRanges(rule, kind string, nd protoreflect.Descriptor, old, new []tagRange) {
	for _, r := range old {
		missing := missingNumbers(r, new)
		if len(missing) == 0 {
			continue
		}
		var parts []string
		for _, m := range missing {
			if m.start == m.end {
				parts = append(parts, fmt.Sprintf("[%d]", m.start))
			} else {
				parts = append(parts, fmt.Sprintf("[%d,%d]", m.start, m.end))
			}
		}
		c.add(rule, c.new.Position(nd), fmt.Sprintf("%s:%d-%d", nd.FullName(), r.start, r.end),
			"%s range [%d,%d] of %s lost %s", kind, r.start, r.end, nd.FullName(), strings.Join(parts, ", "))
	}
}

// missingNumbers returns the parts of r that no range in have covers.
func missingNumbers(r tagRange, have []tagRange) []tagRange {
	sorted := append([]tagRange(nil), have...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].start < sorted[j].start })
	var out []tagRange
	next := r.start
	for _, h := range sorted {
		if h.end < next {
			continue
		}
		if h.start > r.end {
			break
		}
		if h.start > next {
			out = append(out, tagRange{next, h.start - 1})
		}
		next = h.end + 1
		if next > r.end {
			return out
		}
	}
	if next <= r.end {
		out = append(out, tagRange{next, r.end})
	}
	return out
}

func (c *checker) checkReservedNames(rule string, nd protoreflect.Descriptor, old, new protoreflect.Names) {
	for i := 0; i < old.Len(); i++ {
		if n := old.Get(i); !new.Has(n) {
			c.add(rule, c.new.Position(nd), fmt.Sprintf("%s:%s", nd.FullName(), n), "reserved name %q of %s was deleted", n, nd.FullName())
		}
	}
}

// checkRequired reports required fields added or deleted: one side would
// refuse the other's messages.
func (c *checker) checkRequired(om, nm protoreflect.MessageDescriptor) {
	if !c.on(RuleMessageRequiredFieldsChanged) {
		return
	}
	required := func(md protoreflect.MessageDescriptor) map[protoreflect.FieldNumber]protoreflect.FieldDescriptor {
		out := map[protoreflect.FieldNumber]protoreflect.FieldDescriptor{}
		for i := 0; i < md.Fields().Len(); i++ {
			if f := md.Fields().Get(i); f.Cardinality() == protoreflect.Required {
				out[f.Number()] = f
			}
		}
		return out
	}
	o, n := required(om), required(nm)
	for _, num := range sortedNumbers(o) {
		if _, ok := n[num]; !ok {
			c.add(RuleMessageRequiredFieldsChanged, c.new.Position(nm), string(o[num].FullName()),
				"required field %d %q of message %s was deleted or made optional", num, o[num].Name(), om.FullName())
		}
	}
	for _, num := range sortedNumbers(n) {
		if _, ok := o[num]; !ok {
			c.add(RuleMessageRequiredFieldsChanged, c.new.Position(n[num]), string(n[num].FullName()),
				"required field %d %q was added to message %s", num, n[num].Name(), nm.FullName())
		}
	}
}

func sortedNumbers[V any](m map[protoreflect.FieldNumber]V) []protoreflect.FieldNumber {
	out := make([]protoreflect.FieldNumber, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (c *checker) checkOneofs(om, nm protoreflect.MessageDescriptor) {
	if !c.on(RuleOneofDeleted) {
		return
	}
	oneofs := om.Oneofs()
	for i := 0; i < oneofs.Len(); i++ {
		oo := oneofs.Get(i)
		if oo.IsSynthetic() {
			continue // proto3 optional: compared as the field's presence
		}
		if no := nm.Oneofs().ByName(oo.Name()); no != nil {
			continue
		}
		c.add(RuleOneofDeleted, c.new.Position(nm), string(oo.FullName()),
			"oneof %s was deleted from message %s", oo.Name(), om.FullName())
	}
}

// checkExtensions compares extensions present in both schemas, matched by
// extendee and number, with the field rules.
func (c *checker) checkExtensions() {
	keys := make([]extKey, 0, len(c.oldIdx.extensions))
	for k := range c.oldIdx.extensions {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].extendee != keys[j].extendee {
			return keys[i].extendee < keys[j].extendee
		}
		return keys[i].number < keys[j].number
	})
	for _, k := range keys {
		if nx, ok := c.newIdx.extensions[k]; ok {
			c.compareField(c.oldIdx.extensions[k], nx)
		}
	}
}
