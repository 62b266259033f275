package broker_test

import (
	"testing"

	"crypto/sha1"
	"encoding/hex"

	"github.com/contracts-dev/contracts/broker"
	"github.com/stretchr/testify/require"
)

func TestContentSHA(t *testing.T) {
	t.Parallel()
	base := `{"consumer":{"name":"C"},"provider":{"name":"P"},
		"interactions":[{"description":"a","request":{"method":"GET","path":"/a"},"response":{"status":200}},
		                {"description":"b","request":{"method":"GET","path":"/b"},"response":{"status":201}}],
		"metadata":{"pactSpecification":{"version":"3.0.0"},"pact-js":{"version":"1.0"}}}`
	for _, tc := range []struct {
		name  string
		other string
		same  bool
	}{
		{"identical", base, true},
		{"keys in another order and whitespace", `{"metadata":{"pactSpecification":{"version":"3.0.0"}},"provider":{"name":"P"},"consumer":{"name":"C"},
			"interactions":[{"request":{"path":"/a","method":"GET"},"description":"a","response":{"status":200}},
			{"response":{"status":201},"description":"b","request":{"method":"GET","path":"/b"}}]}`, true},
		{"interactions in another order", `{"consumer":{"name":"C"},"provider":{"name":"P"},
			"interactions":[{"description":"b","request":{"method":"GET","path":"/b"},"response":{"status":201}},
			{"description":"a","request":{"method":"GET","path":"/a"},"response":{"status":200}}],
			"metadata":{"pactSpecification":{"version":"3.0.0"}}}`, true},
		{"other names and library metadata", `{"consumer":{"name":"X"},"provider":{"name":"Y"},
			"interactions":[{"description":"a","request":{"method":"GET","path":"/a"},"response":{"status":200}},
			{"description":"b","request":{"method":"GET","path":"/b"},"response":{"status":201}}],
			"metadata":{"pactSpecification":{"version":"3.0.0"},"pactRust":{"version":"9"}}}`, true},
		{"interaction ids ignored", `{"consumer":{"name":"C"},"provider":{"name":"P"},
			"interactions":[{"_id":"1","description":"a","request":{"method":"GET","path":"/a"},"response":{"status":200}},
			{"_id":"2","description":"b","request":{"method":"GET","path":"/b"},"response":{"status":201}}],
			"metadata":{"pactSpecification":{"version":"3.0.0"}}}`, true},
		{"changed status", `{"interactions":[{"description":"a","request":{"method":"GET","path":"/a"},"response":{"status":200}},
			{"description":"b","request":{"method":"GET","path":"/b"},"response":{"status":202}}],
			"metadata":{"pactSpecification":{"version":"3.0.0"}}}`, false},
		{"another spec version", `{"interactions":[{"description":"a","request":{"method":"GET","path":"/a"},"response":{"status":200}},
			{"description":"b","request":{"method":"GET","path":"/b"},"response":{"status":201}}],
			"metadata":{"pactSpecification":{"version":"2.0.0"}}}`, false},
		{"nested array order matters", `{"interactions":[{"description":"a","request":{"method":"GET","path":"/a"},"response":{"status":200}},
			{"description":"b","request":{"method":"GET","path":"/b"},"response":{"status":201,"body":[2,1]}}],
			"metadata":{"pactSpecification":{"version":"3.0.0"}}}`, false},
		{"messages instead of interactions", `{"messages":[{"description":"a","request":{"method":"GET","path":"/a"},"response":{"status":200}},
			{"description":"b","request":{"method":"GET","path":"/b"},"response":{"status":201}}],
			"metadata":{"pactSpecification":{"version":"3.0.0"}}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := broker.ContentSHA([]byte(base))
			require.NoError(t, err)
			require.Len(t, a, 40)
			b, err := broker.ContentSHA([]byte(tc.other))
			require.NoError(t, err)
			if tc.same {
				require.Equal(t, a, b)
			} else {
				require.NotEqual(t, a, b)
			}
		})
	}
}

func TestContentSHAInvalid(t *testing.T) {
	t.Parallel()
	for _, in := range []string{``, `[]`, `"x"`, `{"a":`, `{} {}`, `null`} {
		_, err := broker.ContentSHA([]byte(in))
		require.ErrorIs(t, err, broker.ErrInvalid, "%q", in)
		var fe *broker.FieldError
		require.ErrorAs(t, err, &fe)
		require.Equal(t, "content", fe.Field)
	}
}

func TestCheckPactContent(t *testing.T) {
	t.Parallel()
	pact := []byte(`{"consumer":{"name":"C"},"provider":{"name":"P"},"interactions":[]}`)
	sha, err := broker.CheckPactContent(pact, "C", "P")
	require.NoError(t, err)
	want, err := broker.ContentSHA(pact)
	require.NoError(t, err)
	require.Equal(t, want, sha)
	_, err = broker.CheckPactContent(pact, "X", "P")
	require.ErrorIs(t, err, broker.ErrInvalid)
	require.ErrorContains(t, err, `"C"`)
	_, err = broker.CheckPactContent(pact, "C", "X")
	require.ErrorIs(t, err, broker.ErrInvalid)
	_, err = broker.CheckPactContent([]byte(`{"interactions":[]}`), "C", "P")
	require.NoError(t, err, "names may be absent")
}

func TestMergePactContent(t *testing.T) {
	t.Parallel()
	existing := []byte(`{"consumer":{"name":"C"},"interactions":[
		{"description":"a","providerState":"s","response":{"status":200}},
		{"description":"b","response":{"status":200}}],"metadata":{"v":1}}`)
	update := []byte(`{"consumer":{"name":"C"},"interactions":[
		{"description":"a","providerState":"s","response":{"status":500}},
		{"description":"a","providerState":"other","response":{"status":404}}],"metadata":{"v":2}}`)
	merged, err := broker.MergePactContent(existing, update)
	require.NoError(t, err)
	require.JSONEq(t, `{"consumer":{"name":"C"},"interactions":[
		{"description":"a","providerState":"s","response":{"status":500}},
		{"description":"b","response":{"status":200}},
		{"description":"a","providerState":"other","response":{"status":404}}],"metadata":{"v":2}}`, string(merged))
	_, err = broker.MergePactContent([]byte(`[]`), update)
	require.ErrorIs(t, err, broker.ErrInvalid)
	_, err = broker.MergePactContent(existing, []byte(`{"interactions":{}}`))
	require.ErrorIs(t, err, broker.ErrInvalid)
}

func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestContentSHAMatchesPactBroker checks ContentSHA against the string the
// Pact Broker hashes (lib/pact_broker/pacts/generate_sha.rb): Ruby's
// to_json of {interactions|messages, pact_specification_version} with keys
// sorted, so HTML characters and non-ASCII stay as they are and floats are
// written the way Ruby writes them.
func TestContentSHAMatchesPactBroker(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, pact, hashed string
	}{
		{
			name: "spec version key",
			pact: `{"consumer":{"name":"C"},"provider":{"name":"P"},"interactions":[{"description":"a","response":{"status":200}}],
				"metadata":{"pactSpecification":{"version":"2.0.0"}}}`,
			hashed: `{"interactions":[{"description":"a","response":{"status":200}}],"pact_specification_version":"2.0.0"}`,
		},
		{
			name:   "html characters and unicode unescaped",
			pact:   `{"interactions":[{"description":"a & <b> é` + "\u2028" + `","request":{"query":"x=1&y=2","path":"/a/b"}}]}`,
			hashed: `{"interactions":[{"description":"a & <b> é` + "\u2028" + `","request":{"path":"/a/b","query":"x=1&y=2"}}]}`,
		},
		{
			name:   "floats as Ruby writes them",
			pact:   `{"interactions":[{"b":[1.50,1e2,1E20,0.0001,1e-5,10,-0.0,123456789012345678901234567890,2.5e15]}]}`,
			hashed: `{"interactions":[{"b":[1.5,100.0,1.0e+20,0.0001,1.0e-05,10,-0.0,123456789012345678901234567890,2500000000000000.0]}]}`,
		},
		{
			name:   "only interactions sorted when messages present too",
			pact:   `{"interactions":[{"d":"b"},{"d":"a"}],"messages":[{"d":"z"},{"d":"y"}]}`,
			hashed: `{"interactions":[{"d":"a"},{"d":"b"}],"messages":[{"d":"z"},{"d":"y"}]}`,
		},
		{
			name:   "messages sorted when no interactions",
			pact:   `{"messages":[{"d":"z"},{"d":"y"}],"metadata":{"pact-specification":{"version":"3.0.0"}}}`,
			hashed: `{"messages":[{"d":"y"},{"d":"z"}],"pact_specification_version":"3.0.0"}`,
		},
		{
			name:   "neither interactions nor messages: the whole document as written",
			pact:   `{"consumer":{"name":"C"}, "b":[2,1], "a":{"d":1.50,"c":"<"}, "interactions":null}`,
			hashed: `{"consumer":{"name":"C"},"b":[2,1],"a":{"d":1.5,"c":"<"},"interactions":null}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := broker.ContentSHA([]byte(tc.pact))
			require.NoError(t, err)
			require.Equal(t, sha1Hex(tc.hashed), got)
		})
	}
}
