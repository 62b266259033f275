package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/stretchr/testify/require"
)

func refs(pacticipant string, numbers ...string) []broker.VersionRef {
	var out []broker.VersionRef
	for _, n := range numbers {
		out = append(out, broker.VersionRef{Pacticipant: pacticipant, Number: n})
	}
	return out
}

func testResolveVersions(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	_, _, err := s.PutPacticipant(ctx, broker.Pacticipant{Name: "Foo", MainBranch: "main"})
	require.NoError(t, err)
	for _, v := range []struct{ n, branch, tag string }{{"1", "main", "prod"}, {"2", "feat", "prod"}, {"3", "main", ""}, {"4", "feat", "dev"}} {
		_, _, err := s.AddBranchVersion(ctx, "Foo", v.branch, v.n)
		require.NoError(t, err)
		if v.tag != "" {
			_, _, err = s.AddTag(ctx, "Foo", v.n, v.tag)
			require.NoError(t, err)
		}
	}
	env := MustEnvironment(t, s.Store, "prod", true)
	MustDeploy(t, s.Store, "Foo", "1", env, "a")
	MustDeploy(t, s.Store, "Foo", "2", env, "b")
	_, _, err = s.RecordRelease(ctx, "Foo", "3", env)
	require.NoError(t, err)
	_, err = s.CreatePacticipant(ctx, broker.Pacticipant{Name: "NoMain"})
	require.NoError(t, err)

	for _, tc := range []struct {
		sel  broker.MatrixSelector
		want []broker.VersionRef
	}{
		{broker.MatrixSelector{Pacticipant: "Foo", Version: "2"}, refs("Foo", "2")},
		{broker.MatrixSelector{Pacticipant: "Foo", Version: "9"}, nil},
		{broker.MatrixSelector{Pacticipant: "Foo", Latest: true}, refs("Foo", "4")},
		{broker.MatrixSelector{Pacticipant: "Foo", Tag: "prod", Latest: true}, refs("Foo", "2")},
		{broker.MatrixSelector{Pacticipant: "Foo", Tag: "prod"}, refs("Foo", "2", "1")},
		{broker.MatrixSelector{Pacticipant: "Foo", Tag: "none", Latest: true}, nil},
		{broker.MatrixSelector{Pacticipant: "Foo", Branch: "main", Latest: true}, refs("Foo", "3")},
		{broker.MatrixSelector{Pacticipant: "Foo", Branch: "main"}, refs("Foo", "3", "1")},
		{broker.MatrixSelector{Pacticipant: "Foo", MainBranch: true}, refs("Foo", "3")},
		{broker.MatrixSelector{Pacticipant: "NoMain", MainBranch: true}, nil},
		{broker.MatrixSelector{Pacticipant: "Foo", Environment: "prod"}, refs("Foo", "3", "2", "1")},
		{broker.MatrixSelector{Pacticipant: "Foo"}, refs("Foo", "4", "3", "2", "1")},
	} {
		got, err := s.ResolveVersions(ctx, tc.sel)
		require.NoError(t, err, "%+v", tc.sel)
		require.Equal(t, tc.want, got, "%+v", tc.sel)
	}
	_, err = s.ResolveVersions(ctx, broker.MatrixSelector{Pacticipant: "Nope", Latest: true})
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.ResolveVersions(ctx, broker.MatrixSelector{Pacticipant: "Foo", Environment: "nope"})
	require.ErrorIs(t, err, broker.ErrNotFound)

	first, err := s.TagFirstUsed(ctx, "Foo", "prod")
	require.NoError(t, err)
	tag, err := s.GetTag(ctx, "Foo", "1", "prod")
	require.NoError(t, err)
	require.Equal(t, tag.CreatedAt, first)
	_, err = s.TagFirstUsed(ctx, "Foo", "never")
	require.ErrorIs(t, err, broker.ErrNotFound)
}

type rowSummary struct {
	consumer, cv, provider, pv string
	verified, success          bool
}

func summarise(rows []broker.MatrixRow) []rowSummary {
	var out []rowSummary
	for _, r := range rows {
		s := rowSummary{consumer: r.Consumer, cv: r.ConsumerVersion.Number, provider: r.Provider}
		if r.ProviderVersion != nil {
			s.pv = r.ProviderVersion.Number
		}
		if r.Verification != nil {
			s.verified, s.success = true, r.Verification.Success
		}
		out = append(out, s)
	}
	return out
}

func testMatrixRows(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	sha := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "1", Branch: "main", Pacts: map[string][]string{"API": {"a"}, "Auth": {"b"}}})
	MustVerify(t, s.Store, "Web", "API", sha["API"], "10", false)
	MustVerify(t, s.Store, "Web", "API", sha["API"], "11", true)
	MustVerify(t, s.Store, "Web", "API", sha["API"], "11", false) // the latest per provider version wins
	MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "2", Pacts: map[string][]string{"API": {"a"}}})
	env := MustEnvironment(t, s.Store, "prod", true)
	MustDeploy(t, s.Store, "API", "11", env, "")

	rows, err := s.MatrixRows(ctx, broker.MatrixRowQuery{Versions: refs("Web", "1"), Mode: broker.RowsInvolving})
	require.NoError(t, err)
	require.Equal(t, []rowSummary{
		{"Web", "1", "API", "11", true, false},
		{"Web", "1", "API", "10", true, false},
		{"Web", "1", "Auth", "", false, false},
	}, summarise(rows))
	r := rows[0]
	require.Equal(t, sha["API"], r.PactSHA)
	require.Equal(t, 1, r.PactRevision)
	require.Equal(t, []string{"main"}, r.ConsumerVersion.Branches)
	require.Equal(t, []string{"prod"}, r.ProviderVersion.Environments)
	require.Equal(t, 3, r.Verification.Number)
	require.False(t, r.PactCreatedAt.IsZero())

	// A provider version: every consumer version whose pact has the
	// content it verified (Web 2 inherits Web 1's verification).
	rows, err = s.MatrixRows(ctx, broker.MatrixRowQuery{Versions: refs("API", "10"), Mode: broker.RowsInvolving})
	require.NoError(t, err)
	require.Equal(t, []rowSummary{
		{"Web", "2", "API", "10", true, false},
		{"Web", "1", "API", "10", true, false},
	}, summarise(rows))

	rows, err = s.MatrixRows(ctx, broker.MatrixRowQuery{Versions: refs("Web", "1"), Mode: broker.RowsInvolving, Limit: 1})
	require.NoError(t, err)
	require.Len(t, rows, 1)

	// Between: only the listed provider versions; a provider version that
	// has not verified the pact gives an unverified row naming it.
	_, _, err = s.PutVersion(ctx, "API", "12", "")
	require.NoError(t, err)
	rows, err = s.MatrixRows(ctx, broker.MatrixRowQuery{Versions: append(refs("Web", "1"), refs("API", "10", "12")...), Mode: broker.RowsBetween})
	require.NoError(t, err)
	require.Equal(t, []rowSummary{
		{"Web", "1", "API", "12", false, false},
		{"Web", "1", "API", "10", true, false},
	}, summarise(rows))

	// Unknown versions are skipped.
	rows, err = s.MatrixRows(ctx, broker.MatrixRowQuery{Versions: refs("Web", "9"), Mode: broker.RowsInvolving})
	require.NoError(t, err)
	require.Empty(t, rows)
}

func selectedVersions(ps []broker.SelectedPact) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Consumer+":"+p.ConsumerVersion)
	}
	return out
}

func testSelectPacts(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	_, _, err := s.PutPacticipant(ctx, broker.Pacticipant{Name: "Web", MainBranch: "main"})
	require.NoError(t, err)
	MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "1", Branch: "main", Tags: []string{"prod"}, Pacts: map[string][]string{"API": {"a"}}})
	MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "2", Branch: "feat", Tags: []string{"prod"}, Pacts: map[string][]string{"API": {"b"}}})
	MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "3", Branch: "main", Pacts: map[string][]string{"Other": {"c"}}}) // no pact with API
	MustPublish(t, s.Store, Publication{Consumer: "Mobile", Version: "7", Pacts: map[string][]string{"API": {"m"}}})
	env := MustEnvironment(t, s.Store, "prod", true)
	MustDeploy(t, s.Store, "Web", "1", env, "")
	MustDeploy(t, s.Store, "Mobile", "7", env, "")
	_, _, err = s.RecordRelease(ctx, "Web", "2", env)
	require.NoError(t, err)

	for _, tc := range []struct {
		q    broker.PactSelection
		want []string
	}{
		{broker.PactSelection{Kind: broker.SelectLatest}, []string{"Mobile:7", "Web:2"}},
		{broker.PactSelection{Kind: broker.SelectLatest, Consumer: "Web"}, []string{"Web:2"}},
		{broker.PactSelection{Kind: broker.SelectLatest, Consumer: "Nobody"}, nil},
		{broker.PactSelection{Kind: broker.SelectBranchHead, Branch: "main"}, []string{"Web:1"}},
		{broker.PactSelection{Kind: broker.SelectMainBranchHead}, []string{"Web:1"}},
		{broker.PactSelection{Kind: broker.SelectTagLatest, Tag: "prod"}, []string{"Web:2"}},
		{broker.PactSelection{Kind: broker.SelectTagAll, Tag: "prod"}, []string{"Web:2", "Web:1"}},
		{broker.PactSelection{Kind: broker.SelectDeployed}, []string{"Mobile:7", "Web:1"}},
		{broker.PactSelection{Kind: broker.SelectDeployed, Environment: "test"}, nil},
		{broker.PactSelection{Kind: broker.SelectReleased, Environment: "prod"}, []string{"Web:2"}},
	} {
		tc.q.Provider = "API"
		got, err := s.SelectPacts(ctx, tc.q)
		require.NoError(t, err, "%+v", tc.q)
		require.Equal(t, tc.want, selectedVersions(got), "%+v", tc.q)
		for _, p := range got {
			require.Equal(t, "API", p.Provider)
			require.Len(t, p.SHA, 40)
			require.False(t, p.CreatedAt.IsZero())
			if tc.q.Kind == broker.SelectDeployed {
				require.Equal(t, "prod", p.Environment)
			}
		}
	}
	got, err := s.SelectPacts(ctx, broker.PactSelection{Provider: "API", Kind: broker.SelectBranchHead, Branch: "feat"})
	require.NoError(t, err)
	require.Equal(t, "feat", got[0].Branch)
	_, err = s.SelectPacts(ctx, broker.PactSelection{Provider: "Nope", Kind: broker.SelectLatest})
	require.ErrorIs(t, err, broker.ErrNotFound)
}

func testSuccessfullyVerified(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	sha := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "1", Pacts: map[string][]string{"API": {"a"}}})["API"]
	base := broker.VerifiedQuery{Consumer: "Web", Provider: "API", SHA: sha}
	check := func(q broker.VerifiedQuery, want bool) {
		t.Helper()
		got, err := s.SuccessfullyVerified(ctx, q)
		require.NoError(t, err)
		require.Equal(t, want, got, "%+v", q)
	}
	check(base, false)
	_, _, err := s.AddBranchVersion(ctx, "API", "main", "p1")
	require.NoError(t, err)
	MustVerify(t, s.Store, "Web", "API", sha, "p1", false)
	check(base, false)
	_, _, err = s.AddTag(ctx, "API", "p2", "dev")
	require.NoError(t, err)
	_, _, err = s.AddBranchVersion(ctx, "API", "feat", "p2")
	require.NoError(t, err)
	v := MustVerify(t, s.Store, "Web", "API", sha, "p2", true)
	check(base, true)

	q := base
	q.ProviderBranch = "feat"
	check(q, true)
	q.ProviderBranch = "main"
	check(q, false)
	q.ProviderBranch = "nope"
	check(q, false)
	q.ProviderBranch, q.OtherBranches = "main", true
	check(q, true)
	before := v.ExecutionDate
	q.Before = &before
	check(q, false)
	after := v.ExecutionDate.Add(time.Second)
	q.Before = &after
	check(q, true)

	// Verifications of work-in-progress pacts can be left out.
	shaWIP := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "3", Pacts: map[string][]string{"API": {"wip"}}})["API"]
	v, err = s.PublishVerification(ctx, broker.VerificationInput{Consumer: "Web", Provider: "API", PactSHA: shaWIP, ProviderVersion: "p4", Success: true, WIP: true})
	require.NoError(t, err)
	require.True(t, v.WIP)
	check(broker.VerifiedQuery{Consumer: "Web", Provider: "API", SHA: shaWIP}, true)
	check(broker.VerifiedQuery{Consumer: "Web", Provider: "API", SHA: shaWIP, ExcludeWIP: true}, false)

	// A version on no branch is not "another branch".
	sha2 := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "2", Pacts: map[string][]string{"API": {"other"}}})["API"]
	MustVerify(t, s.Store, "Web", "API", sha2, "p3", true)
	check(broker.VerifiedQuery{Consumer: "Web", Provider: "API", SHA: sha2, ProviderBranch: "main", OtherBranches: true}, false)
	check(broker.VerifiedQuery{Consumer: "Web", Provider: "API", SHA: sha2}, true)

	q = base
	q.ProviderTag = "dev"
	check(q, true)
	q.ProviderTag = "prod"
	check(q, false)
	q.OtherTags = true
	check(q, true)
	q.ProviderTag, q.OtherTags = "dev", true
	check(q, false)

	_, err = s.SuccessfullyVerified(ctx, broker.VerifiedQuery{Consumer: "Web", Provider: "API", SHA: "nope"})
	require.ErrorIs(t, err, broker.ErrNotFound)

	// VerifiedPacts answers each question for several pacts of several
	// consumers at once, as SuccessfullyVerified answers it for each.
	shaMobile := MustPublish(t, s.Store, Publication{Consumer: "Mobile", Version: "9", Pacts: map[string][]string{"API": {"m"}}})["API"]
	MustVerify(t, s.Store, "Mobile", "API", shaMobile, "p2", true)
	refs := []broker.PactRef{{Consumer: "Web", SHA: sha}, {Consumer: "Web", SHA: shaWIP}, {Consumer: "Mobile", SHA: shaMobile}, {Consumer: "Web", SHA: sha2}}
	for _, q := range []broker.VerifiedQuery{
		{}, {ExcludeWIP: true},
		{ProviderBranch: "feat"}, {ProviderBranch: "main"}, {ProviderBranch: "nope"},
		{ProviderBranch: "main", OtherBranches: true}, {ProviderBranch: "main", OtherBranches: true, Before: &before},
		{ProviderTag: "dev"}, {ProviderTag: "prod", OtherTags: true}, {ProviderTag: "dev", OtherTags: true},
	} {
		q.Provider = "API"
		got, err := s.VerifiedPacts(ctx, q, refs)
		require.NoError(t, err)
		require.Len(t, got, len(refs), "%+v", q)
		for _, r := range refs {
			one := q
			one.Consumer, one.SHA = r.Consumer, r.SHA
			want, err := s.SuccessfullyVerified(ctx, one)
			require.NoError(t, err)
			require.Equal(t, want, got[r], "%+v, pact %+v", q, r)
		}
	}
	got, err := s.VerifiedPacts(ctx, broker.VerifiedQuery{Provider: "API", ProviderBranch: "feat"}, []broker.PactRef{{Consumer: "Web", SHA: sha2}, {Consumer: "Mobile", SHA: shaMobile}})
	require.NoError(t, err)
	require.Equal(t, map[broker.PactRef]bool{{Consumer: "Web", SHA: sha2}: false, {Consumer: "Mobile", SHA: shaMobile}: true}, got)
	_, err = s.VerifiedPacts(ctx, broker.VerifiedQuery{Provider: "API"}, []broker.PactRef{{Consumer: "Web", SHA: sha}, {Consumer: "Web", SHA: "nope"}})
	require.ErrorIs(t, err, broker.ErrNotFound)
	// The same interactions published by another consumer have the same
	// hash, and their own verifications.
	shaSame := MustPublish(t, s.Store, Publication{Consumer: "Mobile", Version: "10", Pacts: map[string][]string{"API": {"a"}}})["API"]
	require.Equal(t, sha, shaSame)
	got, err = s.VerifiedPacts(ctx, broker.VerifiedQuery{Provider: "API"}, []broker.PactRef{{Consumer: "Web", SHA: sha}, {Consumer: "Mobile", SHA: sha}})
	require.NoError(t, err)
	require.Equal(t, map[broker.PactRef]bool{{Consumer: "Web", SHA: sha}: true, {Consumer: "Mobile", SHA: sha}: false}, got)
	// A pact version is its consumer's: another consumer's hash is not found.
	_, err = s.VerifiedPacts(ctx, broker.VerifiedQuery{Provider: "API"}, []broker.PactRef{{Consumer: "Web", SHA: shaMobile}})
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.VerifiedPacts(ctx, broker.VerifiedQuery{Provider: "Nope"}, []broker.PactRef{{Consumer: "Web", SHA: sha}})
	require.ErrorIs(t, err, broker.ErrNotFound)
}

func testWIPCandidates(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "1", Branch: "old", Tags: []string{"z"}, Pacts: map[string][]string{"API": {"a"}}})
	p, err := s.GetPact(ctx, "Web", "API", "1")
	require.NoError(t, err)
	since := p.CreatedAt.Add(time.Nanosecond)
	MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "2", Branch: "feat", Tags: []string{"t"}, Pacts: map[string][]string{"API": {"b"}}})
	MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "3", Branch: "feat", Pacts: map[string][]string{"API": {"c"}}})
	MustPublish(t, s.Store, Publication{Consumer: "Mobile", Version: "7", Branch: "x", Pacts: map[string][]string{"API": {"m"}, "Other": {"o"}}})
	// A newer version of feat without a pact for API leaves feat's head at 3.
	MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "4", Branch: "feat", Tags: []string{"t"}, Pacts: map[string][]string{"Other": {"w"}}})

	got, err := s.WIPCandidates(ctx, "API", since)
	require.NoError(t, err)
	var keys []string
	for _, c := range got {
		keys = append(keys, c.Consumer+":"+c.ConsumerVersion+":"+c.Branch+":"+c.Tag)
	}
	require.ElementsMatch(t, []string{"Mobile:7:x:", "Web:3:feat:", "Web:2::t"}, keys)
	_, err = s.WIPCandidates(ctx, "Nope", since)
	require.ErrorIs(t, err, broker.ErrNotFound)
}
