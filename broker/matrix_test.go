package broker_test

import (
	"context"
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

// mustDomainStore opens a store whose clock starts on 2026-03-01 and ticks
// a second per reading.
func mustDomainStore(tb testing.TB) *sqlite.Store {
	tb.Helper()
	return sqlitetest.Open(tb, sqlite.WithClock(sqlitetest.TickingClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Second)))
}

// withRules is s under the broker's default rules.
func withRules(s broker.Store) *broker.Service { return broker.NewService(s, broker.DefaultRules()) }

// domainWorld is a small broker: Web consumes API and Auth; Mobile consumes API.
type domainWorld struct {
	s    broker.Store
	sha  map[string]string // "consumer version provider" -> sha
	prod string
}

func newDomainWorld(t *testing.T) *domainWorld {
	t.Helper()
	s := mustDomainStore(t)
	return &domainWorld{s: s, sha: map[string]string{}, prod: storetest.MustEnvironment(t, s, "prod", true)}
}

func (w *domainWorld) publish(t *testing.T, consumer, version string, pacts map[string][]string) {
	t.Helper()
	for p, sha := range storetest.MustPublish(t, w.s, storetest.Publication{Consumer: consumer, Version: version, Branch: "main", Pacts: pacts}) {
		w.sha[consumer+" "+version+" "+p] = sha
	}
}

func (w *domainWorld) verify(t *testing.T, consumer, version, provider, providerVersion string, ok bool) {
	t.Helper()
	sha, found := w.sha[consumer+" "+version+" "+provider]
	require.True(t, found, "no pact %s %s %s", consumer, version, provider)
	storetest.MustVerify(t, w.s, consumer, provider, sha, providerVersion, ok)
}

func (w *domainWorld) deploy(t *testing.T, pacticipant, version, instance string) broker.DeployedVersion {
	t.Helper()
	_, _, err := w.s.PutVersion(context.Background(), pacticipant, version, "")
	require.NoError(t, err)
	return storetest.MustDeploy(t, w.s, pacticipant, version, w.prod, instance)
}

func matrixToProd(pacticipant, version string) broker.MatrixQuery {
	return broker.MatrixQuery{
		Selectors:   []broker.MatrixSelector{{Pacticipant: pacticipant, Version: version}},
		Environment: "prod", LatestBy: broker.LatestByCVPV,
	}
}

type matrixWant struct {
	deployable               *bool
	success, failed, unknown int
	ignored                  *int
	rows                     int
}

func refOf[T any](v T) *T { return &v }

var (
	deployYes = refOf(true)
	deployNo  = refOf(false)
)

func TestQueryMatrix(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, w *domainWorld)
		query broker.MatrixQuery
		want  matrixWant
	}{
		{
			name: "unverified pact is unknown",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.deploy(t, "API", "10", "")
			},
			query: matrixToProd("Web", "1"),
			want:  matrixWant{unknown: 1, rows: 1},
		},
		{
			name: "missing required integration is unknown",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
			},
			query: matrixToProd("Web", "1"),
			want:  matrixWant{unknown: 1, rows: 0},
		},
		{
			name: "failed verification says no",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", false)
				w.deploy(t, "API", "10", "")
			},
			query: matrixToProd("Web", "1"),
			want:  matrixWant{deployable: deployNo, failed: 1, rows: 1},
		},
		{
			name: "failed and unverified is unknown",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}, "Auth": {"b"}})
				w.verify(t, "Web", "1", "API", "10", false)
				w.deploy(t, "API", "10", "")
				w.deploy(t, "Auth", "20", "")
			},
			query: matrixToProd("Web", "1"),
			want:  matrixWant{failed: 1, unknown: 1, rows: 2},
		},
		{
			name: "all verified successfully",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}, "Auth": {"b"}})
				w.verify(t, "Web", "1", "API", "10", true)
				w.verify(t, "Web", "1", "Auth", "20", true)
				w.deploy(t, "API", "10", "")
				w.deploy(t, "Auth", "20", "")
			},
			query: matrixToProd("Web", "1"),
			want:  matrixWant{deployable: deployYes, success: 2, rows: 2},
		},
		{
			name: "verification inherited through identical content",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a", "b"}})
				w.verify(t, "Web", "1", "API", "10", true)
				w.publish(t, "Web", "2", map[string][]string{"API": {"b", "a"}})
				w.deploy(t, "API", "10", "")
			},
			query: matrixToProd("Web", "2"),
			want:  matrixWant{deployable: deployYes, success: 1, rows: 1},
		},
		{
			name: "changed content is not pre-verified",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", true)
				w.publish(t, "Web", "2", map[string][]string{"API": {"a", "new"}})
				w.deploy(t, "API", "10", "")
			},
			query: matrixToProd("Web", "2"),
			want:  matrixWant{unknown: 1, rows: 1},
		},
		{
			name: "ignored provider does not count",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}, "Auth": {"b"}})
				w.verify(t, "Web", "1", "API", "10", false)
				w.verify(t, "Web", "1", "Auth", "20", true)
				w.deploy(t, "API", "10", "")
				w.deploy(t, "Auth", "20", "")
			},
			query: func() broker.MatrixQuery {
				q := matrixToProd("Web", "1")
				q.Ignore = []broker.MatrixSelector{{Pacticipant: "API"}}
				return q
			}(),
			want: matrixWant{deployable: deployYes, success: 1, ignored: refOf(1), rows: 2},
		},
		{
			name: "ignoring a missing provider",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
			},
			query: func() broker.MatrixQuery {
				q := matrixToProd("Web", "1")
				q.Ignore = []broker.MatrixSelector{{Pacticipant: "API"}}
				return q
			}(),
			want: matrixWant{deployable: deployYes, ignored: refOf(1)},
		},
		{
			name: "ignore selector with another version does not apply",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", false)
				w.deploy(t, "API", "10", "")
			},
			query: func() broker.MatrixQuery {
				q := matrixToProd("Web", "1")
				q.Ignore = []broker.MatrixSelector{{Pacticipant: "API", Version: "11"}}
				return q
			}(),
			want: matrixWant{deployable: deployNo, failed: 1, ignored: refOf(0), rows: 1},
		},
		{
			name: "every application instance in the environment counts",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", true)
				w.verify(t, "Web", "1", "API", "11", false)
				w.deploy(t, "API", "10", "blue")
				w.deploy(t, "API", "11", "green")
			},
			query: matrixToProd("Web", "1"),
			want:  matrixWant{deployable: deployNo, success: 1, failed: 1, rows: 2},
		},
		{
			name: "several application instances all verified",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", true)
				w.verify(t, "Web", "1", "API", "11", true)
				w.deploy(t, "API", "10", "blue")
				w.deploy(t, "API", "11", "green")
			},
			query: matrixToProd("Web", "1"),
			want:  matrixWant{deployable: deployYes, success: 2, rows: 2},
		},
		{
			name: "an instance that has not verified the pact is unknown",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", true)
				w.deploy(t, "API", "10", "blue")
				w.deploy(t, "API", "11", "green")
			},
			query: matrixToProd("Web", "1"),
			want:  matrixWant{success: 1, unknown: 1, rows: 2},
		},
		{
			name: "rolled back deployment: the undeployed version no longer counts",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", true)
				w.verify(t, "Web", "1", "API", "11", false)
				w.deploy(t, "API", "10", "")
				w.deploy(t, "API", "11", "")
				w.deploy(t, "API", "10", "") // roll back
			},
			query: matrixToProd("Web", "1"),
			want:  matrixWant{deployable: deployYes, success: 1, rows: 1},
		},
		{
			name: "before the roll back the bad version counts",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", true)
				w.verify(t, "Web", "1", "API", "11", false)
				w.deploy(t, "API", "10", "")
				w.deploy(t, "API", "11", "")
			},
			query: matrixToProd("Web", "1"),
			want:  matrixWant{deployable: deployNo, failed: 1, rows: 1},
		},
		{
			name: "explicitly undeployed provider is missing",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", true)
				d := w.deploy(t, "API", "10", "")
				_, err := w.s.MarkUndeployed(context.Background(), d.UUID)
				require.NoError(t, err)
			},
			query: matrixToProd("Web", "1"),
			want:  matrixWant{unknown: 1},
		},
		{
			name: "unknown specified version says no",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
			},
			query: matrixToProd("Web", "9"),
			want:  matrixWant{deployable: deployNo},
		},
		{
			name: "provider: consumers in the environment must be verified",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "11", true)
				w.deploy(t, "Web", "1", "")
				w.publish(t, "Mobile", "5", map[string][]string{"API": {"m"}}) // not deployed: not required
			},
			query: matrixToProd("API", "11"),
			want:  matrixWant{deployable: deployYes, success: 1, rows: 1},
		},
		{
			name: "provider: deployed consumer not verified by this version",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", true)
				w.deploy(t, "Web", "1", "")
				_, _, err := w.s.PutVersion(context.Background(), "API", "11", "")
				require.NoError(t, err)
			},
			query: matrixToProd("API", "11"),
			want:  matrixWant{unknown: 1, rows: 1},
		},
		{
			name: "rows between inferred partners are not considered",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}, "Auth": {"b"}})
				w.verify(t, "Web", "1", "API", "11", true)
				w.deploy(t, "Web", "1", "")
				w.deploy(t, "Auth", "20", "") // Web->Auth unverified, not API's business
			},
			query: matrixToProd("API", "11"),
			want:  matrixWant{deployable: deployYes, success: 1, rows: 1},
		},
		{
			name: "latest tag target",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", true)
				w.verify(t, "Web", "1", "API", "11", false)
				_, _, err := withRules(w.s).AddTag(context.Background(), "API", "10", "prod")
				require.NoError(t, err)
			},
			query: broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}, Tag: "prod", Latest: true, LatestBy: broker.LatestByCVP},
			want:  matrixWant{deployable: deployYes, success: 1, rows: 1},
		},
		{
			name: "main branch target",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", false)
				_, _, err := w.s.PutPacticipant(context.Background(), broker.Pacticipant{Name: "API", MainBranch: "main"})
				require.NoError(t, err)
				_, _, err = withRules(w.s).AddBranchVersion(context.Background(), "API", "main", "10")
				require.NoError(t, err)
			},
			query: broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}, MainBranch: true},
			want:  matrixWant{deployable: deployNo, failed: 1, rows: 1},
		},
		{
			name: "two explicit selectors",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", false)
				w.verify(t, "Web", "1", "API", "11", true)
			},
			query: broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}, {Pacticipant: "API", Version: "11"}}},
			want:  matrixWant{deployable: deployYes, success: 1, rows: 1},
		},
		{
			name: "one selector lists every verification",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", false)
				w.verify(t, "Web", "1", "API", "11", true)
			},
			query: broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}},
			want:  matrixWant{deployable: deployNo, success: 1, failed: 1, rows: 2},
		},
		{
			name: "latestby cvp keeps the latest verification",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", false)
				w.verify(t, "Web", "1", "API", "11", true)
			},
			query: broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}, LatestBy: broker.LatestByCVP},
			want:  matrixWant{deployable: deployYes, success: 1, rows: 1},
		},
		{
			name: "one provider selector lists consumer versions sharing the content",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.publish(t, "Web", "2", map[string][]string{"API": {"a"}})
				w.verify(t, "Web", "1", "API", "10", true)
			},
			query: broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "API", Version: "10"}}},
			want:  matrixWant{deployable: deployYes, success: 2, rows: 2},
		},
		{
			name: "latestby cp keeps the latest consumer version",
			setup: func(t *testing.T, w *domainWorld) {
				w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
				w.publish(t, "Web", "2", map[string][]string{"API": {"b"}})
				w.verify(t, "Web", "1", "API", "10", true)
				w.verify(t, "Web", "2", "API", "10", false)
			},
			query: broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "API", Version: "10"}}, LatestBy: broker.LatestByCP},
			want:  matrixWant{deployable: deployNo, failed: 1, rows: 1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newDomainWorld(t)
			tc.setup(t, w)
			res, err := broker.QueryMatrix(context.Background(), w.s, tc.query)
			require.NoError(t, err)
			got := matrixWant{
				deployable: res.Summary.Deployable, success: res.Summary.Success, failed: res.Summary.Failed,
				unknown: res.Summary.Unknown, ignored: res.Summary.Ignored, rows: len(res.Rows),
			}
			require.Equal(t, tc.want, got, "summary %+v notices %+v", res.Summary, res.Notices)
			require.NotEmpty(t, res.Summary.Reason)
		})
	}
}

func TestQueryMatrixRows(t *testing.T) {
	w := newDomainWorld(t)
	w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
	w.verify(t, "Web", "1", "API", "10", true)
	_, _, err := withRules(w.s).AddTag(context.Background(), "API", "10", "prod")
	require.NoError(t, err)
	w.deploy(t, "API", "10", "")
	res, err := broker.QueryMatrix(context.Background(), w.s, matrixToProd("Web", "1"))
	require.NoError(t, err)
	require.Len(t, res.Rows, 1)
	r := res.Rows[0]
	require.Equal(t, "Web", r.Consumer)
	require.Equal(t, "1", r.ConsumerVersion.Number)
	require.Equal(t, []string{"main"}, r.ConsumerVersion.Branches)
	require.Equal(t, "API", r.Provider)
	require.Equal(t, "10", r.ProviderVersion.Number)
	require.Equal(t, []string{"prod"}, r.ProviderVersion.Tags)
	require.Equal(t, []string{"prod"}, r.ProviderVersion.Environments)
	require.Equal(t, w.sha["Web 1 API"], r.PactSHA)
	require.True(t, r.Verification.Success)
	require.Nil(t, res.Summary.Ignored, "ignored is only reported when ignore selectors are given")
	require.NotEmpty(t, res.Notices)
}

func TestQueryMatrixLimit(t *testing.T) {
	w := newDomainWorld(t)
	w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
	for _, v := range []string{"10", "11", "12"} {
		w.verify(t, "Web", "1", "API", v, true)
	}
	res, err := broker.QueryMatrix(context.Background(), w.s, broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}, Limit: 2})
	require.NoError(t, err)
	require.Len(t, res.Rows, 2)
	require.Equal(t, "12", res.Rows[0].ProviderVersion.Number, "newest provider version first")
	require.Equal(t, 3, res.Summary.Success, "the decision uses every row")
}

func TestQueryMatrixInvalid(t *testing.T) {
	w := newDomainWorld(t)
	w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
	for _, q := range []broker.MatrixQuery{
		{},
		{Selectors: []broker.MatrixSelector{{Version: "1"}}},
		{Selectors: []broker.MatrixSelector{{Pacticipant: "Nope", Version: "1"}}},
		{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1", Tag: "x"}}},
		{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}, LatestBy: "x"},
		{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}, Environment: "nope"},
		{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}, Limit: -1},
		{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}, Ignore: []broker.MatrixSelector{{Pacticipant: "API", Tag: "x"}}},
	} {
		_, err := broker.QueryMatrix(context.Background(), w.s, q)
		require.ErrorIs(t, err, broker.ErrInvalid, "%+v", q)
	}
}

func TestReviewCanIDeployEdges(t *testing.T) {
	c := mustBroker(t, server.Config{}).client(t)
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

	web1 := mustPublishOne(t, c, "Web", "1", "main", "Orders", "/o")
	require.NoError(t, c.EnsureVersionTag(ctx, "Web", "1", "prod"))
	mustPublishOne(t, c, "Web", "2", "main", "Orders", "/changed")
	mustVerify(t, c, web1, "o1", true)
	mustDeploy(t, c, "Orders", "o1", "prod", "a")
	mustDeploy(t, c, "Orders", "o1", "test", "")
	require.NoError(t, c.EnsureVersionBranch(ctx, "Orders", "o2", "main"))
	mustDeploy(t, c, "Orders", "o2", "prod", "b")

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

	mustVerify(t, c, web1, "o2", false)
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
	c := mustBroker(t, server.Config{}).client(t)
	ctx := context.Background()
	_, err := c.CreateEnvironment(ctx, broker.Environment{Name: "prod", Production: true})
	require.NoError(t, err)
	web1 := mustPublishOne(t, c, "Web", "1", "main", "Orders", "/o")
	require.NoError(t, c.EnsureVersionBranch(ctx, "Orders", "o1", "main"))
	check := func() string {
		t.Helper()
		r, err := c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Orders", Version: "o1"}}, ToEnvironment: "prod"})
		require.NoError(t, err)
		return deployable(r) + ": " + r.Summary.Reason
	}
	require.Regexp(t, "^yes", check(), "no consumer in prod: nothing required")
	mustDeploy(t, c, "Web", "1", "prod", "")
	require.Regexp(t, "^unknown", check(), "the deployed consumer's pact is not verified by o1")
	mustVerify(t, c, web1, "o1", false)
	require.Regexp(t, "^no", check())
	mustVerify(t, c, web1, "o1", true)
	require.Regexp(t, "^yes", check(), "the latest verification by o1 counts")
}

func TestReviewCanIDeployToTagAndMainBranch(t *testing.T) {
	c := mustBroker(t, server.Config{}).client(t)
	ctx := context.Background()
	web1 := mustPublishOne(t, c, "Web", "1", "main", "Orders", "/o")
	require.NoError(t, c.EnsureVersionTag(ctx, "Orders", "o1", "prod"))
	require.NoError(t, c.EnsureVersionBranch(ctx, "Orders", "o1", "main"))
	mustVerify(t, c, web1, "o1", true)
	mustVerify(t, c, web1, "o2", false)
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
