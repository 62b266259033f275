package match_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

func TestV4StatusCodeMatcher(t *testing.T) {
	t.Parallel()
	rules := mustRules(t, "statuscode-matcher-v4.json")
	expected := &pact.Response{Status: 200, Rules: rules}

	t.Run("positive", func(t *testing.T) {
		t.Parallel()
		require.Empty(t, match.Response(expected, &pact.Response{Status: 299}))
	})
	t.Run("negative", func(t *testing.T) {
		t.Parallel()
		got := match.Response(expected, &pact.Response{Status: 400})
		require.Len(t, got, 1)
		require.Equal(t, match.KindStatus, got[0].Kind)
		require.Equal(t, "Expected status code 400 to be a Successful response (200–299)", got[0].Message)
	})
}

func TestV4MatchingRules(t *testing.T) {
	t.Parallel()
	basic := fileBody(t, "basic.json", "application/json")
	siren := func(name string) pact.Body { return fileBody(t, name, "application/vnd.siren+json") }
	cases := []scenario{
		{
			name:     "not empty matcher positive",
			expected: req(jsonBody(`{ "one": "", "two": ["b"] }`), mustRules(t, "notempty-matcher-v4.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "cat", "two": ["rat"] }`)},
			ok:       true,
		},
		{
			name:     "not empty matcher with binary data positive",
			expected: req(fileBody(t, "rat.jpg", ""), mustRules(t, "notempty2-matcher-v4.json")),
			actual:   []*pact.Request{req(fileBody(t, "spider.jpg", ""), nil)},
			ok:       true,
		},
		{
			name:     "not empty matcher negative",
			expected: req(jsonBody(`{ "one": "a", "two": ["b"] }`), mustRules(t, "notempty-matcher-v4.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "", "two": [] }`)},
			wants: []want{
				{"$.one", "Expected '' (String) to not be empty"},
				{"$.two", "Expected [] (Array) to not be empty"},
			},
		},
		{
			name:     "not empty matcher negative when types differ",
			expected: req(jsonBody(`{ "one": "a", "two": ["b"] }`), mustRules(t, "notempty-matcher-v4.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "a", "two": "b" }`)},
			wants:    []want{{"$.two", `Type mismatch: Expected 'b' (String) to be the same type as [\"b\"] (Array)`}},
		},
		{
			name:     "not empty matcher with binary data negative",
			expected: req(fileBody(t, "rat.jpg", ""), mustRules(t, "notempty2-matcher-v4.json")),
			actual: []*pact.Request{
				req(pact.Body{State: pact.BodyEmpty, ContentType: "image/jpeg"}, nil),
				req(pact.Body{State: pact.BodyPresent, Content: []byte{}, ContentType: "image/jpeg"}, nil),
			},
			wants: []want{{"$", "Expected [] (0 bytes) to not be empty"}},
		},
		{
			name:     "semver matcher positive",
			expected: req(basic, mustRules(t, "semver-matcher-v4.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "1.0.0", "two": "2.0.0" }`)},
			ok:       true,
		},
		{
			name:     "semver matcher negative",
			expected: req(basic, mustRules(t, "semver-matcher-v4.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "1.0", "two": "1.0abc" }`)},
			wants: []want{
				{"$.one", "'1.0' is not a valid semantic version"},
				{"$.two", "'1.0abc' is not a valid semantic version"},
			},
		},
		{
			name:     "each key matcher positive",
			expected: req(basic, mustRules(t, "eachkey-matcher-v4.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "a", "two": "b", "three": "c", "four": "d" }`)},
			ok:       true,
		},
		{
			name:     "each key matcher negative",
			expected: req(basic, mustRules(t, "eachkey-matcher-v4.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "a", "two": "b", "three": "c", "100": "d" }`)},
			wants:    []want{{"$[100]", "Expected '100' to match '[a-z]+"}},
		},
		{
			name:     "each value matcher positive",
			expected: req(basic, mustRules(t, "eachvalue-matcher-v4.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "a", "three": "b", "four": "c", "five": "d" }`)},
			ok:       true,
		},
		{
			name:     "each value matcher negative",
			expected: req(basic, mustRules(t, "eachvalue-matcher-v4.json")),
			actual:   []*pact.Request{reqJSON(`{ "one": "", "two": "b", "three": "c", "four": "100" }`)},
			wants:    []want{{"$.four", "Expected '100' to match '[a-z]+"}},
		},
		{
			name:     "array contains matcher positive",
			expected: req(siren("siren.json"), mustRules(t, "arraycontains-matcher-v4.json")),
			actual:   []*pact.Request{req(siren("siren2.json"), nil)},
			ok:       true,
		},
		{
			name:     "array contains matcher negative",
			expected: req(siren("siren.json"), mustRules(t, "arraycontains-matcher-v4.json")),
			actual:   []*pact.Request{req(siren("siren3.json"), nil)},
			wants: []want{{"$.actions",
				`Variant at index 1 ({\"href\":\"http://api.x.io/orders/42/items\",\"method\":\"DELETE\",\"name\":\"delete-item\",\"title\":\"Delete Item\"}) was not found in the actual list`}},
		},
	}
	runScenarios(t, cases)
}
