package broker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/storetest"
)

// TestServiceRulesAreOptions checks that each rule for older clients
// follows the Service's Rules: on with DefaultRules, off with the zero
// Rules, and the candidates and window as configured.
func TestServiceRulesAreOptions(t *testing.T) {
	ctx := context.Background()
	tag := func(t *testing.T, rules broker.Rules) (broker.Pacticipant, broker.Version, []broker.DeployedVersion) {
		t.Helper()
		s := mustDomainStore(t)
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
		s := mustDomainStore(t) // a second passes per reading of the clock
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
			s := mustDomainStore(t)
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

func TestConcurrentPublishes(t *testing.T) {
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	ctx := context.Background()
	const n = 12

	// Different consumer versions, two providers.
	errs := parallel(n, func(i int) error {
		_, err := c.PublishContracts(ctx, api.PublishInput{Pacticipant: "Web", Version: fmt.Sprintf("1.0.%d", i), Branch: "main",
			Contracts: []api.ContractFile{{Consumer: "Web", Provider: fmt.Sprintf("P%d", i%2), Content: pactJSON("Web", fmt.Sprintf("P%d", i%2), "/a")}}})
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	// The same consumer version with the same content: all succeed.
	errs = parallel(n, func(int) error {
		_, err := c.PublishContracts(ctx, api.PublishInput{Pacticipant: "Web", Version: "2.0.0", Branch: "main", Tags: []string{"prod"},
			Contracts: []api.ContractFile{{Consumer: "Web", Provider: "P0", Content: pactJSON("Web", "P0", "/same")}}})
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	// The same consumer version with different content: one wins, the
	// others are conflicts (never a server error).
	errs = parallel(n, func(i int) error {
		_, err := c.PublishContracts(ctx, api.PublishInput{Pacticipant: "Web", Version: "3.0.0",
			Contracts: []api.ContractFile{{Consumer: "Web", Provider: "P0", Content: pactJSON("Web", "P0", fmt.Sprintf("/v%d", i))}}})
		return err
	})
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		require.ErrorIs(t, err, broker.ErrConflict)
	}
	require.Equal(t, 1, ok)

	// Every consumer version of Web is listed once.
	resp, err := http.Get(b.srv.URL + "/pacticipants/Web/versions?size=100")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Equal(t, n+2, strings.Count(string(body), `"number":`), string(body))
}

// TestConcurrentMerges checks that concurrent merge publications and
// PATCHes of one consumer version lose no interaction.
func TestConcurrentMerges(t *testing.T) {
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	ctx := context.Background()
	pactURL := mustPublishOne(t, c, "Web", "1", "main", "Orders", "/base")
	const n = 8
	errs := parallel(2*n, func(i int) error {
		path := fmt.Sprintf("/m%d", i)
		if i%2 == 0 {
			_, err := c.PublishContracts(ctx, api.PublishInput{Pacticipant: "Web", Version: "1",
				Contracts: []api.ContractFile{{Consumer: "Web", Provider: "Orders", Content: pactJSON("Web", "Orders", path), OnConflict: broker.ConflictMerge}}})
			return err
		}
		req, err := http.NewRequest(http.MethodPatch, b.srv.URL+"/pacts/provider/Orders/consumer/Web/version/1", strings.NewReader(string(pactJSON("Web", "Orders", path))))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			return fmt.Errorf("PATCH %s: status %d", path, resp.StatusCode)
		}
		return nil
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	got, err := c.FetchPact(ctx, pactURL)
	require.NoError(t, err)
	var doc struct {
		Interactions []struct {
			Description string `json:"description"`
		} `json:"interactions"`
	}
	require.NoError(t, json.Unmarshal(got.Content, &doc))
	require.Len(t, doc.Interactions, 2*n+1)
}
