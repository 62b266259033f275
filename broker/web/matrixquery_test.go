package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/web"
)

func TestMatrixQueryForm(t *testing.T) {
	s := mustWorld(t)
	srv := mustServe(t, s, web.Options{})

	html := mustPage(t, srv.URL+"/matrix")
	require.Contains(t, html, `<form class="card matrix-form"`)
	require.Contains(t, html, `<option value="Orders"></option>`, "pacticipant names offered")
	require.NotContains(t, html, "Can they be deployed together?")

	t.Run("two versions", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/matrix?p1=Web&k1=version&v1=1.0.0&p2=Orders&k2=version&v2=o-100&latestby=cvpv")
		require.Contains(t, html, `Can they be deployed together? <span class="badge badge-success">yes</span>`)
		row := rowWith(t, html, ">1.0.0<", ">o-100<")
		require.Contains(t, row, "/verification-results/1")
		require.Contains(t, html, `value="1.0.0"`, "the form keeps the query")
		require.Contains(t, html, `<option value="version" selected>`)
		require.Contains(t, html, `href="/matrix?q%5B%5D%5Bpacticipant%5D=Web&amp;q%5B%5D%5Bversion%5D=1.0.0&amp;q%5B%5D%5Bpacticipant%5D=Orders&amp;q%5B%5D%5Bversion%5D=o-100&amp;latestby=cvpv&amp;format=json"`)
	})
	t.Run("failed", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/matrix?p1=Web&k1=version&v1=1.0.0&p2=Orders&k2=version&v2=o-101")
		require.Contains(t, html, `badge-failed">no</span>`)
	})
	t.Run("to an environment", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/matrix?p1=Web&k1=branch&v1=main&environment=production")
		require.Contains(t, html, "Can they be deployed together?")
		rowWith(t, html, ">Web<", ">Orders<")
	})
	t.Run("errors are shown with the form", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/matrix?p1=Web&k1=version")
		require.Contains(t, html, "Selector 1: give the version number.")
		html = mustPage(t, srv.URL+"/matrix?p1=Nobody&k1=latest")
		require.Contains(t, html, "The query could not be answered")
		require.Contains(t, html, "Nobody")
		html = mustPage(t, srv.URL+"/matrix?p1=Web&latestby=bogus")
		require.Contains(t, html, "The query could not be answered")
		status, _ := mustGet(t, srv.URL+"/matrix?p1=Web&k1=bogus")
		require.Equal(t, http.StatusBadRequest, status)
	})

	t.Run("the JSON link is the API's answer", func(t *testing.T) {
		api := server.New(s, server.Config{})
		hs := httptest.NewServer(web.Negotiate(api, web.NewHandler(s, web.Options{Fallback: api})))
		t.Cleanup(hs.Close)
		// As a browser asks: the format parameter wins over Accept.
		resp, _ := mustFetch(t, hs.URL+"/matrix?q%5B%5D%5Bpacticipant%5D=Web&q%5B%5D%5Bversion%5D=1.0.0&q%5B%5D%5Bpacticipant%5D=Orders&q%5B%5D%5Bversion%5D=o-100&latestby=cvpv&format=json")
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, resp.Header.Get("Content-Type"), "json")
	})
}
