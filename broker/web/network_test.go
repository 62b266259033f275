package web_test

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/web"
)

type svgBox struct {
	Href  string `xml:"href,attr"`
	Title string `xml:"title"`
	Rect  struct {
		X int `xml:"x,attr"`
		Y int `xml:"y,attr"`
		W int `xml:"width,attr"`
		H int `xml:"height,attr"`
	} `xml:"rect"`
	Text string `xml:"text"`
}

type svgDoc struct {
	Width  int `xml:"width,attr"`
	Height int `xml:"height,attr"`
	Edges  []struct {
		Stroke string `xml:"stroke,attr"`
		Title  string `xml:"title"`
	} `xml:"g>path"`
	Boxes []svgBox `xml:"g>a"`
}

// mustNetwork returns the network page's SVG, parsed.
func mustNetwork(tb testing.TB, url string) svgDoc {
	tb.Helper()
	html := mustPage(tb, url)
	start := strings.Index(html, "<svg class=\"network\"")
	require.GreaterOrEqual(tb, start, 0, "no network SVG on %s", url)
	end := strings.Index(html[start:], "</svg>")
	var doc svgDoc
	require.NoError(tb, xml.Unmarshal([]byte(html[start:start+end+len("</svg>")]), &doc))
	return doc
}

func TestNetworkPages(t *testing.T) {
	srv := mustServe(t, mustWorld(t), web.Options{})
	doc := mustNetwork(t, srv.URL+"/network")
	require.Len(t, doc.Boxes, 4)
	byName := map[string]svgBox{}
	for _, b := range doc.Boxes {
		byName[b.Title] = b
	}
	require.Less(t, byName["Web"].Rect.X, byName["Orders"].Rect.X, "consumers left of providers")
	require.Less(t, byName["Mobile"].Rect.X, byName["Orders"].Rect.X)
	require.Equal(t, "/pacticipants/Orders/network", byName["Orders"].Href)
	require.Equal(t, "Mobile", byName["Mobile"].Text, "short names are not cut")
	edges := map[string]string{}
	for _, e := range doc.Edges {
		edges[e.Title] = e.Stroke
	}
	require.Equal(t, map[string]string{
		"Web → Orders: failed": "#c7382b", "Web → Billing: failed": "#c7382b", "Mobile → Orders: unverified": "#9aa5b1",
	}, edges)

	focus := mustNetwork(t, srv.URL+"/pacticipants/Orders/network")
	require.Len(t, focus.Boxes, 3, "Orders, Web and Mobile")
	require.Contains(t, mustPage(t, srv.URL+"/pacticipants/Orders"), `href="/pacticipants/Orders/network"`)
	status, _ := mustGet(t, srv.URL+"/pacticipants/Nobody/network")
	require.Equal(t, http.StatusNotFound, status)
}

// TestNetworkAtScale lays out 240 pacticipants in five tiers and checks
// the drawing stays readable: no two boxes overlap, each tier is one
// column (edges only run between neighbouring columns), every consumer is
// left of its providers.
func TestNetworkAtScale(t *testing.T) {
	tiers := []int{80, 60, 50, 40, 10} // front ends, BFFs, services, data services, platform
	s := mustEstate(t, tiers)
	srv := mustServe(t, s, web.Options{})
	doc := mustNetwork(t, srv.URL+"/network")
	require.Len(t, doc.Boxes, 240)
	columns := map[int][]svgBox{}
	for _, b := range doc.Boxes {
		columns[b.Rect.X] = append(columns[b.Rect.X], b)
	}
	for x, col := range columns {
		require.LessOrEqual(t, len(col), 100, "column at x=%d", x)
		ys := map[int]bool{}
		for _, b := range col {
			require.False(t, ys[b.Rect.Y], "two boxes at x=%d y=%d", x, b.Rect.Y)
			ys[b.Rect.Y] = true
		}
	}
	// Columns do not overlap either.
	xs := make([]int, 0, len(columns))
	for x := range columns {
		xs = append(xs, x)
	}
	for _, a := range xs {
		for _, b := range xs {
			if a < b {
				require.LessOrEqual(t, a+columns[a][0].Rect.W, b, "columns at %d and %d overlap", a, b)
			}
		}
	}
	pos := map[string]int{}
	for _, b := range doc.Boxes {
		pos[b.Title] = b.Rect.X
	}
	for tier := 0; tier < len(tiers)-1; tier++ {
		require.Less(t, pos[tierName(tier, 0)], pos[tierName(tier+1, 0)], "tier %d left of tier %d", tier, tier+1)
	}
	require.Len(t, doc.Edges, 3*(80+60+50+40))
	require.Len(t, columns, len(tiers), "one column per tier")
	require.LessOrEqual(t, doc.Height, 80*28+100, "as tall as the biggest tier")
}

func tierName(tier, i int) string { return fmt.Sprintf("tier%d-service-%03d", tier, i) }

// mustEstate seeds tiers of pacticipants, each consuming three of the
// next tier.
func mustEstate(tb testing.TB, tiers []int) broker.Store {
	tb.Helper()
	s := mustStore(tb)
	for tier := 0; tier < len(tiers)-1; tier++ {
		for i := range tiers[tier] {
			pacts := map[string][]byte{}
			for k := range 3 {
				p := tierName(tier+1, (i*7+k*13)%tiers[tier+1])
				pacts[p] = smallPact(tierName(tier, i), p, "x")
			}
			mustPublish(tb, s, tierName(tier, i), "1", "main", nil, pacts)
		}
	}
	return s
}

func TestIntegrationsAsDOT(t *testing.T) {
	s := mustWorld(t)
	mustPublish(t, s, `Odd "name"\x`, "1", "", nil, map[string][]byte{"Orders": smallPact(`Odd "name"\x`, "Orders", "x")})
	api := server.New(s, server.Config{})
	hs := httptest.NewServer(web.Negotiate(api, web.NewHandler(s, web.Options{Fallback: api})))
	t.Cleanup(hs.Close)
	req, err := http.NewRequest(http.MethodGet, hs.URL+"/integrations", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/vnd.graphviz")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/vnd.graphviz; charset=utf-8", resp.Header.Get("Content-Type"))
	dot := string(body)
	require.True(t, strings.HasPrefix(dot, "digraph integrations {\n"))
	require.Contains(t, dot, `  "Web" -> "Orders" [color="#c7382b", tooltip="failed"];`)
	require.Contains(t, dot, `  "Mobile" -> "Orders" [color="#9aa5b1", tooltip="unverified"];`)
	require.Contains(t, dot, `  "Odd \"name\"\\x" -> "Orders"`)
	require.True(t, strings.HasSuffix(dot, "}\n"))

	// JSON clients still get JSON, browsers the page.
	req.Header.Set("Accept", "application/hal+json")
	resp2, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp2.Body.Close()
	require.Contains(t, resp2.Header.Get("Content-Type"), "json")
	require.Contains(t, mustPage(t, hs.URL+"/integrations"), "<h1>Integrations</h1>")
}
