package broker_test

import (
	"crypto/sha1"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
)

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
