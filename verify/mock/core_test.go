package mock_test

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify/mock"
	"github.com/contracts-dev/contracts/verify/mock/grpcmock"
	"github.com/contracts-dev/contracts/verify/mock/messagemock"
)

func TestOneErrNotOK(t *testing.T) {
	t.Parallel()
	require.ErrorIs(t, grpcmock.ErrNotOK, mock.ErrNotOK)
	require.ErrorIs(t, messagemock.ErrNotConsumed, mock.ErrNotOK)
}

func TestVerdict(t *testing.T) {
	t.Parallel()
	require.NoError(t, mock.Verdict([]mock.Problem(nil)))
	err := mock.Verdict([]mock.Problem{
		{Type: mock.ProblemUnexpected, Method: "GET", Path: "/a"},
		{Type: mock.ProblemMissing, Method: "POST", Path: "/b", Description: "make b"},
	})
	require.ErrorIs(t, err, mock.ErrNotOK)
	require.Equal(t, mock.ErrNotOK.Error()+":\n  unexpected request received: GET /a\n  expected but not received: POST /b (interaction \"make b\")", err.Error())
}

func TestLedgerAndUses(t *testing.T) {
	t.Parallel()
	var l mock.Ledger[mock.Problem]
	var u mock.Uses
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			l.Add(mock.Problem{Type: mock.ProblemUnexpected})
			u.Use()
		})
	}
	wg.Wait()
	require.Len(t, l.Seen(), 8)
	require.EqualValues(t, 8, u.Count())
}

func TestWritePactFile(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "pacts")
	path, err := mock.WritePactFile(dir, "web app", "api/v1", []byte(`{}`))
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "web_app-api_v1.json"), path)
	require.Equal(t, mock.PactPath(dir, "web app", "api/v1"), path)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, `{}`, string(data))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file is left behind")

	blocked := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(blocked, nil, 0o644))
	_, err = mock.WritePactFile(filepath.Join(blocked, "pacts"), "a", "b", []byte(`{}`))
	require.Error(t, err)
	require.False(t, errors.Is(err, mock.ErrNotOK))
}

func TestPairPacts(t *testing.T) {
	t.Parallel()
	ab1 := &pact.Pact{Consumer: pact.Pacticipant{Name: "a"}, Provider: pact.Pacticipant{Name: "b"}, Spec: pact.V3}
	ab2 := &pact.Pact{Consumer: pact.Pacticipant{Name: "a"}, Provider: pact.Pacticipant{Name: "b"}, Spec: pact.V4}
	cd := &pact.Pact{Consumer: pact.Pacticipant{Name: "c"}, Provider: pact.Pacticipant{Name: "d"}, Spec: pact.V2}
	i1, i2, i3, i4 := &pact.Interaction{Description: "1"}, &pact.Interaction{Description: "2"}, &pact.Interaction{Description: "3"}, &pact.Interaction{Description: "4"}
	var merged []*pact.Pact
	got := mock.PairPacts([]mock.Exercise{{Pact: ab1, Interaction: i1}, {Pact: cd, Interaction: i2}, {Pact: ab2, Interaction: i3}, {Pact: ab2, Interaction: i4}},
		func(into, from *pact.Pact) { merged = append(merged, from) })
	require.Len(t, got, 2)
	require.Equal(t, "a", got[0].Consumer.Name)
	require.Equal(t, []*pact.Interaction{i1, i3, i4}, got[0].Interactions)
	require.Equal(t, pact.V4, got[0].Spec, "the highest specification of the pair's pacts")
	require.Equal(t, []*pact.Interaction{i2}, got[1].Interactions)
	require.Equal(t, []*pact.Pact{ab2}, merged, "merge is called once per further source pact")
	require.Empty(t, ab1.Interactions, "the source pacts are not changed")
}
