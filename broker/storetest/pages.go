package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/contracts-dev/contracts/broker"
	"github.com/stretchr/testify/require"
)

// testPageQueries checks the page-level read models against the
// per-item methods they stand for.
func testPageQueries(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	sha := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "1", Pacts: map[string][]string{"API": {"a"}, "Auth": {"b"}}})
	MustVerify(t, s.Store, "Web", "API", sha["API"], "p1", false)
	MustVerify(t, s.Store, "Web", "API", sha["API"], "p2", true)
	MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "2", Pacts: map[string][]string{"API": {"a"}}})
	MustPublish(t, s.Store, Publication{Consumer: "Mobile", Version: "7", Pacts: map[string][]string{"API": {"m"}}})
	mustVersion(t, s.Store, "Web", "3") // no pacts

	sums, err := s.ListIntegrationSummaries(ctx, broker.Page{})
	require.NoError(t, err)
	ints, err := s.ListIntegrations(ctx, broker.Page{})
	require.NoError(t, err)
	require.Len(t, sums, len(ints))
	for i, sum := range sums {
		require.Equal(t, ints[i], sum.Integration)
		pacts, err := s.ListPactVersions(ctx, sum.Consumer, sum.Provider, broker.Page{Limit: 1})
		require.NoError(t, err)
		require.Len(t, pacts, 1)
		require.Equal(t, &pacts[0], sum.LatestPact)
		v, err := s.LatestVerification(ctx, sum.Consumer, sum.Provider, pacts[0].SHA)
		if errors.Is(err, broker.ErrNotFound) {
			require.Nil(t, sum.LatestVerification)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, &v, sum.LatestVerification)
	}
	require.Equal(t, "Web", sums[1].Consumer)
	require.Equal(t, "2", sums[1].LatestPact.ConsumerVersion)
	require.Equal(t, "p2", sums[1].LatestVerification.ProviderVersion, "the content's latest verification, made for version 1")
	page, err := s.ListIntegrationSummaries(ctx, broker.Page{Offset: 1, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, sums[1:2], page)

	mine, err := s.ListPacticipantIntegrations(ctx, "API")
	require.NoError(t, err)
	require.Equal(t, []broker.Integration{ints[0], ints[1]}, mine)
	mine, err = s.ListPacticipantIntegrations(ctx, "Web")
	require.NoError(t, err)
	require.Equal(t, ints[1:], mine)
	mine, err = s.ListPacticipantIntegrations(ctx, "Nobody")
	require.NoError(t, err)
	require.Empty(t, mine)

	providers, err := s.ProvidersOfVersions(ctx, "Web", []string{"1", "2", "3", "9"})
	require.NoError(t, err)
	require.Equal(t, map[string][]string{"1": {"API", "Auth"}, "2": {"API"}}, providers)
	providers, err = s.ProvidersOfVersions(ctx, "Nobody", []string{"1"})
	require.NoError(t, err)
	require.Empty(t, providers)
}
