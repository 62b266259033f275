package compare_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/compare"
	"github.com/contracts-dev/contracts/formats/pact"
)

// TestReportMissing: a pact with an HTTP and a message interaction,
// compared with one or both documents. Without ReportMissing the kind
// without a document is skipped, as PactFlow's comparator does when given
// the other document; with it, that kind gets PactFlow's result for a
// missing document.
func TestReportMissing(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "testdata", "compare")
	oas := mustOpenAPI(t, filepath.Join(dir, "orders", "openapi.yaml"))
	async := mustAsyncAPI(t, filepath.Join(dir, "events", "asyncapi.yaml"))
	p, err := pact.Parse(mustRead(t, filepath.Join(dir, "mixed", "pact.json")))
	require.NoError(t, err)
	broken, err := pact.Parse(mustRead(t, filepath.Join(dir, "mixed", "pact-broken-message.json")))
	require.NoError(t, err)

	errorsOf := func(rs []compare.Result) []string {
		out := []string{}
		for _, r := range rs {
			if r.Type == compare.TypeError {
				out = append(out, r.Code+" "+r.MockDetails.Location)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		docs compare.Documents
		pact *pact.Pact
		want []string
	}{
		{"both documents", compare.Documents{OpenAPI: oas, AsyncAPI: async, ReportMissing: true}, p, []string{}},
		{"both documents, the message does not match", compare.Documents{OpenAPI: oas, AsyncAPI: async, ReportMissing: true}, broken,
			[]string{"message.no.match [root].interactions[1]"}},
		{"OpenAPI only, skipped", compare.Documents{OpenAPI: oas}, p, []string{}},
		{"OpenAPI only, reported", compare.Documents{OpenAPI: oas, ReportMissing: true}, p, []string{"message.spec.missing [root].interactions[1]"}},
		{"AsyncAPI only, skipped", compare.Documents{AsyncAPI: async}, p, []string{}},
		{"AsyncAPI only, reported", compare.Documents{AsyncAPI: async, ReportMissing: true}, p, []string{"request.spec.missing [root].interactions[0]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := compare.New(tc.docs)
			require.NoError(t, err)
			rs := c.Compare(tc.pact)
			require.Equal(t, tc.want, errorsOf(rs))
			for _, r := range rs {
				require.NotEmpty(t, r.Operation, "every result is grouped")
			}
		})
	}
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	return data
}
