package broker_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReviewInvalidUTF8Refused checks that names that are not UTF-8, in
// the path or in a JSON body, are refused rather than stored under a name
// that JSON responses then show as U+FFFD (and that no URL finds).
func TestReviewInvalidUTF8Refused(t *testing.T) {
	srv, _ := mustReviewServer(t)
	for _, rq := range []struct{ method, path, body string }{
		{http.MethodPut, "/pacticipants/%FF/versions/1", `{}`},
		{http.MethodPut, "/pacticipants/Web/versions/1/tags/t%C3", `{}`},
		{http.MethodPost, "/pacticipants", "{\"name\":\"W\xffb\"}"},
		{http.MethodPost, "/contracts/publish", "{\"pacticipantName\":\"Web\",\"pacticipantVersionNumber\":\"1\xfe\",\"contracts\":[]}"},
	} {
		req, err := http.NewRequest(rq.method, srv.URL+rq.path, strings.NewReader(rq.body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var body strings.Builder
		_, _ = copyBody(&body, resp)
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s %s: %s", rq.method, rq.path, body.String())
		require.Contains(t, body.String(), "UTF-8", rq.path)
	}
	resp, err := http.Get(srv.URL + "/pacticipants")
	require.NoError(t, err)
	var body strings.Builder
	_, _ = copyBody(&body, resp)
	require.NotContains(t, body.String(), `\ufffd`)
	require.NotContains(t, body.String(), "\ufffd")
}

func copyBody(b *strings.Builder, resp *http.Response) (int64, error) {
	defer resp.Body.Close()
	return io.Copy(b, resp.Body)
}
