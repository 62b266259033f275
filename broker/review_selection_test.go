package broker_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/broker/sqlite/sqlitetest"
)

func mustReviewTickingServer(tb testing.TB) *api.Client {
	tb.Helper()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	store, err := sqlite.Open(filepath.Join(tb.TempDir(), "broker.db"), sqlite.WithClock(sqlitetest.TickingClock(start, time.Second)))
	require.NoError(tb, err)
	srv := httptest.NewServer(server.New(store, server.Config{Now: sqlitetest.TickingClock(start.Add(time.Hour), time.Second)}))
	tb.Cleanup(func() { srv.Close(); _ = store.Close() })
	c, err := api.NewClient(srv.URL)
	require.NoError(tb, err)
	return c
}

func mustReviewPublishOn(tb testing.TB, c *api.Client, consumer, version, branch, provider, path string) string {
	tb.Helper()
	resp, err := c.PublishContracts(context.Background(), api.PublishInput{Pacticipant: consumer, Version: version, Branch: branch,
		Contracts: []api.ContractFile{{Consumer: consumer, Provider: provider, Content: reviewPact(consumer, provider, path)}}})
	require.NoError(tb, err)
	return resp.PactURLs[0]
}

func noticeText(p api.PactForVerification) string {
	var b strings.Builder
	for _, n := range p.Notices {
		fmt.Fprintf(&b, "%s: %s\n", n.When, n.Text)
	}
	return b.String()
}

func TestReviewPactsForVerification(t *testing.T) {
	c := mustReviewTickingServer(t)
	ctx := context.Background()
	// Trunk's branch "trunk" is not a main branch candidate: no main branch.
	trunk := mustReviewPublishOn(t, c, "Trunk", "t1", "trunk", "Orders", "/t")
	web := mustReviewPublishOn(t, c, "Web", "w1", "main", "Orders", "/w")
	pfv := func(req broker.PactsForVerificationRequest) []api.PactForVerification {
		t.Helper()
		out, err := c.PactsForVerification(ctx, "Orders", req)
		require.NoError(t, err)
		return out
	}

	t.Run("main branch selector skips a consumer without one", func(t *testing.T) {
		got := pfv(broker.PactsForVerificationRequest{ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{MainBranch: true}}})
		require.Len(t, got, 1)
		require.Contains(t, got[0].URL, "/consumer/Web/")
	})
	t.Run("fallback branch", func(t *testing.T) {
		got := pfv(broker.PactsForVerificationRequest{ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{Branch: "feat-x", FallbackBranch: "trunk"}}})
		require.Len(t, got, 1)
		require.Contains(t, got[0].URL, "/consumer/Trunk/")
		fetched, err := c.FetchPact(ctx, got[0].URL)
		require.NoError(t, err)
		require.Equal(t, "t1", fetched.ConsumerVersion)
	})
	t.Run("one entry for a pact chosen by two selectors", func(t *testing.T) {
		got := pfv(broker.PactsForVerificationRequest{ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{Branch: "trunk"}, {Consumer: "Trunk", Latest: new(true)}}})
		require.Len(t, got, 1)
		text := noticeText(got[0])
		require.Contains(t, text, "trunk", text)
		require.Contains(t, strings.ToLower(text), "latest", text)
	})

	pending := func(branch string) map[string]bool {
		t.Helper()
		out := map[string]bool{}
		for _, p := range pfv(broker.PactsForVerificationRequest{ProviderVersionBranch: branch, IncludePendingStatus: true,
			ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{Branch: "trunk"}, {Branch: "main"}}}) {
			out[p.URL] = p.Pending
		}
		return out
	}
	t.Run("pending flips after a successful verification from the provider branch", func(t *testing.T) {
		require.NoError(t, c.EnsureVersionBranch(ctx, "Orders", "f1", "feat"))
		for _, p := range pending("main") {
			require.True(t, p)
		}
		require.NoError(t, c.EnsureVersionBranch(ctx, "Orders", "o1", "main"))
		mustReviewVerify(t, c, web, "o1", true)
		mustReviewVerify(t, c, trunk, "o1", false)
		flips := pending("main")
		require.Len(t, flips, 2)
		for desc, p := range flips {
			require.Equal(t, strings.Contains(desc, "/consumer/Trunk/"), p, desc)
		}
		// feat existed before main's verification: still pending there.
		for desc, p := range pending("feat") {
			require.True(t, p, desc)
		}
		// A branch created after it inherits main's success.
		require.NoError(t, c.EnsureVersionBranch(ctx, "Orders", "l1", "late"))
		for desc, p := range pending("late") {
			require.Equal(t, strings.Contains(desc, "/consumer/Trunk/"), p, desc)
		}
	})
}

// TestReviewDefaultSelection checks that without selectors each consumer's
// main branch head is chosen, or its latest pact when it has no main
// branch.
func TestReviewDefaultSelection(t *testing.T) {
	c := mustReviewTickingServer(t)
	ctx := context.Background()
	mustReviewPublishOn(t, c, "Trunk", "t1", "trunk", "Orders", "/t1")
	mustReviewPublishOn(t, c, "Trunk", "t2", "other", "Orders", "/t2")
	mustReviewPublishOn(t, c, "Web", "w1", "main", "Orders", "/w1")
	mustReviewPublishOn(t, c, "Web", "w2", "feat", "Orders", "/w2")
	got, err := c.PactsForVerification(ctx, "Orders", broker.PactsForVerificationRequest{})
	require.NoError(t, err)
	var versions []string
	for _, p := range got {
		f, err := c.FetchPact(ctx, p.URL)
		require.NoError(t, err)
		versions = append(versions, f.ConsumerVersion)
	}
	require.ElementsMatch(t, []string{"t2", "w1"}, versions)
}

// TestReviewWIPVerificationKeepsPactWIP checks that a verification of a
// work-in-progress pact, published to the URL the broker gave for it
// (metadata w=true), is recorded as a WIP verification: like the Pact
// Broker, the pact stays in the WIP set until verified outside WIP mode.
func TestReviewWIPVerificationKeepsPactWIP(t *testing.T) {
	c := mustReviewTickingServer(t)
	ctx := context.Background()
	mustReviewPublishOn(t, c, "Web", "w1", "main", "Orders", "/main")
	mustReviewPublishOn(t, c, "Web", "w2", "feat", "Orders", "/feat")
	since := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	req := broker.PactsForVerificationRequest{ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{MainBranch: true}},
		ProviderVersionBranch: "main", IncludePendingStatus: true, IncludeWIPPactsSince: &since}
	wip := func() []api.PactForVerification {
		t.Helper()
		got, err := c.PactsForVerification(ctx, "Orders", req)
		require.NoError(t, err)
		var out []api.PactForVerification
		for _, p := range got {
			if p.WIP {
				out = append(out, p)
			}
		}
		return out
	}
	before := wip()
	require.Len(t, before, 1)
	require.NoError(t, c.EnsureVersionBranch(ctx, "Orders", "o1", "main"))
	fetched, err := c.FetchPact(ctx, before[0].URL)
	require.NoError(t, err)
	require.Contains(t, fetched.PublishVerificationResultsURL, "/metadata/")
	require.NoError(t, c.PublishVerificationResult(ctx, fetched.PublishVerificationResultsURL, api.VerificationResult{Success: true, ProviderVersion: "o1"}))
	require.Len(t, wip(), 1, "a WIP verification does not take the pact out of the WIP set")

	plain, err := c.FetchPact(ctx, "/pacts/provider/Orders/consumer/Web/version/w2")
	require.NoError(t, err)
	require.NotContains(t, plain.PublishVerificationResultsURL, "/metadata/")
	require.NoError(t, c.PublishVerificationResult(ctx, plain.PublishVerificationResultsURL, api.VerificationResult{Success: true, ProviderVersion: "o1"}))
	require.Empty(t, wip(), "a successful verification outside WIP mode does")
}
