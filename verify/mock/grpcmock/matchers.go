package grpcmock

import (
	"fmt"
	"regexp"
	"strconv"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/contracts-dev/contracts/formats/pact"
)

// Term is an example value with the matching rule that applies at its
// place: the same rule model as HTTP pacts (pact.Matcher), written under
// the "body" category for message contents and "metadata" for metadata.
// Terms are built by Like, EachLike, Regex and the other functions below,
// and may be nested inside maps and slices of a message value.
type Term struct {
	// Example is the value sent or returned in the mock.
	Example any
	// Rule is the matcher at the Term's path.
	Rule pact.Matcher
	// Gen, when set, is a generator at the Term's path (provider side:
	// the verifier replaces the example with the value it generates).
	Gen *pact.Generator
	// each makes Example the template of every element of a repeated field.
	each bool
	min  int
}

func term(example any, typ string, attrs map[string]any) Term {
	return Term{Example: example, Rule: pact.Matcher{Type: typ, Attrs: attrs}}
}

// Like matches any value of the same type as example (and, for messages,
// the same shape, recursively).
func Like(example any) Term { return term(example, "type", nil) }

// EachLike matches a repeated field with at least min elements (0 or 1
// means 1 example element) each like example.
func EachLike(example any, min int) Term {
	t := term(example, "type", map[string]any{"min": max(min, 0)})
	t.each, t.min = true, max(min, 1)
	return t
}

// Regex matches strings (or the text of scalars) matching pattern, a
// regular expression in the syntax the Pact matchers accept; example must
// match it.
func Regex(pattern, example string) Term {
	return term(example, "regex", map[string]any{"regex": pattern})
}

// Integer matches any integer.
func Integer(example int64) Term { return term(example, "integer", nil) }

// Decimal matches any number with a fractional part.
func Decimal(example float64) Term { return term(example, "decimal", nil) }

// Number matches any number.
func Number(example float64) Term { return term(example, "number", nil) }

// Boolean matches true and false.
func Boolean(example bool) Term { return term(example, "boolean", nil) }

// Equal matches only example.
func Equal(example any) Term { return term(example, "equality", nil) }

// Includes matches strings that contain substr.
func Includes(substr string) Term {
	return term(substr, "include", map[string]any{"value": substr})
}

// Timestamp matches date-times in format, a Java DateTimeFormatter
// pattern such as "yyyy-MM-dd'T'HH:mm:ssXXX". A google.protobuf.Timestamp
// field is compared in its RFC 3339 JSON form
// ("2024-03-01T10:00:00Z").
func Timestamp(format, example string) Term {
	return term(example, "timestamp", map[string]any{"format": format})
}

// Date matches dates in format (a Java date pattern such as "yyyy-MM-dd").
func Date(format, example string) Term {
	return term(example, "date", map[string]any{"format": format})
}

// Time matches times of day in format (a Java pattern such as "HH:mm").
func Time(format, example string) Term {
	return term(example, "time", map[string]any{"format": format})
}

// FromProviderState is a value the verifier takes from the provider state
// set-up: expression is a template such as "${id}" or "/orders/${id}"
// evaluated with the values the state change call returned; example is used
// by the mock. The value also matches by type.
func FromProviderState(expression string, example any) Term {
	t := term(example, "type", nil)
	t.Gen = &pact.Generator{Type: "ProviderState", Attrs: map[string]any{"expression": expression}}
	return t
}

// Values matches a map field whatever its keys, each value like the
// example's values.
func Values(example map[string]any) Term { return term(example, "values", nil) }

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func childPath(path, key string) string {
	if identifier.MatchString(key) {
		return path + "." + key
	}
	return path + "['" + key + "']"
}

// builder turns a value with Terms into a plain example and rules.
type builder struct {
	rules map[string]pact.RuleList
	gens  map[string]pact.Generator
}

// term records t's rule and generator at path.
func (b *builder) term(path string, t Term) {
	b.add(path, t.Rule)
	if t.Gen != nil {
		if b.gens == nil {
			b.gens = map[string]pact.Generator{}
		}
		b.gens[path] = *t.Gen
	}
}

func (b *builder) add(path string, m pact.Matcher) {
	rl := b.rules[path]
	rl.Matchers = append(rl.Matchers, m)
	if rl.Combine == "" {
		rl.Combine = "AND"
	}
	b.rules[path] = rl
}

// message builds the example of a message of type md from v (a map keyed
// by proto or JSON field names), recording rules under path with proto
// field names, as the verifier's values are keyed.
func (b *builder) message(md protoreflect.MessageDescriptor, v any, path string) (any, error) {
	if t, ok := v.(Term); ok {
		b.term(path, t)
		return b.message(md, t.Example, path)
	}
	if _, ok := wellKnown[md.FullName()]; ok {
		return b.leaf(v, path)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: want an object for message %s, got %T", path, md.FullName(), v)
	}
	out := make(map[string]any, len(obj))
	fields := md.Fields()
	for _, k := range sortedKeys(obj) {
		fd := fields.ByName(protoreflect.Name(k))
		if fd == nil {
			fd = fields.ByJSONName(k)
		}
		if fd == nil {
			return nil, fmt.Errorf("%s: message %s has no field %q", path, md.FullName(), k)
		}
		name := string(fd.Name())
		val, err := b.field(fd, obj[k], childPath(path, name))
		if err != nil {
			return nil, err
		}
		out[name] = val
	}
	return out, nil
}

// wellKnown are message types given as JSON scalars or free-form JSON.
var wellKnown = map[protoreflect.FullName]bool{
	"google.protobuf.Timestamp": true, "google.protobuf.Duration": true,
	"google.protobuf.Struct": true, "google.protobuf.Value": true,
	"google.protobuf.ListValue": true, "google.protobuf.Any": true,
	"google.protobuf.FieldMask": true, "google.protobuf.Empty": true,
	"google.protobuf.DoubleValue": true, "google.protobuf.FloatValue": true,
	"google.protobuf.Int64Value": true, "google.protobuf.UInt64Value": true,
	"google.protobuf.Int32Value": true, "google.protobuf.UInt32Value": true,
	"google.protobuf.BoolValue": true, "google.protobuf.StringValue": true,
	"google.protobuf.BytesValue": true,
}

func (b *builder) field(fd protoreflect.FieldDescriptor, v any, path string) (any, error) {
	switch {
	case fd.IsList():
		if t, ok := v.(Term); ok {
			b.term(path, t)
			if t.each {
				items := make([]any, t.min)
				for i := range items {
					// The rules of the template are recorded once.
					ib := b
					if i > 0 {
						ib = &builder{rules: map[string]pact.RuleList{}}
					}
					item, err := ib.single(fd, t.Example, path+"[*]")
					if err != nil {
						return nil, err
					}
					items[i] = item
				}
				return items, nil
			}
			return b.field(fd, t.Example, path)
		}
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: want a list for repeated field %s, got %T", path, fd.FullName(), v)
		}
		out := make([]any, len(list))
		for i, item := range list {
			val, err := b.single(fd, item, path+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			out[i] = val
		}
		return out, nil
	case fd.IsMap():
		if t, ok := v.(Term); ok {
			b.term(path, t)
			v = t.Example
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: want an object for map field %s, got %T", path, fd.FullName(), v)
		}
		out := make(map[string]any, len(obj))
		for _, k := range sortedKeys(obj) {
			val, err := b.single(fd.MapValue(), obj[k], childPath(path, k))
			if err != nil {
				return nil, err
			}
			out[k] = val
		}
		return out, nil
	}
	return b.single(fd, v, path)
}

func (b *builder) single(fd protoreflect.FieldDescriptor, v any, path string) (any, error) {
	if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		return b.message(fd.Message(), v, path)
	}
	return b.leaf(v, path)
}

// leaf builds a scalar (or free-form well-known type) example.
func (b *builder) leaf(v any, path string) (any, error) {
	switch t := v.(type) {
	case Term:
		b.term(path, t)
		return b.leaf(t.Example, path)
	case map[string]any:
		out := make(map[string]any, len(t))
		for _, k := range sortedKeys(t) {
			val, err := b.leaf(t[k], childPath(path, k))
			if err != nil {
				return nil, err
			}
			out[k] = val
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, item := range t {
			val, err := b.leaf(item, path+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			out[i] = val
		}
		return out, nil
	}
	return v, nil
}

// metadataValues builds metadata examples and "metadata" rules keyed by
// the metadata name.
func (b *builder) metadataValues(md map[string]any) map[string]any {
	out := make(map[string]any, len(md))
	for k, v := range md {
		if t, ok := v.(Term); ok {
			b.term(k, t)
			v = t.Example
		}
		out[k] = v
	}
	return out
}
