// Package generate applies Pact generators (V3/V4) to requests, responses
// and messages: random values, values from a regex, dates and times,
// UUIDs, values from provider state parameters and mock server URLs.
//
// Clock and randomness are injected through Context, so a fixed time and a
// seeded source give reproducible output:
//
//	ctx := generate.Context{Mode: generate.Provider, ProviderState: params,
//		Now: clock.Now, Rand: rand.New(rand.NewPCG(1, 2))}
//	req, err := generate.Request(interaction.Request, ctx)
package generate

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/formats/pact"
)

// Mode says which side is applying generators.
type Mode int

// Modes. ProviderState generators apply only when verifying a provider;
// MockServerURL generators only in a consumer's mock server.
const (
	Consumer Mode = iota + 1
	Provider
)

// Context carries what generators need besides their own attributes.
type Context struct {
	Mode Mode
	// ProviderState holds the values returned by the provider state set-up
	// (and the states' params), used by ProviderState generators.
	ProviderState map[string]any
	// MockServerURL is the base URL of the running mock server, used by
	// MockServerURL generators.
	MockServerURL string
	// Now gives the current time; time.Now when nil.
	Now func() time.Time
	// Rand is the randomness source; a randomly seeded one when nil. A
	// *rand.Rand is not safe for concurrent use: share one only between
	// calls made one after another.
	Rand *rand.Rand
}

func (c Context) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Context) rng() *rand.Rand {
	if c.Rand == nil {
		c.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return c.Rand
}

// Generator type names as written in pact files.
const (
	TypeRandomInt         = "RandomInt"
	TypeRandomDecimal     = "RandomDecimal"
	TypeRandomHexadecimal = "RandomHexadecimal"
	TypeRandomString      = "RandomString"
	TypeRegex             = "Regex"
	TypeUUID              = "Uuid"
	TypeDate              = "Date"
	TypeTime              = "Time"
	TypeDateTime          = "DateTime"
	TypeRandomBoolean     = "RandomBoolean"
	TypeProviderState     = "ProviderState"
	TypeMockServerURL     = "MockServerURL"
)

// ErrNotApplicable is returned by Value for a generator that does not apply
// in the context's mode (ProviderState outside Provider mode, MockServerURL
// outside Consumer mode). Request, Response and Message leave such values
// unchanged.
var ErrNotApplicable = errors.New("generator does not apply in this mode")

// Error reports a generator that could not produce a value.
type Error struct {
	// Category and Key locate the generator ("body", "$.a.b").
	Category string
	Key      string
	Type     string
	Err      error
}

// Error implements error.
func (e *Error) Error() string {
	where := e.Category
	if e.Key != "" {
		where += " " + e.Key
	}
	return fmt.Sprintf("generator %s at %s: %v", e.Type, where, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Value produces one value for the generator: json.Number for numbers,
// string, bool, or for ProviderState the parameter's own JSON value.
func Value(g pact.Generator, ctx Context) (any, error) {
	return value(g, nil, &ctx)
}

// value produces a value; current is the value being replaced (used by
// MockServerURL when the generator has no example).
func value(g pact.Generator, current any, ctx *Context) (any, error) {
	r := ctx.rng()
	switch g.Type {
	case TypeRandomInt:
		lo, err := intAttr(g, "min", 0)
		if err != nil {
			return nil, err
		}
		hi, err := intAttr(g, "max", math.MaxInt32)
		if err != nil {
			return nil, err
		}
		if hi < lo {
			return nil, fmt.Errorf("max %d is below min %d", hi, lo)
		}
		// Unsigned arithmetic keeps the span right for ranges wider than
		// MaxInt64.
		span := uint64(hi) - uint64(lo) + 1
		var off uint64
		if span == 0 {
			off = r.Uint64()
		} else {
			off = r.Uint64N(span)
		}
		return json.Number(strconv.FormatInt(int64(uint64(lo)+off), 10)), nil
	case TypeRandomDecimal:
		digits, err := intAttr(g, "digits", 10)
		if err != nil {
			return nil, err
		}
		return randomDecimal(r, int(digits))
	case TypeRandomHexadecimal:
		digits, err := intAttr(g, "digits", 10)
		if err != nil {
			return nil, err
		}
		return randomFrom(r, "0123456789abcdef", int(digits))
	case TypeRandomString:
		size, err := intAttr(g, "size", 10)
		if err != nil {
			return nil, err
		}
		return randomFrom(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", int(size))
	case TypeRegex:
		re, ok := g.Attrs["regex"].(string)
		if !ok {
			return nil, errors.New(`expected a "regex" string attribute`)
		}
		return FromRegex(re, r)
	case TypeUUID:
		format, _ := g.Attrs["format"].(string)
		return UUID(format, r)
	case TypeDate, TypeTime, TypeDateTime:
		return dateValue(g, ctx)
	case TypeRandomBoolean:
		return r.IntN(2) == 1, nil
	case TypeProviderState:
		if ctx.Mode != Provider {
			return nil, ErrNotApplicable
		}
		return providerStateValue(g, ctx.ProviderState)
	case TypeMockServerURL:
		if ctx.Mode != Consumer {
			return nil, ErrNotApplicable
		}
		return mockServerURL(g, current, ctx.MockServerURL)
	}
	return nil, fmt.Errorf("unknown generator type %q", g.Type)
}

// intAttr reads an integer attribute, or def when absent.
func intAttr(g pact.Generator, name string, def int64) (int64, error) {
	v, ok := g.Attrs[name]
	if !ok || v == nil {
		return def, nil
	}
	switch n := v.(type) {
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, nil
		}
		f, err := n.Float64()
		if err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt64/2 {
			return 0, fmt.Errorf("attribute %s: expected an integer, got %s", name, n)
		}
		return int64(f), nil
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > math.MaxInt64/2 {
			return 0, fmt.Errorf("attribute %s: expected an integer, got %v", name, n)
		}
		return int64(n), nil
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("attribute %s: expected an integer, got %q", name, n)
		}
		return i, nil
	}
	return 0, fmt.Errorf("attribute %s: expected an integer, got %T", name, v)
}

func randomFrom(r *rand.Rand, alphabet string, n int) (string, error) {
	if n < 0 || n > 1<<20 {
		return "", fmt.Errorf("size %d out of range", n)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b), nil
}

// randomDecimal returns a decimal number with the given count of digits and
// a decimal point inside it, valid as a JSON number.
func randomDecimal(r *rand.Rand, digits int) (json.Number, error) {
	if digits < 1 || digits > 1<<16 {
		return "", fmt.Errorf("digits %d out of range", digits)
	}
	if digits == 1 {
		return json.Number(strconv.Itoa(r.IntN(10))), nil
	}
	ds, _ := randomFrom(r, "0123456789", digits)
	b := []byte(ds)
	point := 1 + r.IntN(digits-1) // digits before the point: 1..digits-1
	if point > 1 && b[0] == '0' {
		b[0] = byte('1' + r.IntN(9))
	}
	if b[len(b)-1] == '0' {
		// A trailing zero would read back as fewer digits after the point.
		b[len(b)-1] = byte('1' + r.IntN(9))
	}
	return json.Number(string(b[:point]) + "." + string(b[point:])), nil
}

// UUID returns a random (version 4) UUID in a Pact format: "simple" (32
// hex digits), "lower-case-hyphenated" (the default), "upper-case-hyphenated"
// or "URN" ("urn:uuid:" prefix).
func UUID(format string, r *rand.Rand) (string, error) {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	switch strings.ToLower(format) {
	case "", "lower-case-hyphenated":
		return h, nil
	case "upper-case-hyphenated":
		return strings.ToUpper(h), nil
	case "simple":
		return strings.ReplaceAll(h, "-", ""), nil
	case "urn":
		return "urn:uuid:" + h, nil
	}
	return "", fmt.Errorf("unknown UUID format %q", format)
}

// mockServerURL replaces the start of the example URL, up to the regex's
// first group, with the mock server's URL: regex ".*(/a)" and example
// "http://1234:8080/a" with mock server "http://x" give "http://x/a".
func mockServerURL(g pact.Generator, current any, base string) (string, error) {
	pattern, _ := g.Attrs["regex"].(string)
	if pattern == "" {
		return "", errors.New(`expected a "regex" string attribute`)
	}
	example, ok := g.Attrs["example"].(string)
	if !ok {
		if example, ok = current.(string); !ok {
			return "", errors.New(`expected an "example" string attribute`)
		}
	}
	if base == "" {
		return "", errors.New("no mock server URL in the context")
	}
	re, err := compileRegex(pattern)
	if err != nil {
		return "", err
	}
	m := re.FindStringSubmatchIndex(example)
	if m == nil {
		return "", fmt.Errorf("regex %q does not match the example %q", pattern, example)
	}
	rest := example[m[1]:]
	if len(m) >= 4 && m[2] >= 0 {
		rest = example[m[2]:]
	}
	// Exactly one slash joins them: pact-jvm's regexes capture the path
	// with or without its leading slash (".*\/(\Qorders\E)$").
	switch {
	case rest == "":
	case strings.HasSuffix(base, "/") && strings.HasPrefix(rest, "/"):
		base = strings.TrimSuffix(base, "/")
	case !strings.HasSuffix(base, "/") && !strings.HasPrefix(rest, "/") && !strings.HasPrefix(rest, "?") && !strings.HasPrefix(rest, "#"):
		base += "/"
	}
	return base + rest, nil
}

// providerStateValue evaluates a "${name}" expression with the provider
// state values. An expression that is exactly one placeholder keeps the
// value's JSON type; otherwise placeholders are replaced in the text. The
// optional dataType attribute (STRING, INTEGER, DECIMAL, FLOAT, BOOLEAN,
// RAW) converts the result.
func providerStateValue(g pact.Generator, params map[string]any) (any, error) {
	expr, ok := g.Attrs["expression"].(string)
	if !ok {
		return nil, errors.New(`expected an "expression" string attribute`)
	}
	v, err := EvalExpression(expr, params)
	if err != nil {
		return nil, err
	}
	dt, _ := g.Attrs["dataType"].(string)
	return convertDataType(v, dt)
}

// EvalExpression evaluates a provider state expression such as "${id}" or
// "/users/${id}/orders/${order.id}" (dotted names reach into nested
// objects). An expression without "${" is a name on its own ("id"), as
// pact-jvm and the Rust core read it. A missing value is an error.
func EvalExpression(expr string, params map[string]any) (any, error) {
	if !strings.Contains(expr, "${") {
		return lookup(params, expr)
	}
	if name, ok := strings.CutPrefix(expr, "${"); ok && strings.HasSuffix(name, "}") && strings.Count(expr, "${") == 1 {
		return lookup(params, strings.TrimSuffix(name, "}"))
	}
	var b strings.Builder
	rest := expr
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		j := strings.Index(rest[i:], "}")
		if j < 0 {
			return nil, fmt.Errorf("expression %q: unterminated ${", expr)
		}
		b.WriteString(rest[:i])
		v, err := lookup(params, rest[i+2:i+j])
		if err != nil {
			return nil, err
		}
		b.WriteString(text(v))
		rest = rest[i+j+1:]
	}
}

func lookup(params map[string]any, name string) (any, error) {
	name = strings.TrimSpace(name)
	if v, ok := params[name]; ok {
		return v, nil
	}
	var cur any = params
	for part := range strings.SplitSeq(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("no provider state value %q", name)
		}
		if cur, ok = m[part]; !ok {
			return nil, fmt.Errorf("no provider state value %q", name)
		}
	}
	return cur, nil
}

// text formats a JSON value for use in a path, header or query.
func text(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.Number:
		return t.String()
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(t), 'f', -1, 32)
	case bool:
		return strconv.FormatBool(t)
	case map[string]any, []any:
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Sprint(t)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

func convertDataType(v any, dt string) (any, error) {
	switch strings.ToUpper(dt) {
	case "", "RAW":
		return v, nil
	case "STRING":
		return text(v), nil
	case "INTEGER":
		s := text(v)
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			f, ferr := strconv.ParseFloat(s, 64)
			if ferr != nil {
				return nil, fmt.Errorf("value %q is not an integer", s)
			}
			return json.Number(strconv.FormatInt(int64(f), 10)), nil
		}
		return json.Number(s), nil
	case "DECIMAL", "FLOAT":
		s := text(v)
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return nil, fmt.Errorf("value %q is not a number", s)
		}
		return json.Number(s), nil
	case "BOOLEAN":
		b, err := strconv.ParseBool(text(v))
		if err != nil {
			return nil, fmt.Errorf("value %q is not a boolean", text(v))
		}
		return b, nil
	}
	return nil, fmt.Errorf("unknown dataType %q", dt)
}
