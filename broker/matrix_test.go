package broker_test

import (
	"context"
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
	s        broker.Store
	sha      map[string]string                 // "consumer version provider" -> sha
	deployed map[string]broker.DeployedVersion // "pacticipant version" -> its last deployment
	prod     string
}

func newDomainWorld(t *testing.T) *domainWorld {
	t.Helper()
	s := mustDomainStore(t)
	return &domainWorld{s: s, sha: map[string]string{}, deployed: map[string]broker.DeployedVersion{}, prod: storetest.MustEnvironment(t, s, "prod", true)}
}

// run performs a script of steps separated by ";", each one of
//
//	publish CONSUMER VERSION PROVIDER:INTERACTION,... [PROVIDER:INTERACTION,...]
//	verify CONSUMER VERSION PROVIDER PROVIDER-VERSION ok|fail
//	deploy PACTICIPANT VERSION [INSTANCE]   (to prod)
//	undeploy PACTICIPANT VERSION            (its last deployment)
//	version PACTICIPANT VERSION
//	tag PACTICIPANT VERSION TAG
//	main-branch PACTICIPANT BRANCH VERSION  (BRANCH becomes the main branch; VERSION is on it)
func (w *domainWorld) run(t *testing.T, script string) {
	t.Helper()
	ctx := context.Background()
	for _, step := range strings.Split(script, ";") {
		f := strings.Fields(step)
		var err error
		switch {
		case len(f) >= 4 && f[0] == "publish":
			pacts := map[string][]string{}
			for _, p := range f[3:] {
				provider, interactions, ok := strings.Cut(p, ":")
				require.True(t, ok, "step %q: want PROVIDER:INTERACTION,...", step)
				pacts[provider] = strings.Split(interactions, ",")
			}
			w.publish(t, f[1], f[2], pacts)
		case len(f) == 6 && f[0] == "verify" && (f[5] == "ok" || f[5] == "fail"):
			w.verify(t, f[1], f[2], f[3], f[4], f[5] == "ok")
		case (len(f) == 3 || len(f) == 4) && f[0] == "deploy":
			w.deployed[f[1]+" "+f[2]] = w.deploy(t, f[1], f[2], strings.Join(f[3:], ""))
		case len(f) == 3 && f[0] == "undeploy":
			d, ok := w.deployed[f[1]+" "+f[2]]
			require.True(t, ok, "step %q: not deployed", step)
			_, err = w.s.MarkUndeployed(ctx, d.UUID)
		case len(f) == 3 && f[0] == "version":
			_, _, err = w.s.PutVersion(ctx, f[1], f[2], "")
		case len(f) == 4 && f[0] == "tag":
			_, _, err = withRules(w.s).AddTag(ctx, f[1], f[2], f[3])
		case len(f) == 4 && f[0] == "main-branch":
			if _, _, err = w.s.PutPacticipant(ctx, broker.Pacticipant{Name: f[1], MainBranch: f[2]}); err == nil {
				_, _, err = withRules(w.s).AddBranchVersion(ctx, f[1], f[2], f[3])
			}
		default:
			t.Fatalf("unknown step %q", step)
		}
		require.NoError(t, err, step)
	}
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

// ignoring is q with ignore selectors.
func ignoring(q broker.MatrixQuery, ignore ...broker.MatrixSelector) broker.MatrixQuery {
	q.Ignore = ignore
	return q
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
		setup string // a domainWorld script
		query broker.MatrixQuery
		want  matrixWant
	}{
		{"unverified pact is unknown", "publish Web 1 API:a; deploy API 10", matrixToProd("Web", "1"), matrixWant{unknown: 1, rows: 1}},
		{"missing required integration is unknown", "publish Web 1 API:a", matrixToProd("Web", "1"), matrixWant{unknown: 1, rows: 0}},
		{"failed verification says no", "publish Web 1 API:a; verify Web 1 API 10 fail; deploy API 10", matrixToProd("Web", "1"), matrixWant{deployable: deployNo, failed: 1, rows: 1}},
		{"failed and unverified is unknown", "publish Web 1 API:a Auth:b; verify Web 1 API 10 fail; deploy API 10; deploy Auth 20", matrixToProd("Web", "1"), matrixWant{failed: 1, unknown: 1, rows: 2}},
		{"all verified successfully", "publish Web 1 API:a Auth:b; verify Web 1 API 10 ok; verify Web 1 Auth 20 ok; deploy API 10; deploy Auth 20", matrixToProd("Web", "1"), matrixWant{deployable: deployYes, success: 2, rows: 2}},
		{"verification inherited through identical content", "publish Web 1 API:a,b; verify Web 1 API 10 ok; publish Web 2 API:b,a; deploy API 10", matrixToProd("Web", "2"), matrixWant{deployable: deployYes, success: 1, rows: 1}},
		{"changed content is not pre-verified", "publish Web 1 API:a; verify Web 1 API 10 ok; publish Web 2 API:a,new; deploy API 10", matrixToProd("Web", "2"), matrixWant{unknown: 1, rows: 1}},
		{"ignored provider does not count", "publish Web 1 API:a Auth:b; verify Web 1 API 10 fail; verify Web 1 Auth 20 ok; deploy API 10; deploy Auth 20", ignoring(matrixToProd("Web", "1"), broker.MatrixSelector{Pacticipant: "API"}), matrixWant{deployable: deployYes, success: 1, ignored: refOf(1), rows: 2}},
		{"ignoring a missing provider", "publish Web 1 API:a", ignoring(matrixToProd("Web", "1"), broker.MatrixSelector{Pacticipant: "API"}), matrixWant{deployable: deployYes, ignored: refOf(1)}},
		{"ignore selector with another version does not apply", "publish Web 1 API:a; verify Web 1 API 10 fail; deploy API 10", ignoring(matrixToProd("Web", "1"), broker.MatrixSelector{Pacticipant: "API", Version: "11"}), matrixWant{deployable: deployNo, failed: 1, ignored: refOf(0), rows: 1}},
		{"every application instance in the environment counts", "publish Web 1 API:a; verify Web 1 API 10 ok; verify Web 1 API 11 fail; deploy API 10 blue; deploy API 11 green", matrixToProd("Web", "1"), matrixWant{deployable: deployNo, success: 1, failed: 1, rows: 2}},
		{"several application instances all verified", "publish Web 1 API:a; verify Web 1 API 10 ok; verify Web 1 API 11 ok; deploy API 10 blue; deploy API 11 green", matrixToProd("Web", "1"), matrixWant{deployable: deployYes, success: 2, rows: 2}},
		{"an instance that has not verified the pact is unknown", "publish Web 1 API:a; verify Web 1 API 10 ok; deploy API 10 blue; deploy API 11 green", matrixToProd("Web", "1"), matrixWant{success: 1, unknown: 1, rows: 2}},
		{"rolled back deployment: the undeployed version no longer counts", "publish Web 1 API:a; verify Web 1 API 10 ok; verify Web 1 API 11 fail; deploy API 10; deploy API 11; deploy API 10", matrixToProd("Web", "1"), matrixWant{deployable: deployYes, success: 1, rows: 1}},
		{"before the roll back the bad version counts", "publish Web 1 API:a; verify Web 1 API 10 ok; verify Web 1 API 11 fail; deploy API 10; deploy API 11", matrixToProd("Web", "1"), matrixWant{deployable: deployNo, failed: 1, rows: 1}},
		{"explicitly undeployed provider is missing", "publish Web 1 API:a; verify Web 1 API 10 ok; deploy API 10; undeploy API 10", matrixToProd("Web", "1"), matrixWant{unknown: 1}},
		{"unknown specified version says no", "publish Web 1 API:a", matrixToProd("Web", "9"), matrixWant{deployable: deployNo}},
		// Mobile is not deployed: not required.
		{"provider: consumers in the environment must be verified", "publish Web 1 API:a; verify Web 1 API 11 ok; deploy Web 1; publish Mobile 5 API:m", matrixToProd("API", "11"), matrixWant{deployable: deployYes, success: 1, rows: 1}},
		{"provider: deployed consumer not verified by this version", "publish Web 1 API:a; verify Web 1 API 10 ok; deploy Web 1; version API 11", matrixToProd("API", "11"), matrixWant{unknown: 1, rows: 1}},
		// Web->Auth is unverified, not API's business.
		{"rows between inferred partners are not considered", "publish Web 1 API:a Auth:b; verify Web 1 API 11 ok; deploy Web 1; deploy Auth 20", matrixToProd("API", "11"), matrixWant{deployable: deployYes, success: 1, rows: 1}},
		{"latest tag target", "publish Web 1 API:a; verify Web 1 API 10 ok; verify Web 1 API 11 fail; tag API 10 prod", broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}, Tag: "prod", Latest: true, LatestBy: broker.LatestByCVP}, matrixWant{deployable: deployYes, success: 1, rows: 1}},
		{"main branch target", "publish Web 1 API:a; verify Web 1 API 10 fail; main-branch API main 10", broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}, MainBranch: true}, matrixWant{deployable: deployNo, failed: 1, rows: 1}},
		{"two explicit selectors", "publish Web 1 API:a; verify Web 1 API 10 fail; verify Web 1 API 11 ok", broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}, {Pacticipant: "API", Version: "11"}}}, matrixWant{deployable: deployYes, success: 1, rows: 1}},
		{"one selector lists every verification", "publish Web 1 API:a; verify Web 1 API 10 fail; verify Web 1 API 11 ok", broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}}, matrixWant{deployable: deployNo, success: 1, failed: 1, rows: 2}},
		{"latestby cvp keeps the latest verification", "publish Web 1 API:a; verify Web 1 API 10 fail; verify Web 1 API 11 ok", broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}, LatestBy: broker.LatestByCVP}, matrixWant{deployable: deployYes, success: 1, rows: 1}},
		{"one provider selector lists consumer versions sharing the content", "publish Web 1 API:a; publish Web 2 API:a; verify Web 1 API 10 ok", broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "API", Version: "10"}}}, matrixWant{deployable: deployYes, success: 2, rows: 2}},
		{"latestby cp keeps the latest consumer version", "publish Web 1 API:a; publish Web 2 API:b; verify Web 1 API 10 ok; verify Web 2 API 10 fail", broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "API", Version: "10"}}, LatestBy: broker.LatestByCP}, matrixWant{deployable: deployNo, failed: 1, rows: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newDomainWorld(t)
			w.run(t, tc.setup)
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

func TestCanIDeployEdges(t *testing.T) {
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

func TestCanIDeployProvider(t *testing.T) {
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

func TestCanIDeployToTagAndMainBranch(t *testing.T) {
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
