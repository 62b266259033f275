package broker_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
)

// The official CLI's can-i-merge asks
// /matrix?q[][pacticipant]=P&q[][version]=V&latestby=cvp&latest=true&mainBranch=true:
// latest beside mainBranch names the head of each partner's main branch.
func TestQueryMatrixMainBranchWithLatest(t *testing.T) {
	ctx := context.Background()
	w := newDomainWorld(t)
	w.publish(t, "Web", "1", map[string][]string{"API": {"a"}})
	w.verify(t, "Web", "1", "API", "10", true)
	w.verify(t, "Web", "1", "API", "11", false)
	_, _, err := w.s.PutPacticipant(ctx, broker.Pacticipant{Name: "API", MainBranch: "main"})
	require.NoError(t, err)
	_, _, err = withRules(w.s).AddBranchVersion(ctx, "API", "main", "10")
	require.NoError(t, err)
	_, _, err = withRules(w.s).AddBranchVersion(ctx, "API", "feat", "11")
	require.NoError(t, err)

	res, err := broker.QueryMatrix(ctx, w.s, broker.MatrixQuery{
		Selectors:  []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}},
		MainBranch: true, Latest: true, LatestBy: broker.LatestByCVP,
	})
	require.NoError(t, err)
	require.NotNil(t, res.Summary.Deployable)
	require.True(t, *res.Summary.Deployable, "API 10 heads main and verified Web 1: %+v", res.Summary)
	require.Len(t, res.Rows, 1)
	require.Equal(t, "10", res.Rows[0].ProviderVersion.Number)

	_, err = broker.QueryMatrix(ctx, w.s, broker.MatrixQuery{
		Selectors:   []broker.MatrixSelector{{Pacticipant: "Web", Version: "1"}},
		Environment: "prod", Latest: true,
	})
	require.ErrorIs(t, err, broker.ErrInvalid, "latest with an environment stays refused, as the Pact Broker does")
}
