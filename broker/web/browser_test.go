package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/web"
	"github.com/contracts-dev/contracts/verify"
)

// mustChromium returns the path of Chromium (CONTRACTS_CHROMIUM, else
// chromium on the PATH, as Debian's chromium package installs it). It skips
// when there is none, except under CI=true, where a missing browser is a
// failure: scripts/install-tools.sh installs it.
func mustChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CONTRACTS_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (scripts/install-tools.sh installs Debian's chromium package); the browser tests cannot run")
	}
	t.Skip("chromium is not installed (scripts/install-tools.sh): browser tests skipped")
	return ""
}

// screenshotDir is the git-ignored folder at the repository root that the
// browser tests write their screenshots to.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "no go.mod above the test")
		dir = parent
	}
	out := filepath.Join(dir, ".screenshots")
	require.NoError(t, os.MkdirAll(out, 0o755))
	return out
}

// newBrowser starts headless Chromium with a fresh profile and no network
// chatter of its own.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(mustChromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// Start the browser now, so a failure to start is reported as such.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("about:blank")), "start chromium")
	return ctx
}

// cspWatch records the page's Content-Security-Policy violations; the
// browser runs it before any page script (DevTools scripts are exempt from
// the policy).
const cspWatch = `window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`

// pageVisit is what loading one page in the browser found.
type pageVisit struct {
	Problems   []string // console errors and CSP violations
	Links      int
	Reached    int
	Unreached  []string
	Overflow   bool // the header is wider than the window
	BrokenImgs []string
}

// visit loads url in a new tab of the browser, at width×900, waits for
// sel, writes a full-page screenshot to shot, and, with tab set, presses
// Tab until every link had the focus (or twice as many times as there are
// focusable elements). allow404 accepts the browser's report of the page
// itself answering 404.
func visit(t *testing.T, browser context.Context, url, sel string, width int64, shot string, tab, allow404 bool) pageVisit {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()
	var (
		mu       sync.Mutex
		problems []string
	)
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if allow404 && m.URL == url && strings.Contains(m.Text, "404") {
				continue // the page itself answers 404, as it should
			}
			if m.Type == chromedp.ConsoleError || m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("console %s (%s): %s", m.Type, m.Source, m.Text))
				mu.Unlock()
			}
		}
	}()
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch})
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(width, 900),
		chromedp.Navigate(url),
		chromedp.WaitReady(chromedp.CSS(sel)),
	), "load %s and find %s", url, sel)
	var v pageVisit
	csp, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__csp || []`))
	require.NoError(t, err)
	for _, c := range csp {
		v.Problems = append(v.Problems, "CSP violation: "+c)
	}
	v.BrokenImgs, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)`))
	require.NoError(t, err)
	v.Overflow, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('header.top').scrollWidth > window.innerWidth || document.querySelector('header.top').getBoundingClientRect().width > window.innerWidth`))
	require.NoError(t, err)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(shot, png, 0o644))

	if tab {
		// Every link, in the page and in inline SVG, by its index.
		const links = `[...document.querySelectorAll('a[href]')]`
		v.Links, err = chromedp.Run(ctx, chromedp.Evaluate[int](links+`.length`))
		require.NoError(t, err)
		focusable, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('a[href], input, select, textarea, button').length`))
		require.NoError(t, err)
		seen := map[int]bool{}
		for i := 0; i < 2*focusable+4 && len(seen) < v.Links; i++ {
			require.NoError(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)))
			idx, err := chromedp.Run(ctx, chromedp.Evaluate[int](links+`.indexOf(document.activeElement)`))
			require.NoError(t, err)
			if idx >= 0 {
				seen[idx] = true
			}
		}
		v.Reached = len(seen)
		hrefs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](links+`.map(a => a.getAttribute('href'))`))
		require.NoError(t, err)
		for i, h := range hrefs {
			if !seen[i] {
				v.Unreached = append(v.Unreached, h)
			}
		}
	}
	mu.Lock()
	v.Problems = append(v.Problems, problems...)
	mu.Unlock()
	return v
}

// mustBrowserWorld is mustWorld with what the other pages need: a
// verification with test results and a pact that changed.
func mustBrowserWorld(t *testing.T) (broker.Store, map[string]string) {
	s := mustWorld(t)
	ctx := context.Background()
	p, err := s.GetPact(ctx, "Web", "Orders", "1.0.0")
	require.NoError(t, err)
	results, err := json.Marshal([]verify.TestResult{
		{InteractionID: "1", InteractionDescription: "get order 42", Mismatches: []verify.BrokerMismatch{{Attribute: "body", Identifier: "$.total", Description: "expected a decimal number, got a string", Expected: "19.99", Actual: `"19.99"`}}},
		{InteractionID: "2", InteractionDescription: "an order shipped event", Success: true},
	})
	require.NoError(t, err)
	v := mustVerifyWith(t, s, "Web", "Orders", p.SHA, "o-102", false, results)
	mustPublish(t, s, "Web", "1.2.0", "main", nil, map[string][]byte{"Orders": []byte(`{"consumer":{"name":"Web"},"provider":{"name":"Orders"},"interactions":[{"description":"get order 43","request":{"method":"GET","path":"/orders/43","headers":{"X-Correlation-Identifier-For-The-Distributed-Tracing-System":"abc","Accept":"application/json"}},"response":{"status":200}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)})
	yes := true
	_, err = broker.NewService(s, broker.DefaultRules()).PublishProviderContracts(ctx, broker.ProviderContractPublication{Provider: "Orders", Version: "o-200",
		Contracts: []broker.ProviderContract{{Specification: broker.SpecOpenAPI, Content: mustCompareFixture(t, "orders/openapi.yaml"), Self: broker.SelfVerification{Success: &yes}}}})
	require.NoError(t, err)
	envs, err := s.ListEnvironments(ctx)
	require.NoError(t, err)
	ids := map[string]string{"sha": p.SHA, "verification": fmt.Sprint(v.Number)}
	for _, e := range envs {
		ids[e.Name] = e.UUID
	}
	return s, ids
}

// TestInTheBrowser loads every page in headless Chromium: no console
// error, no CSP violation, the key element present, every image loaded,
// every link reachable with Tab, the header within a 420 px window; it
// writes screenshots at 1280 and 420 px to .screenshots/.
func TestInTheBrowser(t *testing.T) {
	browser := newBrowser(t)
	s, ids := mustBrowserWorld(t)
	var ui http.Handler
	api := server.New(s, server.Config{Frontend: func(api http.Handler) http.Handler {
		ui = web.NewHandler(s, web.Options{Fallback: api, Now: func() time.Time { return viewNow }})
		return web.Negotiate(api, ui)
	}})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	shots := screenshotDir(t)

	pages := []struct {
		name, path, sel string
		notFound        bool
	}{
		{"index", "/", "table.grid", false},
		{"index-filtered", "/?tag=prod&q=web", "form.filters", false},
		{"pacticipants", "/pacticipants", "table.grid", false},
		{"pacticipant", "/pacticipants/Web", "table.grid", false},
		{"version-consumer", "/pacticipants/Web/versions/1.0.0", "table.grid", false},
		{"version-provider", "/pacticipants/Orders/versions/o-101", "table.grid", false},
		{"matrix", "/matrix/provider/Orders/consumer/Web", "table.matrix", false},
		{"matrix-query", "/matrix?p1=Web&k1=version&v1=1.0.0&p2=Orders&k2=version&v2=o-100&latestby=cvpv", "section.decision", false},
		{"contract", "/pacts/provider/Orders/consumer/Web/version/1.0.0", "article.interaction", false},
		{"contract-diff", "/pacts/provider/Orders/consumer/Web/version/1.2.0/diff/previous-distinct", "article.diff", false},
		{"verification", "/pacts/provider/Orders/consumer/Web/pact-version/" + ids["sha"] + "/verification-results/" + ids["verification"], "article.failure", false},
		{"environments", "/environments", "section.env", false},
		{"provider-contract", "/contracts/provider/Orders/version/o-200", "article.card", false},
		{"environment", "/environments/" + ids["production"], "table.grid", false},
		{"network", "/network", "svg.network", false},
		{"network-pacticipant", "/pacticipants/Orders/network", "svg.network", false},
		{"not-found", "/pacticipants/Nobody", "p.status-code", true},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			v := visit(t, browser, srv.URL+p.path, p.sel, 1280, filepath.Join(shots, p.name+".png"), true, p.notFound)
			require.Empty(t, v.Problems, "console errors or CSP violations on %s", p.path)
			require.Empty(t, v.BrokenImgs, "images that did not load on %s", p.path)
			require.Positive(t, v.Links, "links on %s", p.path)
			require.Empty(t, v.Unreached, "links Tab never reached on %s (%d of %d reached)", p.path, v.Reached, v.Links)
			require.False(t, v.Overflow, "header wider than 1280 px")

			narrow := visit(t, browser, srv.URL+p.path, p.sel, 420, filepath.Join(shots, p.name+"-420.png"), false, p.notFound)
			require.Empty(t, narrow.Problems)
			require.False(t, narrow.Overflow, "the header overflows a 420 px window on %s", p.path)
		})
	}

	t.Run("long header names do not overlap their values", func(t *testing.T) {
		for _, width := range []int64{1280, 420} {
			ctx, cancel := chromedp.NewContext(browser)
			require.NoError(t, chromedp.Do(ctx,
				chromedp.EmulateViewport(width, 900),
				chromedp.Navigate(srv.URL+"/pacts/provider/Orders/consumer/Web/version/1.2.0"),
				chromedp.WaitReady(chromedp.CSS("table.kv")),
			))
			overlaps, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('table.kv tr')].filter(tr => {
				const th = tr.querySelector('th'), td = tr.querySelector('td');
				// The name's text runs past its cell (into the value) or the
				// cell past the value's start.
				return th && td && (th.scrollWidth > th.clientWidth + 1 || th.getBoundingClientRect().right > td.getBoundingClientRect().left + 0.5);
			}).map(tr => tr.querySelector('th').textContent)`))
			cancel()
			require.NoError(t, err)
			require.Empty(t, overlaps, "at %d px", width)
		}
	})

	t.Run("network at 240 pacticipants", func(t *testing.T) {
		big := mustEstate(t, []int{80, 60, 50, 40, 10})
		srv := mustServe(t, big, web.Options{})
		v := visit(t, browser, srv.URL+"/network", "svg.network", 1280, filepath.Join(shots, "network-estate.png"), false, false)
		require.Empty(t, v.Problems)
	})

	t.Run("the checks catch a CSP violation", func(t *testing.T) {
		// A page under the web view's policy that breaks it: a script, an
		// inline style and an image from another host.
		bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'")
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(`<!DOCTYPE html><html><head><title>bad</title></head><body><header class="top"><a href="/x">x</a></header><p style="color:red">inline</p><script>console.error("boom")</script></body></html>`))
		}))
		t.Cleanup(bad.Close)
		v := visit(t, browser, bad.URL+"/", "header.top", 1280, filepath.Join(shots, "csp-control.png"), false, false)
		joined := strings.Join(v.Problems, "\n")
		require.Contains(t, joined, "CSP violation: style-src", "inline style reported")
		require.Contains(t, joined, "CSP violation: script-src", "inline script reported")
		require.NotContains(t, joined, "boom", "the script never ran")
	})
}
