package pact_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
)

func TestParseRefusesInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		path string
		msg  string // a fragment of ParseError.Msg
	}{
		{"not_json.json", "$", "invalid JSON"},
		{"syntax_error.json", "$", "invalid JSON at line 3"},
		{"array_top.json", "$", "expected an object, got array"},
		{"no_consumer.json", "$.consumer", "not a pact file"},
		{"consumer_name_number.json", "$.consumer.name", "expected a string, got number 5"},
		{"provider_name_empty.json", "$.provider.name", "empty"},
		{"no_interactions.json", "$", `expected an "interactions" or "messages" array`},
		{"interactions_object.json", "$.interactions", "expected an array, got object"},
		{"method_number.json", "$.interactions[2].request.method", "expected a string, got number 7"},
		{"status_string.json", "$.interactions[0].response.status", `expected an integer status code, got string "200"`},
		{"header_number.json", "$.interactions[0].request.headers.X-Count", "expected a string or an array of strings, got number 3"},
		{"query_number.json", "$.interactions[0].request.query", "expected a query string or an object, got number"},
		{"query_bad_escape.json", "$.interactions[0].request.query", "invalid URL escape"},
		{"no_response.json", "$.interactions[0].response", "missing"},
		{"bad_base64.json", "$.interactions[0].response.body.content", "base64"},
		{"unknown_type.json", "$.interactions[0].type", `got "Synchronous/Carrier-Pigeon"`},
		{"bad_version.json", "$.metadata.pactSpecification.version", `unsupported pact specification version "9.1"`},
		{"state_without_name.json", "$.interactions[0].providerStates[0].name", "missing"},
		{"matchers_not_array.json", "$.interactions[0].response.matchingRules.body['$.a'].matchers", "expected an array, got object"},
		{"combine_bad.json", "$.interactions[0].response.matchingRules.body['$.a'].combine", `got "XOR"`},
		{"generator_without_type.json", "$.interactions[0].response.generators.body['$.a']", `"type"`},
		{"v2_rules_mixed.json", "$.interactions[0].request.matchingRules.body", "V2 rule key"},
		{"v2_rules_unknown_path.json", "$.interactions[0].request.matchingRules['$.bodyy.a']", "unknown V2 rule path"},
		{"message_metadata_array.json", "$.messages[0].metadata", "expected an object, got array"},
		{"sync_response_object.json", "$.interactions[0].response", "expected an array, got object"},
		{"interactions_and_messages.json", "$", "got both"},
		{"interaction_number.json", "$.interactions[1]", "expected an object, got number 42"},
	}
	dir := filepath.Join(repoRoot(t), "testdata", "pact", "invalid")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, len(tests), "every invalid fixture has a case")
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join(dir, tt.file))
			require.NoError(t, err)
			p, err := pact.Parse(data)
			require.Nil(t, p)
			var pe *pact.ParseError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tt.path, pe.Path, "error: %v", err)
			require.Contains(t, pe.Msg, tt.msg)
			require.Equal(t, tt.path+": "+pe.Msg, err.Error())
		})
	}
}
