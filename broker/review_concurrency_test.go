package broker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/sqlite"
)

// mustReviewServer starts the real broker on loopback over a temp-file
// SQLite store.
func mustReviewServer(tb testing.TB) (*httptest.Server, *api.Client) {
	tb.Helper()
	store, err := sqlite.Open(filepath.Join(tb.TempDir(), "broker.db"))
	require.NoError(tb, err)
	srv := httptest.NewServer(server.New(store, server.Config{}))
	tb.Cleanup(func() { srv.Close(); _ = store.Close() })
	c, err := api.NewClient(srv.URL)
	require.NoError(tb, err)
	return srv, c
}

func reviewPact(consumer, provider, path string) []byte {
	return []byte(fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":%q},
		"interactions":[{"description":"get %s","request":{"method":"GET","path":%q},"response":{"status":200}}],
		"metadata":{"pactSpecification":{"version":"2.0.0"}}}`, consumer, provider, path, path))
}

func mustReviewPublish(tb testing.TB, c *api.Client, consumer, version, provider, path string) *api.PublishResponse {
	tb.Helper()
	resp, err := c.PublishContracts(context.Background(), api.PublishInput{Pacticipant: consumer, Version: version, Branch: "main",
		Contracts: []api.ContractFile{{Consumer: consumer, Provider: provider, Content: reviewPact(consumer, provider, path)}}})
	require.NoError(tb, err)
	return resp
}

// parallel runs n calls of f at once and returns their errors.
func parallel(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = f(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func TestReviewConcurrentPublishes(t *testing.T) {
	srv, c := mustReviewServer(t)
	ctx := context.Background()
	const n = 12

	// Different consumer versions, two providers.
	errs := parallel(n, func(i int) error {
		_, err := c.PublishContracts(ctx, api.PublishInput{Pacticipant: "Web", Version: fmt.Sprintf("1.0.%d", i), Branch: "main",
			Contracts: []api.ContractFile{{Consumer: "Web", Provider: fmt.Sprintf("P%d", i%2), Content: reviewPact("Web", fmt.Sprintf("P%d", i%2), "/a")}}})
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	// The same consumer version with the same content: all succeed.
	errs = parallel(n, func(int) error {
		_, err := c.PublishContracts(ctx, api.PublishInput{Pacticipant: "Web", Version: "2.0.0", Branch: "main", Tags: []string{"prod"},
			Contracts: []api.ContractFile{{Consumer: "Web", Provider: "P0", Content: reviewPact("Web", "P0", "/same")}}})
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	// The same consumer version with different content: one wins, the
	// others are conflicts (never a server error).
	errs = parallel(n, func(i int) error {
		_, err := c.PublishContracts(ctx, api.PublishInput{Pacticipant: "Web", Version: "3.0.0",
			Contracts: []api.ContractFile{{Consumer: "Web", Provider: "P0", Content: reviewPact("Web", "P0", fmt.Sprintf("/v%d", i))}}})
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
	resp, err := http.Get(srv.URL + "/pacticipants/Web/versions?size=100")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Equal(t, n+2, strings.Count(string(body), `"number":`), string(body))
}

func TestReviewConcurrentVerificationResults(t *testing.T) {
	_, c := mustReviewServer(t)
	ctx := context.Background()
	pub := mustReviewPublish(t, c, "Web", "1.0.0", "Orders", "/o")
	require.Len(t, pub.PactURLs, 1)
	pact, err := c.FetchPact(ctx, pub.PactURLs[0])
	require.NoError(t, err)
	const n = 12
	locations := make([]string, n)
	errs := parallel(n, func(i int) error {
		body := fmt.Sprintf(`{"success":true,"providerApplicationVersion":"p-%d"}`, i%3)
		resp, err := http.Post(pact.PublishVerificationResultsURL, "application/json", strings.NewReader(body))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("status %d: %s", resp.StatusCode, b)
		}
		locations[i] = resp.Header.Get("Location")
		return nil
	})
	seen := map[string]bool{}
	for i, err := range errs {
		require.NoError(t, err)
		require.NotEmpty(t, locations[i])
		require.False(t, seen[locations[i]], "duplicate %s", locations[i])
		seen[locations[i]] = true
	}
}

func TestReviewConcurrentRecordDeployment(t *testing.T) {
	srv, c := mustReviewServer(t)
	ctx := context.Background()
	env, err := c.CreateEnvironment(ctx, broker.Environment{Name: "prod", Production: true})
	require.NoError(t, err)
	const n = 10
	for i := range n {
		mustReviewPublish(t, c, "Web", fmt.Sprintf("1.0.%d", i), "Orders", "/o")
	}
	errs := parallel(n, func(i int) error {
		_, err := c.RecordDeployment(ctx, "Web", fmt.Sprintf("1.0.%d", i), "prod", "blue")
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	// The same version again, concurrently: idempotent.
	errs = parallel(n, func(int) error {
		_, err := c.RecordDeployment(ctx, "Web", "1.0.3", "prod", "green")
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	for _, inst := range []string{"blue", "green"} {
		resp, err := http.Get(srv.URL + "/environments/" + env.UUID + "/deployed-versions/currently-deployed?pacticipant=Web&applicationInstance=" + inst)
		require.NoError(t, err)
		var doc struct {
			Embedded struct {
				DeployedVersions []json.RawMessage `json:"deployedVersions"`
			} `json:"_embedded"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
		resp.Body.Close()
		require.Len(t, doc.Embedded.DeployedVersions, 1, inst)
	}
}
