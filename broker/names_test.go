package broker_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/stretchr/testify/require"
)

// TestAwkwardNames drives names with spaces, slashes, dots, plus
// signs and non-ASCII through publishing, HAL links, verification and the
// matrix with the real client.
func TestAwkwardNames(t *testing.T) {
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	ctx := context.Background()
	const (
		consumer = "Web App/β.1"
		provider = "Orders Service%2F+v2"
		version  = "1.0.0+build/7 é?x=1#f"
		branch   = "feature/a b"
		tag      = "feat/x y.z"
		pversion = "p 1/2"
	)
	pub, err := c.PublishContracts(ctx, api.PublishInput{Pacticipant: consumer, Version: version, Branch: branch, Tags: []string{tag},
		Contracts: []api.ContractFile{{Consumer: consumer, Provider: provider, Content: pactJSON(consumer, provider, "/x")}}})
	require.NoError(t, err)
	require.Len(t, pub.PactURLs, 1)

	pact, err := c.FetchPact(ctx, pub.PactURLs[0])
	require.NoError(t, err)
	require.Equal(t, version, pact.ConsumerVersion)

	// Every href in the pact resource resolves (templated ones, POST-only
	// ones and the not yet existing latest verification aside).
	resp, err := http.Get(pub.PactURLs[0])
	require.NoError(t, err)
	var doc struct {
		Links map[string]json.RawMessage `json:"_links"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
	resp.Body.Close()
	for rel, raw := range doc.Links {
		var ls []api.Link
		if json.Unmarshal(raw, &ls) != nil {
			var l api.Link
			require.NoError(t, json.Unmarshal(raw, &l))
			ls = []api.Link{l}
		}
		for _, l := range ls {
			if l.Templated || rel == "pb:publish-verification-results" || rel == "pb:tag-version" || rel == "pb:latest-verification-results" {
				continue
			}
			u, err := url.Parse(l.Href)
			require.NoError(t, err, rel)
			require.True(t, strings.HasPrefix(l.Href, b.srv.URL), "%s: %s", rel, l.Href)
			r, err := http.Get(u.String())
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, r.Body)
			r.Body.Close()
			require.Equal(t, http.StatusOK, r.StatusCode, "%s: %s", rel, l.Href)
		}
	}

	v, err := c.DescribeVersion(ctx, consumer, version, "")
	require.NoError(t, err)
	require.Equal(t, version, v.Number)
	require.Equal(t, []string{branch}, v.Branches)
	require.Equal(t, []string{tag}, v.Tags)
	latest, err := c.DescribeVersion(ctx, consumer, "", tag)
	require.NoError(t, err)
	require.Equal(t, version, latest.Number)

	pacts, err := c.PactsForVerification(ctx, provider, broker.PactsForVerificationRequest{
		ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{Branch: branch}}, ProviderVersionBranch: "main", IncludePendingStatus: true})
	require.NoError(t, err)
	require.Len(t, pacts, 1)
	require.True(t, pacts[0].Pending)
	fetched, err := c.FetchPact(ctx, pacts[0].URL)
	require.NoError(t, err)
	require.NoError(t, c.EnsureVersionBranch(ctx, provider, pversion, "main"))
	require.NoError(t, c.PublishVerificationResult(ctx, fetched.PublishVerificationResultsURL, api.VerificationResult{Success: true, ProviderVersion: pversion}))

	res, err := c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: consumer, Version: version}}})
	require.NoError(t, err)
	require.NotNil(t, res.Summary.Deployable)
	require.True(t, *res.Summary.Deployable, res.Summary.Reason)
	require.Len(t, res.Rows, 1)
	require.Equal(t, pversion, res.Rows[0].ProviderVersion.Number)

	pacts, err = c.PactsForVerification(ctx, provider, broker.PactsForVerificationRequest{
		ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{Tag: tag, Latest: new(true)}}, ProviderVersionBranch: "main", IncludePendingStatus: true})
	require.NoError(t, err)
	require.Len(t, pacts, 1)
	require.False(t, pacts[0].Pending)
}

// TestDotSegmentNames checks names made only of dots: "." and ".."
// are path segments that URL resolution removes, so a resource named so
// could be created but never reached; other dotted names work.
func TestDotSegmentNames(t *testing.T) {
	c := mustBroker(t, server.Config{}).client(t)
	ctx := context.Background()
	for _, name := range []string{".", ".."} {
		_, err := c.PublishContracts(ctx, api.PublishInput{Pacticipant: name, Version: "1",
			Contracts: []api.ContractFile{{Consumer: name, Provider: "Orders", Content: pactJSON(name, "Orders", "/x")}}})
		require.ErrorIs(t, err, broker.ErrInvalid, "pacticipant %q", name)
		_, err = c.PublishContracts(ctx, api.PublishInput{Pacticipant: "Web", Version: name,
			Contracts: []api.ContractFile{{Consumer: "Web", Provider: "Orders", Content: pactJSON("Web", "Orders", "/x")}}})
		require.ErrorIs(t, err, broker.ErrInvalid, "version %q", name)
	}
	for _, name := range []string{"...", ".web", "1.0."} {
		mustPublishOne(t, c, name, name, "main", "Orders", "/x")
		v, err := c.DescribeVersion(ctx, name, name, "")
		require.NoError(t, err, name)
		require.Equal(t, name, v.Number)
	}
}

// TestInvalidUTF8NamesRefused checks that names that are not UTF-8, in
// the path or in a JSON body, are refused rather than stored under a name
// that JSON responses then show as U+FFFD (and that no URL finds).
func TestInvalidUTF8NamesRefused(t *testing.T) {
	b := mustBroker(t, server.Config{})
	for _, rq := range []struct{ method, path, body string }{
		{http.MethodPut, "/pacticipants/%FF/versions/1", `{}`},
		{http.MethodPut, "/pacticipants/Web/versions/1/tags/t%C3", `{}`},
		{http.MethodPost, "/pacticipants", "{\"name\":\"W\xffb\"}"},
		{http.MethodPost, "/contracts/publish", "{\"pacticipantName\":\"Web\",\"pacticipantVersionNumber\":\"1\xfe\",\"contracts\":[]}"},
	} {
		status, body, _ := doRequest(t, rq.method, b.srv.URL+rq.path, rq.body)
		require.Equal(t, http.StatusBadRequest, status, "%s %s: %s", rq.method, rq.path, body)
		require.Contains(t, string(body), "UTF-8", rq.path)
	}
	_, body, _ := doRequest(t, http.MethodGet, b.srv.URL+"/pacticipants", "")
	require.NotContains(t, string(body), `\ufffd`)
	require.NotContains(t, string(body), "\ufffd")
}
