package broker_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/broker/sqlite/sqlitetest"
	"github.com/contracts-dev/contracts/broker/storetest"
)

func mustServiceStore(tb testing.TB) *sqlite.Store {
	tb.Helper()
	return sqlitetest.Open(tb, sqlite.WithClock(sqlitetest.TickingClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Second)))
}

// TestServiceRulesAreOptions checks that each rule for older clients
// follows the Service's Rules: on with DefaultRules, off with the zero
// Rules, and the candidates and window as configured.
func TestServiceRulesAreOptions(t *testing.T) {
	ctx := context.Background()
	tag := func(t *testing.T, rules broker.Rules) (broker.Pacticipant, broker.Version, []broker.DeployedVersion) {
		t.Helper()
		s := mustServiceStore(t)
		svc := broker.NewService(s, rules)
		storetest.MustEnvironment(t, s, "trunk", false)
		_, _, err := svc.AddTag(ctx, "Web", "1", "trunk")
		require.NoError(t, err)
		p, err := svc.GetPacticipant(ctx, "Web")
		require.NoError(t, err)
		v, err := svc.GetVersion(ctx, "Web", "1")
		require.NoError(t, err)
		d, err := svc.ListDeployedVersions(ctx, broker.DeploymentFilter{Pacticipant: "Web"})
		require.NoError(t, err)
		return p, v, d
	}

	t.Run("defaults", func(t *testing.T) {
		p, v, d := tag(t, broker.Rules{MainBranchCandidates: []string{"trunk"}, FirstTagAsBranch: 10 * time.Second, DeployedVersionsForTags: true})
		require.Equal(t, "trunk", p.MainBranch, "a candidate tag becomes the main branch")
		require.Equal(t, []string{"trunk"}, v.Branches, "the first tag becomes the branch")
		require.Len(t, d, 1, "a tag named like an environment records a deployment")
	})
	t.Run("off", func(t *testing.T) {
		p, v, d := tag(t, broker.Rules{})
		require.Empty(t, p.MainBranch)
		require.Empty(t, v.Branches)
		require.Empty(t, d)
	})
	t.Run("develop, main and master are the default candidates", func(t *testing.T) {
		p, _, _ := tag(t, broker.DefaultRules())
		require.Empty(t, p.MainBranch, "trunk is not a default candidate")
	})
	t.Run("the first tag must come within the window", func(t *testing.T) {
		s := mustServiceStore(t) // a second passes per reading of the clock
		svc := broker.NewService(s, broker.Rules{FirstTagAsBranch: 2 * time.Second})
		_, _, err := svc.PutVersion(ctx, "Web", "1", "")
		require.NoError(t, err)
		for _, n := range []string{"2", "3", "4"} { // each write reads the clock
			_, _, err = svc.PutVersion(ctx, "Web", n, "")
			require.NoError(t, err)
		}
		_, _, err = svc.AddTag(ctx, "Web", "1", "feat")
		require.NoError(t, err)
		v, err := svc.GetVersion(ctx, "Web", "1")
		require.NoError(t, err)
		require.Empty(t, v.Branches, "tagged too late to become the branch")
	})
}

// racingStore is a real store that, before the first publication it
// writes, lets another publication of the same consumer version land, as a
// second replica would between the Service's read and its write.
type racingStore struct {
	broker.Store
	once  sync.Once
	other func() error
	err   error
}

func (r *racingStore) PublishContracts(ctx context.Context, w broker.PublishWrite) (broker.PublishResult, error) {
	r.once.Do(func() { r.err = r.other() })
	return r.Store.PublishContracts(ctx, w)
}

// TestServicePublishDecidesAgainWhenStale checks that a publication whose
// pacts changed between the Service's decision and its write is decided
// again on the new state: a conflict is refused, a merge includes the
// other publication's interactions.
func TestServicePublishDecidesAgainWhenStale(t *testing.T) {
	ctx := context.Background()
	publish := func(svc *broker.Service, policy broker.ConflictPolicy, descs ...string) (broker.PublishResult, error) {
		return svc.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Web", Version: "1", Contracts: []broker.ContractInput{
			{Consumer: "Web", Provider: "API", Content: storetest.PactJSON("Web", "API", descs...), OnConflict: policy}}})
	}
	for _, tc := range []struct {
		policy broker.ConflictPolicy
		check  func(t *testing.T, res broker.PublishResult, err error)
	}{
		{broker.ConflictReject, func(t *testing.T, _ broker.PublishResult, err error) {
			var pce *broker.PactConflictError
			require.ErrorAs(t, err, &pce)
		}},
		{broker.ConflictMerge, func(t *testing.T, res broker.PublishResult, err error) {
			require.NoError(t, err)
			require.Equal(t, broker.PublishMerged, res.Contracts[0].Outcome)
			want, err := broker.ContentSHA(storetest.PactJSON("Web", "API", "other", "mine"))
			require.NoError(t, err)
			require.Equal(t, want, res.Contracts[0].Pact.SHA)
		}},
	} {
		name := map[broker.ConflictPolicy]string{broker.ConflictReject: "reject", broker.ConflictMerge: "merge"}[tc.policy]
		t.Run(name, func(t *testing.T) {
			s := mustServiceStore(t)
			r := &racingStore{Store: s}
			r.other = func() error {
				_, err := publish(broker.NewService(s, broker.DefaultRules()), broker.ConflictReject, "other")
				return err
			}
			res, err := publish(broker.NewService(r, broker.DefaultRules()), tc.policy, "mine")
			require.NoError(t, r.err)
			tc.check(t, res, err)
		})
	}
}
