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
	_, err = s.Store.GetProviderContracts(ctx, "Orders", "1")
	require.ErrorIs(t, err, broker.ErrNotFound)

	_, _, err = s.Store.PutVersion(ctx, "Orders", "1", "")
	require.NoError(t, err)
	_, err = s.Store.GetProviderContracts(ctx, "Orders", "1")
	require.ErrorIs(t, err, broker.ErrNotFound, "a version without a contract")
	stored, err := s.Store.PutProviderContract(ctx, c)
	require.NoError(t, err)
	require.False(t, stored.CreatedAt.IsZero())
	got, err := s.Store.GetProviderContracts(ctx, "Orders", "1")
	require.NoError(t, err)
	require.Equal(t, []broker.ProviderContract{stored}, got)
	require.Equal(t, c.Content, got[0].Content)
	require.Equal(t, c.Self.Verifier, got[0].Self.Verifier)
	require.True(t, *got[0].Self.Success)

	// A contract of the other specification is kept beside it: a version
	// holds one provider contract per specification, OpenAPI first.
	c2 := c
	c2.Content, c2.SHA, c2.Self = []byte("asyncapi: 3.0.0\n"), "sha-b", broker.SelfVerification{Success: &no}
	c2.Specification, c2.ContentType = broker.SpecAsyncAPI, "application/x-yaml"
	stored2, err := s.Store.PutProviderContract(ctx, c2)
	require.NoError(t, err)
	require.Equal(t, broker.SpecAsyncAPI, stored2.Specification, "the stored contract is returned")
	got, err = s.Store.GetProviderContracts(ctx, "Orders", "1")
	require.NoError(t, err)
	require.Equal(t, []broker.ProviderContract{stored, stored2}, got)
	require.Equal(t, "sha-b", got[1].SHA)
	require.Equal(t, "application/x-yaml", got[1].ContentType)
	require.False(t, *got[1].Self.Success)
	require.Empty(t, got[1].Self.Verifier)

	// Publishing a specification again replaces the version's contract of
	// that specification only.
	c3 := c
	c3.Content, c3.SHA, c3.Self = []byte("openapi: 3.1.0\n"), "sha-c", broker.SelfVerification{}
	stored3, err := s.Store.PutProviderContract(ctx, c3)
	require.NoError(t, err)
	got, err = s.Store.GetProviderContracts(ctx, "Orders", "1")
	require.NoError(t, err)
	require.Equal(t, []broker.ProviderContract{stored3, stored2}, got)
	require.Nil(t, got[0].Self.Success, "an unknown self-verification stays unknown")
	require.Equal(t, "openapi: 3.1.0\n", string(got[0].Content))
	require.True(t, got[0].CreatedAt.After(got[1].CreatedAt))
	// The async document alone replaced, the OpenAPI one stays.
	c4 := c2
	c4.SHA, c4.Content = "sha-d", []byte("asyncapi: 3.0.1\n")
	stored4, err := s.Store.PutProviderContract(ctx, c4)
	require.NoError(t, err)
	got, err = s.Store.GetProviderContracts(ctx, "Orders", "1")
	require.NoError(t, err)
	require.Equal(t, []broker.ProviderContract{stored3, stored4}, got)

	// Version 2 has only an AsyncAPI document.
	_, _, err = s.Store.PutVersion(ctx, "Orders", "2", "")
	require.NoError(t, err)
	c5 := c2
	c5.Version, c5.SHA = "2", "sha-e"
	stored5, err := s.Store.PutProviderContract(ctx, c5)
	require.NoError(t, err)
	got, err = s.Store.GetProviderContracts(ctx, "Orders", "2")
	require.NoError(t, err)
	require.Equal(t, []broker.ProviderContract{stored5}, got)

	_, err = s.Store.GetComparison(ctx, "pact-1", "set-1")
	require.ErrorIs(t, err, broker.ErrNotFound)
	results := json.RawMessage(`[{"type":"error","code":"response.status.unknown","message":"m"}]`)
	cmp, err := s.Store.PutComparison(ctx, broker.Comparison{PactSHA: "pact-1", ContractSHA: "set-1", DocumentSHAs: []string{"sha-c", "sha-d"}, Success: false, Results: results})
	require.NoError(t, err)
	require.False(t, cmp.CreatedAt.IsZero())
	again, err := s.Store.PutComparison(ctx, broker.Comparison{PactSHA: "pact-1", ContractSHA: "set-1", DocumentSHAs: []string{"sha-c", "sha-d"}, Success: true, Results: json.RawMessage(`[]`)})
	require.NoError(t, err)
	require.Equal(t, cmp, again, "a comparison is stored once")
	got2, err := s.Store.GetComparison(ctx, "pact-1", "set-1")
	require.NoError(t, err)
	require.False(t, got2.Success)
	require.JSONEq(t, string(results), string(got2.Results))
	_, err = s.Store.GetComparison(ctx, "pact-1", "sha-b")
	require.ErrorIs(t, err, broker.ErrNotFound)

	// A pact to compare, so that deletes purge by contract only.
	pactSHA := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "w1", Pacts: map[string][]string{"Orders": {"a"}}})["Orders"]
	for _, cmp := range []broker.Comparison{
		{PactSHA: pactSHA, ContractSHA: "set-1", DocumentSHAs: []string{"sha-c", "sha-d"}},
		{PactSHA: pactSHA, ContractSHA: "set-2", DocumentSHAs: []string{"sha-e"}},
		// Shares the AsyncAPI content of version 2 with version 1's
		// OpenAPI content.
		{PactSHA: pactSHA, ContractSHA: "set-3", DocumentSHAs: []string{"sha-c", "sha-e"}},
		// One document, without members (the previous release's kind).
		{PactSHA: pactSHA, ContractSHA: "sha-e"},
		{PactSHA: pactSHA, ContractSHA: "sha-d"},
	} {
		cmp.Success, cmp.Results = true, json.RawMessage(`[]`)
		_, err := s.Store.PutComparison(ctx, cmp)
		require.NoError(t, err)
	}
	// Deleting version 2 deletes the comparisons with one of its
	// documents, and only those.
	require.NoError(t, s.Store.DeleteVersion(ctx, "Orders", "2"))
	_, err = s.Store.GetProviderContracts(ctx, "Orders", "2")
	require.ErrorIs(t, err, broker.ErrNotFound)
	for sha, kept := range map[string]bool{"set-1": true, "set-2": false, "set-3": false, "sha-e": false} {
		_, err = s.Store.GetComparison(ctx, pactSHA, sha)
		if kept {
			require.NoError(t, err, sha)
		} else {
			require.ErrorIs(t, err, broker.ErrNotFound, sha)
		}
	}
	// sha-d is version 1's AsyncAPI document, but the previous release
	// kept one document per version (the last published, sha-d): its
	// comparisons stay.
	_, err = s.Store.GetComparison(ctx, pactSHA, "sha-d")
	require.NoError(t, err)

	// Deleting the provider removes its contracts, and the comparisons of
	// contents that are gone (their results quote the pact).
	require.NoError(t, s.Store.DeletePacticipant(ctx, "Orders"))
	_, err = s.Store.GetProviderContracts(ctx, "Orders", "1")
	require.ErrorIs(t, err, broker.ErrNotFound)
	for _, sha := range []string{"set-1", "sha-d"} {
		_, err = s.Store.GetComparison(ctx, pactSHA, sha)
		require.ErrorIs(t, err, broker.ErrNotFound, "a comparison of deleted contents is deleted")
	}
	_, err = s.Store.GetComparison(ctx, "pact-1", "set-1")
	require.ErrorIs(t, err, broker.ErrNotFound, "a comparison of deleted contents is deleted")
}
