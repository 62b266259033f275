package pact_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
)

// repoRoot is the module root, two levels above this package.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(tb, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(tb, err, "module root not found")
	return root
}

// sharedDir returns a folder under ../shared, or skips the test naming it.
func sharedDir(tb testing.TB, rel string) string {
	tb.Helper()
	dir := filepath.Join(repoRoot(tb), "..", "shared", rel)
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("shared fixtures folder %s is absent", dir)
	}
	return dir
}

// isWholePact reports whether data is a pact file rather than a fragment
// (the compatibility suite also holds rule and generator fragments).
func isWholePact(data []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return false
	}
	_, c := top["consumer"]
	_, i := top["interactions"]
	_, m := top["messages"]
	return c && (i || m)
}

// pactFixtures lists every whole pact file the tests use: the shared
// folders (those present) and testdata/pact (except invalid/).
func pactFixtures(tb testing.TB) []string {
	tb.Helper()
	return append(sharedPacts(tb, false), testdataPacts(tb)...)
}

// sharedPacts lists the whole pacts in ../shared. When a folder is absent
// the test is skipped naming it if skip is set, and the folder is left out
// otherwise.
func sharedPacts(tb testing.TB, skip bool) []string {
	tb.Helper()
	var files []string
	for _, g := range []struct{ dir, pattern string }{
		{filepath.Join("pact-compatibility-suite", "fixtures"), "*.json"},
		{"grpc-plugin-pacts", filepath.Join("*", "*.json")},
		{"broker-client-contract", "*.json"},
	} {
		dir := filepath.Join(repoRoot(tb), "..", "shared", g.dir)
		if _, err := os.Stat(dir); err != nil {
			if skip {
				tb.Skipf("shared fixtures folder %s is absent", dir)
			}
			continue
		}
		files = append(files, wholePacts(tb, filepath.Join(dir, g.pattern))...)
	}
	return files
}

// testdataPacts lists the pacts under testdata/pact except invalid/.
func testdataPacts(tb testing.TB) []string {
	tb.Helper()
	var files []string
	td := filepath.Join(repoRoot(tb), "testdata", "pact")
	err := filepath.WalkDir(td, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "invalid" {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".json") {
			files = append(files, wholePacts(tb, path)...)
		}
		return nil
	})
	require.NoError(tb, err)
	return files
}

func wholePacts(tb testing.TB, pattern string) []string {
	tb.Helper()
	matches, err := filepath.Glob(pattern)
	require.NoError(tb, err)
	var files []string
	for _, f := range matches {
		data, err := os.ReadFile(f)
		require.NoError(tb, err)
		if isWholePact(data) {
			files = append(files, f)
		}
	}
	return files
}

func mustParseFile(tb testing.TB, path string) (*pact.Pact, []byte) {
	tb.Helper()
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	p, err := pact.Parse(data)
	require.NoError(tb, err, "parse %s", path)
	return p, data
}

// declared is the version a pact is written back at: the one it declares,
// or the layout it was read with.
func declared(p *pact.Pact) pact.Spec {
	if p.Spec != pact.SpecUnknown {
		return p.Spec
	}
	return p.Layout
}

func TestRoundTripSharedFixtures(t *testing.T) {
	t.Parallel()
	files := sharedPacts(t, true)
	require.GreaterOrEqual(t, len(files), 6, "c1, c2, three gRPC pacts and the broker client contract")
	roundTrip(t, files)
}

func TestRoundTripTestdata(t *testing.T) {
	t.Parallel()
	files := testdataPacts(t)
	require.GreaterOrEqual(t, len(files), 7)
	roundTrip(t, files)
}

// convertedOnRead are fixtures whose legacy forms are converted when read,
// so they are written back in another (equivalent) form: Ruby Pact::Term
// headers keep their example and gain the regex as a matching rule; Ruby
// matchers in paths and bodies become their examples and rules.
var convertedOnRead = map[string]bool{"M-ruby-term-headers.json": true, "M-ruby-matchers-path-body.json": true}

func roundTrip(t *testing.T, files []string) {
	t.Helper()
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			p, data := mustParseFile(t, f)
			out, err := pact.Write(p, declared(p))
			require.NoError(t, err)
			if convertedOnRead[filepath.Base(f)] {
				// Written again, the converted form is stable.
				q, err := pact.Parse(out)
				require.NoError(t, err)
				again, err := pact.Write(q, declared(p))
				require.NoError(t, err)
				require.JSONEq(t, string(out), string(again))
				return
			}
			require.JSONEq(t, string(data), string(out))

			// A clone writes the same, and the copy is independent.
			c := p.Clone()
			out2, err := pact.Write(c, declared(p))
			require.NoError(t, err)
			require.JSONEq(t, string(out), string(out2))
		})
	}
}

// TestConvertFixtures writes every fixture at each later version and checks
// the result reads back with the same interactions.
func TestConvertFixtures(t *testing.T) {
	t.Parallel()
	for _, f := range pactFixtures(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			p, _ := mustParseFile(t, f)
			for _, spec := range []pact.Spec{pact.V2, pact.V3, pact.V4} {
				if spec < p.Layout {
					continue
				}
				if !writable(p, spec) {
					continue
				}
				out, err := pact.Write(p, spec)
				require.NoError(t, err, "write as %s", spec)
				q, err := pact.Parse(out)
				require.NoError(t, err, "re-read as %s:\n%s", spec, out)
				if p.Spec == pact.SpecUnknown && spec == p.Layout {
					require.Equal(t, pact.SpecUnknown, q.Spec, "no version is added when writing an undeclared pact in its own layout")
				} else {
					require.Equal(t, spec, q.Spec)
				}
				require.Len(t, q.Interactions, len(p.Interactions))
				for i, in := range p.Interactions {
					got := q.Interactions[i]
					require.Equal(t, in.Type, got.Type)
					require.Equal(t, in.Description, got.Description)
					require.Equal(t, len(in.ProviderStates) > 0, len(got.ProviderStates) > 0)
					if in.Type == pact.HTTP {
						require.Equal(t, in.Request.Method, got.Request.Method)
						require.Equal(t, in.Request.Path, got.Request.Path)
						if len(in.Request.Query)+len(got.Request.Query) > 0 {
							require.Equal(t, in.Request.Query, got.Request.Query)
						}
						require.Equal(t, in.Request.Body.State, got.Request.Body.State)
						requireSameContent(t, in.Request.Body, got.Request.Body)
						require.Equal(t, in.Response.Status, got.Response.Status)
						requireSameContent(t, in.Response.Body, got.Response.Body)
						if spec >= pact.V3 {
							require.Equal(t, len(in.Response.Rules), len(got.Response.Rules))
						}
					}
					if in.Type == pact.AsyncMessage {
						requireSameContent(t, in.Message.Contents, got.Message.Contents)
					}
				}
				// Written again at the same version, the output is stable.
				again, err := pact.Write(q, spec)
				require.NoError(t, err)
				require.JSONEq(t, string(out), string(again))
			}
		})
	}
}

func writable(p *pact.Pact, spec pact.Spec) bool {
	for _, in := range p.Interactions {
		if spec == pact.V2 && in.Type != pact.HTTP {
			return false
		}
		if spec == pact.V3 && in.Type == pact.SyncMessage {
			return false
		}
	}
	return true
}

// requireSameContent compares body contents, as JSON when both are JSON.
func requireSameContent(tb testing.TB, want, got pact.Body) {
	tb.Helper()
	if json.Valid(want.Content) && json.Valid(got.Content) {
		require.JSONEq(tb, string(want.Content), string(got.Content))
		return
	}
	require.Equal(tb, string(want.Content), string(got.Content))
}

func mustResponseBodyPact(tb testing.TB, contentType, body string) *pact.Pact {
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
func TestV3BinaryBodiesAreBase64(t *testing.T) {
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
			p := mustResponseBodyPact(t, tc.contentType, tc.body)
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
