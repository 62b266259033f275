package breaking

import (
	"sort"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// Usage is what consumers' interactions use of a protobuf schema.
type Usage struct {
	Interactions []InteractionUsage
}

// InteractionUsage is what one pact interaction uses: the elements its
// request and responses set or address with matching rules. Every list holds
// full names and is sorted.
type InteractionUsage struct {
	Consumer    string
	Description string
	// Method is the RPC as "pkg.Service/Method"; empty for a message that
	// travels without a gRPC service (HTTP bodies, asynchronous messages).
	Method     string
	Messages   []string // message types, the request and response included
	Fields     []string // "pkg.Msg.field"
	Oneofs     []string // "pkg.Msg.oneof", for the fields above inside a oneof
	Enums      []string // enum types of the fields above
	EnumValues []string // "pkg.Enum.VALUE" values present in the contents
}

// service returns the full name of the interaction's service, or "".
func (u InteractionUsage) service() string {
	s, _, _ := strings.Cut(u.Method, "/")
	return s
}

// methodName returns the method as a protobuf full name, "pkg.Service.Method".
func (u InteractionUsage) methodName() string {
	return strings.Replace(u.Method, "/", ".", 1)
}

// collector gathers the elements of one interaction.
type collector struct {
	messages, fields, oneofs, enums, values map[string]bool
}

func newCollector() *collector {
	return &collector{
		messages: map[string]bool{}, fields: map[string]bool{}, oneofs: map[string]bool{},
		enums: map[string]bool{}, values: map[string]bool{},
	}
}

func (c *collector) usage(consumer, description, method string) InteractionUsage {
	return InteractionUsage{
		Consumer:    consumer,
		Description: description,
		Method:      method,
		Messages:    keys(c.messages),
		Fields:      keys(c.fields),
		Oneofs:      keys(c.oneofs),
		Enums:       keys(c.enums),
		EnumValues:  keys(c.values),
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (c *collector) messageType(md protoreflect.MessageDescriptor) {
	if !md.IsMapEntry() {
		c.messages[string(md.FullName())] = true
	}
}

// field records fd and the types and oneof it brings along.
func (c *collector) field(fd protoreflect.FieldDescriptor) {
	c.fields[string(fd.FullName())] = true
	if fd.IsMap() {
		// Changes to a map's key or value type are findings on its entry's
		// fields.
		c.fields[string(fd.MapKey().FullName())] = true
		c.fields[string(fd.MapValue().FullName())] = true
	}
	if o := fd.ContainingOneof(); o != nil && !o.IsSynthetic() {
		c.oneofs[string(o.FullName())] = true
	}
	t := fd
	if fd.IsMap() {
		t = fd.MapValue()
	}
	switch t.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		c.messageType(t.Message())
	case protoreflect.EnumKind:
		c.enums[string(t.Enum().FullName())] = true
	}
}

// message records every field set in m, recursively, and the enum values
// it holds.
func (c *collector) message(m protoreflect.Message) {
	c.messageType(m.Descriptor())
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		c.field(fd)
		switch {
		case fd.IsList():
			for i := 0; i < v.List().Len(); i++ {
				c.value(fd, v.List().Get(i))
			}
		case fd.IsMap():
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				c.value(fd.MapValue(), mv)
				return true
			})
		default:
			c.value(fd, v)
		}
		return true
	})
}

func (c *collector) value(fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		c.message(v.Message())
	case protoreflect.EnumKind:
		// Every name of the number: a finding names the value by one of
		// its aliases.
		for _, name := range namesByNumber(fd.Enum())[v.Enum()] {
			c.values[string(fd.Enum().FullName())+"."+name] = true
		}
	}
}

// path records the fields a matching-rule path such as "$.rectangle.length",
// "$.value.*" or "$.lines[*].quantity" addresses, starting at md. Field
// names may be proto or JSON names. The walk stops quietly at the first
// segment the schema does not have (the rule then applies to no field).
func (c *collector) path(md protoreflect.MessageDescriptor, path string) {
	segs, ok := parsePath(path)
	if !ok {
		return
	}
	msg := md
	var leaf protoreflect.FieldDescriptor // a repeated, map or scalar field just stepped on
	for _, s := range segs {
		if leaf != nil && (leaf.IsList() || leaf.IsMap()) {
			elem, leafWasMap := leaf, leaf.IsMap()
			if leafWasMap {
				elem = leaf.MapValue()
			}
			leaf = nil
			if elem.Kind() != protoreflect.MessageKind && elem.Kind() != protoreflect.GroupKind {
				return // an element of a scalar list or map: nothing deeper
			}
			msg = elem.Message()
			if s.index || leafWasMap {
				continue // the segment was the index or the map key
			}
			// A name right after a repeated field: lenient, treat as the element's field.
		}
		if s.index || msg == nil {
			return
		}
		fd := msg.Fields().ByName(protoreflect.Name(s.name))
		if fd == nil {
			fd = msg.Fields().ByJSONName(s.name)
		}
		if fd == nil {
			return
		}
		c.field(fd)
		if fd.IsList() || fd.IsMap() || (fd.Kind() != protoreflect.MessageKind && fd.Kind() != protoreflect.GroupKind) {
			leaf, msg = fd, nil
			continue
		}
		msg = fd.Message()
	}
}

// segment is one step of a matching-rule path: a field name, or an index
// or wildcard ("*", "[*]", "[0]").
type segment struct {
	name  string
	index bool
}

// parsePath splits a pact matching-rule path ("$.a.b[*].c", "$['x-y']") into
// segments. It reports false for paths that do not start at the root.
func parsePath(p string) ([]segment, bool) {
	if !strings.HasPrefix(p, "$") {
		return nil, false
	}
	rest := p[1:]
	var out []segment
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			name := rest[:end]
			rest = rest[end:]
			if name == "*" {
				out = append(out, segment{index: true})
			} else if name != "" {
				out = append(out, segment{name: name})
			}
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, false
			}
			inner := rest[1:end]
			rest = rest[end+1:]
			if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') {
				out = append(out, segment{name: inner[1 : len(inner)-1]})
			} else {
				out = append(out, segment{index: true})
			}
		default:
			return nil, false
		}
	}
	return out, true
}
