package broker_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
)

func TestVerificationResultsAndCanIDeploy(t *testing.T) {
	ctx := context.Background()
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	mustPublish(t, c, "Foo", "1", "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/a")})

	pact, err := c.FetchPact(ctx, "/pacts/provider/Bar/consumer/Foo/latest")
	require.NoError(t, err)
	require.Equal(t, "1", pact.ConsumerVersion)
	require.NotContains(t, string(pact.Content), "_links")
	require.True(t, strings.HasSuffix(pact.PublishVerificationResultsURL, "/verification-results"))

	can := func(t *testing.T, req api.CanIDeployRequest) *broker.MatrixResult {
		t.Helper()
		res, err := c.CanIDeploy(ctx, req)
		require.NoError(t, err)
		return res
	}
	foo1 := []broker.MatrixSelector{{Pacticipant: "Foo", Version: "1"}}

	res := can(t, api.CanIDeployRequest{Selectors: foo1})
	require.Nil(t, res.Summary.Deployable, "unverified: the broker cannot tell")
	require.Equal(t, 1, res.Summary.Unknown, "%+v", res)

	t.Run("retries while unknown, with the injected sleep", func(t *testing.T) {
		var slept []time.Duration
		c2 := b.client(t)
		c2.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
		res, err := c2.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: foo1, RetryWhileUnknown: 3, RetryInterval: 7 * time.Second})
		require.NoError(t, err)
		require.Nil(t, res.Summary.Deployable)
		require.Equal(t, []time.Duration{7 * time.Second, 7 * time.Second, 7 * time.Second}, slept)
	})

	require.NoError(t, c.EnsureVersionBranch(ctx, "Bar", "10", "main"))
	require.NoError(t, c.PublishVerificationResult(ctx, pact.PublishVerificationResultsURL, api.VerificationResult{
		Success: true, ProviderVersion: "10", BuildURL: "http://ci/10", TestResults: []byte(`{"tests":[]}`),
	}))
	res = can(t, api.CanIDeployRequest{Selectors: foo1})
	require.NotNil(t, res.Summary.Deployable)
	require.True(t, *res.Summary.Deployable, res.Summary.Reason)
	require.Equal(t, "10", res.Rows[0].ProviderVersion.Number)
	require.True(t, res.Rows[0].Verification.Success)

	t.Run("the same content under a new consumer version is pre-verified", func(t *testing.T) {
		mustPublish(t, c, "Foo", "2", "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/a")})
		res := can(t, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Foo", Version: "2"}}})
		require.NotNil(t, res.Summary.Deployable)
		require.True(t, *res.Summary.Deployable)
	})

	t.Run("a failed verification says no", func(t *testing.T) {
		mustPublish(t, c, "Foo", "3", "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/changed")})
		p3, err := c.FetchPact(ctx, "/pacts/provider/Bar/consumer/Foo/version/3")
		require.NoError(t, err)
		require.NoError(t, c.PublishVerificationResult(ctx, p3.PublishVerificationResultsURL, api.VerificationResult{Success: false, ProviderVersion: "11"}))
		res := can(t, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Foo", Version: "3"}}})
		require.NotNil(t, res.Summary.Deployable)
		require.False(t, *res.Summary.Deployable)
		require.Equal(t, 1, res.Summary.Failed)
	})

	t.Run("to an environment", func(t *testing.T) {
		_, err := c.CreateEnvironment(ctx, broker.Environment{Name: "production", Production: true})
		require.NoError(t, err)
		_, err = c.RecordDeployment(ctx, "Bar", "10", "production", "")
		require.NoError(t, err)
		res := can(t, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Foo", Version: "2"}}, ToEnvironment: "production"})
		require.NotNil(t, res.Summary.Deployable, "%+v", res)
		require.True(t, *res.Summary.Deployable, res.Summary.Reason)
		// Foo 3's pact was only verified (and failed) by Bar 11, which is
		// not in production: the deployed Bar 10 never verified it.
		res = can(t, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Foo", Version: "3"}}, ToEnvironment: "production"})
		require.Nil(t, res.Summary.Deployable, res.Summary.Reason)
		_, err = c.RecordDeployment(ctx, "Bar", "11", "production", "")
		require.NoError(t, err)
		res = can(t, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Foo", Version: "3"}}, ToEnvironment: "production"})
		require.NotNil(t, res.Summary.Deployable, res.Summary.Reason)
		require.False(t, *res.Summary.Deployable, res.Summary.Reason)
		_, err = c.RecordDeployment(ctx, "Bar", "10", "production", "")
		require.NoError(t, err)

		status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+"/can-i-deploy?pacticipant=Foo&version=2&environment=production", "")
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, true, body["summary"].(map[string]any)["deployable"])
	})

	t.Run("a version that does not exist says no", func(t *testing.T) {
		res := can(t, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Foo", Version: "404"}, {Pacticipant: "Bar", Version: "10"}}})
		require.NotNil(t, res.Summary.Deployable)
		require.False(t, *res.Summary.Deployable)
		require.NotEmpty(t, res.Summary.Reason)
	})

	t.Run("ignore", func(t *testing.T) {
		res := can(t, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Foo", Version: "3"}}, Ignore: []broker.MatrixSelector{{Pacticipant: "Bar"}}})
		require.NotNil(t, res.Summary.Ignored)
		require.NotNil(t, res.Summary.Deployable)
		require.True(t, *res.Summary.Deployable, res.Summary.Reason)
	})

	t.Run("verification results are readable", func(t *testing.T) {
		status, body, _ := doJSON(t, http.MethodGet, strings.TrimSuffix(pact.PublishVerificationResultsURL, "/verification-results")+"/verification-results/latest", "")
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, "10", body["providerApplicationVersion"])
		require.Equal(t, true, body["success"])
	})

	t.Run("bad verification bodies", func(t *testing.T) {
		before := dumpDB(t, b.dbPath)
		for _, body := range []string{`{"success":true}`, `{"providerApplicationVersion":"12"}`, `{"success":"yes","providerApplicationVersion":"12"}`, `not json`} {
			status, _, _ := doJSON(t, http.MethodPost, b.srv.URL+pathOnly(t, pact.PublishVerificationResultsURL), body)
			require.Equal(t, http.StatusBadRequest, status, body)
		}
		require.Equal(t, before, dumpDB(t, b.dbPath))
	})
}

func pathOnly(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.EscapedPath()
}

func TestMatrixQueryForms(t *testing.T) {
	ctx := context.Background()
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	mustPublish(t, c, "Foo", "1", "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/a")})
	p, err := c.FetchPact(ctx, "/pacts/provider/Bar/consumer/Foo/version/1")
	require.NoError(t, err)
	require.NoError(t, c.PublishVerificationResult(ctx, p.PublishVerificationResultsURL, api.VerificationResult{Success: true, ProviderVersion: "10"}))
	require.NoError(t, c.EnsureVersionTag(ctx, "Bar", "10", "prod"))

	summary := func(t *testing.T, query string) map[string]any {
		t.Helper()
		status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+"/matrix?"+query, "")
		require.Equal(t, http.StatusOK, status, body)
		return body["summary"].(map[string]any)
	}
	// What clients send: the fields of each selector together.
	interleaved := summary(t, "q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&q[][latest]=true&q[][tag]=prod&latestby=cvpv")
	// What pact files keep: values grouped by key, keys sorted.
	grouped := summary(t, "latestby=cvpv&q[][latest]=true&q[][pacticipant]=Foo&q[][pacticipant]=Bar&q[][tag]=prod&q[][version]=1")
	require.Equal(t, true, interleaved["deployable"])
	require.Equal(t, interleaved, grouped)

	status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+"/matrix?q[][version]=1", "")
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, fmt.Sprint(body["errors"]), "pacticipant")
	status, _, _ = doJSON(t, http.MethodGet, b.srv.URL+"/matrix?q[][pacticipant]=Foo&latestby=sideways", "")
	require.Equal(t, http.StatusBadRequest, status)
}

func TestConcurrentVerificationResults(t *testing.T) {
	c := mustBroker(t, server.Config{}).client(t)
	ctx := context.Background()
	pactURL := mustPublishOne(t, c, "Web", "1.0.0", "main", "Orders", "/o")
	pact, err := c.FetchPact(ctx, pactURL)
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
