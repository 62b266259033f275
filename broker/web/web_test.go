package web_test

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/broker/sqlite/sqlitetest"
	"github.com/contracts-dev/contracts/broker/web"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/web")

// browserAccept is what a browser sends for a page.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// viewNow is the web view's clock: a day and a half after the store's.
var viewNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func testdata(elem ...string) string {
	return filepath.Join(append([]string{"..", "..", "testdata", "web"}, elem...)...)
}

// mustStore opens a store whose clock starts on 2026-03-01 and ticks a
// minute per reading.
func mustStore(tb testing.TB) *sqlite.Store {
	tb.Helper()
	return sqlitetest.Open(tb, sqlite.WithClock(sqlitetest.TickingClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Minute)))
}

func mustReadPact(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(testdata("pacts", name))
	require.NoError(tb, err)
	return b
}

func mustPublish(tb testing.TB, s broker.Store, consumer, version, branch string, tags []string, pacts map[string][]byte) map[string]string {
	tb.Helper()
	req := broker.PublishRequest{Pacticipant: consumer, Version: version, Branch: branch, Tags: tags, BuildURL: "https://ci:token@ci.example.com/build/" + version}
	for provider, content := range pacts {
		req.Contracts = append(req.Contracts, broker.ContractInput{Consumer: consumer, Provider: provider, Content: content})
	}
	res, err := broker.NewService(s, broker.DefaultRules()).PublishContracts(context.Background(), req)
	require.NoError(tb, err)
	shas := map[string]string{}
	for _, c := range res.Contracts {
		shas[c.Pact.Provider] = c.Pact.SHA
	}
	return shas
}

func mustVerify(tb testing.TB, s broker.Store, consumer, provider, sha, providerVersion string, ok bool) {
	tb.Helper()
	_, err := s.PublishVerification(context.Background(), broker.VerificationInput{
		Consumer: consumer, Provider: provider, PactSHA: sha, ProviderVersion: providerVersion, Success: ok,
	})
	require.NoError(tb, err)
}

func mustEnvironment(tb testing.TB, s broker.Store, name, display string, production bool) string {
	tb.Helper()
	e, err := s.CreateEnvironment(context.Background(), broker.Environment{Name: name, DisplayName: display, Production: production})
	require.NoError(tb, err)
	return e.UUID
}

// mustWorld seeds a small broker:
//
//	Web 1.0.0 (main, tag prod) and 1.1.0 (feat/search): pacts with Orders
//	(same content) and Billing (1.0.0 only).
//	Mobile 2.0.0 (main): a V2 pact with Orders, never verified.
//	Orders o-100 verified Web's pact, o-101 failed it; Billing b-7 failed
//	Web's pact.
//	Environments test ("Test") and production: Web 1.0.0 deployed to test
//	as "blue", Orders o-100 deployed to production, Mobile 2.0.0 released
//	to production.
func mustWorld(tb testing.TB) *sqlite.Store {
	tb.Helper()
	ctx := context.Background()
	s := mustStore(tb)
	_, _, err := s.PutPacticipant(ctx, broker.Pacticipant{Name: "Orders", DisplayName: "Order Service", MainBranch: "main",
		RepositoryURL: "https://deploy:s3cret-token@git.example.com/shop/orders"})
	require.NoError(tb, err)
	_, _, err = s.PutPacticipant(ctx, broker.Pacticipant{Name: "Web", MainBranch: "main", RepositoryURL: "javascript:alert(1)"})
	require.NoError(tb, err)

	webOrders, webBilling := mustReadPact(tb, "web-orders.json"), mustReadPact(tb, "web-billing.json")
	web1 := mustPublish(tb, s, "Web", "1.0.0", "main", []string{"prod"}, map[string][]byte{"Orders": webOrders, "Billing": webBilling})
	mustPublish(tb, s, "Web", "1.1.0", "feat/search", nil, map[string][]byte{"Orders": webOrders})
	mustPublish(tb, s, "Mobile", "2.0.0", "main", nil, map[string][]byte{"Orders": mustReadPact(tb, "mobile-orders.json")})

	svc := broker.NewService(s, broker.DefaultRules())
	_, _, err = svc.AddBranchVersion(ctx, "Orders", "main", "o-100")
	require.NoError(tb, err)
	_, _, err = svc.AddTag(ctx, "Orders", "o-100", "prod")
	require.NoError(tb, err)
	mustVerify(tb, s, "Web", "Orders", web1["Orders"], "o-100", true)
	mustVerify(tb, s, "Web", "Orders", web1["Orders"], "o-101", false)
	mustVerify(tb, s, "Web", "Billing", web1["Billing"], "b-7", false)

	test := mustEnvironment(tb, s, "test", "Test", false)
	prod := mustEnvironment(tb, s, "production", "", true)
	_, _, err = s.RecordDeployment(ctx, "Web", "1.0.0", test, "blue")
	require.NoError(tb, err)
	_, _, err = s.RecordDeployment(ctx, "Orders", "o-100", prod, "")
	require.NoError(tb, err)
	_, _, err = s.RecordRelease(ctx, "Mobile", "2.0.0", prod)
	require.NoError(tb, err)
	return s
}

func mustServe(tb testing.TB, s broker.Store, opts web.Options) *httptest.Server {
	tb.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return viewNow }
	}
	srv := httptest.NewServer(web.NewHandler(s, opts))
	tb.Cleanup(srv.Close)
	return srv
}

// mustFetch fetches a page as a browser would and returns the response,
// its body read.
func mustFetch(tb testing.TB, url string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(tb, err)
	req.Header.Set("Accept", browserAccept)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	return resp, b
}

// mustGet fetches a page as a browser would and returns status and body.
func mustGet(tb testing.TB, url string) (int, string) {
	tb.Helper()
	resp, b := mustFetch(tb, url)
	return resp.StatusCode, string(b)
}

// mustPage fetches a page that must answer 200 with HTML.
func mustPage(tb testing.TB, url string) string {
	tb.Helper()
	resp, b := mustFetch(tb, url)
	require.Equal(tb, http.StatusOK, resp.StatusCode, "GET %s: %s", url, b)
	require.Equal(tb, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Contains(tb, resp.Header.Get("Content-Security-Policy"), "default-src 'none'")
	return string(b)
}

// rowWith returns the table row (<tr>...</tr>) holding all of texts,
// failing when there is none.
func rowWith(tb testing.TB, html string, texts ...string) string {
	tb.Helper()
	for _, part := range strings.Split(html, "<tr")[1:] {
		row, _, _ := strings.Cut(part, "</tr>")
		all := true
		for _, t := range texts {
			if !strings.Contains(row, t) {
				all = false
				break
			}
		}
		if all {
			return row
		}
	}
	require.Failf(tb, "no row", "no table row contains all of %q", texts)
	return ""
}

// rowsWith counts the table rows holding text.
func rowsWith(html, text string) int {
	n := 0
	for _, part := range strings.Split(html, "<tr")[1:] {
		row, _, _ := strings.Cut(part, "</tr>")
		if strings.Contains(row, text) {
			n++
		}
	}
	return n
}
