package broker_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/stretchr/testify/require"
)

// mustDelete sends DELETE to url and requires a success status.
func mustDelete(tb testing.TB, url string) {
	tb.Helper()
	status, body, _ := doRequest(tb, http.MethodDelete, url, "")
	require.Less(tb, status, 300, string(body))
}

// TestDeleteVersionUpdatesHeads checks that deleting the newest
// version makes the previous one the latest everywhere the maintained
// "latest"/"head" tables are used.
func TestDeleteVersionUpdatesHeads(t *testing.T) {
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	ctx := context.Background()
	mustPublishOne(t, c, "Web", "1", "main", "Orders", "/v1")
	require.NoError(t, c.EnsureVersionTag(ctx, "Web", "1", "prod"))
	mustPublishOne(t, c, "Web", "2", "main", "Orders", "/v2")
	require.NoError(t, c.EnsureVersionTag(ctx, "Web", "2", "prod"))
	mustDelete(t, b.srv.URL+"/pacticipants/Web/versions/2")

	for _, tag := range []string{"", "prod"} {
		v, err := c.DescribeVersion(ctx, "Web", "", tag)
		require.NoError(t, err)
		require.Equal(t, "1", v.Number, "latest version (tag %q)", tag)
	}
	for _, path := range []string{"/pacts/provider/Orders/consumer/Web/latest", "/pacts/provider/Orders/consumer/Web/latest/prod", "/pacts/provider/Orders/consumer/Web/branch/main/latest"} {
		p, err := c.FetchPact(ctx, b.srv.URL+path)
		require.NoError(t, err, path)
		require.Equal(t, "1", p.ConsumerVersion, path)
	}
	for _, sel := range []broker.ConsumerVersionSelector{{MainBranch: true}, {Branch: "main"}, {Tag: "prod", Latest: new(true)}, {Latest: new(true)}} {
		got, err := c.PactsForVerification(ctx, "Orders", broker.PactsForVerificationRequest{ConsumerVersionSelectors: []broker.ConsumerVersionSelector{sel}})
		require.NoError(t, err)
		require.Len(t, got, 1, "%+v", sel)
		p, err := c.FetchPact(ctx, got[0].URL)
		require.NoError(t, err)
		require.Equal(t, "1", p.ConsumerVersion, "%+v", sel)
	}
	r, err := c.Matrix(ctx, broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Latest: true}}, LatestBy: broker.LatestByCVP})
	require.NoError(t, err)
	require.NotEmpty(t, r.Rows)
	require.Equal(t, "1", r.Rows[0].ConsumerVersion.Number)

	// Deleting the last version leaves nothing latest.
	mustDelete(t, b.srv.URL+"/pacticipants/Web/versions/1")
	_, err = c.DescribeVersion(ctx, "Web", "", "")
	require.ErrorIs(t, err, broker.ErrNotFound)
	got, err := c.PactsForVerification(ctx, "Orders", broker.PactsForVerificationRequest{ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{MainBranch: true}}})
	require.NoError(t, err)
	require.Empty(t, got)
}

// TestDeletePacticipant checks that deleting a provider removes its
// pacts, verifications and deployments from every view.
func TestDeletePacticipant(t *testing.T) {
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	ctx := context.Background()
	_, err := c.CreateEnvironment(ctx, broker.Environment{Name: "prod"})
	require.NoError(t, err)
	web1 := mustPublishOne(t, c, "Web", "1", "main", "Orders", "/o")
	mustPublishOne(t, c, "Web", "1", "main", "Billing", "/b")
	mustVerify(t, c, web1, "o1", false)
	mustDeploy(t, c, "Orders", "o1", "prod", "")
	mustDelete(t, b.srv.URL+"/pacticipants/Orders")

	_, err = c.FetchPact(ctx, web1)
	require.ErrorIs(t, err, broker.ErrNotFound)
	r, err := c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}, ToEnvironment: "prod"})
	require.NoError(t, err)
	for _, row := range r.Rows {
		require.NotEqual(t, "Orders", row.Provider)
	}
	// Orders' failed verification is gone; Billing, a required provider
	// with no version in prod, leaves the answer unknown.
	require.Equal(t, "unknown", deployable(r), r.Summary.Reason)
	require.Zero(t, r.Summary.Failed)
	resp, err := http.Get(b.srv.URL + "/integrations")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NotContains(t, string(body), "Orders")
	require.Contains(t, string(body), "Billing")
}

// TestDeleteProviderVersionUpdatesLatestVerification checks that the
// latest verification of a pact falls back to the previous one when the
// provider version that made it is deleted.
func TestDeleteProviderVersionUpdatesLatestVerification(t *testing.T) {
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	ctx := context.Background()
	web1 := mustPublishOne(t, c, "Web", "1", "main", "Orders", "/o")
	mustVerify(t, c, web1, "o1", true)
	mustVerify(t, c, web1, "o2", false)
	latest := func() (int, bool) {
		t.Helper()
		p, err := c.FetchPact(ctx, web1)
		require.NoError(t, err)
		resp, err := http.Get(p.PublishVerificationResultsURL + "/latest")
		require.NoError(t, err)
		defer resp.Body.Close()
		var doc struct {
			Success bool `json:"success"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&doc)
		return resp.StatusCode, doc.Success
	}
	status, success := latest()
	require.Equal(t, http.StatusOK, status)
	require.False(t, success)
	mustDelete(t, b.srv.URL+"/pacticipants/Orders/versions/o2")
	status, success = latest()
	require.Equal(t, http.StatusOK, status)
	require.True(t, success, "o1's verification is the latest left")
	r, err := c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}})
	require.NoError(t, err)
	require.Equal(t, "yes", deployable(r), r.Summary.Reason)
	mustDelete(t, b.srv.URL+"/pacticipants/Orders/versions/o1")
	status, _ = latest()
	require.Equal(t, http.StatusNotFound, status)
}
