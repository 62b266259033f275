package breaking

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// checkEnums reports deleted enums, and deleted or renamed values of enums
// present in both schemas. Values are matched by number; an alias (another
// name for the same number) keeps a name alive.
func (c *checker) checkEnums() {
	for _, name := range sortedNames(c.oldIdx.enums) {
		oe := c.oldIdx.enums[name]
		ne, ok := c.newIdx.enums[c.newName(oe)]
		if !ok {
			if c.parentDeleted(oe) {
				continue // the message holding it was reported
			}
			c.add(RuleEnumDeleted, c.deletedAt(oe), string(name), "enum %s was deleted", name)
			continue
		}
		values := oe.Values()
		for i := 0; i < values.Len(); i++ {
			ov := values.Get(i)
			el := valueElement(oe, ov)
			newNames := namesFor(ne, ov.Number())
			if len(newNames) == 0 {
				c.checkValueDeleted(oe, ne, ov)
				continue
			}
			if !contains(newNames, string(ov.Name())) {
				at := c.new.Position(ne.Values().ByNumber(ov.Number()))
				c.add(RuleEnumValueNameChanged, at, el, "enum %s value %d was renamed from %s to %s",
					name, ov.Number(), ov.Name(), strings.Join(newNames, ", "))
			}
		}
	}
}

func (c *checker) checkValueDeleted(oe, ne protoreflect.EnumDescriptor, ov protoreflect.EnumValueDescriptor) {
	numberReserved := ne.ReservedRanges().Has(ov.Number())
	nameReserved := ne.ReservedNames().Has(ov.Name())
	if numberReserved && nameReserved {
		return
	}
	var missing []string
	if !numberReserved {
		missing = append(missing, fmt.Sprintf("number %d", ov.Number()))
	}
	if !nameReserved {
		missing = append(missing, fmt.Sprintf("name %q", ov.Name()))
	}
	c.add(RuleEnumValueDeleted, c.new.Position(ne), valueElement(oe, ov),
		"enum %s value %s (%d) was deleted without reserving its %s",
		oe.FullName(), ov.Name(), ov.Number(), strings.Join(missing, " and "))
}

// valueElement names an enum value inside its enum ("pkg.Enum.VALUE"),
// unlike protobuf's full name, which scopes values beside the enum.
func valueElement(e protoreflect.EnumDescriptor, v protoreflect.EnumValueDescriptor) string {
	return string(e.FullName()) + "." + string(v.Name())
}

// namesFor returns every name e gives number n, aliases included.
func namesFor(e protoreflect.EnumDescriptor, n protoreflect.EnumNumber) []string {
	var out []string
	values := e.Values()
	for i := 0; i < values.Len(); i++ {
		if values.Get(i).Number() == n {
			out = append(out, string(values.Get(i).Name()))
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
