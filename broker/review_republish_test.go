package broker_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

func reviewTwoInteractions(consumer string, first, second string, library string) []byte {
	return []byte(fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":"Orders"},"interactions":[%s,%s],
		"metadata":{"pactSpecification":{"version":"3.0.0"},"pactJs":{"version":%q}}}`, consumer, first, second, library))
}

const (
	reviewIxA = `{"description":"a","request":{"method":"GET","path":"/a"},"response":{"status":200,"body":{"q":"x=1&y=<2>"}}}`
	reviewIxB = `{"description":"b","request":{"method":"GET","path":"/b"},"response":{"status":200}}`
)

// TestReviewRepublish checks what counts as the same pact content.
func TestReviewRepublish(t *testing.T) {
	_, c := mustReviewServer(t)
	ctx := context.Background()
	publish := func(consumer, version string, content []byte) (*api.PublishResponse, error) {
		return c.PublishContracts(ctx, api.PublishInput{Pacticipant: consumer, Version: version,
			Contracts: []api.ContractFile{{Consumer: consumer, Provider: "Orders", Content: content}}})
	}
	first, err := publish("Web", "1", reviewTwoInteractions("Web", reviewIxA, reviewIxB, "10.0.0"))
	require.NoError(t, err)
	mustReviewVerify(t, c, first.PactURLs[0], "o1", true)

	// Same version, interactions reordered and another library version:
	// the same content, so no conflict.
	_, err = publish("Web", "1", reviewTwoInteractions("Web", reviewIxB, reviewIxA, "11.0.0"))
	require.NoError(t, err)
	// Changed content for the same version is a conflict.
	_, err = publish("Web", "1", reviewTwoInteractions("Web", reviewIxB, reviewIxB, "11.0.0"))
	require.ErrorIs(t, err, broker.ErrConflict)

	// A new version with the same content is pre-verified.
	_, err = publish("Web", "2", reviewTwoInteractions("Web", reviewIxB, reviewIxA, "12.0.0"))
	require.NoError(t, err)
	r, err := c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "2"}}})
	require.NoError(t, err)
	require.Equal(t, "yes", deployable(r), r.Summary.Reason)

	// Names are case sensitive (the Pact Broker's default): "web" is
	// another consumer whose pact has not been verified.
	_, err = publish("web", "1", reviewTwoInteractions("web", reviewIxA, reviewIxB, "10.0.0"))
	require.NoError(t, err)
	r, err = c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "web", Version: "1"}}})
	require.NoError(t, err)
	require.Equal(t, "unknown", deployable(r), r.Summary.Reason)
}

// TestReviewSameContentTwoConsumers checks that a verification posted for
// one consumer's pact version does not count for another consumer whose
// pact has the same content (pact versions are per integration).
func TestReviewSameContentTwoConsumers(t *testing.T) {
	_, c := mustReviewServer(t)
	ctx := context.Background()
	content := func(consumer string) []byte { return reviewTwoInteractions(consumer, reviewIxA, reviewIxB, "1") }
	var urls []string
	for _, consumer := range []string{"Web", "Mobile"} {
		resp, err := c.PublishContracts(ctx, api.PublishInput{Pacticipant: consumer, Version: "1",
			Contracts: []api.ContractFile{{Consumer: consumer, Provider: "Orders", Content: content(consumer)}}})
		require.NoError(t, err)
		urls = append(urls, resp.PactURLs[0])
	}
	web, err := c.FetchPact(ctx, urls[0])
	require.NoError(t, err)
	mobile, err := c.FetchPact(ctx, urls[1])
	require.NoError(t, err)
	require.NotEqual(t, web.PublishVerificationResultsURL, mobile.PublishVerificationResultsURL)
	mustReviewVerify(t, c, urls[0], "o1", true)
	for consumer, want := range map[string]string{"Web": "yes", "Mobile": "unknown"} {
		r, err := c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: consumer, Version: "1"}}})
		require.NoError(t, err)
		require.Equal(t, want, deployable(r), consumer)
	}
	// The pair in the path decides: a sha under a pair that has no such
	// pact version is not found.
	wrong := strings.Replace(web.PublishVerificationResultsURL, "/consumer/Web/", "/consumer/Nobody/", 1)
	err = c.PublishVerificationResult(ctx, wrong, api.VerificationResult{Success: true, ProviderVersion: "o1"})
	require.ErrorIs(t, err, broker.ErrNotFound)
}
