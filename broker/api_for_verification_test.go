package broker_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
)

func TestPactsForVerification(t *testing.T) {
	ctx := context.Background()
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	doJSON(t, http.MethodPatch, b.srv.URL+"/pacticipants/Foo", `{"mainBranch":"main"}`)
	mustPublish(t, c, "Foo", "1", "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/a")})
	mustPublish(t, c, "Foo", "2", "feat", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/b")})

	pacts, err := c.PactsForVerification(ctx, "Bar", broker.PactsForVerificationRequest{
		ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{MainBranch: true}},
		ProviderVersionBranch:    "main",
		IncludePendingStatus:     true,
	})
	require.NoError(t, err)
	require.Len(t, pacts, 1)
	require.True(t, pacts[0].Pending, "never verified")
	require.NotEmpty(t, pacts[0].ShortDescription)
	require.Contains(t, pacts[0].URL, "/pacts/provider/Bar/consumer/Foo/pact-version/")
	require.Contains(t, pacts[0].URL, "/metadata/")
	meta := pacts[0].URL[strings.LastIndex(pacts[0].URL, "/")+1:]
	decoded, err := base64.RawURLEncoding.DecodeString(meta)
	require.NoError(t, err, "metadata is URL-safe base64 without padding")
	require.Contains(t, string(decoded), "cvn=1")

	pact, err := c.FetchPact(ctx, pacts[0].URL)
	require.NoError(t, err)
	require.Contains(t, pact.PublishVerificationResultsURL, "/metadata/"+meta+"/verification-results")
	require.NoError(t, c.EnsureVersionBranch(ctx, "Bar", "100", "main"))
	require.NoError(t, c.PublishVerificationResult(ctx, pact.PublishVerificationResultsURL, api.VerificationResult{Success: true, ProviderVersion: "100"}))

	pacts, err = c.PactsForVerification(ctx, "Bar", broker.PactsForVerificationRequest{
		ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{MainBranch: true}, {Branch: "feat"}},
		ProviderVersionBranch:    "main",
		IncludePendingStatus:     true,
	})
	require.NoError(t, err)
	require.Len(t, pacts, 2)
	pending := map[bool]int{}
	for _, p := range pacts {
		pending[p.Pending]++
	}
	require.Equal(t, map[bool]int{false: 1, true: 1}, pending, "main is verified now, feat is not")

	t.Run("GET works too (the Rust verifier GETs first)", func(t *testing.T) {
		status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+"/pacts/provider/Bar/for-verification", "")
		require.Equal(t, http.StatusOK, status, body)
		require.Equal(t, b.srv.URL+"/pacts/provider/Bar/for-verification", href(t, body, "self"))
		status, body, _ = doJSON(t, http.MethodGet, b.srv.URL+"/pacts/provider/Bar/for-verification?consumerVersionSelectors[][branch]=feat", "")
		require.Equal(t, http.StatusOK, status, body)
		require.Len(t, body["_embedded"].(map[string]any)["pacts"], 1)
	})
	t.Run("unknown provider", func(t *testing.T) {
		_, err := c.PactsForVerification(ctx, "Nobody", broker.PactsForVerificationRequest{})
		require.ErrorIs(t, err, broker.ErrNotFound)
	})
	t.Run("bad selectors", func(t *testing.T) {
		_, err := c.PactsForVerification(ctx, "Bar", broker.PactsForVerificationRequest{ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{MainBranch: true, Deployed: true}}})
		require.ErrorIs(t, err, broker.ErrInvalid)
	})
}
