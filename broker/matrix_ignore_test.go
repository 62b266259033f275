package broker_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// matrixSummaryOver GETs /matrix with the raw query and returns the
// summary's deployable, reason and the notices' texts.
func matrixSummaryOver(t *testing.T, baseURL, rawQuery string) (*bool, string, []string) {
	t.Helper()
	resp, err := http.Get(baseURL + "/matrix?" + rawQuery)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var body struct {
		Summary struct {
			Deployable *bool  `json:"deployable"`
			Reason     string `json:"reason"`
		} `json:"summary"`
		Notices []struct{ Text string } `json:"notices"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	var texts []string
	for _, n := range body.Notices {
		texts = append(texts, n.Text)
	}
	return body.Summary.Deployable, body.Summary.Reason, texts
}

// The Pact Broker's scenario (issue 16): Foo 1 has a pact with Bar verified by
// Bar 2, and no Bar version is tagged prod. Ignoring Bar, the selector for
// Bar's missing latest prod version is not considered.
func TestMatrixIgnoreAppliesToMissingSpecifiedVersion(t *testing.T) {
	srv, c := mustReviewServer(t)
	foo1 := mustReviewPublish(t, c, "Foo", "1", "Bar", "/bar").PactURLs[0]
	mustReviewVerify(t, c, foo1, "2", true)

	const q = "q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&q[][tag]=prod&q[][latest]=true&latestby=cvp&tag=prod&latest=true"

	deployable, reason, _ := matrixSummaryOver(t, srv.URL, q)
	require.NotNil(t, deployable, reason)
	require.False(t, *deployable, "without the ignore the missing version blocks")
	require.Contains(t, reason, "there is no latest version of Bar with tag prod")

	deployable, reason, notices := matrixSummaryOver(t, srv.URL, q+"&ignore[][pacticipant]=Bar")
	require.NotNil(t, deployable, reason)
	require.True(t, *deployable, reason)
	require.Equal(t, "There are no missing dependencies", reason)
	require.Contains(t, notices, "Ignoring the latest version of Bar with tag prod, which is not in the broker")

	t.Run("an ignore of another version of Bar does not cover the missing one", func(t *testing.T) {
		deployable, reason, _ := matrixSummaryOver(t, srv.URL, "q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&q[][version]=9&latestby=cvpv&ignore[][pacticipant]=Bar&ignore[][version]=2")
		require.NotNil(t, deployable, reason)
		require.False(t, *deployable)
		require.Contains(t, reason, "there is no version 9 of Bar")
	})
	t.Run("an ignore of the missing version covers it", func(t *testing.T) {
		deployable, reason, _ := matrixSummaryOver(t, srv.URL, "q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&q[][version]=9&latestby=cvpv&ignore[][pacticipant]=Bar&ignore[][version]=9")
		require.NotNil(t, deployable, reason)
		require.True(t, *deployable, reason)
	})
}
