package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlite/sqlitetest"
)

// TestManyVerificationsOfOnePact checks that the questions asked for
// every verification (pending status, the matrix) stay fast when one pact
// version has thousands of verifications (the Pact Broker's issue 487).
func TestManyVerificationsOfOnePact(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 3,000 verifications")
	}
	s := sqlitetest.Open(t)
	ctx := context.Background()
	res, err := broker.NewService(s, broker.DefaultRules()).PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Web", Version: "1", Branch: "main", Contracts: []broker.ContractInput{{
		Consumer: "Web", Provider: "Orders", Content: []byte(`{"consumer":{"name":"Web"},"provider":{"name":"Orders"},"interactions":[{"description":"a"}]}`)}}})
	require.NoError(t, err)
	require.NotEmpty(t, res.Contracts)
	sha := res.Contracts[0].Pact.SHA
	const n = 3000
	for i := range n {
		_, err := s.PublishVerification(ctx, broker.VerificationInput{Consumer: "Web", Provider: "Orders", PactSHA: sha,
			ProviderVersion: fmt.Sprintf("o%d", i%300), Success: i%7 != 0})
		require.NoError(t, err)
	}
	start := time.Now()
	for range 20 {
		r, err := broker.QueryMatrix(ctx, s, broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}}, Latest: true, LatestBy: broker.LatestByCVP})
		require.NoError(t, err)
		require.NotEmpty(t, r.Rows)
		_, err = s.SuccessfullyVerified(ctx, broker.VerifiedQuery{Consumer: "Web", Provider: "Orders", SHA: sha, ProviderBranch: "main"})
		require.NoError(t, err)
	}
	per := time.Since(start) / 20
	t.Logf("matrix + pending check with %d verifications: %v", n, per)
	require.Less(t, per, 200*time.Millisecond)
}
