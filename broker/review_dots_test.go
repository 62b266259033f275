package broker_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// TestReviewDotSegmentNames checks names made only of dots: "." and ".."
// are path segments that URL resolution removes, so a resource named so
// could be created but never reached; other dotted names work.
func TestReviewDotSegmentNames(t *testing.T) {
	_, c := mustReviewServer(t)
	ctx := context.Background()
	for _, name := range []string{".", ".."} {
		_, err := c.PublishContracts(ctx, api.PublishInput{Pacticipant: name, Version: "1",
			Contracts: []api.ContractFile{{Consumer: name, Provider: "Orders", Content: reviewPact(name, "Orders", "/x")}}})
		require.ErrorIs(t, err, broker.ErrInvalid, "pacticipant %q", name)
		_, err = c.PublishContracts(ctx, api.PublishInput{Pacticipant: "Web", Version: name,
			Contracts: []api.ContractFile{{Consumer: "Web", Provider: "Orders", Content: reviewPact("Web", "Orders", "/x")}}})
		require.ErrorIs(t, err, broker.ErrInvalid, "version %q", name)
	}
	for _, name := range []string{"...", ".web", "1.0."} {
		mustReviewPublish(t, c, name, name, "Orders", "/x")
		v, err := c.DescribeVersion(ctx, name, name, "")
		require.NoError(t, err, name)
		require.Equal(t, name, v.Number)
	}
}
