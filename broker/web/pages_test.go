package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/broker/web"
	"github.com/stretchr/testify/require"
)

func TestPages(t *testing.T) {
	s := mustWorld(t)
	srv := mustServe(t, s, web.Options{})

	t.Run("integrations", func(t *testing.T) {
		for _, path := range []string{"/", "/ui/", "/ui"} {
			html := mustPage(t, srv.URL+path)
			require.Contains(t, html, "<h1>Integrations</h1>")
			row := rowWith(t, html, ">Web<", ">Orders<")
			require.Contains(t, row, `badge-failed`, "Web -> Orders: latest verification (o-101) failed")
			require.Contains(t, row, "o-101")
			require.Contains(t, row, ">1.1.0<", "latest pact is Web 1.1.0")
			require.Contains(t, row, `href="/pacts/provider/Orders/consumer/Web/version/1.1.0"`)
			require.Contains(t, row, `href="/matrix/provider/Orders/consumer/Web"`)
			row = rowWith(t, html, ">Web<", ">Billing<")
			require.Contains(t, row, "badge-failed")
			require.Contains(t, row, "b-7")
			row = rowWith(t, html, ">Mobile<", ">Orders<")
			require.Contains(t, row, "badge-unverified")
			require.Contains(t, row, ">2.0.0<")
			require.Contains(t, html, "0 verified")
			require.Contains(t, html, "2 failed")
			require.Contains(t, html, "1 unverified")
		}
	})

	t.Run("integrations after a successful verification", func(t *testing.T) {
		s := mustWorld(t)
		p, err := s.GetPact(context.Background(), "Mobile", "Orders", "2.0.0")
		require.NoError(t, err)
		mustVerify(t, s, "Mobile", "Orders", p.SHA, "o-102", true)
		html := mustPage(t, mustServe(t, s, web.Options{}).URL+"/")
		row := rowWith(t, html, ">Mobile<", ">Orders<")
		require.Contains(t, row, "badge-success")
		require.Contains(t, row, "o-102")
	})

	t.Run("pacticipants", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/pacticipants")
		for _, name := range []string{"Billing", "Mobile", "Orders", "Web"} {
			rowWith(t, html, `href="/pacticipants/`+name+`"`)
		}
		require.Contains(t, rowWith(t, html, ">Orders<"), "Order Service")
	})

	t.Run("consumer", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/pacticipants/Web")
		require.Contains(t, html, "<h1>Web")
		require.Contains(t, html, "<th>Pacts</th>")
		row := rowWith(t, html, ">1.0.0<")
		require.Contains(t, row, `chip chip-branch chip-main`, "main is Web's main branch")
		require.Contains(t, row, ">prod<")
		require.Contains(t, row, "deployed to test (blue)")
		require.Contains(t, row, `href="/pacts/provider/Orders/consumer/Web/version/1.0.0"`)
		require.Contains(t, row, `href="/pacts/provider/Billing/consumer/Web/version/1.0.0"`)
		require.Contains(t, row, `href="https://ci.example.com/build/1.0.0"`, "build link without its credentials")
		row = rowWith(t, html, ">1.1.0<")
		require.Contains(t, row, ">feat/search<")
		require.NotContains(t, row, "chip-main")
		require.NotContains(t, row, "deployed")
		require.Less(t, strings.Index(html, ">1.1.0<"), strings.Index(html, ">1.0.0<"), "newest version first")
		require.Contains(t, html, "Consumes")
		require.Contains(t, html, `href="/matrix/provider/Billing/consumer/Web"`)
		require.NotContains(t, html, `href="javascript:`, "a repository URL that is not http(s) is not a link")
		require.Contains(t, html, "<dd>javascript:alert(1)</dd>", "but it is shown as text")
		require.NotContains(t, html, "token@")
		branches := between(t, html, "<h2>Branches</h2>", "</ul>")
		require.Contains(t, branches, `<span class="chip chip-branch">feat/search</span> <span class="muted">head</span> <a class="mono" href="/pacticipants/Web/versions/1.1.0">1.1.0</a>`)
		require.Contains(t, branches, `<span class="chip chip-branch chip-main">main</span> <span class="muted">head</span> <a class="mono" href="/pacticipants/Web/versions/1.0.0">1.0.0</a>`)
	})

	t.Run("provider", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/pacticipants/Orders")
		require.Contains(t, html, "Order Service")
		require.Contains(t, html, `href="https://git.example.com/shop/orders"`)
		require.NotContains(t, html, "s3cret", "credentials in the repository URL are never shown")
		require.Contains(t, rowWith(t, html, ">o-100<"), "deployed to production")
		require.NotContains(t, html, "<th>Pacts</th>", "Orders publishes no pacts")
		require.Contains(t, html, "Consumed by")
		require.Contains(t, html, `href="/matrix/provider/Orders/consumer/Mobile"`)
	})

	t.Run("released version", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/pacticipants/Mobile")
		require.Contains(t, rowWith(t, html, ">2.0.0<"), "released to production")
	})

	t.Run("matrix", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/matrix/provider/Orders/consumer/Web")
		require.Equal(t, 2, rowsWith(html, ">o-100<"), "both consumer versions share the content o-100 verified")
		require.Equal(t, 2, rowsWith(html, ">o-101<"))
		require.Contains(t, rowWith(t, html, ">o-100<"), "badge-success")
		require.Contains(t, rowWith(t, html, ">o-101<"), "badge-failed")
		require.Contains(t, rowWith(t, html, ">1.1.0<"), ">feat/search<")
		require.Less(t, strings.Index(html, ">1.1.0<"), strings.Index(html, ">1.0.0<"), "newest consumer version first")
		require.Contains(t, html, "2 verified")
		require.Contains(t, html, "2 failed")
		require.Contains(t, rowWith(t, html, ">o-100<"), ">main<", "provider version's branch")
		require.Contains(t, rowWith(t, html, ">o-100<"), `href="/pacticipants/Orders/versions/o-100"`)
		require.Contains(t, rowWith(t, html, ">1.1.0<"), `href="/pacts/provider/Orders/consumer/Web/version/1.1.0"`)
	})

	t.Run("matrix unverified", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/matrix/provider/Orders/consumer/Mobile")
		row := rowWith(t, html, ">2.0.0<")
		require.Contains(t, row, "badge-unverified")
		require.Contains(t, row, ">production<", "consumer version's environment")
	})

	t.Run("environments", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/environments")
		test, prod := strings.Index(html, `id="env-test"`), strings.Index(html, `id="env-production"`)
		require.Positive(t, test)
		require.Greater(t, prod, test, "production listed after the other environments")
		testPart, prodPart := html[test:prod], html[prod:]
		require.Contains(t, testPart, "Test")
		require.Contains(t, rowWith(t, testPart, ">Web<"), ">1.0.0<")
		require.Contains(t, rowWith(t, testPart, ">Web<"), "as blue")
		require.Contains(t, prodPart, "badge-prod")
		require.Contains(t, rowWith(t, prodPart, ">Orders<"), ">o-100<")
		require.Contains(t, rowWith(t, prodPart, ">Mobile<"), "released")
		require.NotContains(t, testPart, ">Orders<")
	})

	t.Run("stylesheet", func(t *testing.T) {
		resp, err := http.Get(srv.URL + web.StylePath)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "text/css; charset=utf-8", resp.Header.Get("Content-Type"))
	})

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			path   string
			status int
			text   string
		}{
			{"/pacticipants/Nobody", http.StatusNotFound, "Pacticipant &#34;Nobody&#34;: not found."},
			{"/pacts/provider/Orders/consumer/Web/version/9.9.9", http.StatusNotFound, "Web has no pact with Orders for version &#34;9.9.9&#34;."},
			{"/pacts/provider/Orders/consumer/Web/pact-version/0000", http.StatusNotFound, "There is no pact version &#34;0000&#34; between Web and Orders."},
			{"/pacts/provider/Orders/consumer/Web/latest/nope", http.StatusNotFound, "No version of Web tagged &#34;nope&#34; has a pact with Orders."},
			{"/pacts/provider/Orders/consumer/Web/branch/nope/latest", http.StatusNotFound, "No version of Web on branch &#34;nope&#34; has a pact with Orders."},
			{"/pacts/provider/Billing/consumer/Mobile/latest", http.StatusNotFound, "Mobile has no pact with Billing."},
			{"/matrix/provider/Orders/consumer/Nobody", http.StatusNotFound, "Nobody"},
			{"/pacticipants/Web?page=zero", http.StatusBadRequest, "Page: must be a page number from 1, got &#34;zero&#34;"},
			{"/no/such/page", http.StatusNotFound, "There is no page at /no/such/page."},
		} {
			status, html := mustGet(t, srv.URL+tc.path)
			require.Equal(t, tc.status, status, tc.path)
			require.Contains(t, html, tc.text, tc.path)
			require.Contains(t, html, "<!DOCTYPE html>")
		}
	})
}

func TestPaginatedVersions(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	for i := 1; i <= 25; i++ {
		_, _, err := s.PutVersion(ctx, "Batch", fmt.Sprintf("v%02d", i), "")
		require.NoError(t, err)
	}
	srv := mustServe(t, s, web.Options{})
	first := mustPage(t, srv.URL+"/pacticipants/Batch")
	require.Equal(t, 1, rowsWith(first, ">v25<"))
	require.Equal(t, 1, rowsWith(first, ">v06<"))
	require.Zero(t, rowsWith(first, ">v05<"), "20 versions a page")
	require.Contains(t, first, `href="/pacticipants/Batch?page=2" rel="next"`)
	require.NotContains(t, first, `rel="prev"`)

	second := mustPage(t, srv.URL+"/pacticipants/Batch?page=2")
	require.Equal(t, 1, rowsWith(second, ">v05<"))
	require.Equal(t, 1, rowsWith(second, ">v01<"))
	require.Zero(t, rowsWith(second, ">v06<"))
	require.Contains(t, second, `href="/pacticipants/Batch" rel="prev"`)
	require.NotContains(t, second, `rel="next"`)
}

func TestNamesNeedingEscapes(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	name := "Team A/Web <beta>"
	for i := 1; i <= 21; i++ {
		_, _, err := s.PutVersion(ctx, name, fmt.Sprintf("v%02d", i), "")
		require.NoError(t, err)
	}
	srv := mustServe(t, s, web.Options{})
	list := mustPage(t, srv.URL+"/pacticipants")
	require.Contains(t, list, `href="/pacticipants/Team%20A%2FWeb%20%3Cbeta%3E">Team A/Web &lt;beta&gt;</a>`)
	first := mustPage(t, srv.URL+"/pacticipants/Team%20A%2FWeb%20%3Cbeta%3E")
	require.Contains(t, first, "<h1>Team A/Web &lt;beta&gt;")
	require.Contains(t, first, `href="/pacticipants/Team%20A%2FWeb%20%3Cbeta%3E?page=2" rel="next"`)
	second := mustPage(t, srv.URL+"/pacticipants/Team%20A%2FWeb%20%3Cbeta%3E?page=2")
	require.Equal(t, 1, rowsWith(second, ">v01<"))
}

func TestPaginatedMatrix(t *testing.T) {
	s := mustStore(t)
	content := mustReadPact(t, "web-billing.json")
	for i := 1; i <= 23; i++ {
		mustPublish(t, s, "Web", fmt.Sprintf("w%02d", i), "main", nil, map[string][]byte{"Billing": content})
	}
	srv := mustServe(t, s, web.Options{})
	first := mustPage(t, srv.URL+"/matrix/provider/Billing/consumer/Web")
	require.Equal(t, 1, rowsWith(first, ">w23<"))
	require.Zero(t, rowsWith(first, ">w03<"))
	require.Contains(t, first, `rel="next"`)
	second := mustPage(t, srv.URL+"/matrix/provider/Billing/consumer/Web?page=2")
	require.Equal(t, 1, rowsWith(second, ">w03<"))
	require.Equal(t, 1, rowsWith(second, ">w01<"))
	require.Zero(t, rowsWith(second, ">w04<"))
}

func TestMatrixCapsVerificationsPerVersion(t *testing.T) {
	s := mustStore(t)
	shas := mustPublish(t, s, "Web", "1", "main", nil, map[string][]byte{"Billing": mustReadPact(t, "web-billing.json")})
	for i := 1; i <= 13; i++ {
		mustVerify(t, s, "Web", "Billing", shas["Billing"], fmt.Sprintf("b%02d", i), i != 13)
	}
	html := mustPage(t, mustServe(t, s, web.Options{}).URL+"/matrix/provider/Billing/consumer/Web")
	require.Equal(t, 1, rowsWith(html, ">b13<"), "newest verification shown")
	require.Contains(t, rowWith(t, html, ">b13<"), "badge-failed")
	require.Equal(t, 1, rowsWith(html, ">b04<"))
	require.Zero(t, rowsWith(html, ">b03<"))
	require.Contains(t, html, "and 3 older verifications of this pact")
	require.Contains(t, html, "12 verified", "the summary counts every verification")
	require.Contains(t, html, "1 failed")
}

func TestEmptyBroker(t *testing.T) {
	srv := mustServe(t, mustStore(t), web.Options{})
	require.Contains(t, mustPage(t, srv.URL+"/"), "No pacts have been published yet")
	require.Contains(t, mustPage(t, srv.URL+"/environments"), "No environments yet")
	require.Contains(t, mustPage(t, srv.URL+"/pacticipants"), "No pacticipants yet")
}

func TestBaseURL(t *testing.T) {
	s := mustWorld(t)
	for _, base := range []string{"/broker", "https://pacts.example.com/broker/"} {
		srv := mustServe(t, s, web.Options{BaseURL: base})
		want := strings.TrimSuffix(base, "/")
		html := mustPage(t, srv.URL+"/broker/pacticipants/Web")
		require.Contains(t, html, `href="`+want+`/pacts/provider/Orders/consumer/Web/version/1.0.0"`)
		require.Contains(t, html, `href="`+want+`/ui/style.css"`)
		// Behind http.StripPrefix the paths come without the prefix.
		html = mustPage(t, srv.URL+"/pacticipants/Web")
		require.Contains(t, html, `href="`+want+`/environments"`)
	}
}

func TestForwardedPrefix(t *testing.T) {
	srv := mustServe(t, mustWorld(t), web.Options{})
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/pacticipants/Web", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", browserAccept)
	req.Header.Set("X-Forwarded-Prefix", "/pact/")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(b), `href="/pact/ui/style.css"`)
	require.Contains(t, string(b), `href="/pact/pacts/provider/Orders/consumer/Web/version/1.0.0"`)

	// An explicit BaseURL wins over the header.
	srv = mustServe(t, mustWorld(t), web.Options{BaseURL: "/broker"})
	req.URL.Host = strings.TrimPrefix(srv.URL, "http://")
	req.URL.Path = "/broker/pacticipants/Web"
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err = io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Contains(t, string(b), `href="/broker/ui/style.css"`)
}

func TestFallback(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/hal+json")
		_, _ = fmt.Fprintf(w, `{"path": %q}`, r.URL.Path)
	})
	srv := mustServe(t, mustWorld(t), web.Options{Fallback: api})
	status, body := mustGet(t, srv.URL+"/webhooks")
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"path": "/webhooks"}`, body)
	// Pages the view has are still its own.
	require.Contains(t, mustPage(t, srv.URL+"/environments"), "<h1>Environments</h1>")

	// Under a prefix the fallback still gets the path as it came.
	srv = mustServe(t, mustStore(t), web.Options{BaseURL: "/broker", Fallback: api})
	status, body = mustGet(t, srv.URL+"/broker/webhooks")
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"path": "/broker/webhooks"}`, body)
	require.Contains(t, mustPage(t, srv.URL+"/broker/environments"), "<h1>Environments</h1>")
}

func TestNegotiateWithTheAPI(t *testing.T) {
	s := mustWorld(t)
	api := server.New(s, server.Config{})
	ui := web.NewHandler(s, web.Options{Fallback: api})
	hs := httptest.NewServer(web.Negotiate(api, ui))
	t.Cleanup(hs.Close)
	srv := hs.URL

	html := mustPage(t, srv+"/pacticipants/Web")
	require.Contains(t, html, "<h1>Web")

	req, err := http.NewRequest(http.MethodGet, srv+"/pacticipants/Web", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "application/hal+json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "hal+json")
	// The JSON at a page's URL says it depends on Accept, is not sniffed
	// and is revalidated.
	require.Equal(t, "Accept", resp.Header.Get("Vary"))
	require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	require.Equal(t, "private, no-cache", resp.Header.Get("Cache-Control"))
	// Errors too.
	req.URL.Path = "/pacticipants/Nobody"
	resp2, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp2.Body.Close()
	require.Equal(t, http.StatusNotFound, resp2.StatusCode)
	require.Equal(t, "Accept", resp2.Header.Get("Vary"))
	require.Equal(t, "nosniff", resp2.Header.Get("X-Content-Type-Options"))
}

func TestUnreadablePact(t *testing.T) {
	s := mustStore(t)
	bad := []byte(`{"consumer": {"name": "Bad"}, "provider": {"name": "Orders"},
		"interactions": [{"description": "x", "request": {"method": "GET", "path": "/"}, "response": {"status": "teapot"}}]}`)
	mustPublish(t, s, "Bad", "1", "", nil, map[string][]byte{"Orders": bad})
	html := mustPage(t, mustServe(t, s, web.Options{}).URL+"/pacts/provider/Orders/consumer/Bad/version/1")
	require.Contains(t, html, "This pact could not be read")
	require.Contains(t, html, "$.interactions[0].response.status")
	require.Contains(t, html, "&#34;teapot&#34;", "the content is shown, escaped")
}

func TestStoreFailureIsLoggedNotShown(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "broker.db"))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	var logs bytes.Buffer
	srv := mustServe(t, s, web.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	status, html := mustGet(t, srv.URL+"/")
	require.Equal(t, http.StatusInternalServerError, status)
	require.Contains(t, html, "Something went wrong")
	require.NotContains(t, html, "sql")
	require.Contains(t, logs.String(), "web: page failed")
	require.Contains(t, logs.String(), "list integrations")
}

// TestPacticipantPageShowsEveryIntegration checks that a provider with
// more consumers than a store page holds lists them all.
func TestPacticipantPageShowsEveryIntegration(t *testing.T) {
	s := mustStore(t)
	const consumers = broker.MaxPageSize + 1
	err := s.Batch(context.Background(), func(b *sqlite.Batch) error {
		for i := range consumers {
			c := fmt.Sprintf("c-%04d", i)
			w, err := broker.NewPublication(broker.PublishRequest{Pacticipant: c, Version: "1", Contracts: []broker.ContractInput{
				{Consumer: c, Provider: "API", Content: []byte(fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":"API"},"interactions":[]}`, c))}}}, broker.DefaultRules())
			if err != nil {
				return err
			}
			if _, err := b.PublishContracts(w); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	srv := mustServe(t, s, web.Options{})
	html := mustPage(t, srv.URL+"/pacticipants/API")
	require.Contains(t, html, fmt.Sprintf(">c-%04d<", consumers-1), "the last consumer by name is listed")
	require.Contains(t, html, ">c-0000<")
}
