package sqlite_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlite/sqlitetest"
)

// TestLatestPactNotFoundMessage checks that the error names the tag
// or branch in words, not as a Go struct.
func TestLatestPactNotFoundMessage(t *testing.T) {
	s := sqlitetest.Open(t)
	ctx := context.Background()
	_, err := broker.NewService(s, broker.DefaultRules()).PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Web", Version: "1", Contracts: []broker.ContractInput{{
		Consumer: "Web", Provider: "Orders", Content: []byte(`{"consumer":{"name":"Web"},"provider":{"name":"Orders"},"interactions":[]}`)}}})
	require.NoError(t, err)
	for f, want := range map[broker.PactFilter]string{
		{Tag: "prod"}:    `latest pact between "Web" and "Orders" with tag "prod"`,
		{Branch: "feat"}: `latest pact between "Web" and "Orders" on branch "feat"`,
	} {
		_, err := s.LatestPact(ctx, "Web", "Orders", f)
		require.ErrorIs(t, err, broker.ErrNotFound)
		require.Contains(t, err.Error(), want)
	}
}
