package generate_test

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/generate"
)

// fixedNow is Wednesday 2025-01-15 10:20:30.123456789 in UTC+10.
var fixedNow = time.Date(2025, 1, 15, 10, 20, 30, 123456789, time.FixedZone("AEST", 10*3600))

func testContext(seed uint64) generate.Context {
	return generate.Context{
		Mode: generate.Consumer,
		Now:  func() time.Time { return fixedNow },
		Rand: rand.New(rand.NewPCG(seed, seed+1)),
	}
}

func gen(typ string, attrs map[string]any) pact.Generator {
	return pact.Generator{Type: typ, Attrs: attrs}
}

func mustValue(tb testing.TB, g pact.Generator, ctx generate.Context) any {
	tb.Helper()
	v, err := generate.Value(g, ctx)
	require.NoError(tb, err)
	return v
}

func TestValueShapes(t *testing.T) {
	t.Parallel()
	n := func(s string) json.Number { return json.Number(s) }
	tests := []struct {
		name  string
		g     pact.Generator
		shape string // the value as text must match this fully
	}{
		{"int default", gen("RandomInt", nil), `\d+`},
		{"int range", gen("RandomInt", map[string]any{"min": n("5"), "max": n("7")}), `[5-7]`},
		{"int full range", gen("RandomInt", map[string]any{"min": n("-9223372036854775808"), "max": n("9223372036854775807")}), `-?\d+`},
		{"int single", gen("RandomInt", map[string]any{"min": n("4"), "max": 4.0}), `4`},
		{"int negative", gen("RandomInt", map[string]any{"min": n("-3"), "max": n("-1")}), `-[1-3]`},
		{"decimal", gen("RandomDecimal", map[string]any{"digits": n("6")}), `\d+\.\d+`},
		{"decimal one digit", gen("RandomDecimal", map[string]any{"digits": n("1")}), `\d`},
		{"hex", gen("RandomHexadecimal", map[string]any{"digits": n("6")}), `[0-9a-f]{6}`},
		{"string", gen("RandomString", map[string]any{"size": n("6")}), `[A-Za-z0-9]{6}`},
		{"string default", gen("RandomString", nil), `[A-Za-z0-9]{10}`},
		{"regex", gen("Regex", map[string]any{"regex": `\d{1,8}`}), `\d{1,8}`},
		{"regex alternation", gen("Regex", map[string]any{"regex": `^(red|green|blue)-[A-F]{2}[^a-z]?$`}), `(red|green|blue)-[A-F]{2}[^a-z]?`},
		{"regex case-insensitive", gen("Regex", map[string]any{"regex": `(?i)abc\s\w+`}), `(?i)abc\s\w+`},
		{"uuid default", gen("Uuid", nil), `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`},
		{"uuid lower", gen("Uuid", map[string]any{"format": "lower-case-hyphenated"}), `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`},
		{"uuid upper", gen("Uuid", map[string]any{"format": "upper-case-hyphenated"}), `[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}`},
		{"uuid simple", gen("Uuid", map[string]any{"format": "simple"}), `[0-9a-f]{32}`},
		{"uuid urn", gen("Uuid", map[string]any{"format": "URN"}), `urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`},
		{"boolean", gen("RandomBoolean", nil), `true|false`},
		{"date default", gen("Date", nil), `2025-01-15`},
		{"time default", gen("Time", nil), `10:20:30`},
		{"datetime default", gen("DateTime", nil), `2025-01-15T10:20:30\+10:00`},
		{"date format", gen("Date", map[string]any{"format": "dd/MM/yy EEE MMM"}), `15/01/25 Wed Jan`},
		{"datetime millis", gen("DateTime", map[string]any{"format": "yyyy-MM-dd'T'HH:mm:ss.SSSZ"}), `2025-01-15T10:20:30\.123\+1000`},
		{"time 12h", gen("Time", map[string]any{"format": "h:mm a"}), `10:20 AM`},
		{"date expression", gen("Date", map[string]any{"expression": "tomorrow"}), `2025-01-16`},
		{"datetime expression", gen("DateTime", map[string]any{"format": "yyyy-MM-dd HH:mm", "expression": "last month @ 2 o'clock"}), `2024-12-15 02:00`},
		{"time expression", gen("Time", map[string]any{"expression": "now + 2 hours"}), `12:20:30`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			re := regexp.MustCompile(`^(?:` + tt.shape + `)$`)
			for seed := range uint64(50) {
				v := mustValue(t, tt.g, testContext(seed))
				var s string
				switch x := v.(type) {
				case string:
					s = x
				case json.Number:
					s = x.String()
					require.True(t, json.Valid([]byte(s)), "%q is a JSON number", s)
				case bool:
					s = strconv.FormatBool(x)
				default:
					t.Fatalf("unexpected value %T %v", v, v)
				}
				require.Regexp(t, re, s, "seed %d", seed)
			}
		})
	}
}

func TestValueIsReproducibleWithASeed(t *testing.T) {
	t.Parallel()
	g := gen("Regex", map[string]any{"regex": `[a-z]{5}\d{3}`})
	require.Equal(t, mustValue(t, g, testContext(7)), mustValue(t, g, testContext(7)))
	require.NotEqual(t, mustValue(t, g, testContext(7)), mustValue(t, g, testContext(8)))
}

func TestRandomIntCoversRange(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	ctx := testContext(1)
	for range 200 {
		seen[string(mustValue(t, gen("RandomInt", map[string]any{"min": 1, "max": 3}), ctx).(json.Number))] = true
	}
	require.Equal(t, map[string]bool{"1": true, "2": true, "3": true}, seen)
}

func TestDecimalDigits(t *testing.T) {
	t.Parallel()
	for seed := range uint64(100) {
		v := mustValue(t, gen("RandomDecimal", map[string]any{"digits": json.Number("6")}), testContext(seed)).(json.Number)
		require.Len(t, regexp.MustCompile(`\d`).FindAllString(v.String(), -1), 6, "%s has 6 digits", v)
		_, err := v.Float64()
		require.NoError(t, err)
	}
}

func TestValueErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		g    pact.Generator
	}{
		{"unknown type", gen("Bogus", nil)},
		{"int max below min", gen("RandomInt", map[string]any{"min": 5, "max": 1})},
		{"int attr not a number", gen("RandomInt", map[string]any{"min": "x"})},
		{"int attr fractional", gen("RandomInt", map[string]any{"max": json.Number("2.5")})},
		{"int attr too large", gen("RandomInt", map[string]any{"max": json.Number("1e300")})},
		{"regex missing", gen("Regex", nil)},
		{"regex invalid", gen("Regex", map[string]any{"regex": "(a"})},
		{"uuid format", gen("Uuid", map[string]any{"format": "weird"})},
		{"date format letter", gen("Date", map[string]any{"format": "yyyy-bb"})},
		{"date expression", gen("Date", map[string]any{"expression": "the day after"})},
		{"mock server url without example", gen("MockServerURL", map[string]any{"regex": ".*"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := generate.Value(tt.g, testContext(1))
			require.Error(t, err)
		})
	}
}

func TestDateExpressions(t *testing.T) {
	t.Parallel()
	// fixedNow is Wednesday 2025-01-15 10:20:30.
	tests := []struct{ expr, want string }{
		{"now", "2025-01-15 10:20:30"},
		{"today", "2025-01-15 10:20:30"},
		{"yesterday", "2025-01-14 10:20:30"},
		{"tomorrow", "2025-01-16 10:20:30"},
		{"+ 1 day", "2025-01-16 10:20:30"},
		{"+1 day", "2025-01-16 10:20:30"},
		{"- 2 weeks", "2025-01-01 10:20:30"},
		{"today + 1 fortnight", "2025-01-29 10:20:30"},
		{"next week", "2025-01-22 10:20:30"},
		{"last month", "2024-12-15 10:20:30"},
		{"next year", "2026-01-15 10:20:30"},
		{"now + 2 hours", "2025-01-15 12:20:30"},
		{"now - 30 minutes + 10 seconds", "2025-01-15 09:50:40"},
		{"next monday", "2025-01-20 10:20:30"},
		{"last wednesday", "2025-01-08 10:20:30"},
		{"next march", "2025-03-15 10:20:30"},
		{"last december", "2024-12-15 10:20:30"},
		{"tomorrow @ midnight", "2025-01-16 00:00:00"},
		{"yesterday @ noon", "2025-01-14 12:00:00"},
		{"last month @ 2 o'clock", "2024-12-15 02:00:00"},
		{"today @ 2 o'clock pm", "2025-01-15 14:00:00"},
		{"today @ 12 o'clock am", "2025-01-15 00:00:00"},
		{"@ 13:45", "2025-01-15 13:45:00"},
		{"today @ noon + 1 hour", "2025-01-15 13:00:00"},
		{"Tomorrow @ Now", "2025-01-16 10:20:30"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			got, err := generate.EvalDateExpression(tt.expr, fixedNow)
			require.NoError(t, err)
			require.Equal(t, tt.want, got.Format("2006-01-02 15:04:05"))
		})
	}
	monthEnd := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	got, err := generate.EvalDateExpression("+ 1 month", monthEnd)
	require.NoError(t, err)
	require.Equal(t, "2024-02-29", got.Format("2006-01-02"), "month arithmetic clamps the day")

	for _, bad := range []string{"whenever", "+ 1", "+ x days", "+ 1 parsec", "next", "today @ 25 o'clock", "@ 13 o'clock pm", "@ 10:99"} {
		_, err := generate.EvalDateExpression(bad, fixedNow)
		require.ErrorIs(t, err, generate.ErrExpression, bad)
	}
	tm, err := generate.EvalTimeExpression("noon - 5 minutes", fixedNow)
	require.NoError(t, err)
	require.Equal(t, "11:55:00", tm.Format("15:04:05"))
}

func TestFormatJava(t *testing.T) {
	t.Parallel()
	utc := time.Date(2024, 3, 5, 7, 8, 9, 50_000_000, time.UTC)
	tests := []struct{ pattern, want string }{
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-03-05T07:08:09.050Z"},
		{"yyyy-MM-dd'T'HH:mm:ssxxx", "2024-03-05T07:08:09+00:00"},
		{"d/M/yyyy", "5/3/2024"},
		{"EEEE, MMMM d, yyyy", "Tuesday, March 5, 2024"},
		{"hh 'o''clock' a", "07 o'clock AM"},
		{"''yy''", "'24'"},
		{"D Q", "65 1"},
		{"HH:mm:ss z", "07:08:09 UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			got, err := generate.FormatJava(utc, tt.pattern)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	_, err := generate.FormatJava(utc, "yyyy 'unterminated")
	require.Error(t, err)
}

func TestProviderStateGenerator(t *testing.T) {
	t.Parallel()
	ctx := testContext(1)
	ctx.Mode = generate.Provider
	ctx.ProviderState = map[string]any{"id": json.Number("1000"), "name": "Ann", "user": map[string]any{"id": 7.0}, "ok": true}
	tests := []struct {
		attrs map[string]any
		want  any
	}{
		{map[string]any{"expression": "${id}"}, json.Number("1000")},
		{map[string]any{"expression": "${ok}"}, true},
		{map[string]any{"expression": "/users/${id}/${name}"}, "/users/1000/Ann"},
		{map[string]any{"expression": "${user.id}"}, 7.0},
		{map[string]any{"expression": "u-${user.id}"}, "u-7"},
		{map[string]any{"expression": "${id}", "dataType": "STRING"}, "1000"},
		{map[string]any{"expression": "${name}-${id}", "dataType": "RAW"}, "Ann-1000"},
		{map[string]any{"expression": "1${id}", "dataType": "INTEGER"}, json.Number("11000")},
		{map[string]any{"expression": "${ok}", "dataType": "BOOLEAN"}, true},
	}
	for _, tt := range tests {
		v, err := generate.Value(gen("ProviderState", tt.attrs), ctx)
		require.NoError(t, err, "%v", tt.attrs)
		require.Equal(t, tt.want, v, "%v", tt.attrs)
	}
	_, err := generate.Value(gen("ProviderState", map[string]any{"expression": "${missing}"}), ctx)
	require.ErrorContains(t, err, "missing")
	ctx.Mode = generate.Consumer
	_, err = generate.Value(gen("ProviderState", map[string]any{"expression": "${id}"}), ctx)
	require.ErrorIs(t, err, generate.ErrNotApplicable)
}

func TestMockServerURLGenerator(t *testing.T) {
	t.Parallel()
	g := gen("MockServerURL", map[string]any{"regex": ".*(/a)", "example": "http://1234:8080/a"})
	ctx := testContext(1)
	ctx.MockServerURL = "http://somewhere.world"
	require.Equal(t, "http://somewhere.world/a", mustValue(t, g, ctx))
	ctx.MockServerURL = "http://127.0.0.1:4321/"
	g = gen("MockServerURL", map[string]any{"regex": `.*(/orders/\d+)$`, "example": "http://localhost:8080/orders/12"})
	require.Equal(t, "http://127.0.0.1:4321/orders/12", mustValue(t, g, ctx))
	ctx.Mode = generate.Provider
	_, err := generate.Value(g, ctx)
	require.ErrorIs(t, err, generate.ErrNotApplicable)
}

// pact-jvm captures the path without its leading slash (issue 15 F).
func TestMockServerURLJoinsWithOneSlash(t *testing.T) {
	t.Parallel()
	ctx := testContext(1)
	for base, want := range map[string]string{
		"http://127.0.0.1:4321":  "http://127.0.0.1:4321/orders",
		"http://127.0.0.1:4321/": "http://127.0.0.1:4321/orders",
	} {
		ctx.MockServerURL = base
		for _, re := range []string{`.*\/(\Qorders\E)$`, `.*(\/\Qorders\E)$`} {
			g := gen("MockServerURL", map[string]any{"regex": re, "example": "http://localhost:8080/orders"})
			require.Equal(t, want, mustValue(t, g, ctx), "%s %s", base, re)
		}
	}
}

// pact-jvm writes expressions without "${}" (issue 15 G).
func TestProviderStateExpressionWithoutPlaceholder(t *testing.T) {
	t.Parallel()
	ctx := testContext(1)
	ctx.Mode = generate.Provider
	ctx.ProviderState = map[string]any{"ticketId": json.Number("42"), "user": map[string]any{"name": "John"}}
	require.Equal(t, json.Number("42"), mustValue(t, gen("ProviderState", map[string]any{"expression": "ticketId"}), ctx))
	require.Equal(t, "John", mustValue(t, gen("ProviderState", map[string]any{"expression": "user.name"}), ctx))
	_, err := generate.Value(gen("ProviderState", map[string]any{"expression": "ticketid"}), ctx)
	require.ErrorContains(t, err, `no provider state value "ticketid"`)
}

func mustBody(tb testing.TB, s string) pact.Body {
	tb.Helper()
	return pact.NewBody([]byte(s), "application/json")
}

func bodyJSON(tb testing.TB, b pact.Body) map[string]any {
	tb.Helper()
	v, err := b.JSON()
	require.NoError(tb, err)
	return v.(map[string]any)
}

func TestRequestAppliesEveryCategory(t *testing.T) {
	t.Parallel()
	req := &pact.Request{
		Method:  "GET",
		Path:    "/path/1",
		Query:   pact.Query{"v1": {"a", "b"}},
		Headers: pact.Headers{"x-test": {"x"}},
		Body:    mustBody(t, `{"one": "a", "items": [{"id": 1}, {"id": 2}], "keep": {"id": 3}}`),
		Gen: pact.Generators{
			"path":   {"": gen("ProviderState", map[string]any{"expression": "/path/${id}"})},
			"header": {"X-TEST": gen("RandomInt", map[string]any{"min": 1, "max": 10})},
			"query":  {"v1": gen("RandomInt", map[string]any{"min": 1, "max": 10}), "v2": gen("Uuid", nil)},
			"body":   {"$.one": gen("RandomInt", nil), "$.items[*].id": gen("RandomString", map[string]any{"size": 4})},
		},
	}
	before := req.Clone()
	ctx := testContext(3)
	ctx.Mode = generate.Provider
	ctx.ProviderState = map[string]any{"id": 1000}
	out, err := generate.Request(req, ctx)
	require.NoError(t, err)
	require.Equal(t, before, req, "the input is not changed")
	require.Equal(t, "/path/1000", out.Path)
	require.Regexp(t, `^\d+$`, out.Headers.Get("X-Test"))
	require.Len(t, out.Headers, 1, "the header keeps its spelling")
	require.Len(t, out.Query["v1"], 2)
	for _, v := range out.Query["v1"] {
		require.Regexp(t, `^([1-9]|10)$`, v)
	}
	require.Len(t, out.Query["v2"], 1)
	doc := bodyJSON(t, out.Body)
	require.IsType(t, json.Number(""), doc["one"])
	for _, it := range doc["items"].([]any) {
		require.Regexp(t, `^[A-Za-z0-9]{4}$`, it.(map[string]any)["id"])
	}
	require.Equal(t, json.Number("3"), doc["keep"].(map[string]any)["id"], "values outside the paths are kept")
	require.Nil(t, out.Body.Raw, "a changed body drops its raw form")
}

func TestResponseStatusAndMissingState(t *testing.T) {
	t.Parallel()
	resp := &pact.Response{
		Status: 200,
		Body:   mustBody(t, `{"id": 1, "name": "x"}`),
		Gen: pact.Generators{
			"status": {"": gen("RandomInt", map[string]any{"min": 201, "max": 599})},
			"body":   {"$.id": gen("ProviderState", map[string]any{"expression": "${id}"}), "$.name": gen("Regex", map[string]any{"regex": "[a-z]{3}"})},
		},
	}
	ctx := testContext(5)
	ctx.Mode = generate.Provider
	out, err := generate.Response(resp, ctx)
	var ge *generate.Error
	require.ErrorAs(t, err, &ge)
	require.Equal(t, "$.id", ge.Key)
	require.NotEqual(t, 200, out.Status)
	require.GreaterOrEqual(t, out.Status, 201)
	doc := bodyJSON(t, out.Body)
	require.Equal(t, json.Number("1"), doc["id"], "a failed generator leaves the value")
	require.Regexp(t, `^[a-z]{3}$`, doc["name"])

	// In consumer mode the provider state generator is skipped silently.
	ctx.Mode = generate.Consumer
	_, err = generate.Response(resp, ctx)
	require.NoError(t, err)
}

func TestMessageContentsAndMetadata(t *testing.T) {
	t.Parallel()
	m := &pact.Message{
		Contents: mustBody(t, `{"orderId": 1}`),
		Metadata: map[string]any{"topic": "orders"},
		Gen: pact.Generators{
			"body":     {"$.orderId": gen("ProviderState", map[string]any{"expression": "${orderId}"})},
			"metadata": {"traceId": gen("Uuid", map[string]any{"format": "simple"})},
		},
	}
	ctx := testContext(9)
	ctx.Mode = generate.Provider
	ctx.ProviderState = map[string]any{"orderId": json.Number("77")}
	out, err := generate.Message(m, ctx)
	require.NoError(t, err)
	require.Equal(t, json.Number("77"), bodyJSON(t, out.Contents)["orderId"])
	require.Regexp(t, `^[0-9a-f]{32}$`, out.Metadata["traceId"])
	require.Equal(t, "orders", out.Metadata["topic"])
	require.NotContains(t, m.Metadata, "traceId")
}

// TestCompatibilitySuiteGenerators mirrors the suite's generator scenarios:
// basic.json with each *-generator.json fixture.
func TestCompatibilitySuiteGenerators(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "..", "..", "shared", "pact-compatibility-suite", "fixtures")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared fixtures folder %s is absent", dir)
	}
	basic, err := os.ReadFile(filepath.Join(dir, "basic.json"))
	require.NoError(t, err)
	tests := []struct {
		fixture string
		mode    generate.Mode
		shape   string // the value of $.one as JSON text
	}{
		{"randomint-generator.json", generate.Consumer, `\d+`},
		{"randomdec-generator.json", generate.Consumer, `\d+\.\d+`},
		{"randomhex-generator.json", generate.Consumer, `"[0-9a-f]{6}"`},
		{"randomstr-generator.json", generate.Consumer, `"[A-Za-z0-9]{6}"`},
		{"randomregex-generator.json", generate.Consumer, `"\d{1,8}"`},
		{"date-generator.json", generate.Consumer, `"\d{4}-\d{2}-\d{2}"`},
		{"time-generator.json", generate.Consumer, `"\d{2}:\d{2}:\d{2}"`},
		{"datetime-generator.json", generate.Consumer, `"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})"`},
		{"uuid-generator.json", generate.Consumer, `"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"`},
		{"uuid-generator-simple.json", generate.Consumer, `"[0-9a-f]{32}"`},
		{"uuid-generator-lower-case-hyphenated.json", generate.Consumer, `"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"`},
		{"uuid-generator-upper-case-hyphenated.json", generate.Consumer, `"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}"`},
		{"uuid-generator-urn.json", generate.Consumer, `"urn:uuid:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"`},
		{"boolean-generator.json", generate.Consumer, `true|false`},
		{"providerstate-generator.json", generate.Provider, `1000`},
		{"mockserver-generator.json", generate.Consumer, `"http://somewhere\.world/a"`},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join(dir, tt.fixture))
			require.NoError(t, err)
			gens, err := pact.ParseGenerators(data)
			require.NoError(t, err)
			req := &pact.Request{Method: "GET", Path: "/", Body: pact.NewBody(basic, "application/json"), Gen: gens}
			ctx := testContext(11)
			ctx.Mode = tt.mode
			ctx.ProviderState = map[string]any{"id": json.Number("1000")}
			ctx.MockServerURL = "http://somewhere.world"
			out, err := generate.Request(req, ctx)
			require.NoError(t, err)
			var doc map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(out.Body.Content, &doc))
			require.Regexp(t, `^(?:`+tt.shape+`)$`, string(doc["one"]))
			require.Equal(t, `"b"`, string(doc["two"]))
		})
	}
}

// pact-jvm and the Rust core apply body generators to form and XML bodies
// too (issue 15 C).
func TestGeneratorsOnFormAndXMLBodies(t *testing.T) {
	t.Parallel()
	ctx := testContext(1)
	ctx.Mode = generate.Consumer
	resp := &pact.Response{
		Status: 200,
		Body:   pact.NewBody([]byte("id=&tag=a&tag=b&name=Ann+Lee"), "application/x-www-form-urlencoded"),
		Gen: pact.Generators{"body": {
			"$.id":     gen("RandomInt", map[string]any{"min": 10, "max": 99}),
			"$.tag[1]": gen("Regex", map[string]any{"regex": "x[0-9]"}),
		}},
	}
	out, err := generate.Response(resp, ctx)
	require.NoError(t, err)
	require.Regexp(t, `^id=[1-9][0-9]&tag=a&tag=x[0-9]&name=Ann\+Lee$`, string(out.Body.Content))
	require.Equal(t, "id=&tag=a&tag=b&name=Ann+Lee", string(resp.Body.Content), "the response is not changed")

	resp = &pact.Response{
		Status: 200,
		Body:   pact.NewBody([]byte(`<?xml version="1.0"?><items xmlns:p="urn:p"><item color='' p:n="1"><name></name></item><item color="red"><name/></item><note>keep &amp; this</note></items>`), "application/xml"),
		Gen: pact.Generators{"body": {
			"$.items.item['@color']":        gen("Regex", map[string]any{"regex": "(blue|green)"}),
			"$.items.item[1].name['#text']": gen("Regex", map[string]any{"regex": "<[a-c]>"}),
			"$.items.item[0].name['#text']": gen("RandomString", map[string]any{"size": 3}),
		}},
	}
	out, err = generate.Response(resp, ctx)
	require.NoError(t, err)
	require.Regexp(t, `^<\?xml version="1.0"\?><items xmlns:p="urn:p"><item color="(blue|green)" p:n="1"><name>[A-Za-z0-9]{3}</name></item><item color="(blue|green)"><name>&lt;[a-c]&gt;</name></item><note>keep &amp; this</note></items>$`, string(out.Body.Content))
}
