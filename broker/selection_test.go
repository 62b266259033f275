package broker_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/broker/sqlite/sqlitetest"
	"github.com/contracts-dev/contracts/broker/storetest"
	"github.com/stretchr/testify/require"
)

// pfvWorld has a provider API and consumers publishing pacts with it.
type pfvWorld struct {
	t   *testing.T
	s   broker.Store
	sha map[string]string // "consumer version" -> sha of its pact with API
}

func newPFVWorld(t *testing.T) *pfvWorld {
	t.Helper()
	return &pfvWorld{t: t, s: mustDomainStore(t), sha: map[string]string{}}
}

// pub publishes consumer version on branch (may be "") with tags and the
// interactions given.
func (w *pfvWorld) pub(consumer, version, branch string, tags []string, interactions ...string) string {
	w.t.Helper()
	sha := storetest.MustPublish(w.t, w.s, storetest.Publication{Consumer: consumer, Version: version, Branch: branch, Tags: tags,
		Pacts: map[string][]string{"API": interactions}})["API"]
	w.sha[consumer+" "+version] = sha
	return sha
}

func (w *pfvWorld) mainBranch(consumer, branch string) {
	w.t.Helper()
	_, _, err := w.s.PutPacticipant(context.Background(), broker.Pacticipant{Name: consumer, MainBranch: branch})
	require.NoError(w.t, err)
}

// verify publishes a verification by provider version pv, on branch (may be
// "") and with tags.
func (w *pfvWorld) verify(consumer, version, pv, branch string, tags []string, ok bool) {
	w.t.Helper()
	ctx := context.Background()
	if branch != "" {
		_, _, err := withRules(w.s).AddBranchVersion(ctx, "API", branch, pv)
		require.NoError(w.t, err)
	}
	for _, tag := range tags {
		_, _, err := withRules(w.s).AddTag(ctx, "API", pv, tag)
		require.NoError(w.t, err)
	}
	storetest.MustVerify(w.t, w.s, consumer, "API", w.sha[consumer+" "+version], pv, ok)
}

func (w *pfvWorld) get(req broker.PactsForVerificationRequest) []broker.VerifiablePact {
	w.t.Helper()
	req.Provider = "API"
	got, err := broker.PactsForVerification(context.Background(), w.s, req)
	require.NoError(w.t, err)
	return got
}

// picked summarises results as "consumer:newest consumer version" (+ "*"
// when pending, "~" when WIP).
func picked(vps []broker.VerifiablePact) []string {
	var out []string
	for _, vp := range vps {
		s := vp.Consumer + ":" + vp.ConsumerVersions[0]
		if vp.Pending {
			s += "*"
		}
		if vp.WIP {
			s += "~"
		}
		out = append(out, s)
	}
	return out
}

func sel(mod func(*broker.ConsumerVersionSelector)) []broker.ConsumerVersionSelector {
	var s broker.ConsumerVersionSelector
	mod(&s)
	return []broker.ConsumerVersionSelector{s}
}

func TestPactsForVerificationSelectors(t *testing.T) {
	yes, no := true, false
	setup := func(t *testing.T) *pfvWorld {
		w := newPFVWorld(t)
		w.mainBranch("Web", "main")
		w.pub("Web", "1", "main", []string{"prod"}, "a")
		w.pub("Web", "2", "feat-x", []string{"dev"}, "a", "x")
		w.pub("Web", "3", "main", []string{"dev"}, "a", "b")
		w.pub("Mobile", "7", "", []string{"prod"}, "m")
		w.pub("Mobile", "8", "feat-x", nil, "m", "x")
		env, err := w.s.CreateEnvironment(context.Background(), broker.Environment{Name: "production", Production: true})
		require.NoError(t, err)
		storetest.MustDeploy(t, w.s, "Web", "1", env.UUID, "")
		_, _, err = w.s.RecordRelease(context.Background(), "Mobile", "7", env.UUID)
		require.NoError(t, err)
		return w
	}
	for _, tc := range []struct {
		name      string
		selectors []broker.ConsumerVersionSelector
		branch    string
		want      []string
	}{
		{"main branch", sel(func(s *broker.ConsumerVersionSelector) { s.MainBranch = true }), "", []string{"Web:3"}},
		{"branch", sel(func(s *broker.ConsumerVersionSelector) { s.Branch = "feat-x" }), "", []string{"Mobile:8", "Web:2"}},
		{"branch with consumer", sel(func(s *broker.ConsumerVersionSelector) { s.Branch = "feat-x"; s.Consumer = "Web" }), "", []string{"Web:2"}},
		{"fallback branch", sel(func(s *broker.ConsumerVersionSelector) { s.Branch = "feat-y"; s.FallbackBranch = "main" }), "", []string{"Web:3"}},
		{"matching branch", sel(func(s *broker.ConsumerVersionSelector) { s.MatchingBranch = true }), "feat-x", []string{"Mobile:8", "Web:2"}},
		{"latest tag", sel(func(s *broker.ConsumerVersionSelector) { s.Tag = "dev"; s.Latest = &yes }), "", []string{"Web:3"}},
		{"all with tag", sel(func(s *broker.ConsumerVersionSelector) { s.Tag = "dev"; s.Latest = &no }), "", []string{"Web:2", "Web:3"}},
		{"fallback tag", sel(func(s *broker.ConsumerVersionSelector) { s.Tag = "qa"; s.Latest = &yes; s.FallbackTag = "prod" }), "", []string{"Mobile:7", "Web:1"}},
		{"latest", sel(func(s *broker.ConsumerVersionSelector) { s.Latest = &yes }), "", []string{"Mobile:8", "Web:3"}},
		{"deployed", sel(func(s *broker.ConsumerVersionSelector) { s.Deployed = true }), "", []string{"Web:1"}},
		{"released", sel(func(s *broker.ConsumerVersionSelector) { s.Released = true }), "", []string{"Mobile:7"}},
		{"deployed or released", sel(func(s *broker.ConsumerVersionSelector) { s.DeployedOrReleased = true }), "", []string{"Mobile:7", "Web:1"}},
		{"environment", sel(func(s *broker.ConsumerVersionSelector) { s.Environment = "production" }), "", []string{"Mobile:7", "Web:1"}},
		{"deployed to another environment", sel(func(s *broker.ConsumerVersionSelector) { s.Deployed = true; s.Environment = "test" }), "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := setup(t)
			got := w.get(broker.PactsForVerificationRequest{ConsumerVersionSelectors: tc.selectors, ProviderVersionBranch: tc.branch})
			require.Equal(t, tc.want, picked(got))
			for _, vp := range got {
				require.NotEmpty(t, vp.ShortDescription)
				require.Len(t, vp.Notices, 1, "no pending notices without includePendingStatus")
				require.Equal(t, "before_verification", vp.Notices[0].When)
				require.False(t, vp.Pending)
			}
		})
	}
}

func TestPactsForVerificationDefaultSelectors(t *testing.T) {
	w := newPFVWorld(t)
	w.mainBranch("Web", "main")
	w.pub("Web", "1", "main", nil, "a")
	w.pub("Web", "2", "feat", nil, "b")
	w.mainBranch("Mobile", "trunk")
	w.pub("Mobile", "7", "", []string{"trunk"}, "m")
	w.pub("Mobile", "8", "", nil, "n")
	w.pub("CLI", "1", "", nil, "c")
	w.pub("CLI", "2", "", nil, "d")
	w.pub("Batch", "1", "", nil, "e")
	w.pub("Batch", "2", "", nil, "f")
	env := storetest.MustEnvironment(t, w.s, "prod", true)
	storetest.MustDeploy(t, w.s, "Batch", "1", env, "")
	got := w.get(broker.PactsForVerificationRequest{})
	// Web: main branch head; Mobile: latest tagged with its main branch
	// name; CLI: latest; Batch: latest and the deployed version.
	require.Equal(t, []string{"Batch:1", "Batch:2", "CLI:2", "Mobile:7", "Web:1"}, picked(got))
}

func TestPactsForVerificationMergesBySHA(t *testing.T) {
	yes := true
	w := newPFVWorld(t)
	w.mainBranch("Web", "main")
	w.pub("Web", "1", "main", []string{"prod"}, "a")
	w.pub("Web", "2", "main", nil, "a") // same content
	got := w.get(broker.PactsForVerificationRequest{ConsumerVersionSelectors: []broker.ConsumerVersionSelector{
		{MainBranch: true}, {Tag: "prod", Latest: &yes},
	}})
	require.Len(t, got, 1)
	require.Equal(t, []string{"2", "1"}, got[0].ConsumerVersions)
	require.Len(t, got[0].SelectedBy, 2)
	require.Equal(t, "latest from main branch, latest with tag prod", got[0].ShortDescription)
	require.Contains(t, got[0].Notices[0].Text, "criteria")
	require.Equal(t, w.sha["Web 1"], got[0].SHA)
}

func TestPactsForVerificationPending(t *testing.T) {
	main := sel(func(s *broker.ConsumerVersionSelector) { s.MainBranch = true })
	for _, tc := range []struct {
		name    string
		setup   func(w *pfvWorld)
		branch  string
		tags    []string
		pending bool
	}{
		{"never verified", func(w *pfvWorld) {}, "main", nil, true},
		{"verified by the branch", func(w *pfvWorld) { w.verify("Web", "1", "p1", "main", nil, true) }, "main", nil, false},
		{"failed on the branch", func(w *pfvWorld) { w.verify("Web", "1", "p1", "main", nil, false) }, "main", nil, true},
		{"verified by another branch before this one existed", func(w *pfvWorld) {
			w.verify("Web", "1", "p1", "main", nil, true)
		}, "feat", nil, false},
		{"verified by another branch after this one existed", func(w *pfvWorld) {
			_, _, err := withRules(w.s).AddBranchVersion(context.Background(), "API", "feat", "p0")
			require.NoError(w.t, err)
			w.verify("Web", "1", "p1", "main", nil, true)
		}, "feat", nil, true},
		{"verified with the tag", func(w *pfvWorld) { w.verify("Web", "1", "p1", "", []string{"dev"}, true) }, "", []string{"dev"}, false},
		{"verified with another tag only", func(w *pfvWorld) {
			_, _, err := withRules(w.s).AddTag(context.Background(), "API", "p0", "dev")
			require.NoError(w.t, err)
			w.verify("Web", "1", "p1", "", []string{"prod"}, true)
		}, "", []string{"dev"}, true},
		{"pending for one of two tags", func(w *pfvWorld) {
			_, _, err := withRules(w.s).AddTag(context.Background(), "API", "p0", "dev")
			require.NoError(w.t, err)
			w.verify("Web", "1", "p1", "", []string{"prod"}, true)
		}, "", []string{"prod", "dev"}, true},
		{"no branch or tags: verified by anyone", func(w *pfvWorld) { w.verify("Web", "1", "p1", "", nil, true) }, "", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newPFVWorld(t)
			w.mainBranch("Web", "main")
			w.pub("Web", "1", "main", nil, "a")
			tc.setup(w)
			got := w.get(broker.PactsForVerificationRequest{ConsumerVersionSelectors: main, IncludePendingStatus: true,
				ProviderVersionBranch: tc.branch, ProviderVersionTags: tc.tags})
			require.Len(t, got, 1)
			require.Equal(t, tc.pending, got[0].Pending)
			whens := map[string]bool{}
			for _, n := range got[0].Notices {
				whens[n.When] = true
				require.NotEmpty(t, n.Text)
			}
			require.True(t, whens["before_verification"])
			require.Equal(t, tc.pending, whens["after_verification:success_true_published_false"])
			require.Equal(t, tc.pending, whens["after_verification:success_true_published_true"])
			require.Equal(t, tc.pending, whens["after_verification:success_false_published_true"])
		})
	}
}

func TestPactsForVerificationWIP(t *testing.T) {
	w := newPFVWorld(t)
	w.mainBranch("Web", "main")
	w.pub("Web", "1", "main", nil, "a")
	w.pub("Web", "2", "old-feature", nil, "old")
	p, err := w.s.GetPact(context.Background(), "Web", "API", "2")
	require.NoError(t, err)
	since := p.CreatedAt.Add(time.Second / 2)
	w.pub("Web", "3", "feat-a", nil, "a", "new a")
	w.pub("Web", "4", "feat-b", nil, "a", "new b")
	w.pub("Web", "5", "feat-c", nil, "a") // same content as the main head: already selected
	w.verify("Web", "4", "p1", "main", nil, true)
	w.pub("Mobile", "1", "feat-a", []string{"wip"}, "m")

	got := w.get(broker.PactsForVerificationRequest{
		ConsumerVersionSelectors: sel(func(s *broker.ConsumerVersionSelector) { s.MainBranch = true }),
		ProviderVersionBranch:    "main", IncludePendingStatus: true, IncludeWIPPactsSince: &since,
	})
	// Web 1 (main, pending); WIP: Mobile 1 and Web 3. Web 2 is older than
	// the date, Web 4 is verified by the provider branch, Web 5 has the
	// content already selected.
	require.Equal(t, []string{"Web:1*", "Mobile:1*~", "Web:3*~"}, picked(got))
	require.Contains(t, got[2].Notices[0].Text, "work in progress")

	// Verifying a WIP pact as WIP, even successfully, keeps it WIP.
	_, _, err = withRules(w.s).AddBranchVersion(context.Background(), "API", "main", "p2")
	require.NoError(t, err)
	_, err = w.s.PublishVerification(context.Background(), broker.VerificationInput{Consumer: "Web", Provider: "API",
		PactSHA: w.sha["Web 3"], ProviderVersion: "p2", Success: true, WIP: true})
	require.NoError(t, err)
	got = w.get(broker.PactsForVerificationRequest{
		ConsumerVersionSelectors: sel(func(s *broker.ConsumerVersionSelector) { s.MainBranch = true }),
		ProviderVersionBranch:    "main", IncludePendingStatus: true, IncludeWIPPactsSince: &since,
	})
	require.Equal(t, []string{"Web:1*", "Mobile:1*~", "Web:3*~"}, picked(got))

	// Without a provider branch or tags there are no WIP pacts.
	got = w.get(broker.PactsForVerificationRequest{
		ConsumerVersionSelectors: sel(func(s *broker.ConsumerVersionSelector) { s.MainBranch = true }), IncludeWIPPactsSince: &since,
	})
	require.Equal(t, []string{"Web:1"}, picked(got))
}

func TestPactsForVerificationInvalid(t *testing.T) {
	no := false
	w := newPFVWorld(t)
	w.pub("Web", "1", "main", nil, "a")
	for _, s := range []broker.ConsumerVersionSelector{
		{},
		{Consumer: "Web"},
		{MainBranch: true, Deployed: true},
		{Branch: "x", Tag: "y"},
		{Tag: "x", Deployed: true},
		{FallbackBranch: "x"},
		{Tag: "x", FallbackTag: "y"},
		{MatchingBranch: true},
		{Latest: &no},
		{Deployed: true, Released: true},
		{MainBranch: true, Branch: "x"},
	} {
		_, err := broker.PactsForVerification(context.Background(), w.s, broker.PactsForVerificationRequest{Provider: "API", ConsumerVersionSelectors: []broker.ConsumerVersionSelector{s}})
		require.ErrorIs(t, err, broker.ErrInvalid, "%+v", s)
	}
	_, err := broker.PactsForVerification(context.Background(), w.s, broker.PactsForVerificationRequest{Provider: "Nope"})
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = broker.PactsForVerification(context.Background(), w.s, broker.PactsForVerificationRequest{})
	require.ErrorIs(t, err, broker.ErrInvalid)
}

// mustTickingBroker starts a broker whose store clock starts on 2026-01-01
// and whose server clock starts an hour later, both ticking a second per
// reading.
func mustTickingBroker(tb testing.TB) *api.Client {
	tb.Helper()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := mustBroker(tb, server.Config{Now: sqlitetest.TickingClock(start.Add(time.Hour), time.Second)},
		sqlite.WithClock(sqlitetest.TickingClock(start, time.Second)))
	return b.client(tb)
}

func noticeText(p api.PactForVerification) string {
	var b strings.Builder
	for _, n := range p.Notices {
		fmt.Fprintf(&b, "%s: %s\n", n.When, n.Text)
	}
	return b.String()
}

func TestPactsForVerificationBranchesAndPending(t *testing.T) {
	c := mustTickingBroker(t)
	ctx := context.Background()
	// Trunk's branch "trunk" is not a main branch candidate: no main branch.
	trunk := mustPublishOne(t, c, "Trunk", "t1", "trunk", "Orders", "/t")
	web := mustPublishOne(t, c, "Web", "w1", "main", "Orders", "/w")
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
		mustVerify(t, c, web, "o1", true)
		mustVerify(t, c, trunk, "o1", false)
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

// TestDefaultSelectionThroughTheAPI checks that without selectors each consumer's
// main branch head is chosen, or its latest pact when it has no main
// branch.
func TestDefaultSelectionThroughTheAPI(t *testing.T) {
	c := mustTickingBroker(t)
	ctx := context.Background()
	mustPublishOne(t, c, "Trunk", "t1", "trunk", "Orders", "/t1")
	mustPublishOne(t, c, "Trunk", "t2", "other", "Orders", "/t2")
	mustPublishOne(t, c, "Web", "w1", "main", "Orders", "/w1")
	mustPublishOne(t, c, "Web", "w2", "feat", "Orders", "/w2")
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

// TestWIPVerificationKeepsPactWIP checks that a verification of a
// work-in-progress pact, published to the URL the broker gave for it
// (metadata w=true), is recorded as a WIP verification: like the Pact
// Broker, the pact stays in the WIP set until verified outside WIP mode.
func TestWIPVerificationKeepsPactWIP(t *testing.T) {
	c := mustTickingBroker(t)
	ctx := context.Background()
	mustPublishOne(t, c, "Web", "w1", "main", "Orders", "/main")
	mustPublishOne(t, c, "Web", "w2", "feat", "Orders", "/feat")
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
