package pact_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
)

func mustReviewPact(tb testing.TB, contentType, body string) *pact.Pact {
	tb.Helper()
	doc := `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d",` +
		`"request":{"method":"GET","path":"/"},"response":{"status":200,` +
		`"headers":{"Content-Type":"` + contentType + `"},"body":` + body + `}}],` +
		`"metadata":{"pactSpecification":{"version":"3.0.0"}}}`
	p, err := pact.Parse([]byte(doc))
	require.NoError(tb, err)
	return p
}

// A V3 string body of a binary content type holds base64, as Pact reads
// and writes it, even when the decoded bytes happen to be valid UTF-8;
// text types keep the string as it is. Writing and reading back keeps the
// bytes.
func TestReviewV3BinaryBodiesAreBase64(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, contentType, body, want string
	}{
		{"octet-stream control bytes", "application/octet-stream", `"AAEC"`, "\x00\x01\x02"},
		{"pdf decoding to text", "application/pdf", `"aGVsbG8="`, "hello"},
		{"image not base64 stays raw", "image/png", `"hello!"`, "hello!"},
		{"text keeps base64-looking text", "text/plain", `"AAEC"`, "AAEC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := mustReviewPact(t, tc.contentType, tc.body)
			require.Equal(t, tc.want, string(p.Interactions[0].Response.Body.Content))
			for _, spec := range []string{"3.0.0", "4.0"} {
				sp, err := pact.ParseSpec(spec)
				require.NoError(t, err)
				out, err := pact.Write(p, sp)
				require.NoError(t, err)
				back, err := pact.Parse(out)
				require.NoError(t, err, spec)
				require.Equal(t, tc.want, string(back.Interactions[0].Response.Body.Content), spec)
			}
		})
	}
}
