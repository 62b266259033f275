package broker

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ContentSHA returns the pact version identifier of a pact document, the
// same SHA-1 the Pact Broker computes (lib/pact_broker/pacts/generate_sha.rb):
// over the JSON, as Ruby writes it, of only what affects verification (the
// "interactions" and "messages", each interaction without its "_id", and
// the specification version), with object keys sorted and the
// interactions (or, without them, the messages) sorted by their JSON.
// Consumer and provider names and the rest of the metadata do not change
// it, so republishing the same interactions in another order or with
// another pact library version gives the same SHA. Unlike the Pact Broker
// it ignores "_id", which the Pact Broker adds to the pacts it serves, so
// republishing a fetched pact keeps its SHA.
//
// A document with neither hashes as a whole, in its own key order, as the
// Pact Broker does. The error wraps ErrInvalid when pactJSON is not a JSON
// object.
func ContentSHA(pactJSON []byte) (string, error) {
	doc, err := decodeObject(pactJSON)
	if err != nil {
		return "", err
	}
	return contentSHA(doc, pactJSON)
}

// contentSHA is ContentSHA of a document already decoded (decoding is
// most of the time and memory a large pact costs).
func contentSHA(doc map[string]any, pactJSON []byte) (string, error) {
	var buf bytes.Buffer
	if subject := verifiableContent(doc); subject != nil {
		writeCanonical(&buf, subject)
	} else if err := writeInOrder(&buf, pactJSON); err != nil {
		return "", Invalid("content", "not valid JSON: %v", err)
	}
	sum := sha1.Sum(buf.Bytes())
	return hex.EncodeToString(sum[:]), nil
}

// decodeObject parses a JSON object keeping numbers as written.
func decodeObject(data []byte) (map[string]any, error) {
	// encoding/json would quietly turn invalid bytes into U+FFFD, storing
	// content other than what was published; the Pact Broker refuses it.
	if !utf8.Valid(data) {
		return nil, Invalid("content", "not valid UTF-8: invalid byte at offset %d", InvalidUTF8Offset(data))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, Invalid("content", "not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, Invalid("content", "trailing data after the JSON document")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, Invalid("content", "must be a JSON object, got %s", jsonKind(v))
	}
	return obj, nil
}

// InvalidUTF8Offset returns the offset of the first byte of data that
// starts no valid UTF-8 sequence, -1 when data is valid UTF-8.
func InvalidUTF8Offset(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	default:
		return "an object"
	}
}

// verifiableContent extracts the parts of a pact that ContentSHA hashes,
// as the Pact Broker does (lib/pact_broker/pacts/content.rb): the
// "interactions" and "messages" present (neither null nor false), only the
// first of them sorted, and the spec version under
// "pact_specification_version". It returns nil when there is neither: the
// Pact Broker then hashes the whole document as written (writeInOrder).
func verifiableContent(doc map[string]any) any {
	interactions, messages := doc["interactions"], doc["messages"]
	if !truthy(interactions) && !truthy(messages) {
		return nil
	}
	out := map[string]any{}
	if truthy(interactions) {
		out["interactions"] = sortedItems(interactions, true)
	}
	if truthy(messages) {
		out["messages"] = sortedItems(messages, !truthy(interactions))
	}
	if spec := specVersion(doc); truthy(spec) {
		out["pact_specification_version"] = spec
	}
	return out
}

// truthy reports whether v is present in the Ruby sense (not nil or false).
func truthy(v any) bool {
	return v != nil && v != false
}

// sortedItems drops "_id" from each item and, when sortIt, sorts items by
// canonical JSON.
func sortedItems(v any, sortIt bool) any {
	items, ok := v.([]any)
	if !ok {
		return v
	}
	type keyed struct {
		key  string
		item any
	}
	ks := make([]keyed, len(items))
	for i, it := range items {
		if obj, ok := it.(map[string]any); ok {
			if _, has := obj["_id"]; has {
				c := make(map[string]any, len(obj))
				for k, v := range obj {
					if k != "_id" {
						c[k] = v
					}
				}
				it = c
			}
		}
		var b bytes.Buffer
		writeCanonical(&b, it)
		ks[i] = keyed{b.String(), it}
	}
	if sortIt {
		sort.SliceStable(ks, func(i, j int) bool { return ks[i].key < ks[j].key })
	}
	out := make([]any, len(ks))
	for i, k := range ks {
		out[i] = k.item
	}
	return out
}

// specVersion finds the declared specification version in any of the
// places pact files have put it (nil when absent).
func specVersion(doc map[string]any) any {
	md, _ := doc["metadata"].(map[string]any)
	if md == nil {
		return nil
	}
	for _, key := range []string{"pactSpecification", "pact-specification"} {
		if o, ok := md[key].(map[string]any); ok && truthy(o["version"]) {
			return o["version"]
		}
	}
	return md["pactSpecificationVersion"]
}

// writeInOrder re-encodes the JSON document data compactly, keeping its
// key order, with strings and numbers written as writeCanonical does.
func writeInOrder(b *bytes.Buffer, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		object bool
		n      int // tokens written inside: keys and values
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		d, isDelim := tok.(json.Delim)
		closing := isDelim && (d == '}' || d == ']')
		if len(stack) > 0 && !closing {
			top := &stack[len(stack)-1]
			switch {
			case top.object && top.n%2 == 1:
				b.WriteByte(':')
			case top.n > 0:
				b.WriteByte(',')
			}
			top.n++
		}
		switch {
		case closing:
			b.WriteByte(byte(d))
			stack = stack[:len(stack)-1]
		case isDelim:
			b.WriteByte(byte(d))
			stack = append(stack, frame{object: d == '{'})
		default:
			writeCanonical(b, tok)
		}
	}
}

// writeCanonical writes v as JSON with object keys sorted and no
// insignificant whitespace, strings and numbers written the way Ruby's
// JSON generator writes them, so that ContentSHA equals the Pact Broker's.
func writeCanonical(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			writeCanonical(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, it := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, it)
		}
		b.WriteByte(']')
	case string:
		writeString(b, x)
	case json.Number:
		writeNumber(b, x.String())
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case nil:
		b.WriteString("null")
	default:
		fmt.Fprintf(b, "%v", x)
	}
}

// writeString quotes s escaping only what JSON requires (quote, backslash
// and control characters), as Ruby does: unlike encoding/json it leaves
// <, >, & and U+2028/U+2029 as they are.
func writeString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\f':
			b.WriteString(`\f`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// writeNumber writes a JSON number as Ruby re-serialises it: integers as
// written (-0 as 0), other numbers as Float#to_s does ("1.5", "100.0",
// "1.0e+20", "1.0e-05").
func writeNumber(b *bytes.Buffer, n string) {
	if !strings.ContainsAny(n, ".eE") {
		if n == "-0" {
			n = "0"
		}
		b.WriteString(n)
		return
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil {
		b.WriteString(n)
		return
	}
	sci := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±XX
	neg := strings.HasPrefix(sci, "-")
	sci = strings.TrimPrefix(sci, "-")
	mant, expText, _ := strings.Cut(sci, "e")
	exp, _ := strconv.Atoi(expText)
	digits := strings.Replace(mant, ".", "", 1)
	decpt := exp + 1
	if neg {
		b.WriteByte('-')
	}
	switch {
	case decpt > 0 && decpt <= 16:
		if len(digits) <= decpt {
			b.WriteString(digits + strings.Repeat("0", decpt-len(digits)) + ".0")
		} else {
			b.WriteString(digits[:decpt] + "." + digits[decpt:])
		}
	case decpt <= 0 && decpt > -4:
		b.WriteString("0." + strings.Repeat("0", -decpt) + digits)
	default:
		frac := digits[1:]
		if frac == "" {
			frac = "0"
		}
		fmt.Fprintf(b, "%s.%se%+03d", digits[:1], frac, decpt-1)
	}
}

// pactNames returns the consumer and provider names declared in a pact
// document ("" when absent).
func pactNames(doc map[string]any) (consumer, provider string) {
	name := func(key string) string {
		if o, ok := doc[key].(map[string]any); ok {
			if s, ok := o["name"].(string); ok {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}
	return name("consumer"), name("provider")
}

// CheckPactContent validates a pact document published for consumer and
// provider and returns its ContentSHA. ErrInvalid (*FieldError): not a
// JSON object, or the consumer/provider names in the document differ from
// the given ones (absent names are accepted).
func CheckPactContent(content []byte, consumer, provider string) (string, error) {
	doc, err := decodeObject(content)
	if err != nil {
		return "", err
	}
	c, p := pactNames(doc)
	if c != "" && c != consumer {
		return "", Invalid("content", "consumer.name %q in the pact does not match consumer %q", c, consumer)
	}
	if p != "" && p != provider {
		return "", Invalid("content", "provider.name %q in the pact does not match provider %q", p, provider)
	}
	return contentSHA(doc, content)
}
