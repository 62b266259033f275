package grpcmock

import (
	"fmt"
	"sort"

	"google.golang.org/protobuf/encoding/protowire"
	protoapi "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// encodeGiven encodes m the way the protobuf plugin encodes a message built
// from a consumer's expectations: fields in number order, and every field
// the expectation gives written out, even one holding its default value
// (which the standard encoder leaves out for fields without presence). A
// decoder reads the same message either way; the bytes then match the
// plugin's.
func encodeGiven(m protoreflect.Message, given map[string]any) ([]byte, error) {
	md := m.Descriptor()
	if wellKnown[md.FullName()] {
		return marshal(m.Interface())
	}
	fields := md.Fields()
	ordered := make([]protoreflect.FieldDescriptor, 0, fields.Len())
	for i := 0; i < fields.Len(); i++ {
		ordered = append(ordered, fields.Get(i))
	}
	sort.Slice(ordered, func(i, j int) bool { return ordered[i].Number() < ordered[j].Number() })
	var out []byte
	for _, fd := range ordered {
		gv, ok := given[string(fd.Name())]
		if !ok {
			if m.Has(fd) {
				// Not given but set (cannot happen for values built from
				// the expectation; kept for safety).
				b, err := fieldBytes(m, fd)
				if err != nil {
					return nil, err
				}
				out = append(out, b...)
			}
			continue
		}
		isMsg := fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind
		switch {
		case fd.IsMap():
			b, err := fieldBytes(m, fd)
			if err != nil {
				return nil, err
			}
			out = append(out, b...)
		case fd.IsList() && isMsg:
			items, _ := gv.([]any)
			list := m.Get(fd).List()
			for i := 0; i < list.Len(); i++ {
				sub, _ := itemAt(items, i).(map[string]any)
				b, err := encodeGiven(list.Get(i).Message(), sub)
				if err != nil {
					return nil, err
				}
				out = protowire.AppendTag(out, fd.Number(), protowire.BytesType)
				out = protowire.AppendBytes(out, b)
			}
		case fd.IsList():
			b, err := fieldBytes(m, fd)
			if err != nil {
				return nil, err
			}
			out = append(out, b...)
		case isMsg:
			sub, _ := gv.(map[string]any)
			b, err := encodeGiven(m.Get(fd).Message(), sub)
			if err != nil {
				return nil, err
			}
			out = protowire.AppendTag(out, fd.Number(), protowire.BytesType)
			out = protowire.AppendBytes(out, b)
		default:
			b, err := fieldBytes(m, fd)
			if err != nil {
				return nil, err
			}
			if len(b) == 0 {
				b = defaultBytes(fd)
			}
			out = append(out, b...)
		}
	}
	return out, nil
}

func itemAt(items []any, i int) any {
	if i < len(items) {
		return items[i]
	}
	return nil
}

// fieldBytes is the standard encoding of field fd of m alone.
func fieldBytes(m protoreflect.Message, fd protoreflect.FieldDescriptor) ([]byte, error) {
	one := dynamicpb.NewMessage(m.Descriptor())
	if m.Has(fd) {
		one.Set(fd, m.Get(fd))
	}
	return marshal(one)
}

func marshal(m protoapi.Message) ([]byte, error) {
	b, err := protoapi.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", m.ProtoReflect().Descriptor().FullName(), err)
	}
	return b, nil
}

// defaultBytes encodes the default value of a singular scalar field.
func defaultBytes(fd protoreflect.FieldDescriptor) []byte {
	var b []byte
	switch fd.Kind() {
	case protoreflect.FloatKind, protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind:
		b = protowire.AppendTag(b, fd.Number(), protowire.Fixed32Type)
		return protowire.AppendFixed32(b, 0)
	case protoreflect.DoubleKind, protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind:
		b = protowire.AppendTag(b, fd.Number(), protowire.Fixed64Type)
		return protowire.AppendFixed64(b, 0)
	case protoreflect.StringKind, protoreflect.BytesKind:
		b = protowire.AppendTag(b, fd.Number(), protowire.BytesType)
		return protowire.AppendBytes(b, nil)
	}
	b = protowire.AppendTag(b, fd.Number(), protowire.VarintType)
	return protowire.AppendVarint(b, 0)
}
