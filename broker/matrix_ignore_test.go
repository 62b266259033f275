package broker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
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
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	foo1 := mustPublishOne(t, c, "Foo", "1", "main", "Bar", "/bar")
	mustVerify(t, c, foo1, "2", true)

	const q = "q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&q[][tag]=prod&q[][latest]=true&latestby=cvp&tag=prod&latest=true"

	deployable, reason, _ := matrixSummaryOver(t, b.srv.URL, q)
	require.NotNil(t, deployable, reason)
	require.False(t, *deployable, "without the ignore the missing version blocks")
	require.Contains(t, reason, "there is no latest version of Bar with tag prod")

	deployable, reason, notices := matrixSummaryOver(t, b.srv.URL, q+"&ignore[][pacticipant]=Bar")
	require.NotNil(t, deployable, reason)
	require.True(t, *deployable, reason)
	require.Equal(t, "There are no missing dependencies", reason)
	require.Contains(t, notices, "Ignoring the latest version of Bar with tag prod, which is not in the broker")

	t.Run("an ignore of another version of Bar does not cover the missing one", func(t *testing.T) {
		deployable, reason, _ := matrixSummaryOver(t, b.srv.URL, "q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&q[][version]=9&latestby=cvpv&ignore[][pacticipant]=Bar&ignore[][version]=2")
		require.NotNil(t, deployable, reason)
		require.False(t, *deployable)
		require.Contains(t, reason, "there is no version 9 of Bar")
	})
	t.Run("an ignore of the missing version covers it", func(t *testing.T) {
		deployable, reason, _ := matrixSummaryOver(t, b.srv.URL, "q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&q[][version]=9&latestby=cvpv&ignore[][pacticipant]=Bar&ignore[][version]=9")
		require.NotNil(t, deployable, reason)
		require.True(t, *deployable, reason)
	})
}

// Deliberate difference from the Pact Broker (issue 16, README "Where we
// differ"): Bar 10 and Bar 11 are both deployed in prod and Foo 2's pact was
// verified by Bar 11 only. The Pact Broker answers true; we answer unknown and
// name Bar 10, a live version that never verified the pact.
func TestCanIDeployTwoDeployedInstancesOneUnverified(t *testing.T) {
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	ctx := context.Background()
	_, err := c.CreateEnvironment(ctx, broker.Environment{Name: "prod"})
	require.NoError(t, err)
	foo2 := mustPublishOne(t, c, "Foo", "2", "main", "Bar", "/bar")
	require.NoError(t, c.EnsureVersionBranch(ctx, "Bar", "10", "main"))
	mustVerify(t, c, foo2, "11", true)
	mustDeploy(t, c, "Bar", "10", "prod", "a")
	mustDeploy(t, c, "Bar", "11", "prod", "b")

	deployable, reason, notices := matrixSummaryOver(t, b.srv.URL, "q[][pacticipant]=Foo&q[][version]=2&latestby=cvpv&environment=prod")
	require.Nil(t, deployable, reason)
	require.Equal(t, "Cannot tell whether it is safe to deploy: one or more pacts have not been verified", reason)
	require.Contains(t, notices, "The pact between Foo (2) and Bar has not been verified by Bar 10, a provider version in scope", "the unverified live version is named")

	t.Run("once Bar 10 is undeployed, yes", func(t *testing.T) {
		instance := "a"
		_, err := c.RecordUndeployment(ctx, "Bar", "prod", &instance)
		require.NoError(t, err)
		deployable, reason, _ := matrixSummaryOver(t, b.srv.URL, "q[][pacticipant]=Foo&q[][version]=2&latestby=cvpv&environment=prod")
		require.NotNil(t, deployable, reason)
		require.True(t, *deployable, reason)
	})
}
