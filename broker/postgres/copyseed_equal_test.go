package postgres_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/postgres"
	"github.com/contracts-dev/contracts/broker/postgres/pgtest"
	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/broker/sqlstore/storebench"
)

// A database seeded on SQLite and copied into PostgreSQL answers the
// benchmark's requests exactly as the SQLite database does, so the large
// PostgreSQL benchmark may be seeded that way.
func TestCopiedSeedAnswersAlike(t *testing.T) {
	const pacticipants, versions = 6, 30
	clock := storebench.NewClock()
	file := filepath.Join(t.TempDir(), "seed.db")
	lite, err := sqlite.Open(file, sqlite.WithClock(clock.Read))
	require.NoError(t, err)
	defer lite.Close()
	storebench.Seed(t, lite, clock, pacticipants, versions)

	c := pgtest.Start(t)
	dsn := c.NewDatabase(t)
	pg, err := postgres.Open(context.Background(), dsn, postgres.Options{Clock: clock.Read})
	require.NoError(t, err)
	defer pg.Close()
	copyFromSQLite(t, file, dsn)

	ctx := context.Background()
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(versions-10) * time.Hour)
	for i := 0; i < pacticipants; i++ {
		name := storebench.Svc(i, pacticipants)
		q := broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: name, Version: strconv.Itoa(versions - i)}},
			Environment: "prod", LatestBy: broker.LatestByCVPV}
		want, err := broker.QueryMatrix(ctx, lite, q)
		require.NoError(t, err)
		require.NotEmpty(t, want.Rows, name)
		got, err := broker.QueryMatrix(ctx, pg, q)
		require.NoError(t, err)
		require.Equal(t, want, got, "can-i-deploy %s", name)

		pfv := broker.PactsForVerificationRequest{Provider: name,
			ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{MainBranch: true}, {DeployedOrReleased: true}},
			ProviderVersionBranch:    "main", IncludePendingStatus: true, IncludeWIPPactsSince: &since}
		wantP, err := broker.PactsForVerification(ctx, lite, pfv)
		require.NoError(t, err)
		require.NotEmpty(t, wantP, name)
		gotP, err := broker.PactsForVerification(ctx, pg, pfv)
		require.NoError(t, err)
		require.Equal(t, wantP, gotP, "pacts for verification of %s", name)
	}
	// The copied database takes writes: identities continue past the copy.
	_, err = broker.NewService(pg, broker.DefaultRules()).PublishContracts(ctx, broker.PublishRequest{
		Pacticipant: storebench.Svc(0, pacticipants), Version: "after-copy", Branch: "main",
		Contracts: []broker.ContractInput{{Consumer: storebench.Svc(0, pacticipants), Provider: storebench.Svc(1, pacticipants),
			Content: []byte(`{"consumer":{"name":"` + storebench.Svc(0, pacticipants) + `"},"provider":{"name":"` + storebench.Svc(1, pacticipants) + `"},"interactions":[],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)}}})
	require.NoError(t, err)
}
