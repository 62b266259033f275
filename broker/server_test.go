package broker_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/sqlite"
)

// testBroker is a real broker on loopback over a temp-file SQLite store.
type testBroker struct {
	srv       *httptest.Server
	store     *sqlite.Store
	dbPath    string
	logs      *syncBuffer
	closeOnce sync.Once
}

// closeStore closes the store once (tests close it early to make the
// store fail).
func (b *testBroker) closeStore() { b.closeOnce.Do(func() { _ = b.store.Close() }) }

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var fixedNow = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

// mustBroker starts the real broker on loopback over a temp-file SQLite
// store opened with opts; the server's clock is fixedNow unless cfg says.
func mustBroker(tb testing.TB, cfg server.Config, opts ...sqlite.Option) *testBroker {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "broker.db")
	store, err := sqlite.Open(path, opts...)
	require.NoError(tb, err)
	logs := &syncBuffer{}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return fixedNow }
	}
	srv := httptest.NewServer(server.New(store, cfg))
	b := &testBroker{srv: srv, store: store, dbPath: path, logs: logs}
	tb.Cleanup(b.closeStore)
	tb.Cleanup(srv.Close)
	return b
}

func (b *testBroker) client(tb testing.TB) *api.Client {
	tb.Helper()
	c, err := api.NewClient(b.srv.URL)
	require.NoError(tb, err)
	c.Sleep = func(context.Context, time.Duration) error { return nil }
	return c
}

// pactJSON returns a small V2 pact between consumer and provider; path
// varies the content.
func pactJSON(consumer, provider, path string) []byte {
	return []byte(fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[{"description":"get %s","providerState":"it exists","request":{"method":"GET","path":%q},"response":{"status":200,"body":{"ok":true}}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`, consumer, provider, path, path))
}

// mustPublish publishes consumer's pacts, one per provider, for version on
// branch.
func mustPublish(tb testing.TB, c *api.Client, consumer, version, branch string, pacts map[string][]byte) *api.PublishResponse {
	tb.Helper()
	in := api.PublishInput{Pacticipant: consumer, Version: version, Branch: branch}
	providers := make([]string, 0, len(pacts))
	for p := range pacts {
		providers = append(providers, p)
	}
	sort.Strings(providers)
	for _, p := range providers {
		in.Contracts = append(in.Contracts, api.ContractFile{Consumer: consumer, Provider: p, Content: pacts[p]})
	}
	resp, err := c.PublishContracts(context.Background(), in)
	require.NoError(tb, err)
	return resp
}

// mustPublishOne publishes consumer's pactJSON with provider for path and
// returns the pact's URL.
func mustPublishOne(tb testing.TB, c *api.Client, consumer, version, branch, provider, path string) string {
	tb.Helper()
	resp := mustPublish(tb, c, consumer, version, branch, map[string][]byte{provider: pactJSON(consumer, provider, path)})
	require.Len(tb, resp.PactURLs, 1)
	return resp.PactURLs[0]
}

// mustVerify publishes a verification result of the pact at pactURL by
// providerVersion.
func mustVerify(tb testing.TB, c *api.Client, pactURL, providerVersion string, success bool) {
	tb.Helper()
	ctx := context.Background()
	p, err := c.FetchPact(ctx, pactURL)
	require.NoError(tb, err)
	require.NoError(tb, c.PublishVerificationResult(ctx, p.PublishVerificationResultsURL, api.VerificationResult{Success: success, ProviderVersion: providerVersion}))
}

// mustDeploy records the deployment of a pacticipant's version to env.
func mustDeploy(tb testing.TB, c *api.Client, pacticipant, version, env, instance string) {
	tb.Helper()
	_, err := c.RecordDeployment(context.Background(), pacticipant, version, env, instance)
	require.NoError(tb, err)
}

// deployable renders a matrix answer as "yes", "no" or "unknown".
func deployable(r *broker.MatrixResult) string {
	switch {
	case r.Summary.Deployable == nil:
		return "unknown"
	case *r.Summary.Deployable:
		return "yes"
	default:
		return "no"
	}
}

// parallel runs n calls of f at once and returns their errors.
func parallel(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = f(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// doJSON sends a request and returns the status and decoded JSON body.
func doJSON(tb testing.TB, method, url string, body string, headers ...string) (int, map[string]any, http.Header) {
	tb.Helper()
	status, data, h := doRequest(tb, method, url, body, headers...)
	var out map[string]any
	if len(bytes.TrimSpace(data)) > 0 && strings.Contains(h.Get("Content-Type"), "json") {
		require.NoError(tb, json.Unmarshal(data, &out), string(data))
	}
	return status, out, h
}

// doRequest sends a request as doJSON does and returns the status and the
// body as sent.
func doRequest(tb testing.TB, method, url string, body string, headers ...string) (int, []byte, http.Header) {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(tb, err)
	req.Header.Set("Accept", "application/hal+json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	return resp.StatusCode, data, resp.Header
}

// dumpDB renders every row of every table, to compare database states.
func dumpDB(tb testing.TB, path string) string {
	tb.Helper()
	db, err := sql.Open("sqlite", path)
	require.NoError(tb, err)
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	require.NoError(tb, err)
	var tables []string
	for rows.Next() {
		var n string
		require.NoError(tb, rows.Scan(&n))
		tables = append(tables, n)
	}
	require.NoError(tb, rows.Close())
	require.NotEmpty(tb, tables)
	var b strings.Builder
	for _, t := range tables {
		fmt.Fprintf(&b, "== %s\n", t)
		rs, err := db.Query(fmt.Sprintf(`SELECT * FROM %q`, t))
		require.NoError(tb, err)
		cols, err := rs.Columns()
		require.NoError(tb, err)
		var lines []string
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(tb, rs.Scan(ptrs...))
			lines = append(lines, fmt.Sprintf("%v", vals))
		}
		require.NoError(tb, rs.Close())
		sort.Strings(lines)
		b.WriteString(strings.Join(lines, "\n"))
		b.WriteString("\n")
	}
	return b.String()
}

func links(tb testing.TB, body map[string]any) map[string]any {
	tb.Helper()
	l, ok := body["_links"].(map[string]any)
	require.True(tb, ok, "no _links in %v", body)
	return l
}

func href(tb testing.TB, body map[string]any, rel string) string {
	tb.Helper()
	l, ok := links(tb, body)[rel].(map[string]any)
	require.True(tb, ok, "no link %s in %v", rel, body["_links"])
	return l["href"].(string)
}

func TestIndexHasEveryRelationWithAbsoluteHrefs(t *testing.T) {
	b := mustBroker(t, server.Config{})
	status, body, h := doJSON(t, http.MethodGet, b.srv.URL+"/", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "application/hal+json;charset=utf-8", h.Get("Content-Type"))
	for _, rel := range []string{
		"pb:publish-pact", "pb:publish-contracts", "pb:latest-pact-versions", "pb:tagged-pact-versions", "pb:pacticipants",
		"pb:pacticipant", "pb:latest-version", "pb:latest-tagged-version", "pb:pacticipant-version", "pb:pacticipant-version-tag",
		"pb:pacticipant-branch", "pb:pacticipant-branch-version", "pb:provider-pacts", "pb:provider-pacts-with-tag",
		"pb:latest-provider-pacts", "pb:latest-provider-pacts-with-tag", "pb:provider-pacts-for-verification",
		"beta:provider-pacts-for-verification", "pb:webhooks", "pb:webhook", "pb:integrations", "pb:environments",
		"pb:environment", "pb:can-i-deploy-pacticipant-version-to-tag", "pb:can-i-deploy-pacticipant-version-to-environment",
	} {
		require.True(t, strings.HasPrefix(href(t, body, rel), b.srv.URL+"/"), rel)
	}
	require.Equal(t, b.srv.URL+"/pacticipants/{pacticipant}", href(t, body, "pb:pacticipant"))
	require.Equal(t, b.srv.URL+"/webhooks/{uuid}", href(t, body, "pb:webhook"))

	t.Run("hrefs follow X-Forwarded headers", func(t *testing.T) {
		_, body, _ := doJSON(t, http.MethodGet, b.srv.URL+"/", "", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "broker.example")
		require.Equal(t, "https://broker.example/pacticipants", href(t, body, "pb:pacticipants"))
	})
	t.Run("configured base URL wins", func(t *testing.T) {
		b2 := mustBroker(t, server.Config{BaseURL: "http://example.org/"})
		_, body, _ := doJSON(t, http.MethodGet, b2.srv.URL+"/", "", "X-Forwarded-Host", "other.example")
		require.Equal(t, "http://example.org/environments", href(t, body, "pb:environments"))
	})
}

func TestHealthAndMetrics(t *testing.T) {
	b := mustBroker(t, server.Config{Auth: server.AuthConfig{WriteToken: "w"}})
	status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+"/health", "")
	require.Equal(t, http.StatusOK, status, "health needs no credential")
	require.Equal(t, "ok", body["store"])

	doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants/Foo", "", "Authorization", "Bearer w")
	resp, err := http.Get(b.srv.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	text := string(data)
	require.Contains(t, text, `contracts_http_requests_total{method="GET",route="/pacticipants/{pacticipant}",status="404"} 1`)
	require.Contains(t, text, `contracts_http_requests_total{method="GET",route="/health",status="200"} 1`)
	require.Contains(t, text, `contracts_http_request_duration_seconds_count{method="GET",route="/pacticipants/{pacticipant}"} 1`)
	require.NotContains(t, text, "Foo", "metrics are labelled by route pattern, not by path")

	t.Run("unknown methods share one label", func(t *testing.T) {
		for _, m := range []string{"BREW", "PROPFIND", "X-ANYTHING"} {
			req, err := http.NewRequest(m, b.srv.URL+"/health", nil)
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
		}
		resp, err := http.Get(b.srv.URL + "/metrics")
		require.NoError(t, err)
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		text := string(data)
		require.Regexp(t, `contracts_http_requests_total\{method="OTHER",route="[^"]*",status="\d+"\} 3`, text)
		for _, m := range []string{"BREW", "PROPFIND", "X-ANYTHING"} {
			require.NotContains(t, text, `method="`+m+`"`)
		}
	})

	t.Run("health fails when the store is closed", func(t *testing.T) {
		b := mustBroker(t, server.Config{})
		b.closeStore()
		status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+"/health", "")
		require.Equal(t, http.StatusServiceUnavailable, status)
		require.Equal(t, "unavailable", body["store"])
	})
}

func TestFrontendWrapsTheAPIInsideAuthAndLogging(t *testing.T) {
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html>ui</html>")
	})
	b := mustBroker(t, server.Config{
		Auth: server.AuthConfig{ReadToken: "r"},
		Frontend: func(api http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.Contains(r.Header.Get("Accept"), "text/html") {
					ui.ServeHTTP(w, r)
					return
				}
				api.ServeHTTP(w, r)
			})
		},
	})
	status, _, _ := doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants", "", "Accept", "text/html")
	require.Equal(t, http.StatusUnauthorized, status, "the web view is behind the same auth")
	req, err := http.NewRequest(http.MethodGet, b.srv.URL+"/pacticipants", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Authorization", "Bearer r")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, "<html>ui</html>", string(data))
	status, _, _ = doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants", "", "Authorization", "Bearer r")
	require.Equal(t, http.StatusOK, status)
	lines := requestLogs(t, b.logs.String())
	require.Equal(t, "/pacticipants", lines[1]["route"], "web view requests are logged by route too")
}

// TestNoDanglingLinks follows every non-templated link from the index of a
// broker with data and checks each one is served by a route.
func TestNoDanglingLinks(t *testing.T) {
	ctx := context.Background()
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	doJSON(t, http.MethodPatch, b.srv.URL+"/pacticipants/Foo", `{"mainBranch":"main"}`)
	mustPublish(t, c, "Foo", "1", "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/a")})
	require.NoError(t, c.EnsureVersionTag(ctx, "Foo", "1", "prod"))
	p, err := c.FetchPact(ctx, "/pacts/provider/Bar/consumer/Foo/version/1")
	require.NoError(t, err)
	require.NoError(t, c.PublishVerificationResult(ctx, p.PublishVerificationResultsURL, api.VerificationResult{Success: true, ProviderVersion: "7"}))
	_, err = c.CreateEnvironment(ctx, broker.Environment{Name: "test"})
	require.NoError(t, err)
	_, err = c.RecordDeployment(ctx, "Foo", "1", "test", "")
	require.NoError(t, err)
	_, err = c.RecordRelease(ctx, "Foo", "1", "test")
	require.NoError(t, err)
	status, _, _ := doJSON(t, http.MethodPost, b.srv.URL+"/webhooks", `{"events":[{"name":"contract_published"}],"request":{"method":"POST","url":"https://hook.example"}}`)
	require.Equal(t, http.StatusCreated, status)

	seen := map[string]bool{}
	queue := []string{b.srv.URL + "/"}
	var collect func(v any)
	collect = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if h, ok := x["href"].(string); ok && x["templated"] != true && strings.HasPrefix(h, b.srv.URL) && !seen[h] {
				seen[h] = true
				queue = append(queue, h)
			}
			for _, e := range x {
				collect(e)
			}
		case []any:
			for _, e := range x {
				collect(e)
			}
		}
	}
	for len(queue) > 0 && len(seen) < 500 {
		u := queue[0]
		queue = queue[1:]
		status, body, _ := doJSON(t, http.MethodGet, u, "")
		if status == http.StatusMethodNotAllowed {
			continue // a POST-only resource such as pb:publish-contracts
		}
		if status == http.StatusNotFound {
			require.NotContains(t, fmt.Sprint(body), "no resource at", "dangling link %s", u)
		}
		collect(body)
	}
	require.Greater(t, len(seen), 30, "the crawl reached the resources")
}
