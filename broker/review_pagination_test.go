package broker_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/api"
)

func TestReviewPagination(t *testing.T) {
	srv, c := mustReviewServer(t)
	mustReviewPublish(t, c, "Web", "1", "Orders", "/o")
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"", 200},
		{"?pageNumber=1&pageSize=1", 200},
		{"?pageNumber=0", 400},
		{"?pageNumber=-1", 400},
		{"?pageSize=-5", 400},
		{"?pageSize=0", 400},
		{"?pageSize=abc", 400},
		{"?pageSize=1000000000", 200},
		{"?pageNumber=92233720368547758", 200},
		{"?pageNumber=922337203685477581", 400},
		{"?pageNumber=99999999999999999999", 400},
	} {
		resp, err := http.Get(srv.URL + "/pacticipants" + tc.query)
		require.NoError(t, err)
		var doc struct {
			Embedded struct {
				Pacticipants []json.RawMessage `json:"pacticipants"`
			} `json:"_embedded"`
			Links map[string]api.Link `json:"_links"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		require.Equal(t, tc.want, resp.StatusCode, tc.query)
		if tc.query == "?pageNumber=92233720368547758" {
			require.Empty(t, doc.Embedded.Pacticipants, "a page far beyond the end is empty")
			require.NotContains(t, doc.Links["previous"].Href, "pageNumber=-", "previous link")
		}
	}
}
