package proto

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// ValueOptions controls how messages become JSON-like values.
type ValueOptions struct {
	// JSONNames keys objects by the fields' JSON names (lowerCamelCase or
	// json_name) instead of their proto names.
	JSONNames bool
	// EmitUnpopulated also writes fields that are not set, with their
	// default values (null for messages). Oneof members and fields with
	// explicit presence are still left out when unset.
	EmitUnpopulated bool
}

// Unmarshal decodes protobuf binary data as a message of type md.
func (f *Files) Unmarshal(md protoreflect.MessageDescriptor, data []byte) (*dynamicpb.Message, error) {
	m := dynamicpb.NewMessage(md)
	opts := proto.UnmarshalOptions{Resolver: f.types()}
	if err := opts.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("decode %s: %w", md.FullName(), err)
	}
	return m, nil
}

// Marshal encodes m in the protobuf binary format, deterministically (map
// entries sorted by key).
func Marshal(m proto.Message) ([]byte, error) {
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", m.ProtoReflect().Descriptor().FullName(), err)
	}
	return data, nil
}

// BinaryToValue decodes protobuf binary data of the named message (see
// FindMessage for the accepted names) into a JSON-like value.
func (f *Files) BinaryToValue(message string, data []byte, opts ValueOptions) (any, error) {
	md, err := f.FindMessage(message)
	if err != nil {
		return nil, err
	}
	m, err := f.Unmarshal(md, data)
	if err != nil {
		return nil, err
	}
	return f.ToValue(m, opts)
}

// ValueToBinary encodes a JSON-like value as the named message.
func (f *Files) ValueToBinary(message string, v any) ([]byte, error) {
	md, err := f.FindMessage(message)
	if err != nil {
		return nil, err
	}
	m, err := f.FromValue(md, v)
	if err != nil {
		return nil, err
	}
	return Marshal(m)
}

// ToValue converts m into JSON-like Go values: map[string]any for messages,
// []any for repeated fields, map[string]any for maps (keys as strings),
// json.Number for every integer and finite float (64-bit integers too, so
// number matchers apply to them), string for strings, bytes (standard
// base64), enums (value name, or the number when unknown) and non-finite
// floats ("NaN", "Infinity", "-Infinity"), bool, and nil for
// google.protobuf.NullValue. Wrapper types become their wrapped value; the
// other well-known types (Timestamp, Duration, Struct, Value, ListValue, Any,
// FieldMask, Empty) use their canonical protobuf JSON form.
func (f *Files) ToValue(m protoreflect.Message, opts ValueOptions) (any, error) {
	c := converter{files: f, opts: opts}
	return c.message(m)
}

type converter struct {
	files *Files
	opts  ValueOptions
}

// Wrapper messages whose JSON form is their "value" field.
var wrappers = map[protoreflect.FullName]bool{
	"google.protobuf.DoubleValue": true, "google.protobuf.FloatValue": true,
	"google.protobuf.Int64Value": true, "google.protobuf.UInt64Value": true,
	"google.protobuf.Int32Value": true, "google.protobuf.UInt32Value": true,
	"google.protobuf.BoolValue": true, "google.protobuf.StringValue": true,
	"google.protobuf.BytesValue": true,
}

// Well-known types converted through their canonical protobuf JSON form.
var canonical = map[protoreflect.FullName]bool{
	"google.protobuf.Timestamp": true, "google.protobuf.Duration": true,
	"google.protobuf.Struct": true, "google.protobuf.Value": true,
	"google.protobuf.ListValue": true, "google.protobuf.Any": true,
	"google.protobuf.FieldMask": true, "google.protobuf.Empty": true,
}

func (c converter) message(m protoreflect.Message) (any, error) {
	md := m.Descriptor()
	switch {
	case wrappers[md.FullName()]:
		fd := md.Fields().ByName("value")
		return c.scalar(fd, m.Get(fd))
	case canonical[md.FullName()]:
		return c.canonical(m)
	}
	out := map[string]any{}
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		var val any
		val, err = c.field(fd, v)
		if err != nil {
			err = fmt.Errorf("field %s: %w", fd.FullName(), err)
			return false
		}
		out[c.key(fd)] = val
		return true
	})
	if err != nil {
		return nil, err
	}
	if c.opts.EmitUnpopulated {
		fields := md.Fields()
		for i := 0; i < fields.Len(); i++ {
			fd := fields.Get(i)
			if m.Has(fd) || fd.ContainingOneof() != nil {
				continue
			}
			switch {
			case fd.IsList():
				out[c.key(fd)] = []any{}
			case fd.IsMap():
				out[c.key(fd)] = map[string]any{}
			case fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind:
				out[c.key(fd)] = nil
			default:
				val, err := c.scalar(fd, fd.Default())
				if err != nil {
					return nil, fmt.Errorf("field %s: %w", fd.FullName(), err)
				}
				out[c.key(fd)] = val
			}
		}
	}
	return out, nil
}

func (c converter) key(fd protoreflect.FieldDescriptor) string {
	switch {
	case fd.IsExtension():
		return "[" + string(fd.FullName()) + "]"
	case c.opts.JSONNames:
		return fd.JSONName()
	}
	return string(fd.Name())
}

func (c converter) field(fd protoreflect.FieldDescriptor, v protoreflect.Value) (any, error) {
	switch {
	case fd.IsList():
		l := v.List()
		out := make([]any, l.Len())
		for i := 0; i < l.Len(); i++ {
			val, err := c.single(fd, l.Get(i))
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = val
		}
		return out, nil
	case fd.IsMap():
		out := map[string]any{}
		var err error
		v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
			var val any
			val, err = c.single(fd.MapValue(), mv)
			if err != nil {
				err = fmt.Errorf("[%s]: %w", k.String(), err)
				return false
			}
			out[k.String()] = val
			return true
		})
		return out, err
	}
	return c.single(fd, v)
}

func (c converter) single(fd protoreflect.FieldDescriptor, v protoreflect.Value) (any, error) {
	if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		return c.message(v.Message())
	}
	return c.scalar(fd, v)
}

func (c converter) scalar(fd protoreflect.FieldDescriptor, v protoreflect.Value) (any, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return v.Bool(), nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return json.Number(strconv.FormatInt(v.Int(), 10)), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return json.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case protoreflect.FloatKind:
		return float(v.Float(), 32), nil
	case protoreflect.DoubleKind:
		return float(v.Float(), 64), nil
	case protoreflect.StringKind:
		return v.String(), nil
	case protoreflect.BytesKind:
		return base64.StdEncoding.EncodeToString(v.Bytes()), nil
	case protoreflect.EnumKind:
		if fd.Enum().FullName() == "google.protobuf.NullValue" {
			return nil, nil
		}
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name()), nil
		}
		return json.Number(strconv.FormatInt(int64(v.Enum()), 10)), nil
	}
	return nil, fmt.Errorf("unsupported kind %s", fd.Kind())
}

func float(f float64, bits int) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, bits))
}

func (c converter) canonical(m protoreflect.Message) (any, error) {
	data, err := protojson.MarshalOptions{Resolver: c.files.types(), UseProtoNames: !c.opts.JSONNames}.Marshal(m.Interface())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.Descriptor().FullName(), err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: %w", m.Descriptor().FullName(), err)
	}
	return v, nil
}

// FromValue builds a message of type md from a JSON-like value. Objects may
// use proto or JSON field names; integers may be numbers or strings; enums
// names or numbers; bytes standard or URL-safe base64; well-known types
// their canonical JSON form. Unknown fields are an error naming the field.
func (f *Files) FromValue(md protoreflect.MessageDescriptor, v any) (*dynamicpb.Message, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("convert value to %s: %w", md.FullName(), err)
	}
	m := dynamicpb.NewMessage(md)
	if err := (protojson.UnmarshalOptions{Resolver: f.types()}).Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("convert value to %s: %w", md.FullName(), err)
	}
	return m, nil
}

// types resolves message types (for Any and extensions) from the loaded files.
func (f *Files) types() *dynamicpb.Types { return dynamicpb.NewTypes(f.registry) }
