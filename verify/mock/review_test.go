package mock_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify/mock"
)

// A pact path written percent-escaped (as Ruby and JS clients write
// "/pacticipants/Pricing%20Service") matches the request that sends it, and
// an escaped percent sign in the request is not taken for an escape.
func TestReviewEscapedPactPathsMatch(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[
	 {"description":"escaped space","request":{"method":"GET","path":"/pacticipants/Pricing%20Service"},"response":{"status":200}},
	 {"description":"escaped slash","request":{"method":"GET","path":"/a%2Fb"},"response":{"status":200}},
	 {"description":"plain space","request":{"method":"GET","path":"/x y"},"response":{"status":200}}],
	 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`)
	srv := httptest.NewServer(mock.New([]*pact.Pact{p}, mock.Options{}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/pacticipants/Pricing%20Service", http.StatusOK},
		{"/a%2Fb", http.StatusOK},
		{"/x%20y", http.StatusOK},
		{"/pacticipants/Pricing%2520Service", http.StatusInternalServerError},
	} {
		resp, err := http.Get(srv.URL + tc.path)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, tc.want, resp.StatusCode, tc.path)
	}
}

// A semicolon in a query value is part of the value (Go's ParseQuery
// drops such pairs); only "&" separates parameters.
func TestReviewQueryValuesKeepSemicolons(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[
	 {"description":"semicolon","request":{"method":"GET","path":"/s","query":{"a":["1;2"],"b":["x"]}},"response":{"status":200}}],
	 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`)
	srv := httptest.NewServer(mock.New([]*pact.Pact{p}, mock.Options{}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"a=1;2&b=x", http.StatusOK},
		{"b=x&a=1%3B2", http.StatusOK},
		{"a=1&b=x", http.StatusInternalServerError},
	} {
		resp, err := http.Get(srv.URL + "/s?" + tc.query)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, tc.want, resp.StatusCode, tc.query)
	}
}
