package web_test

import (
	"net/http/httptest"
	"testing"

	"github.com/contracts-dev/contracts/broker/web"
	"github.com/stretchr/testify/require"
)

func TestWantsHTML(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		path   string
		accept []string
		want   bool
	}{
		{"no accept header", "/", nil, false},
		{"empty accept header", "/", []string{""}, false},
		{"hal+json", "/", []string{"application/hal+json"}, false},
		{"json", "/pacticipants", []string{"application/json"}, false},
		{"problem+json", "/", []string{"application/problem+json"}, false},
		{"csv", "/matrix", []string{"text/csv"}, false},
		{"yaml", "/", []string{"application/yaml"}, false},
		{"text/plain", "/", []string{"text/plain"}, false},
		{"json among html", "/", []string{"text/html, application/json;q=0.9"}, false},
		{"json in a second header line", "/", []string{"text/html", "application/hal+json"}, false},
		{"upper case", "/", []string{"Application/HAL+JSON"}, false},
		{"curl default on a page", "/pacticipants/Web", []string{"*/*"}, false},
		{"curl default on an asset", "/ui/style.css", []string{"*/*"}, true},
		{"any type on a font", "/fonts/a.woff2", []string{"*/*"}, true},
		{"browser page", "/", []string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, true},
		{"browser stylesheet", "/ui/style.css", []string{"text/css,*/*;q=0.1"}, true},
		{"html only", "/pacticipants/Web", []string{"text/html"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", tc.path, nil)
			for _, a := range tc.accept {
				r.Header.Add("Accept", a)
			}
			require.Equal(t, tc.want, web.WantsHTML(r))
		})
	}
}
