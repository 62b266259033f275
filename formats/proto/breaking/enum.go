package breaking

import (
	"sort"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Source path numbers: EnumValueDescriptorProto.number,
// EnumDescriptorProto.options, EnumOptions.features.
const (
	enumValueNumberPath = 2
	enumOptionsPath     = 3
	enumFeaturesOption  = 7
)

// checkEnums compares every enum present in both schemas (matched by full
// name): open or closed, JSON format, reserved ranges and names, and its
// values, matched by number (aliases give a number several names).
func (c *checker) checkEnums() {
	for _, name := range sortedNames(c.oldIdx.enums) {
		oe := c.oldIdx.enums[name]
		ne, ok := c.newIdx.enums[name]
		if !ok {
			continue // reported by the FILE and PACKAGE deletion rules
		}
		at := c.new.Position(ne)
		if oe.IsClosed() != ne.IsClosed() {
			optAt, _ := c.new.PositionAt(ne, enumOptionsPath, enumFeaturesOption, featureEnumType)
			c.add(RuleEnumTypeChanged, optAt, string(name), "enum %s changed from %s to %s", name, openClosed(oe), openClosed(ne))
		}
		if c.on(RuleEnumJSONFormatChanged) {
			if o, n := jsonFormat(oe), jsonFormat(ne); o == descriptorpb.FeatureSet_ALLOW && n != o {
				optAt, _ := c.new.PositionAt(ne, enumOptionsPath, enumFeaturesOption, featureJSONFormat)
				c.add(RuleEnumJSONFormatChanged, optAt, string(name), "enum %s JSON format changed from %v to %v", name, o, n)
			}
		}
		if c.on(RuleEnumReservedDeleted) {
			c.checkRanges(RuleEnumReservedDeleted, "reserved", ne, enumRangesOf(oe.ReservedRanges()), enumRangesOf(ne.ReservedRanges()))
			c.checkReservedNames(RuleEnumReservedDeleted, ne, oe.ReservedNames(), ne.ReservedNames())
		}
		oldNames, newNames := namesByNumber(oe), namesByNumber(ne)
		numbers := make([]protoreflect.EnumNumber, 0, len(oldNames))
		for n := range oldNames {
			numbers = append(numbers, n)
		}
		sort.Slice(numbers, func(i, j int) bool { return numbers[i] < numbers[j] })
		for _, num := range numbers {
			olds := oldNames[num]
			el := string(name) + "." + olds[0]
			news, ok := newNames[num]
			if !ok {
				c.add(RuleEnumValueDeleted, at, el, "enum %s value %d (%s) was deleted", name, num, strings.Join(olds, ", "))
				if !ne.ReservedRanges().Has(num) {
					c.add(RuleEnumValueDeletedNumberNotReserved, at, el, "enum %s value %d (%s) was deleted without reserving its number", name, num, strings.Join(olds, ", "))
				}
				allReserved := true
				for _, n := range olds {
					allReserved = allReserved && ne.ReservedNames().Has(protoreflect.Name(n))
				}
				if !allReserved {
					c.add(RuleEnumValueDeletedNameNotReserved, at, el, "enum %s value %d was deleted without reserving its names %s", name, num, strings.Join(olds, ", "))
				}
				continue
			}
			if c.on(RuleEnumValueNameChanged) && !containsAll(news, olds) {
				// One finding per name the number now has, at each line,
				// as buf gives.
				for _, n := range news {
					nv := ne.Values().ByName(protoreflect.Name(n))
					valAt, _ := c.new.PositionAt(nv, enumValueNumberPath)
					c.add(RuleEnumValueNameChanged, valAt, el,
						"enum %s value %d changed name from %s to %s", name, num, strings.Join(olds, ", "), strings.Join(news, ", "))
				}
			}
		}
	}
}

func openClosed(e protoreflect.EnumDescriptor) string {
	if e.IsClosed() {
		return "closed"
	}
	return "open"
}

// namesByNumber returns the sorted names of each number of e.
func namesByNumber(e protoreflect.EnumDescriptor) map[protoreflect.EnumNumber][]string {
	out := map[protoreflect.EnumNumber][]string{}
	values := e.Values()
	for i := 0; i < values.Len(); i++ {
		v := values.Get(i)
		out[v.Number()] = append(out[v.Number()], string(v.Name()))
	}
	for _, names := range out {
		sort.Strings(names)
	}
	return out
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}
