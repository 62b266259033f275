package match_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

func mustJSON(tb testing.TB, s string) any {
	tb.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	require.NoError(tb, dec.Decode(&v))
	return v
}

func bodyRules(tb testing.TB, s string) pact.MatchingRules {
	tb.Helper()
	return mustRulesJSON(tb, []byte(`{"body":`+s+`}`))
}

func TestValueMatchers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, exp, act, rules string
		allowUnexpected       bool
		wants                 []want // empty: must match
	}{
		{name: "timestamp with millis and offset", exp: `{"t":"2020-01-01T00:00:00.000Z"}`, act: `{"t":"2023-07-19T10:11:12.123+10:00"}`,
			rules: `{"$.t":{"matchers":[{"match":"timestamp","format":"yyyy-MM-dd'T'HH:mm:ss.SSSXXX"}]}}`},
		{name: "timestamp wrong", exp: `{"t":"x"}`, act: `{"t":"2023-07-19 10:11"}`,
			rules: `{"$.t":{"matchers":[{"match":"datetime","format":"yyyy-MM-dd'T'HH:mm:ss"}]}}`,
			wants: []want{{"$.t", "Expected '2023-07-19 10:11' to match a timestamp pattern of 'yyyy-MM-dd'T'HH:mm:ss'"}}},
		{name: "time", exp: `{"t":"x"}`, act: `{"t":"24:00:00"}`,
			rules: `{"$.t":{"matchers":[{"match":"time","format":"HH:mm:ss"}]}}`,
			wants: []want{{"$.t", "Expected '24:00:00' to match a time pattern of 'HH:mm:ss'"}}},
		{name: "V3 date attribute", exp: `{"t":"x"}`, act: `{"t":"19/07/2023"}`,
			rules: `{"$.t":{"matchers":[{"match":"date","date":"dd/MM/yyyy"}]}}`},
		{name: "HTTP date format", exp: `{"t":"x"}`, act: `{"t":"Wed, 25 Nov 2026 10:00:00 GMT"}`,
			rules: `{"$.t":{"matchers":[{"match":"timestamp","format":"EEE, dd MMM yyyy HH:mm:ss z"}]}}`},
		{name: "default ISO timestamp", exp: `{"t":"x"}`, act: `{"t":"2023-07-19T10:11:12Z"}`,
			rules: `{"$.t":{"matchers":[{"match":"timestamp"}]}}`},
		{name: "OR combine passes on the second matcher", exp: `{"a":"x"}`, act: `{"a":null}`,
			rules: `{"$.a":{"combine":"OR","matchers":[{"match":"regex","regex":"\\d+"},{"match":"null"}]}}`},
		{name: "OR combine fails with every message", exp: `{"a":"x"}`, act: `{"a":"y"}`,
			rules: `{"$.a":{"combine":"OR","matchers":[{"match":"regex","regex":"\\d+"},{"match":"null"}]}}`,
			wants: []want{{"$.a", `Expected 'y' to match '\d+'`}, {"$.a", "Expected 'y' (String) to be a null value"}}},
		{name: "AND combine", exp: `{"a":"x"}`, act: `{"a":"123"}`,
			rules: `{"$.a":{"combine":"AND","matchers":[{"match":"regex","regex":"\\d+"},{"match":"include","value":"4"}]}}`,
			wants: []want{{"$.a", "Expected '123' to include '4'"}}},
		{name: "wildcard index path", exp: `{"a":[{"b":1}]}`, act: `{"a":[{"b":2},{"b":"3"}]}`,
			rules: `{"$.a":{"matchers":[{"match":"type"}]},"$.a[*].b":{"matchers":[{"match":"integer"}]}}`,
			wants: []want{{"$.a[1].b", "Expected '3' (String) to be an integer"}}},
		{name: "more specific rule wins", exp: `{"a":{"b":"x","c":"y"}}`, act: `{"a":{"b":"zz","c":"q"}}`,
			rules: `{"$.a":{"matchers":[{"match":"type"}]},"$.a.c":{"matchers":[{"match":"regex","regex":"y+"}]}}`,
			wants: []want{{"$.a.c", "Expected 'q' to match 'y+'"}}},
		{name: "array without rules compares lengths", exp: `{"a":[1,2]}`, act: `{"a":[1]}`,
			wants: []want{{"$.a", "Expected a List with 2 elements but received 1 elements"}, {"$.a", "Expected 2 but was missing"}}},
		{name: "empty list expected", exp: `{"a":[]}`, act: `{"a":[1]}`,
			wants: []want{{"$.a", "Expected an empty List but received [1]"}}},
		{name: "type matcher checks every actual item against the example", exp: `[{"id":1}]`, act: `[{"id":2},{"id":"x"}]`,
			rules: `{"$":{"matchers":[{"match":"type","min":1}]}}`,
			wants: []want{{"$[1].id", "Expected 'x' (String) to be the same type as 1 (Integer)"}}},
		{name: "max type", exp: `[1]`, act: `[1,2,3]`, rules: `{"$":{"matchers":[{"match":"type","max":2}]}}`,
			wants: []want{{"$", "Expected [1, 2, 3] (size 3) to have maximum size of 2"}}},
		{name: "min size not applied when cascading", exp: `{"a":[1]}`, act: `{"a":[]}`,
			rules: `{"$":{"matchers":[{"match":"type","min":1}]}}`},
		{name: "unexpected keys", exp: `{"a":1}`, act: `{"a":1,"b":2}`,
			wants: []want{{"$", "Expected a Map with keys [a] but received one with keys [a, b]"}}},
		{name: "unexpected keys allowed", exp: `{"a":1}`, act: `{"a":1,"b":2}`, allowUnexpected: true},
		{name: "missing keys when unexpected allowed", exp: `{"a":1,"c":3}`, act: `{"a":1,"b":2}`, allowUnexpected: true,
			wants: []want{{"$", "Actual map is missing the following keys: c"}}},
		{name: "special key path", exp: `{"a b":{"c":1}}`, act: `{"a b":{"c":2}}`,
			wants: []want{{"$['a b'].c", "Expected 2 (Integer) to be equal to 1 (Integer)"}}},
		{name: "integer is not equal to decimal", exp: `{"a":1}`, act: `{"a":1.0}`,
			wants: []want{{"$.a", "Expected 1.0 (Decimal) to be equal to 1 (Integer)"}}},
		{name: "equal decimals", exp: `{"a":1.50}`, act: `{"a":1.5}`},
		{name: "each value with nested objects", exp: `{"x":{"n":1}}`, act: `{"p":{"n":2},"q":{"n":"3"}}`,
			rules: `{"$":{"matchers":[{"match":"eachValue","rules":[{"match":"type"}]}]}}`,
			wants: []want{{"$.q.n", "Expected '3' (String) to be the same type as 1 (Integer)"}}},
		{name: "each value with a scalar where an object is expected", exp: `{"x":{"n":1}}`, act: `{"q":3}`,
			rules: `{"$":{"matchers":[{"match":"eachValue","rules":[{"match":"type"}]}]}}`,
			wants: []want{{"$.q", `Type mismatch: Expected 3 (Integer) to be the same type as {"n":1} (Object)`}}},
		{name: "not empty null", exp: `{"a":"x"}`, act: `{"a":null}`, rules: `{"$.a":{"matchers":[{"match":"notEmpty"}]}}`,
			wants: []want{{"$.a", "Expected non-empty value but got a NULL"}}},
		{name: "equality on an object", exp: `{"eq":{"a":1}}`, act: `{"eq":{"a":1,"b":2}}`, allowUnexpected: true,
			rules: `{"$.eq":{"matchers":[{"match":"equality"}]}}`,
			wants: []want{{"$.eq", `Expected {"a":1,"b":2} (Object) to be equal to {"a":1} (Object)`}}},
		{name: "array contains without variants uses expected items", exp: `[1,2]`, act: `[5,2,1]`,
			rules: `{"$":{"matchers":[{"match":"arrayContains","variants":[]}]}}`},
		{name: "array contains missing item", exp: `[1,2]`, act: `[5,1]`,
			rules: `{"$":{"matchers":[{"match":"arrayContains","variants":[]}]}}`,
			wants: []want{{"$", "Variant at index 1 (2) was not found in the actual list"}}},
		{name: "not empty object", exp: `{"a":{"b":1}}`, act: `{"a":{}}`, allowUnexpected: true,
			rules: `{"$.a":{"matchers":[{"match":"notEmpty"}]}}`,
			wants: []want{{"$.a", "Expected {} (Object) to not be empty"}}},
		{name: "expected object, actual scalar", exp: `{"a":{"b":1}}`, act: `{"a":1}`,
			wants: []want{{"$.a", `Type mismatch: Expected 1 (Integer) to be the same type as {"b":1} (Object)`}}},
		{name: "semver with pre-release", exp: `{"v":"1.0.0"}`, act: `{"v":"2.10.3-rc.1+build.5"}`,
			rules: `{"$.v":{"matchers":[{"match":"semver"}]}}`},
		{name: "bad regex is reported", exp: `{"a":"x"}`, act: `{"a":"x"}`,
			rules: `{"$.a":{"matchers":[{"match":"regex","regex":"(x"}]}}`,
			wants: []want{{"$.a", "Regex '(x' is not valid: "}}},
		{name: "lookahead and backreferences (pact-go timestamp regex)", exp: `{"a":"x"}`, act: `{"a":"2023-07-19T10:11:12Z"}`,
			rules: `{"$.a":{"matchers":[{"match":"regex","regex":"^([\\+-]?\\d{4}(?!\\d{2}\\b))((-?)((0[1-9]|1[0-2])(\\3([12]\\d|0[1-9]|3[01]))?))([T\\s]([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d)?([zZ])?$"}]}}`},
		{name: "backreference mismatch", exp: `{"a":"x"}`, act: `{"a":"ab-ba"}`,
			rules: `{"$.a":{"matchers":[{"match":"regex","regex":"(a)(b)-\\1\\2"}]}}`,
			wants: []want{{"$.a", `Expected 'ab-ba' to match '(a)(b)-\1\2'`}}},
		{name: "unknown matcher", exp: `{"a":"x"}`, act: `{"a":"x"}`, rules: `{"$.a":{"matchers":[{"match":"telepathy"}]}}`,
			wants: []want{{"$.a", "Unsupported matcher 'telepathy'"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var rules pact.MatchingRules
			if tc.rules != "" {
				rules = bodyRules(t, tc.rules)
			}
			got := match.Value(mustJSON(t, tc.exp), mustJSON(t, tc.act), "$", rules, pact.CategoryBody,
				match.Options{AllowUnexpectedKeys: tc.allowUnexpected})
			if len(tc.wants) == 0 {
				require.Empty(t, got, dump(got))
				return
			}
			for _, w := range tc.wants {
				requireContains(t, got, w)
			}
		})
	}
}

func TestStatusCodeMatcher(t *testing.T) {
	t.Parallel()
	rules := func(status string) pact.MatchingRules {
		return mustRulesJSON(t, []byte(`{"status":{"matchers":[{"match":"statusCode","status":`+status+`}]}}`))
	}
	cases := []struct {
		status string
		actual int
		msg    string
	}{
		{`"information"`, 101, ""},
		{`"info"`, 200, "Expected status code 200 to be a Informational response (100–199)"},
		{`"redirect"`, 302, ""},
		{`"clientError"`, 404, ""},
		{`"clientError"`, 500, "Expected status code 500 to be a Client error (400–499)"},
		{`"serverError"`, 503, ""},
		{`"nonError"`, 399, ""},
		{`"nonError"`, 400, "Expected status code 400 to be a Non-error response (< 400)"},
		{`"error"`, 418, ""},
		{`"error"`, 200, "Expected status code 200 to be a Error response (>= 400)"},
		{`"serverError"`, 200, "Expected status code 200 to be a Server error (500–599)"},
		{`[200, 201, 204]`, 204, ""},
		{`[200, 201]`, 202, "Expected status code 202 to be a 200, 201"},
	}
	for _, tc := range cases {
		t.Run(tc.status+"/"+tc.msg, func(t *testing.T) {
			t.Parallel()
			got := match.Response(&pact.Response{Status: 200, Rules: rules(tc.status)}, &pact.Response{Status: tc.actual})
			if tc.msg == "" {
				require.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			require.Equal(t, tc.msg, got[0].Message)
		})
	}
	got := match.Response(&pact.Response{Status: 200}, &pact.Response{Status: 201})
	require.Len(t, got, 1)
	require.Equal(t, "expected 200 but was 201", got[0].Message)
}

func TestRequestParts(t *testing.T) {
	t.Parallel()
	base := func() *pact.Request { return &pact.Request{Method: "GET", Path: "/a"} }
	cases := []struct {
		name     string
		exp, act func(*pact.Request)
		wants    []want
	}{
		{name: "method is case-insensitive", act: func(r *pact.Request) { r.Method = "get" }},
		{name: "method", act: func(r *pact.Request) { r.Method = "POST" },
			wants: []want{{"method", "Expected method 'GET' but was 'POST'"}}},
		{name: "path", act: func(r *pact.Request) { r.Path = "/b" },
			wants: []want{{"path", "Expected '/a' but received '/b'"}}},
		{name: "query value order matters",
			exp:   func(r *pact.Request) { r.Query = pact.Query{"a": {"1", "2"}} },
			act:   func(r *pact.Request) { r.Query = pact.Query{"a": {"2", "1"}} },
			wants: []want{{"a", "Expected query parameter 'a' with value '1' but was '2'"}}},
		{name: "query extra values",
			exp:   func(r *pact.Request) { r.Query = pact.Query{"a": {"1"}} },
			act:   func(r *pact.Request) { r.Query = pact.Query{"a": {"1", "2"}} },
			wants: []want{{"a", "Expected query parameter 'a' with 1 value(s) but received 2 value(s)"}, {"a", "Expected query parameter 'a' with value '' but was '2'"}}},
		{name: "query min type on values",
			exp: func(r *pact.Request) {
				r.Query = pact.Query{"a": {"1", "2"}}
				r.Rules = mustRulesJSON(t, []byte(`{"query":{"a":{"matchers":[{"match":"type","min":2}]}}}`))
			},
			act:   func(r *pact.Request) { r.Query = pact.Query{"a": {"7"}} },
			wants: []want{{"a", `Expected ["7"] (size 1) to have minimum size of 2`}}},
		{name: "date header values keep their commas",
			exp: func(r *pact.Request) { r.Headers = pact.Headers{"Date": {"Wed, 25 Nov 2026 10:00:00 GMT"}} },
			act: func(r *pact.Request) { r.Headers = pact.Headers{"date": {"Wed, 25 Nov 2026 10:00:00 GMT"}} }},
		{name: "header values split on commas",
			exp: func(r *pact.Request) { r.Headers = pact.Headers{"X-List": {"a, b,c"}} },
			act: func(r *pact.Request) { r.Headers = pact.Headers{"X-List": {"a", "b", "c"}} }},
		{name: "header value differs",
			exp:   func(r *pact.Request) { r.Headers = pact.Headers{"X-A": {"1"}} },
			act:   func(r *pact.Request) { r.Headers = pact.Headers{"x-a": {"2"}} },
			wants: []want{{"X-A", "Expected '2' to be equal to '1'"}}},
		{name: "header list values are normalised in messages",
			exp:   func(r *pact.Request) { r.Headers = pact.Headers{"X-List": {"a, b"}} },
			act:   func(r *pact.Request) { r.Headers = pact.Headers{"X-List": {"a,c"}} },
			wants: []want{{"X-List", "Expected 'a,c' to be equal to 'a,b'"}}},
		{name: "repeated header values compare by index",
			exp: func(r *pact.Request) { r.Headers = pact.Headers{"Date": {"Wed, 21 Oct 2015 07:28:00 GMT"}} },
			act: func(r *pact.Request) {
				r.Headers = pact.Headers{"Date": {"Wed, 21 Oct 2015 07:28:00 GMT", "Thu, 22 Oct 2015 07:28:00 GMT"}}
			},
			wants: []want{{"Date", "Expected 'Thu, 22 Oct 2015 07:28:00 GMT' to be equal to '' for value at index 1"}}},
		{name: "accept header missing a value",
			exp:   func(r *pact.Request) { r.Headers = pact.Headers{"Accept": {"text/html, application/json"}} },
			act:   func(r *pact.Request) { r.Headers = pact.Headers{"Accept": {"text/html"}} },
			wants: []want{{"Accept", "Expected value 'application/json' at index 1 but was missing (actual has 1 value(s))"}}},
		{name: "query values missing",
			exp: func(r *pact.Request) { r.Query = pact.Query{"a": {"1", "2"}} },
			act: func(r *pact.Request) { r.Query = pact.Query{"a": {"1"}} },
			wants: []want{
				{"a", "Expected query parameter 'a' value '2' but was missing"},
				{"a", "Expected query parameter 'a' with 2 value(s) but received 1 value(s)"},
			}},
		{name: "query values extra",
			exp: func(r *pact.Request) { r.Query = pact.Query{"a": {"1"}} },
			act: func(r *pact.Request) { r.Query = pact.Query{"a": {"1", "3"}} },
			wants: []want{
				{"a", "Expected query parameter 'a' with value '' but was '3'"},
				{"a", "Expected query parameter 'a' with 1 value(s) but received 2 value(s)"},
			}},
		{name: "empty actual body",
			exp:   func(r *pact.Request) { r.Body = jsonBody(`{"a":1}`) },
			wants: []want{{"$", "Expected body Present(7 bytes) but was empty"}}},
		{name: "empty actual binary body",
			exp:   func(r *pact.Request) { r.Body = textBody("abc", "application/octet-stream") },
			wants: []want{{"$", "Expected body Present(3 bytes, application/octet-stream) but was empty"}}},
		{name: "path rule",
			exp: func(r *pact.Request) {
				r.Rules = mustRulesJSON(t, []byte(`{"path":{"matchers":[{"match":"regex","regex":"/a/\\d+"}]}}`))
			},
			act:   func(r *pact.Request) { r.Path = "/a/x" },
			wants: []want{{"path", `Expected '/a/x' to match '/a/\d+'`}}},
		{name: "expected empty body",
			exp:   func(r *pact.Request) { r.Body = pact.Body{State: pact.BodyEmpty} },
			act:   func(r *pact.Request) { r.Body = textBody("x", "text/plain") },
			wants: []want{{"$", "Expected empty body but received 'x'"}}},
		{name: "content type from headers",
			exp: func(r *pact.Request) {
				r.Headers = pact.Headers{"Content-Type": {"application/json"}}
				r.Body = pact.Body{State: pact.BodyPresent, Content: []byte(`{"a":1}`)}
			},
			act: func(r *pact.Request) {
				r.Headers = pact.Headers{"Content-Type": {"text/plain"}}
				r.Body = pact.Body{State: pact.BodyPresent, Content: []byte(`{"a":1}`)}
			},
			wants: []want{{"$", "Expected a body of 'application/json' but the actual content type was 'text/plain'"}}},
		{name: "text body with regex rule",
			exp: func(r *pact.Request) {
				r.Body = textBody("hello 1", "text/plain")
				r.Rules = bodyRules(t, `{"$":{"matchers":[{"match":"regex","regex":"hello \\d"}]}}`)
			},
			act:   func(r *pact.Request) { r.Body = textBody("hello x", "text/plain") },
			wants: []want{{"$", `Expected 'hello x' to match 'hello \d'`}}},
		{name: "XML attribute, text and type rules",
			exp: func(r *pact.Request) {
				r.Body = textBody(`<root><item id="1">a</item></root>`, "application/xml")
				r.Rules = bodyRules(t, `{"$.root.item":{"matchers":[{"match":"type"}]},
					"$.root.item[*]['@id']":{"matchers":[{"match":"regex","regex":"\\d+"}]}}`)
			},
			act: func(r *pact.Request) {
				r.Body = textBody(`<root><item id="7">b</item><item id="x">c</item></root>`, "text/xml")
			},
			wants: []want{{"$.root.item['@id']", `Expected 'x' to match '\d+'`}}},
		{name: "XML rules written without indexes",
			exp: func(r *pact.Request) {
				r.Body = textBody(`<root><item id="1"><n>a</n></item></root>`, "application/xml")
				r.Rules = bodyRules(t, `{"$.root.item":{"matchers":[{"match":"type"}]},
					"$.root.item.@id":{"matchers":[{"match":"integer"}]},
					"$.root.item.n.#text":{"matchers":[{"match":"regex","regex":"[a-z]"}]}}`)
			},
			act: func(r *pact.Request) {
				r.Body = textBody(`<root><item id="2"><n>b</n></item><item id="x"><n>7</n></item></root>`, "application/xml")
			},
			wants: []want{
				{"$.root.item['@id']", "Expected 'x' (String) to be an integer"},
				{"$.root.item.n['#text']", "Expected '7' to match '[a-z]'"},
			}},
		{
			// As in Pact's Rust engine, min/max on an element bound the
			// number of its own child elements.
			name: "XML min children",
			exp: func(r *pact.Request) {
				r.Body = textBody(`<root><item><a/><a/></item></root>`, "application/xml")
				r.Rules = bodyRules(t, `{"$.root.item":{"matchers":[{"match":"type","min":2}]}}`)
			},
			act:   func(r *pact.Request) { r.Body = textBody(`<root><item><a/></item></root>`, "application/xml") },
			wants: []want{{"$.root.item", "Expected 'item' to have at least 2 children"}}},
		{name: "XML unexpected child and attribute in a request",
			exp: func(r *pact.Request) { r.Body = textBody(`<root a="1"><x/></root>`, "application/xml") },
			act: func(r *pact.Request) { r.Body = textBody(`<root a="1" b="2"><x/><y/></root>`, "application/xml") },
			wants: []want{
				{"$.root", "Unexpected child <y/>"},
				{"$.root", "Expected 1 attribute(s) but received 2 attribute(s)"},
			}},
		{name: "XML root element",
			exp:   func(r *pact.Request) { r.Body = textBody(`<a/>`, "application/xml") },
			act:   func(r *pact.Request) { r.Body = textBody(`<b/>`, "application/xml") },
			wants: []want{{"$", "Expected element a but received b"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			exp, act := base(), base()
			if tc.exp != nil {
				tc.exp(exp)
			}
			if tc.act != nil {
				tc.act(act)
			}
			got := match.Request(exp, act)
			if len(tc.wants) == 0 {
				require.Empty(t, got, dump(got))
				return
			}
			for _, w := range tc.wants {
				requireContains(t, got, w)
			}
		})
	}
}

// TestRegexTimeout: a Java-style regex (a lookahead sends it to the
// backtracking engine) that backtracks catastrophically hits the time cap
// and is reported as a timeout, not as a value that failed to match.
func TestRegexTimeout(t *testing.T) {
	t.Parallel()
	rules := bodyRules(t, `{"$.a":{"matchers":[{"match":"regex","regex":"(?=\\w)(\\w+\\s?)*"}]}}`)
	actual := map[string]any{"a": strings.Repeat("a", 40) + "!"}
	ms := match.Value(map[string]any{"a": "ab"}, actual, "$", rules, pact.CategoryBody, match.Options{})
	require.Len(t, ms, 1, "%+v", ms)
	require.Equal(t, match.KindRegexTimeout, ms[0].Kind, ms[0].Message)
	require.Equal(t, "$.a", ms[0].Path)
	require.Contains(t, ms[0].Message, "did not finish matching")

	// The same pattern on a value it rejects quickly stays a body mismatch.
	ms = match.Value(map[string]any{"a": "ab"}, map[string]any{"a": "!"}, "$", rules, pact.CategoryBody, match.Options{})
	require.Len(t, ms, 1)
	require.Equal(t, match.KindBody, ms[0].Kind)
}

// mustResponse parses a one-interaction V3 pact with the given
// response JSON and returns that response.
func mustResponse(tb testing.TB, response string) *pact.Response {
	tb.Helper()
	doc := `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d",` +
		`"request":{"method":"GET","path":"/"},"response":` + response + `}],` +
		`"metadata":{"pactSpecification":{"version":"3.0.0"}}}`
	p, err := pact.Parse([]byte(doc))
	require.NoError(tb, err)
	require.Len(tb, p.Interactions, 1)
	return p.Interactions[0].Response
}

func jsonResponse(body string) *pact.Response {
	return &pact.Response{
		Status:  200,
		Headers: pact.Headers{"Content-Type": {"application/json"}},
		Body:    pact.NewBody([]byte(body), "application/json"),
	}
}

// Integers are compared exactly, as Pact's JSON model keeps 64-bit
// integers: two ids that differ beyond float64's 53-bit mantissa differ.
func TestLargeIntegersCompareExactly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, expected, actual string
		mismatches             int
	}{
		{"beyond 2^53 differ", `{"id":9007199254740993}`, `{"id":9007199254740992}`, 1},
		{"max int64 vs neighbour", `{"id":9223372036854775807}`, `{"id":9223372036854775806}`, 1},
		{"uint64 range", `{"id":18446744073709551615}`, `{"id":18446744073709551614}`, 1},
		{"negative beyond 2^53", `{"id":-9007199254740993}`, `{"id":-9007199254740992}`, 1},
		{"equal large", `{"id":9007199254740993}`, `{"id":9007199254740993}`, 0},
		{"equal decimals in other forms", `{"id":1.50}`, `{"id":1.5}`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			exp := mustResponse(t, `{"status":200,"headers":{"Content-Type":"application/json"},"body":`+tc.expected+`}`)
			ms := match.Response(exp, jsonResponse(tc.actual))
			require.Len(t, ms, tc.mismatches, "%v", ms)
		})
	}
}

// XML elements are compared by namespace URI as well as local name, as
// Pact does; the prefix spelling does not matter.
func TestXMLNamespacesCompareByURI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, expected, actual string
		mismatches             int
	}{
		{"same URI other prefix", `<a:root xmlns:a="urn:x"><a:b>1</a:b></a:root>`, `<z:root xmlns:z="urn:x"><z:b>1</z:b></z:root>`, 0},
		{"default namespace differs", `<root xmlns="urn:x"><b>1</b></root>`, `<root xmlns="urn:y"><b>1</b></root>`, 1},
		{"prefix bound to another URI", `<a:root xmlns:a="urn:x"/>`, `<a:root xmlns:a="urn:y"/>`, 1},
		{"child namespace missing", `<root><b xmlns="urn:x">1</b></root>`, `<root><b>1</b></root>`, 1},
		{"no namespaces", `<root><b>1</b></root>`, `<root><b>1</b></root>`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ms := match.Response(xmlResponse(tc.expected), xmlResponse(tc.actual))
			require.Len(t, ms, tc.mismatches, "%v", ms)
		})
	}
}

// The boolean matcher accepts the strings "true" and "false" in a JSON
// body, as the Pact verifier does; other strings still fail.
func TestBooleanMatcherAcceptsBooleanStrings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		actual     string
		mismatches int
	}{
		{`{"a":false}`, 0},
		{`{"a":"true"}`, 0},
		{`{"a":"false"}`, 0},
		{`{"a":"yes"}`, 1},
		{`{"a":""}`, 1},
		{`{"a":1}`, 1},
	} {
		t.Run(tc.actual, func(t *testing.T) {
			t.Parallel()
			exp := mustResponse(t, `{"status":200,"headers":{"Content-Type":"application/json"},"body":{"a":true},`+
				`"matchingRules":{"body":{"$.a":{"matchers":[{"match":"boolean"}]}}}}`)
			ms := match.Response(exp, jsonResponse(tc.actual))
			require.Len(t, ms, tc.mismatches, "%v", ms)
		})
	}
}

// Mixed content (text around child elements) is compared without
// panicking; the element's text is all its own character data.
func TestXMLMixedContent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, expected, actual string
		mismatches             int
	}{
		{"same", `<root>hi<a/>there<b>x</b>!</root>`, `<root>hi<a/>there<b>x</b>!</root>`, 0},
		{"deep", `<r>a<s>b<t>c<u/>d</t>e</s>f</r>`, `<r>a<s>b<t>c<u/>d</t>e</s>f</r>`, 0},
		{"text differs", `<root>hi<a/>there</root>`, `<root>hi<a/>where</root>`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			exp, act := xmlResponse(tc.expected), xmlResponse(tc.actual)
			var ms []match.Mismatch
			require.NotPanics(t, func() { ms = match.Response(exp, act) })
			require.Len(t, ms, tc.mismatches, "%v", ms)
		})
	}
}

// min/max on an XML element count its child nodes, text included, as
// Pact's engine does: an eachLike of elements holding text passes.
func TestXMLMinCountsText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, expected, rules, actual string
		mismatches                    int
	}{
		{"repeated text elements", `<root><item id="1">x</item></root>`, `{"$.root.item":{"matchers":[{"match":"type","min":1}]}}`,
			`<root><item id="2">y</item><item id="3">z</item></root>`, 0},
		{"text is one child", `<root><item>x</item></root>`, `{"$.root.item":{"matchers":[{"match":"type","min":2}]}}`,
			`<root><item>y</item></root>`, 1},
		{"empty element has none", `<root><item>x</item></root>`, `{"$.root.item":{"matchers":[{"match":"type","min":1}]}}`,
			`<root><item/></root>`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			exp := mustResponse(t, `{"status":200,"headers":{"Content-Type":"application/xml"},"body":`+
				strconv.Quote(tc.expected)+`,"matchingRules":{"body":`+tc.rules+`}}`)
			ms := match.Response(exp, xmlResponse(tc.actual))
			require.Len(t, ms, tc.mismatches, "%v", ms)
		})
	}
}

// Namespaced XML attributes are told apart by namespace URI, not prefix.
func TestXMLAttributeNamespaces(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, expected, actual string
		mismatches             int
	}{
		{"same URI other prefix", `<root xmlns:a="urn:x" a:id="1"/>`, `<root xmlns:b="urn:x" b:id="1"/>`, 0},
		{"other URI", `<root xmlns:a="urn:x" a:id="1"/>`, `<root xmlns:b="urn:y" b:id="1"/>`, 1},
		{"namespaced vs plain", `<root xmlns:a="urn:x" a:id="1"/>`, `<root id="1"/>`, 1},
		{"plain", `<root id="1"/>`, `<root id="1"/>`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ms := match.Response(xmlResponse(tc.expected), xmlResponse(tc.actual))
			require.Len(t, ms, tc.mismatches, "%v", ms)
		})
	}
}

// Date matchers reject days a month does not have, as the Pact verifier
// does: the shape alone is not a date.
func TestDatesMustExist(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind, format, value string
		ok                  bool
	}{
		{"date", "yyyy-MM-dd", "2024-02-29", true},
		{"date", "yyyy-MM-dd", "2023-02-29", false},
		{"date", "yyyy-MM-dd", "2024-04-31", false},
		{"date", "yyyy-MM-dd", "2024-12-31", true},
		{"date", "dd MMM yyyy", "31 Apr 2024", false},
		{"date", "dd MMMM yyyy", "30 February 2024", false},
		{"date", "dd/MM/yy", "29/02/23", false},
		{"date", "dd/MM/yy", "29/02/24", true},
		{"date", "MM-dd", "02-29", false},
		{"date", "MM-dd", "02-28", true},
		{"date", "MM-dd", "02-30", false},
		{"date", "", "2023-02-29", false},
		{"timestamp", "", "2023-02-30T10:11:12", false},
		{"timestamp", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2023-06-31T10:11:12.123Z", false},
		{"timestamp", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2023-06-30T10:11:12.123Z", true},
	} {
		t.Run(tc.kind+" "+tc.format+" "+tc.value, func(t *testing.T) {
			t.Parallel()
			exp := mustResponse(t, `{"status":200,"headers":{"Content-Type":"application/json"},"body":{"a":"x"},`+
				`"matchingRules":{"body":{"$.a":{"matchers":[{"match":"`+tc.kind+`","`+tc.kind+`":"`+tc.format+`"}]}}}}`)
			ms := match.Response(exp, jsonResponse(`{"a":"`+tc.value+`"}`))
			if tc.ok {
				require.Empty(t, ms)
			} else {
				require.Len(t, ms, 1, "%v", ms)
			}
		})
	}
}

// xmlResponse is a 200 response with an XML body.
func xmlResponse(body string) *pact.Response {
	return &pact.Response{Status: 200, Headers: pact.Headers{"Content-Type": {"application/xml"}},
		Body: pact.NewBody([]byte(body), "application/xml")}
}
