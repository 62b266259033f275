package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/web"
)

func TestIndexStatusAndFilters(t *testing.T) {
	srv := mustServe(t, mustWorld(t), web.Options{})

	t.Run("main branch status", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/")
		row := rowWith(t, html, ">Web<", ">Orders<")
		require.Contains(t, row, `<span class="badge badge-failed" title="pseudo-branch status of main's pacts">failed</span>`, "o-100 passed, then o-101 failed")
		require.Contains(t, row, `href="/pacticipants/Web/versions/1.0.0">1.0.0</a>`, "the main head")
		require.Contains(t, row, ">1.1.0<", "the latest pact")
		require.Contains(t, rowWith(t, html, ">Web<", ">Billing<"), ">failed (pending)<", "failed and never passed")
		require.Contains(t, rowWith(t, html, ">Mobile<", ">Orders<"), ">unknown<")
		require.Contains(t, html, "3 integrations; showing 1–3.")
	})

	cases := []struct {
		name, query string
		want        [][2]string
		version     string // of the first wanted row's pact
		heading     string
	}{
		{name: "branch", query: "branch=feat%2Fsearch", want: [][2]string{{"Web", "Orders"}}, version: "1.1.0", heading: "Head of branch feat/search"},
		{name: "tag", query: "tag=prod", want: [][2]string{{"Web", "Billing"}, {"Web", "Orders"}}, version: "1.0.0", heading: "Latest tagged prod"},
		{name: "deployed", query: "environment=test", want: [][2]string{{"Web", "Billing"}, {"Web", "Orders"}}, version: "1.0.0", heading: "In test"},
		{name: "released", query: "environment=production", want: [][2]string{{"Mobile", "Orders"}}, version: "2.0.0", heading: "In production"},
		{name: "search", query: "q=BILL", want: [][2]string{{"Web", "Billing"}}, version: "1.0.0", heading: "Latest pact"},
		{name: "search and tag", query: "q=ord&tag=prod", want: [][2]string{{"Web", "Orders"}}, version: "1.0.0", heading: "Latest tagged prod"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			html := mustPage(t, srv.URL+"/?"+tc.query)
			require.Equal(t, len(tc.want), rowsWith(html, `class="button"`), "rows shown")
			for _, w := range tc.want {
				rowWith(t, html, ">"+w[0]+"<", ">"+w[1]+"<")
			}
			require.Contains(t, rowWith(t, html, ">"+tc.want[0][0]+"<", ">"+tc.want[0][1]+"<"), ">"+tc.version+"</a>")
			require.Contains(t, html, "<th>"+tc.heading+"</th>")
			require.Contains(t, html, fmt.Sprintf("%d of 3 integrations match", len(tc.want)))
			require.Contains(t, html, `>Clear</a>`)
		})
	}

	t.Run("nothing matches", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/?q=zzz")
		require.Contains(t, html, "No integration matches")
		require.Contains(t, html, "0 of 3 integrations match")
	})
	t.Run("bad filters", func(t *testing.T) {
		status, body := mustGet(t, srv.URL+"/?branch=main&tag=prod")
		require.Equal(t, http.StatusBadRequest, status)
		require.Contains(t, body, "choose one of branch, tag and environment")
		status, body = mustGet(t, srv.URL+"/?environment=mars")
		require.Equal(t, http.StatusNotFound, status)
		require.Contains(t, body, "no environment named &#34;mars&#34;")
	})
	t.Run("the form keeps the filter", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/?q=web&environment=test")
		require.Contains(t, html, `name="q" type="search" value="web"`)
		require.Contains(t, html, `<option selected>test</option>`)
	})
}

func TestIndexPagination(t *testing.T) {
	s := mustStore(t)
	pacts := map[string][]byte{}
	for i := range 57 {
		p := fmt.Sprintf("P%02d", i)
		pacts[p] = smallPact("C", p, "x")
	}
	mustPublish(t, s, "C", "1", "main", nil, pacts)
	srv := mustServe(t, s, web.Options{})

	html := mustPage(t, srv.URL+"/")
	require.Equal(t, 50, rowsWith(html, `class="button"`))
	require.Contains(t, html, "57 integrations; showing 1–50.")
	require.Contains(t, html, "Page 1 of 2")
	require.Contains(t, html, `href="/?page=2" rel="next"`)

	html = mustPage(t, srv.URL+"/?page=2")
	require.Equal(t, 7, rowsWith(html, `class="button"`))
	require.Contains(t, html, "showing 51–57.")
	require.Contains(t, html, "Page 2 of 2")

	html = mustPage(t, srv.URL+"/?q=P5&page=1")
	require.Equal(t, 7, rowsWith(html, `class="button"`), "P50 to P56")
	require.Contains(t, html, "7 of 57 integrations match")

	html = mustPage(t, srv.URL+"/?page=3")
	require.Contains(t, html, "No integration matches on this page")
}
