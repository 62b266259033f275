package breaking

import "google.golang.org/protobuf/reflect/protoreflect"

// checkMessages reports deleted messages and oneofs, and compares the
// fields of every message present in both schemas.
func (c *checker) checkMessages() {
	for _, name := range sortedNames(c.oldIdx.messages) {
		om := c.oldIdx.messages[name]
		nm, ok := c.newIdx.messages[c.newName(om)]
		if !ok {
			if c.parentDeleted(om) {
				continue // reported once, at the outermost deleted message
			}
			c.add(RuleMessageDeleted, c.deletedAt(om), string(name), "message %s was deleted", name)
			continue
		}
		c.checkOneofs(om, nm)
		c.checkFields(om, nm)
	}
}

// parentDeleted reports whether d is nested in a message the new schema no
// longer has.
func (c *checker) parentDeleted(d protoreflect.Descriptor) bool {
	p, ok := d.Parent().(protoreflect.MessageDescriptor)
	if !ok {
		return false
	}
	_, kept := c.newIdx.messages[c.newName(p)]
	return !kept
}

func (c *checker) checkOneofs(om, nm protoreflect.MessageDescriptor) {
	oneofs := om.Oneofs()
	for i := 0; i < oneofs.Len(); i++ {
		oo := oneofs.Get(i)
		if oo.IsSynthetic() {
			continue // proto3 optional: compared as the field's presence
		}
		if no := nm.Oneofs().ByName(oo.Name()); no != nil && !no.IsSynthetic() {
			continue
		}
		c.add(RuleOneofDeleted, c.new.Position(nm), string(oo.FullName()),
			"oneof %s was deleted from message %s", oo.Name(), om.FullName())
	}
}
