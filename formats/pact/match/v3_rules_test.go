package match_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

// scenario mirrors one compatibility-suite scenario: an expected request,
// the requests received, and the outcome the suite asserts.
type scenario struct {
	name     string
	expected *pact.Request
	actual   []*pact.Request
	ok       bool
	wants    []want
}

func req(body pact.Body, rules pact.MatchingRules) *pact.Request {
	return &pact.Request{Method: "POST", Path: "/path", Body: body, Rules: rules}
}

func reqJSON(s string) *pact.Request { return req(jsonBody(s), nil) }

func reqQH(query, header string, rules pact.MatchingRules) *pact.Request {
	return &pact.Request{Method: "GET", Path: "/path",
		Query: pact.Query{"a": {query}}, Headers: pact.Headers{"X-A": {header}}, Rules: rules}
}

func runScenarios(t *testing.T, cases []scenario) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var all []match.Mismatch
			for i, a := range tc.actual {
				got := match.Request(tc.expected, a)
				if tc.ok {
					require.Empty(t, got, "request %d:\n%s", i, dump(got))
				} else {
					require.NotEmpty(t, got, "request %d should not match", i)
				}
				all = append(all, got...)
			}
			for _, w := range tc.wants {
				requireContains(t, all, w)
			}
		})
	}
}

func TestV3MatchingRules(t *testing.T) {
	t.Parallel()
	threeLevel := fileBody(t, "3-level.json", "application/json")
	basic := fileBody(t, "basic.json", "application/json")
	cases := []scenario{
		{
			name:     "equality matcher resets cascading rules",
			expected: req(threeLevel, mustRules(t, "equality-matcher-reset-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": { "a": { "ids": [100], "status": "Lovely" }  }, "two": [ { "ids": [1], "status": "BAD" } ] }`)},
			wants:    []want{{"$.one.a.status", "Expected 'Lovely' (String) to be equal to 'OK' (String)"}},
		},
		{
			name:     "include matcher positive",
			expected: req(basic, mustRules(t, "include-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "cat", "two": "b" }`)},
			ok:       true,
		},
		{
			name:     "include matcher negative",
			expected: req(basic, mustRules(t, "include-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "dog", "two": "b" }`)},
			wants:    []want{{"$.one", "Expected 'dog' to include 'a'"}},
		},
		{
			name:     "minmax type matcher positive",
			expected: req(threeLevel, mustRules(t, "minmax-type-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": { "a": { "ids": [100], "status": "OK" }  }, "two": [ { "ids": [1,2,3], "status": "BAD" } ] }`)},
			ok:       true,
		},
		{
			name:     "minmax type matcher negative",
			expected: req(threeLevel, mustRules(t, "minmax-type-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": { "a": { "ids": [], "status": "OK" }  }, "two": [ { "ids": [1,2,3,4,5], "status": "BAD" } ] }`)},
			wants: []want{
				{"$.one.a.ids", "Expected [] (size 0) to have minimum size of 1"},
				{"$.two[0].ids", "Expected [1, 2, 3, 4, 5] (size 5) to have maximum size of 4"},
			},
		},
		{
			name:     "number type matcher positive",
			expected: req(basic, mustRules(t, "number-type-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": 100, "two": "b" }`), reqJSON(`{ "one": 100.01, "two": "b" }`)},
			ok:       true,
		},
		{
			name:     "number type matcher coerces strings in query and headers",
			expected: reqQH("1234", "1234", mustRules(t, "number-type-matcher-v3.json")),
			actual:   []*pact.Request{reqQH("100", "100", nil), reqQH("100.2", "100.4", nil)},
			ok:       true,
		},
		{
			name:     "number type matcher negative",
			expected: req(basic, mustRules(t, "number-type-matcher-v3.json")),
			actual: []*pact.Request{
				reqJSON(`{ "one": true, "two": "b" }`),
				reqJSON(`{ "one": "100X01", "two": "b" }`),
				reqJSON(`{ "one": "100", "two": "b" }`),
			},
			wants: []want{
				{"$.one", "Expected true (Boolean) to be a number"},
				{"$.one", "Expected '100X01' (String) to be a number"},
				{"$.one", "Expected '100' (String) to be a number"},
			},
		},
		{
			name:     "integer type matcher positive",
			expected: req(basic, mustRules(t, "integer-type-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": 100, "two": "b" }`)},
			ok:       true,
		},
		{
			name:     "integer type matcher coerces strings in query and headers",
			expected: reqQH("1234", "1234", mustRules(t, "number-type-matcher-v3.json")),
			actual:   []*pact.Request{reqQH("100", "100", nil)},
			ok:       true,
		},
		{
			name:     "integer type matcher (integer rules) coerces strings in query and headers",
			expected: reqQH("1234", "1234", mustRules(t, "integer-type-matcher-v3.json")),
			actual:   []*pact.Request{reqQH("100", "100", nil)},
			ok:       true,
		},
		{
			name:     "integer type matcher negative",
			expected: req(basic, mustRules(t, "integer-type-matcher-v3.json")),
			actual: []*pact.Request{
				reqJSON(`{ "one": [], "two": "b" }`),
				reqJSON(`{ "one": 100.1, "two": "b" }`),
				reqJSON(`{ "one": "100X01", "two": "b" }`),
				reqJSON(`{ "one": "100", "two": "b" }`),
			},
			wants: []want{
				{"$.one", "Expected [] (Array) to be an integer"},
				{"$.one", "Expected 100.1 (Decimal) to be an integer"},
				{"$.one", "Expected '100X01' (String) to be an integer"},
				{"$.one", "Expected '100' (String) to be an integer"},
			},
		},
		{
			name:     "decimal type matcher positive",
			expected: req(basic, mustRules(t, "decimal-type-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": 100.1234, "two": "b" }`)},
			ok:       true,
		},
		{
			name:     "decimal type matcher negative",
			expected: req(basic, mustRules(t, "decimal-type-matcher-v3.json")),
			actual: []*pact.Request{
				reqJSON(`{ "one": null, "two": "b" }`),
				reqJSON(`{ "one": 100, "two": "b" }`),
				reqJSON(`{ "one": "100X01", "two": "b" }`),
				reqJSON(`{ "one": "100.1234", "two": "b" }`),
			},
			wants: []want{
				{"$.one", "Expected null (Null) to be a decimal number"},
				{"$.one", "Expected 100 (Integer) to be a decimal number"},
				{"$.one", "Expected '100X01' (String) to be a decimal number"},
				{"$.one", "Expected '100.1234' (String) to be a decimal number"},
			},
		},
		{
			name:     "decimal type matcher coerces strings in query and headers",
			expected: reqQH("1234.0", "1234.0", mustRules(t, "number-type-matcher-v3.json")),
			actual:   []*pact.Request{reqQH("100.2", "100.4", nil)},
			ok:       true,
		},
		{
			name:     "decimal type matcher (decimal rules) coerces strings in query and headers",
			expected: reqQH("1234.0", "1234.0", mustRules(t, "decimal-type-matcher-v3.json")),
			actual:   []*pact.Request{reqQH("100.2", "100.4", nil)},
			ok:       true,
		},
		{
			name:     "null matcher positive",
			expected: req(basic, mustRules(t, "null-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": null, "two": "b" }`)},
			ok:       true,
		},
		{
			name:     "null matcher negative",
			expected: req(basic, mustRules(t, "null-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "", "two": "b" }`)},
			wants:    []want{{"$.one", "Expected '' (String) to be a null value"}},
		},
		{
			name:     "date matcher positive",
			expected: req(basic, mustRules(t, "date-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "2023-07-19", "two": "b" }`)},
			ok:       true,
		},
		{
			name:     "date matcher negative",
			expected: req(basic, mustRules(t, "date-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "23/07/19", "two": "b" }`)},
			wants:    []want{{"$.one", "Expected '23/07/19' to match a date pattern of 'yyyy-MM-dd'"}},
		},
		{
			name:     "boolean matcher positive",
			expected: req(jsonBody(`{ "one": true, "two": "b" }`), mustRules(t, "boolean-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": false, "two": "b" }`)},
			ok:       true,
		},
		{
			name:     "boolean matcher negative",
			expected: req(jsonBody(`{ "one": true, "two": "b" }`), mustRules(t, "boolean-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "", "two": "b" }`)},
			wants:    []want{{"$.one", "Expected '' (String) to match a boolean"}},
		},
		{
			name:     "content type matcher positive",
			expected: req(fileBody(t, "rat.jpg", "application/octet-stream"), mustRules(t, "contenttype-matcher-v3.json")),
			actual:   []*pact.Request{req(fileBody(t, "spider.jpg", "application/octet-stream"), nil)},
			ok:       true,
		},
		{
			name:     "content type matcher negative",
			expected: req(fileBody(t, "rat.jpg", "application/octet-stream"), mustRules(t, "contenttype-matcher-v3.json")),
			actual:   []*pact.Request{req(fileBody(t, "sample.pdf", "application/octet-stream"), nil)},
			wants:    []want{{"$", "Expected binary contents to have content type 'image/jpeg' but detected contents was 'application/pdf'"}},
		},
		{
			name:     "values matcher positive ignores missing and additional keys",
			expected: req(basic, mustRules(t, "values-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "", "three": "b", "four": "c", "five": "100" }`)},
			ok:       true,
		},
		{
			name:     "values matcher negative",
			expected: req(basic, mustRules(t, "values-matcher-v3.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "", "two": "b", "three": "c", "four": 100 }`)},
			wants:    []want{{"$.four", "Expected 100 (Integer) to be the same type as 'a' (String)"}},
		},
	}
	runScenarios(t, cases)
}
