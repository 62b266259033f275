package storetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
)

func testProviderContracts(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	yes, no := true, false
	c := broker.ProviderContract{Provider: "Orders", Version: "1", Specification: broker.SpecOpenAPI, ContentType: "application/yaml",
		Content: []byte("openapi: 3.0.3\n"), SHA: "sha-a",
		Self: broker.SelfVerification{Success: &yes, Content: []byte("all passed"), ContentType: "text/plain", Format: "text", Verifier: "dredd", VerifierVersion: "14"}}

	_, err := s.Store.PutProviderContract(ctx, c)
	require.ErrorIs(t, err, broker.ErrNotFound, "the version must exist")
	_, err = s.Store.GetProviderContract(ctx, "Orders", "1")
	require.ErrorIs(t, err, broker.ErrNotFound)

	_, _, err = s.Store.PutVersion(ctx, "Orders", "1", "")
	require.NoError(t, err)
	_, err = s.Store.GetProviderContract(ctx, "Orders", "1")
	require.ErrorIs(t, err, broker.ErrNotFound, "a version without a contract")
	stored, err := s.Store.PutProviderContract(ctx, c)
	require.NoError(t, err)
	require.False(t, stored.CreatedAt.IsZero())
	got, err := s.Store.GetProviderContract(ctx, "Orders", "1")
	require.NoError(t, err)
	require.Equal(t, stored, got)
	require.Equal(t, c.Content, got.Content)
	require.Equal(t, c.Self.Verifier, got.Self.Verifier)
	require.True(t, *got.Self.Success)

	// Publishing again replaces the version's contract.
	c2 := c
	c2.Content, c2.SHA, c2.Self = []byte("asyncapi: 3.0.0\n"), "sha-b", broker.SelfVerification{Success: &no}
	c2.Specification = broker.SpecAsyncAPI
	_, err = s.Store.PutProviderContract(ctx, c2)
	require.NoError(t, err)
	got, err = s.Store.GetProviderContract(ctx, "Orders", "1")
	require.NoError(t, err)
	require.Equal(t, "sha-b", got.SHA)
	require.Equal(t, broker.SpecAsyncAPI, got.Specification)
	require.False(t, *got.Self.Success)
	require.Empty(t, got.Self.Verifier)

	c3 := c
	c3.Self.Success = nil
	_, err = s.Store.PutProviderContract(ctx, c3)
	require.NoError(t, err)
	got, err = s.Store.GetProviderContract(ctx, "Orders", "1")
	require.NoError(t, err)
	require.Nil(t, got.Self.Success, "an unknown self-verification stays unknown")

	_, err = s.Store.GetComparison(ctx, "pact-1", "sha-a")
	require.ErrorIs(t, err, broker.ErrNotFound)
	results := json.RawMessage(`[{"type":"error","code":"response.status.unknown","message":"m"}]`)
	cmp, err := s.Store.PutComparison(ctx, broker.Comparison{PactSHA: "pact-1", ContractSHA: "sha-a", Success: false, Results: results})
	require.NoError(t, err)
	require.False(t, cmp.CreatedAt.IsZero())
	again, err := s.Store.PutComparison(ctx, broker.Comparison{PactSHA: "pact-1", ContractSHA: "sha-a", Success: true, Results: json.RawMessage(`[]`)})
	require.NoError(t, err)
	require.Equal(t, cmp, again, "a comparison is stored once")
	got2, err := s.Store.GetComparison(ctx, "pact-1", "sha-a")
	require.NoError(t, err)
	require.False(t, got2.Success)
	require.JSONEq(t, string(results), string(got2.Results))
	_, err = s.Store.GetComparison(ctx, "pact-1", "sha-b")
	require.ErrorIs(t, err, broker.ErrNotFound)

	// Deleting the provider removes its contracts, and the comparisons of
	// contents that are gone (their results quote the pact).
	require.NoError(t, s.Store.DeletePacticipant(ctx, "Orders"))
	_, err = s.Store.GetProviderContract(ctx, "Orders", "1")
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.Store.GetComparison(ctx, "pact-1", "sha-a")
	require.ErrorIs(t, err, broker.ErrNotFound, "a comparison of deleted contents is deleted")
}
