package web_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/web"
)

// smallPact is a V2 pact whose content differs by description.
func smallPact(consumer, provider, description string) []byte {
	return []byte(fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[{"description":%q,"request":{"method":"GET","path":"/"},"response":{"status":200}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`,
		consumer, provider, description))
}

// mustBadge fetches a badge as an <img> would and returns its text
// (the SVG's aria-label), checking it is a well-formed SVG image.
func mustBadge(tb testing.TB, url string) string {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(tb, err)
	req.Header.Set("Accept", "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	require.Equal(tb, http.StatusOK, resp.StatusCode, "GET %s: %s", url, b)
	require.Equal(tb, "image/svg+xml; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Contains(tb, resp.Header.Get("Cache-Control"), "no-cache")
	var svg struct {
		XMLName xml.Name `xml:"svg"`
		Label   string   `xml:"aria-label,attr"`
		Title   string   `xml:"title"`
		Texts   []string `xml:"g>text"`
	}
	require.NoError(tb, xml.Unmarshal(b, &svg), "badge is not well-formed XML: %s", b)
	require.Equal(tb, svg.Label, svg.Title)
	require.Len(tb, svg.Texts, 4, "two texts, each with its shadow")
	return svg.Label
}

func TestPactBadges(t *testing.T) {
	ctx := context.Background()
	s := mustStore(t)
	srv := mustServe(t, s, web.Options{})
	latest := srv.URL + "/pacts/provider/OrderService/consumer/web-shop/latest/badge"

	require.Equal(t, "web-shop/orderservice pact: not found", mustBadge(t, latest), "no pacticipants yet")

	v1 := mustPublish(t, s, "web-shop", "1", "main", []string{"prod"}, map[string][]byte{"OrderService": smallPact("web-shop", "OrderService", "one")})["OrderService"]
	require.Equal(t, "web-shop/orderservice pact: unknown", mustBadge(t, latest), "never verified")

	mustVerify(t, s, "web-shop", "OrderService", v1, "p1", false)
	require.Equal(t, "web-shop/orderservice pact: failed (pending)", mustBadge(t, latest), "failed, never passed before")

	mustVerify(t, s, "web-shop", "OrderService", v1, "p2", true)
	require.Equal(t, "web-shop/orderservice pact: verified", mustBadge(t, latest))

	mustVerify(t, s, "web-shop", "OrderService", v1, "p3", false)
	require.Equal(t, "web-shop/orderservice pact: failed", mustBadge(t, latest), "failed after it had passed")

	mustVerify(t, s, "web-shop", "OrderService", v1, "p4", true)
	v2 := mustPublish(t, s, "web-shop", "2", "main", nil, map[string][]byte{"OrderService": smallPact("web-shop", "OrderService", "two")})["OrderService"]
	require.Equal(t, "web-shop/orderservice pact: changed", mustBadge(t, latest), "passed, then the pact changed")

	// The line of pacts tagged prod is still verified; the untagged line
	// (version 2 alone) was never verified.
	require.Equal(t, "web-shop (prod)/orderservice pact: verified", mustBadge(t, srv.URL+"/pacts/provider/OrderService/consumer/web-shop/latest/prod/badge"))
	require.Equal(t, "web-shop/orderservice pact: unknown", mustBadge(t, srv.URL+"/pacts/provider/OrderService/consumer/web-shop/latest-untagged/badge"))
	require.Equal(t, "web-shop (nope)/orderservice pact: not found", mustBadge(t, srv.URL+"/pacts/provider/OrderService/consumer/web-shop/latest/nope/badge"))

	mustVerify(t, s, "web-shop", "OrderService", v2, "p5", true)
	require.Equal(t, "web-shop/orderservice pact: verified", mustBadge(t, latest))

	t.Run("labels and initials", func(t *testing.T) {
		require.Equal(t, "web-shop pact: verified", mustBadge(t, latest+"?label=consumer"))
		require.Equal(t, "orderservice pact: verified", mustBadge(t, latest+"?label=Provider"))
		require.Equal(t, "ws/os pact: verified", mustBadge(t, latest+"?initials=true"))
		require.Equal(t, "os pact: verified", mustBadge(t, latest+"?label=provider&initials=true"))
		require.Equal(t, `<shop> & "co": verified`, mustBadge(t, latest+"?label=%3Cshop%3E+%26+%22co%22"), "custom text, escaped in the SVG")
	})

	t.Run("matrix badge", func(t *testing.T) {
		_, _, err := broker.NewService(s, broker.DefaultRules()).AddTag(ctx, "OrderService", "p4", "prod")
		require.NoError(t, err)
		m := srv.URL + "/matrix/provider/OrderService/latest/prod/consumer/web-shop/latest/prod/badge"
		require.Equal(t, "web-shop (prod)/orderservice (prod) pact: verified", mustBadge(t, m))
		_, _, err = broker.NewService(s, broker.DefaultRules()).AddTag(ctx, "OrderService", "p3", "staging")
		require.NoError(t, err)
		require.Equal(t, "web-shop (prod)/orderservice (staging) pact: failed",
			mustBadge(t, srv.URL+"/matrix/provider/OrderService/latest/staging/consumer/web-shop/latest/prod/badge"))
		require.Equal(t, "web-shop (prod)/orderservice (dev) pact: unknown",
			mustBadge(t, srv.URL+"/matrix/provider/OrderService/latest/dev/consumer/web-shop/latest/prod/badge"), "no provider version tagged dev")
		require.Equal(t, "web-shop (dev)/orderservice (prod) pact: not found",
			mustBadge(t, srv.URL+"/matrix/provider/OrderService/latest/prod/consumer/web-shop/latest/dev/badge"))
	})

	t.Run("can-i-deploy badges", func(t *testing.T) {
		// web-shop 1 (prod) against OrderService p4 (prod): verified.
		u := srv.URL + "/pacticipants/web-shop/latest-version/prod/can-i-deploy/to/prod/badge"
		require.Equal(t, "can-i-deploy: prod to prod: yes", mustBadge(t, u))
		require.Equal(t, "ship it: prod to prod: yes", mustBadge(t, u+"?label=ship+it"))
		// p3 (staging) failed web-shop 1's pact.
		require.Equal(t, "can-i-deploy: prod to staging: no", mustBadge(t, srv.URL+"/pacticipants/web-shop/latest-version/prod/can-i-deploy/to/staging/badge"))
		require.Equal(t, "can-i-deploy: nope to prod: not found", mustBadge(t, srv.URL+"/pacticipants/web-shop/latest-version/nope/can-i-deploy/to/prod/badge"))

		env := mustEnvironment(t, s, "production", "", true)
		e := srv.URL + "/pacticipants/web-shop/branches/main/latest-version/can-i-deploy/to-environment/production/badge"
		// Nothing of OrderService is deployed: web-shop 2's required
		// provider is missing, so the broker cannot tell.
		require.Equal(t, "can-i-deploy: main to production: unknown", mustBadge(t, e))
		_, _, err := s.RecordDeployment(ctx, "OrderService", "p5", env, "")
		require.NoError(t, err)
		require.Equal(t, "can-i-deploy: main to production: yes", mustBadge(t, e))
		_, _, err = s.RecordDeployment(ctx, "OrderService", "p3", env, "")
		require.NoError(t, err)
		require.Equal(t, "can-i-deploy: main to production: unknown", mustBadge(t, e), "p3 never verified version 2's pact")
		require.Equal(t, "can-i-deploy: main to mars: not found",
			mustBadge(t, srv.URL+"/pacticipants/web-shop/branches/main/latest-version/can-i-deploy/to-environment/mars/badge"))
	})
}

func TestBadgeNameParts(t *testing.T) {
	s := mustStore(t)
	srv := mustServe(t, s, web.Options{})
	for name, want := range map[string]string{
		"HTTPServer":            "hs",
		"Foo-Bar_Thing Service": "fbts",
		"orders":                "orders",
		"OrderService2Go":       "osg",
	} {
		mustPublish(t, s, "c", "1", "", nil, map[string][]byte{name: smallPact("c", name, "x")})
		got := mustBadge(t, srv.URL+"/pacts/provider/"+url.PathEscape(name)+"/consumer/c/latest/badge?label=provider&initials=true")
		require.Equal(t, want+" pact: unknown", got, name)
	}
}

// TestPublicBadges runs the real server: with CONTRACTS_PUBLIC_BADGES the
// badges need no credential, everything else still does.
func TestPublicBadges(t *testing.T) {
	s := mustWorld(t)
	for _, public := range []bool{false, true} {
		t.Run(fmt.Sprint("public=", public), func(t *testing.T) {
			var ui http.Handler
			api := server.New(s, server.Config{
				Auth: server.AuthConfig{WriteToken: "w", PublicBadges: public},
				Frontend: func(api http.Handler) http.Handler {
					ui = web.NewHandler(s, web.Options{Fallback: api})
					return web.Negotiate(api, ui)
				},
			})
			srv := httptest.NewServer(api)
			t.Cleanup(srv.Close)
			for path, wantPublic := range map[string]bool{
				"/pacts/provider/Orders/consumer/Web/latest/badge":      true,
				"/pacts/provider/Orders/consumer/Web/latest/prod/badge": true,
				"/pacts/provider/Orders/consumer/Web/latest":            false,
				"/pacticipants/Web": false,
				"/pacticipants/Web/latest-version/prod/can-i-deploy/to/prod/badge": true,
			} {
				resp, err := http.Get(srv.URL + path)
				require.NoError(t, err)
				resp.Body.Close()
				want := http.StatusUnauthorized
				if public && wantPublic {
					want = http.StatusOK
				}
				require.Equal(t, want, resp.StatusCode, path)
			}
			// curl's */* still gets the badge (it is an image, not JSON).
			if public {
				require.Contains(t, mustBadge(t, srv.URL+"/pacts/provider/Orders/consumer/Web/latest/badge"), "web/orders pact")
			}
		})
	}
}

// TestBadgeSnippetBehindAProxy: the Markdown snippet's URLs are absolute,
// on the host and scheme a proxy names.
func TestBadgeSnippetBehindAProxy(t *testing.T) {
	srv := mustServe(t, mustWorld(t), web.Options{})
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/pacts/provider/Orders/consumer/Web/latest", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", browserAccept)
	req.Header.Set("X-Forwarded-Proto", "https")
	req.Header.Set("X-Forwarded-Host", "pacts.example.com")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Contains(t, string(body), `[![Web/Orders pact status](https://pacts.example.com/pacts/provider/Orders/consumer/Web/latest/badge)](https://pacts.example.com/pacts/provider/Orders/consumer/Web/latest)`)

	// With an absolute base URL, that is what the links start with.
	srv = mustServe(t, mustWorld(t), web.Options{BaseURL: "https://broker.example.org/pact"})
	html := mustPage(t, srv.URL+"/pact/pacts/provider/Orders/consumer/Web/latest")
	require.Contains(t, html, `(https://broker.example.org/pact/pacts/provider/Orders/consumer/Web/latest/badge)`)
}
