package verify_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/internal/pactclitest"
	"github.com/contracts-dev/contracts/verify/mock"
)

// Pact files in the shapes other Pact implementations write (issue 15,
// testdata/pact/interop): our mock serves each, and both our verifier and
// the official Pact verifier must find that it honours the file.

func interopFixtures(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "pact", "interop", "*.json"))
	require.NoError(tb, err)
	require.GreaterOrEqual(tb, len(files), 10)
	return files
}

// mustServeInterop starts our mock serving the pact file at path.
func mustServeInterop(tb testing.TB, path string) *mock.Server {
	tb.Helper()
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	p, err := pact.Parse(data)
	require.NoError(tb, err)
	srv := mock.New([]*pact.Pact{p}, mock.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	require.NoError(tb, srv.Start(ctx, "127.0.0.1:0"))
	tb.Cleanup(func() { _ = srv.Close() })
	return srv
}

// ourInteropFailures verifies the pact at path against baseURL with our
// verifier and returns the failed interactions' descriptions.
func ourInteropFailures(tb testing.TB, path, baseURL string, cfg verify.Config) ([]string, *verify.Report) {
	tb.Helper()
	sources, err := verify.LoadPath(path)
	require.NoError(tb, err)
	cfg.ProviderBaseURL = baseURL
	report, err := verify.Verify(context.Background(), cfg, sources)
	require.NoError(tb, err)
	return pactclitest.Failed(report), report
}

func TestInteropMockHonoursItsPact(t *testing.T) {
	t.Parallel()
	for _, f := range interopFixtures(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			srv := mustServeInterop(t, f)
			failed, report := ourInteropFailures(t, f, srv.URL(), verify.Config{})
			var text strings.Builder
			require.NoError(t, verify.WriteText(&text, report))
			require.Empty(t, failed, "our verifier against our mock:\n%s", text.String())
			require.Empty(t, srv.Status(), "our mock saw problems")
		})
	}
}

// officialUnsupported are fixtures whose shape the official Pact CLI does
// not read, with what it does instead.
var officialUnsupported = map[string]string{
	// The Rust verifier sends a Pact::Term header as its JSON text (and
	// warns it is no content type); only the Ruby tools read terms.
	"M-ruby-term-headers.json": "Pact::Term headers are sent as JSON text",
	// Nor Ruby matchers in paths and bodies: it sends and expects their
	// JSON text.
	"M-ruby-matchers-path-body.json": "Ruby matchers are compared as JSON text",
	// Rust's regex engine has no \Q...\E quoting, which pact-jvm writes in
	// MockServerURL regexes: the official verifier fails the pact's own rule
	// on the right URL.
	"F-mock-server-url-no-slash.json": `\Q...\E regexes do not compile in Rust`,
}

func TestInteropOfficialVerifierAgrees(t *testing.T) {
	t.Parallel()
	for _, f := range interopFixtures(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			if why, ok := officialUnsupported[filepath.Base(f)]; ok {
				// Checked, not skipped: the day the official verifier reads
				// the shape, this fails and the entry goes.
				srv := mustServeInterop(t, f)
				failed, _ := pactclitest.VerifierFailures(t, f, srv.URL())
				require.NotEmpty(t, failed, "the official verifier now handles this (%s): remove the entry", why)
				return
			}
			srv := mustServeInterop(t, f)
			failed, out := pactclitest.VerifierFailures(t, f, srv.URL())
			require.Empty(t, failed, "the official verifier against our mock:\n%s\nmock problems: %v", out, srv.Status())
		})
	}
}

// recordingProvider answers 200 to everything and records the request
// URIs it received.
type recordingProvider struct {
	mu   sync.Mutex
	uris []string
}

func (p *recordingProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.uris = append(p.uris, r.URL.RequestURI())
	p.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (p *recordingProvider) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.uris...)
}

// ProviderState generators take their values from the provider states'
// own params when there is no state change URL (H), and an expression
// without "${}" is a name (G): both verifiers send the same request.
func TestInteropProviderStateValuesWithoutStateURL(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]string{
		"G-provider-state-bare-expression.json": "/tickets?ticketId=1234",
		"H-provider-state-params.json":          "/api/hello/John",
		"K-v4-query-null.json":                  "/search?q=pact",
	} {
		path := filepath.Join("..", "testdata", "pact", "interop", file)
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			ours := &recordingProvider{}
			srv := httptest.NewServer(ours)
			t.Cleanup(srv.Close)
			failed, _ := ourInteropFailures(t, path, srv.URL, verify.Config{})
			require.Empty(t, failed)
			require.Equal(t, []string{want}, ours.seen())

			official := &recordingProvider{}
			osrv := httptest.NewServer(official)
			t.Cleanup(osrv.Close)
			failed, out := pactclitest.VerifierFailures(t, path, osrv.URL)
			require.Empty(t, failed, out)
			require.Equal(t, []string{want}, official.seen(), "the official verifier sends the same request")
		})
	}
}

// verdictPact has interactions the official tools fail on a rule our
// matcher used to skip: a #text rule on an empty XML element (Q) and type
// with min on a JSON object (R), each with a passing control. It is not a
// fixture under testdata: its examples break their own rules on purpose.
const verdictPact = `{
  "consumer": {"name": "interop-consumer"}, "provider": {"name": "interop-provider"},
  "interactions": [
    {"description": "Q empty element against a text rule",
     "request": {"method": "GET", "path": "/q/empty"},
     "response": {"status": 200, "headers": {"Content-Type": "application/xml"}, "body": "<person><name/></person>",
       "matchingRules": {"body": {"$.person.name['#text']": {"combine": "AND", "matchers": [{"match": "regex", "regex": "[A-Z][a-z]+"}]}}}}},
    {"description": "Q element with text against a text rule",
     "request": {"method": "GET", "path": "/q/text"},
     "response": {"status": 200, "headers": {"Content-Type": "application/xml"}, "body": "<person><name/></person>",
       "matchingRules": {"body": {"$.person.name['#text']": {"combine": "AND", "matchers": [{"match": "regex", "regex": "[A-Z][a-z]+"}]}}}}},
    {"description": "R object below its min size",
     "request": {"method": "GET", "path": "/r/small"},
     "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"scores": {"ann": 1}},
       "matchingRules": {"body": {"$.scores": {"combine": "AND", "matchers": [{"match": "type", "min": 2}]}}}}},
    {"description": "R object at its min size",
     "request": {"method": "GET", "path": "/r/enough"},
     "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"scores": {"ann": 1}},
       "matchingRules": {"body": {"$.scores": {"combine": "AND", "matchers": [{"match": "type", "min": 2}]}}}}}
  ],
  "metadata": {"pactSpecification": {"version": "3.0.0"}}
}`

// verdictProvider answers the verdict pact's requests.
func verdictProvider() http.Handler {
	bodies := map[string][2]string{
		"/q/empty":  {"application/xml", "<person><name/></person>"},
		"/q/text":   {"application/xml", "<person><name>Ann</name></person>"},
		"/r/small":  {"application/json", `{"scores":{"ann":1}}`},
		"/r/enough": {"application/json", `{"scores":{"ann":1,"bob":2}}`},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", b[0])
		_, _ = w.Write([]byte(b[1]))
	})
}

func TestInteropVerdictsAgreeWithOfficialVerifier(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "verdicts.json")
	require.NoError(t, os.WriteFile(path, []byte(verdictPact), 0o600))
	srv := httptest.NewServer(verdictProvider())
	t.Cleanup(srv.Close)

	want := []string{"Q empty element against a text rule", "R object below its min size"}
	ours, _ := ourInteropFailures(t, path, srv.URL, verify.Config{})
	require.Equal(t, want, ours)
	official, out := pactclitest.VerifierFailures(t, path, srv.URL)
	require.Equal(t, want, official, out)
}

// stubProbe is a request to a server serving an interop fixture and what
// its answer must be.
type stubProbe struct {
	file, method, path, contentType, body string
	check                                 func(t *testing.T, status int, header http.Header, body string)
	// stubDiffers, when set, says how the official stub differs: it
	// rejects the request (checked, so the note goes when it changes).
	stubDiffers string
}

func accepted(t *testing.T, status int, _ http.Header, body string) {
	t.Helper()
	require.True(t, status/100 == 2, "status %d: %s", status, body)
}

func rejected(t *testing.T, status int, _ http.Header, body string) {
	t.Helper()
	require.False(t, status/100 == 2, "status %d: %s", status, body)
}

func bodyLike(re string) func(t *testing.T, status int, header http.Header, body string) {
	return func(t *testing.T, status int, header http.Header, body string) {
		t.Helper()
		accepted(t, status, header, body)
		require.Regexp(t, re, body)
	}
}

// Our mock and the official stub server answer the same requests the same
// way for the shapes the official tools read: the JSON string body (A),
// base64 multipart (B), generated form and XML values (C), indexed form
// rules (D), a contentType rule at the XML root (E), a generated status
// (J), a [null] query value (K), an early V4 body (N) and an untyped JSON
// string body (O).
func TestInteropMockAgreesWithOfficialStub(t *testing.T) {
	t.Parallel()
	multipart := "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n"
	form := "application/x-www-form-urlencoded"
	probes := []stubProbe{
		{"A-v4-json-string-body.json", "POST", "/orders/1/status", "application/json", `"Fulfilling"`, bodyLike(`^"Fulfilling"$`), ""},
		{"A-v4-json-string-body.json", "POST", "/orders/1/status", "application/json", `"Shipped"`, rejected, ""},
		{"B-v3-multipart-base64.json", "POST", "/notes", "multipart/form-data; boundary=XyZ", multipart, accepted, ""},
		{"C-form-and-xml-generators.json", "GET", "/form", "", "", bodyLike(`^id=[1-9][0-9]*&name=Ann$`), ""},
		{"C-form-and-xml-generators.json", "GET", "/xml", "", "", bodyLike(`<item color=["'](blue|green)["']>pen</item>`), ""},
		{"D-indexed-form-field-rules.json", "POST", "/people", form, "name%5B%5D=Cy&name%5B%5D=Dee", accepted, ""},
		{"D-indexed-form-field-rules.json", "POST", "/people", form, "name%5B%5D=cy&name%5B%5D=Dee", rejected, ""},
		{"E-content-type-rule-at-xml-root.json", "PUT", "/documents/1", "application/xml", `<?xml version="1.0" encoding="UTF-8"?><document><title>Report</title></document>`, accepted,
			"the Rust stub applies a contentType rule at $ to the XML root's contents and rejects the pact's own request, as our mock did (E)"},
		{"J-status-zero.json", "GET", "/health", "", "", accepted, ""},
		{"K-v4-query-null.json", "GET", "/search?q=pact&debug", "", "", accepted, ""},
		{"K-v4-query-null.json", "GET", "/search?q=pact&debug=1", "", "", rejected, ""},
		{"K-v4-query-null.json", "GET", "/search?q=pact", "", "", accepted,
			"the Rust stub wants a [null] parameter present without a value (?debug), where the official verifier drops it (K)"},
		{"N-v4-body-without-content.json", "GET", "/people/1", "", "", bodyLike(`^\{"(name":"Mary","age":42|age":42,"name":"Mary")\}$`), ""},
		{"O-untyped-json-string-body.json", "GET", "/motd", "", "", func(t *testing.T, status int, header http.Header, body string) {
			t.Helper()
			accepted(t, status, header, body)
			require.Equal(t, `"This is a string"`, body)
			require.Equal(t, "application/json", pact.MediaType(header.Get("Content-Type")))
		}, ""},
	}
	dir := filepath.Join("..", "testdata", "pact", "interop")
	for _, pr := range probes {
		t.Run(pr.file+" "+pr.method+" "+pr.path+" "+pr.body, func(t *testing.T) {
			t.Parallel()
			official := pactclitest.Stub(t, filepath.Join(dir, pr.file))
			ours := mustServeInterop(t, filepath.Join(dir, pr.file)).URL()
			for name, base := range map[string]string{"official stub": official, "our mock": ours} {
				req, err := http.NewRequest(pr.method, base+pr.path, strings.NewReader(pr.body))
				require.NoError(t, err)
				if pr.contentType != "" {
					req.Header.Set("Content-Type", pr.contentType)
				}
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err, name)
				data, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				require.NoError(t, err)
				t.Run(name, func(t *testing.T) {
					if name == "official stub" && pr.stubDiffers != "" {
						require.False(t, resp.StatusCode/100 == 2, "the official stub now accepts this (%s): update the probe", pr.stubDiffers)
						return
					}
					pr.check(t, resp.StatusCode, resp.Header, string(data))
				})
			}
		})
	}
}
