package broker_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

func mustReviewVerify(tb testing.TB, c *api.Client, pactURL, providerVersion string, success bool) {
	tb.Helper()
	ctx := context.Background()
	p, err := c.FetchPact(ctx, pactURL)
	require.NoError(tb, err)
	require.NoError(tb, c.PublishVerificationResult(ctx, p.PublishVerificationResultsURL, api.VerificationResult{Success: success, ProviderVersion: providerVersion}))
}

func mustReviewDeploy(tb testing.TB, c *api.Client, pacticipant, version, env, instance string) {
	tb.Helper()
	_, err := c.RecordDeployment(context.Background(), pacticipant, version, env, instance)
	require.NoError(tb, err)
}

func deployable(r *broker.MatrixResult) string {
	switch {
	case r.Summary.Deployable == nil:
		return "unknown"
	case *r.Summary.Deployable:
		return "yes"
	default:
		return "no"
	}
}

func TestReviewCanIDeployEdges(t *testing.T) {
	_, c := mustReviewServer(t)
	ctx := context.Background()
	for _, env := range []string{"prod", "test"} {
		_, err := c.CreateEnvironment(ctx, broker.Environment{Name: env})
		require.NoError(t, err)
	}

	t.Run("no integrations", func(t *testing.T) {
		require.NoError(t, c.EnsureVersionBranch(ctx, "Lonely", "1", "main"))
		r, err := c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Lonely", Version: "1"}}, ToEnvironment: "prod"})
		require.NoError(t, err)
		require.Equal(t, "yes", deployable(r), r.Summary.Reason)
		require.NotEmpty(t, r.Notices)
	})

	web1 := mustReviewPublish(t, c, "Web", "1", "Orders", "/o").PactURLs[0]
	require.NoError(t, c.EnsureVersionTag(ctx, "Web", "1", "prod"))
	mustReviewPublish(t, c, "Web", "2", "Orders", "/changed")
	mustReviewVerify(t, c, web1, "o1", true)
	mustReviewDeploy(t, c, "Orders", "o1", "prod", "a")
	mustReviewDeploy(t, c, "Orders", "o1", "test", "")
	require.NoError(t, c.EnsureVersionBranch(ctx, "Orders", "o2", "main"))
	mustReviewDeploy(t, c, "Orders", "o2", "prod", "b")

	toProd := func(sel broker.MatrixSelector, ignore ...broker.MatrixSelector) *broker.MatrixResult {
		t.Helper()
		r, err := c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{sel}, ToEnvironment: "prod", Ignore: ignore})
		require.NoError(t, err)
		return r
	}
	t.Run("provider deployed twice, one instance unverified", func(t *testing.T) {
		r := toProd(broker.MatrixSelector{Pacticipant: "Web", Version: "1"})
		require.Equal(t, "unknown", deployable(r), r.Summary.Reason)
		require.Len(t, r.Rows, 2)
	})
	t.Run("version deployed in two environments", func(t *testing.T) {
		r := toProd(broker.MatrixSelector{Pacticipant: "Web", Version: "1"})
		var envs []string
		for _, row := range r.Rows {
			if row.ProviderVersion != nil && row.ProviderVersion.Number == "o1" {
				envs = row.ProviderVersion.Environments
			}
		}
		require.ElementsMatch(t, []string{"prod", "test"}, envs)
	})
	t.Run("ignore of an unknown pacticipant", func(t *testing.T) {
		r := toProd(broker.MatrixSelector{Pacticipant: "Web", Version: "1"}, broker.MatrixSelector{Pacticipant: "Nobody"})
		require.Equal(t, "unknown", deployable(r))
		require.NotNil(t, r.Summary.Ignored)
		require.Equal(t, 0, *r.Summary.Ignored)
	})

	mustReviewVerify(t, c, web1, "o2", false)
	t.Run("provider deployed twice, one instance failed", func(t *testing.T) {
		r := toProd(broker.MatrixSelector{Pacticipant: "Web", Version: "1"})
		require.Equal(t, "no", deployable(r), r.Summary.Reason)
		require.Equal(t, 1, r.Summary.Success)
		require.Equal(t, 1, r.Summary.Failed)
	})
	t.Run("ignore the provider", func(t *testing.T) {
		r := toProd(broker.MatrixSelector{Pacticipant: "Web", Version: "1"}, broker.MatrixSelector{Pacticipant: "Orders"})
		require.Equal(t, "yes", deployable(r), r.Summary.Reason)
		require.Equal(t, 2, *r.Summary.Ignored)
	})
	t.Run("latest with tag", func(t *testing.T) {
		r := toProd(broker.MatrixSelector{Pacticipant: "Web", Latest: true, Tag: "prod"})
		require.Equal(t, "no", deployable(r), r.Summary.Reason)
		for _, row := range r.Rows {
			require.Equal(t, "1", row.ConsumerVersion.Number)
		}
		r = toProd(broker.MatrixSelector{Pacticipant: "Web", Latest: true})
		for _, row := range r.Rows {
			require.Equal(t, "2", row.ConsumerVersion.Number)
		}
		require.Equal(t, "unknown", deployable(r), r.Summary.Reason)
	})
	t.Run("limit trims rows, not the decision", func(t *testing.T) {
		r, err := c.Matrix(ctx, broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}, Environment: "prod", LatestBy: broker.LatestByCVPV, Limit: 1})
		require.NoError(t, err)
		require.Len(t, r.Rows, 1)
		require.Equal(t, "no", deployable(r), r.Summary.Reason)
	})
}

func TestReviewCanIDeployProvider(t *testing.T) {
	_, c := mustReviewServer(t)
	ctx := context.Background()
	_, err := c.CreateEnvironment(ctx, broker.Environment{Name: "prod", Production: true})
	require.NoError(t, err)
	web1 := mustReviewPublish(t, c, "Web", "1", "Orders", "/o").PactURLs[0]
	require.NoError(t, c.EnsureVersionBranch(ctx, "Orders", "o1", "main"))
	check := func() string {
		t.Helper()
		r, err := c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Orders", Version: "o1"}}, ToEnvironment: "prod"})
		require.NoError(t, err)
		return deployable(r) + ": " + r.Summary.Reason
	}
	require.Regexp(t, "^yes", check(), "no consumer in prod: nothing required")
	mustReviewDeploy(t, c, "Web", "1", "prod", "")
	require.Regexp(t, "^unknown", check(), "the deployed consumer's pact is not verified by o1")
	mustReviewVerify(t, c, web1, "o1", false)
	require.Regexp(t, "^no", check())
	mustReviewVerify(t, c, web1, "o1", true)
	require.Regexp(t, "^yes", check(), "the latest verification by o1 counts")
}

func TestReviewCanIDeployToTagAndMainBranch(t *testing.T) {
	_, c := mustReviewServer(t)
	ctx := context.Background()
	web1 := mustReviewPublish(t, c, "Web", "1", "Orders", "/o").PactURLs[0]
	require.NoError(t, c.EnsureVersionTag(ctx, "Orders", "o1", "prod"))
	require.NoError(t, c.EnsureVersionBranch(ctx, "Orders", "o1", "main"))
	mustReviewVerify(t, c, web1, "o1", true)
	mustReviewVerify(t, c, web1, "o2", false)
	check := func(req api.CanIDeployRequest) string {
		t.Helper()
		req.Selectors = []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}
		r, err := c.CanIDeploy(ctx, req)
		require.NoError(t, err)
		return deployable(r)
	}
	require.Equal(t, "yes", check(api.CanIDeployRequest{ToTag: "prod"}), "latest prod Orders is o1")
	require.Equal(t, "yes", check(api.CanIDeployRequest{ToMainBranch: true}), "Orders main head is o1")
	require.NoError(t, c.EnsureVersionTag(ctx, "Orders", "o2", "prod"))
	require.NoError(t, c.EnsureVersionBranch(ctx, "Orders", "o2", "main"))
	require.Equal(t, "no", check(api.CanIDeployRequest{ToTag: "prod"}), "latest prod Orders is o2")
	require.Equal(t, "no", check(api.CanIDeployRequest{ToMainBranch: true}), "Orders main head is o2")
	require.NoError(t, c.EnsureVersionBranch(ctx, "Orders", "o3", "main"))
	require.Equal(t, "unknown", check(api.CanIDeployRequest{ToMainBranch: true}), "o3 has not verified")
}
