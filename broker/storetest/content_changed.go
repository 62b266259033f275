package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/contracts-dev/contracts/broker"
	"github.com/stretchr/testify/require"
)

// testContentChanged covers the rule of contract_content_changed: the
// content differs from the previous publication (by an older consumer
// version) for any of the version's tags or branches, or, for a version
// with neither, from the previous such "untagged" publication; a first
// publication counts; republishing the same content does not.
func testContentChanged(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	_, err := s.CreateWebhook(ctx, broker.Webhook{Definition: hookDef(broker.EventContractContentChanged)})
	require.NoError(t, err)
	case_ := 0
	// pair returns a publish function for a fresh consumer, so each case
	// has its own history.
	pair := func() func(version, branch string, tags []string, content string, policy broker.ConflictPolicy) bool {
		case_++
		consumer := fmt.Sprintf("C%d", case_)
		return func(version, branch string, tags []string, content string, policy broker.ConflictPolicy) bool {
			t.Helper()
			_, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: consumer, Version: version, Branch: branch, Tags: tags,
				Contracts: []broker.ContractInput{{Consumer: consumer, Provider: "P", Content: PactJSON(consumer, "P", content), OnConflict: policy}}})
			require.NoError(t, err)
			ts, err := s.ListTriggeredWebhooks(ctx, broker.TriggeredFilter{Consumer: consumer, ConsumerVersion: version}, broker.Page{})
			require.NoError(t, err)
			require.LessOrEqual(t, len(ts), 2)
			return len(ts) > 0
		}
	}
	const none = broker.ConflictReject

	t.Run("first publication", func(t *testing.T) {
		publish := pair()
		require.True(t, publish("1", "", nil, "a", none))
	})
	t.Run("republishing identical content", func(t *testing.T) {
		publish := pair()
		require.True(t, publish("1", "main", []string{"t"}, "a", none))
		require.True(t, publish("1", "main", []string{"t"}, "a", none), "still the first trigger only")
		ts, err := s.ListTriggeredWebhooks(ctx, broker.TriggeredFilter{Consumer: fmt.Sprintf("C%d", case_)}, broker.Page{})
		require.NoError(t, err)
		require.Len(t, ts, 1)
	})
	t.Run("overwriting with other content", func(t *testing.T) {
		publish := pair()
		require.True(t, publish("1", "main", nil, "a", none))
		require.True(t, publish("2", "main", nil, "b", none))
		require.True(t, publish("2", "main", nil, "a", broker.ConflictOverwrite), "the version's own pact changed")
		ts, err := s.ListTriggeredWebhooks(ctx, broker.TriggeredFilter{Consumer: fmt.Sprintf("C%d", case_), ConsumerVersion: "2"}, broker.Page{})
		require.NoError(t, err)
		require.Len(t, ts, 2)
	})
	t.Run("same content as each tag's predecessor", func(t *testing.T) {
		// (With a branch given, no tag becomes the version's branch.)
		publish := pair()
		require.True(t, publish("1", "main", []string{"main", "prod"}, "a", none))
		require.False(t, publish("2", "main", []string{"main", "prod"}, "a", none))
		require.False(t, publish("3", "main", []string{"prod"}, "a", none))
		// A tag never published before has no predecessor: a change.
		require.True(t, publish("4", "main", []string{"main", "feat-x"}, "a", none))
		require.True(t, publish("5", "other", []string{"feat-x"}, "b", none))
		// Changed content against one tag's predecessor is enough: the
		// branch's (5) and feat-x's (5) have it, main's (4) does not.
		require.True(t, publish("6", "other", []string{"main", "feat-x"}, "b", none))
		require.False(t, publish("7", "other", []string{"main", "feat-x"}, "b", none))
	})
	t.Run("changed on the branch only", func(t *testing.T) {
		publish := pair()
		require.True(t, publish("1", "b1", []string{"x"}, "a", none))
		require.True(t, publish("2", "b2", []string{"x"}, "b", none))
		// Tag x's predecessor (2) has this content; branch b1's (1) does not.
		require.True(t, publish("3", "b1", []string{"x"}, "b", none))
		require.False(t, publish("4", "b1", []string{"x"}, "b", none))
		// A branch only: its own predecessor decides, not the pair's latest.
		require.False(t, publish("5", "b2", nil, "b", none))
		require.True(t, publish("6", "b2", nil, "a", none))
	})
	t.Run("untagged predecessor", func(t *testing.T) {
		publish := pair()
		require.True(t, publish("1", "", nil, "a", none))
		require.True(t, publish("2", "", []string{"x"}, "b", none))
		require.True(t, publish("3", "feat", nil, "c", none))
		// Version 4 has no tag and no branch: its predecessor is 1, the
		// previous version with neither, whose content it has.
		require.False(t, publish("4", "", nil, "a", none))
		require.True(t, publish("5", "", nil, "b", none))
		require.False(t, publish("6", "", nil, "b", none))
	})
}
