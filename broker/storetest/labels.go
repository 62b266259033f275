package storetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/contracts-dev/contracts/broker"
	"github.com/stretchr/testify/require"
)

func labelNames(t *testing.T, s *broker.Service, pacticipant string) []string {
	t.Helper()
	ls, err := s.ListLabels(context.Background(), pacticipant)
	require.NoError(t, err)
	for _, l := range ls {
		require.Equal(t, pacticipant, l.Pacticipant)
	}
	return broker.LabelNames(ls)
}

func labelled(t *testing.T, s *broker.Service, label string, page broker.Page) []string {
	t.Helper()
	ps, err := s.ListLabelledPacticipants(context.Background(), label, page)
	require.NoError(t, err)
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func testLabels(t *testing.T, s *broker.Service) {
	ctx := context.Background()

	// Labelling creates the pacticipant, as the Pact Broker does; labelling
	// again changes nothing.
	l, created, err := s.PutLabel(ctx, "Web", "team-a")
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, "Web", l.Pacticipant)
	require.Equal(t, "team-a", l.Name)
	require.False(t, l.CreatedAt.IsZero())
	_, err = s.GetPacticipant(ctx, "Web")
	require.NoError(t, err)
	again, created, err := s.PutLabel(ctx, "Web", "team-a")
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, l, again)
	got, err := s.GetLabel(ctx, "Web", "team-a")
	require.NoError(t, err)
	require.Equal(t, l, got)

	_, _, err = s.PutLabel(ctx, "Web", "mobile")
	require.NoError(t, err)
	_, _, err = s.PutLabel(ctx, "API", "team-a")
	require.NoError(t, err)
	_, _, err = s.PutLabel(ctx, "Zed", "team-a")
	require.NoError(t, err)
	require.Equal(t, []string{"mobile", "team-a"}, labelNames(t, s, "Web"), "ordered by name")
	require.Empty(t, labelNames(t, s, "Nobody"))
	require.Equal(t, []string{"API", "Web", "Zed"}, labelled(t, s, "team-a", broker.Page{}))
	require.Equal(t, []string{"Web"}, labelled(t, s, "team-a", broker.Page{Offset: 1, Limit: 1}))
	require.Equal(t, []string{"Web"}, labelled(t, s, "mobile", broker.Page{}))
	require.Empty(t, labelled(t, s, "nothing", broker.Page{}))
	require.Empty(t, labelled(t, s, "Team-A", broker.Page{}), "labels are case-sensitive")
	names, err := s.ListLabelNames(ctx, broker.Page{})
	require.NoError(t, err)
	require.Equal(t, []string{"mobile", "team-a"}, names, "each once, by name")
	names, err = s.ListLabelNames(ctx, broker.Page{Offset: 1, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, []string{"team-a"}, names)

	_, err = s.GetLabel(ctx, "Web", "nope")
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.GetLabel(ctx, "Nobody", "team-a")
	require.ErrorIs(t, err, broker.ErrNotFound)

	// A bad name is refused and creates nothing.
	_, _, err = s.PutLabel(ctx, "New", " ")
	var fe *broker.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "label", fe.Field)
	_, _, err = s.PutLabel(ctx, "..", "x")
	require.ErrorIs(t, err, broker.ErrInvalid)
	_, err = s.GetPacticipant(ctx, "New")
	require.ErrorIs(t, err, broker.ErrNotFound)

	require.NoError(t, s.DeleteLabel(ctx, "Web", "mobile"))
	require.ErrorIs(t, s.DeleteLabel(ctx, "Web", "mobile"), broker.ErrNotFound)
	require.ErrorIs(t, s.DeleteLabel(ctx, "Nobody", "team-a"), broker.ErrNotFound)
	require.Equal(t, []string{"team-a"}, labelNames(t, s, "Web"))

	// A label goes with its pacticipant.
	require.NoError(t, s.DeletePacticipant(ctx, "Web"))
	require.Equal(t, []string{"API", "Zed"}, labelled(t, s, "team-a", broker.Page{}))
	_, err = s.CreatePacticipant(ctx, broker.Pacticipant{Name: "Web"})
	require.NoError(t, err)
	require.Empty(t, labelNames(t, s, "Web"))
}

// testLabelledWebhooks: a webhook whose consumer or provider is given by
// label fires for the integrations whose pacticipants have the label when
// the event happens.
func testLabelledWebhooks(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	def := func(scope string, events ...string) json.RawMessage {
		var d map[string]any
		require.NoError(t, json.Unmarshal(hookDef(events...), &d))
		var sc map[string]any
		require.NoError(t, json.Unmarshal([]byte(scope), &sc))
		for k, v := range sc {
			d[k] = v
		}
		b, err := json.Marshal(d)
		require.NoError(t, err)
		return b
	}
	for _, n := range []string{"Web", "Mobile", "API", "Billing"} {
		_, err := s.CreatePacticipant(ctx, broker.Pacticipant{Name: n})
		require.NoError(t, err)
	}
	byConsumer, err := s.CreateWebhook(ctx, broker.Webhook{Definition: def(`{"consumer":{"label":"frontend"}}`, broker.EventContractPublished)})
	require.NoError(t, err)
	byProvider, err := s.CreateWebhook(ctx, broker.Webhook{Definition: def(`{"provider":{"label":"backend"}}`,
		broker.EventContractPublished, broker.EventProviderVerificationPublished)})
	require.NoError(t, err)
	// A label and a name together: both must hold.
	both, err := s.CreateWebhook(ctx, broker.Webhook{Provider: "API", Definition: def(`{"consumer":{"label":"frontend"},"provider":{"name":"API"}}`, broker.EventContractPublished)})
	require.NoError(t, err)

	for _, pl := range [][2]string{{"Web", "frontend"}, {"Mobile", "frontend"}, {"API", "backend"}} {
		_, _, err := s.PutLabel(ctx, pl[0], pl[1])
		require.NoError(t, err)
	}
	publish := func(consumer, version, provider string) string {
		res, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: consumer, Version: version,
			Contracts: []broker.ContractInput{{Consumer: consumer, Provider: provider, Content: PactJSON(consumer, provider, "a "+version)}}})
		require.NoError(t, err)
		return res.Contracts[0].Pact.SHA
	}
	fired := func(consumer, version string) []string {
		ts, err := s.ListTriggeredWebhooks(ctx, broker.TriggeredFilter{Consumer: consumer, ConsumerVersion: version}, broker.Page{})
		require.NoError(t, err)
		var out []string
		for _, tr := range ts {
			name := map[string]string{byConsumer.UUID: "consumer-label", byProvider.UUID: "provider-label", both.UUID: "label-and-name"}[tr.WebhookUUID]
			out = append(out, name+":"+tr.Provider+":"+tr.Event)
		}
		return out
	}

	publish("Web", "1", "API")
	require.ElementsMatch(t, []string{"consumer-label:API:contract_published", "provider-label:API:contract_published", "label-and-name:API:contract_published"}, fired("Web", "1"))
	publish("Mobile", "1", "Billing")
	require.Equal(t, []string{"consumer-label:Billing:contract_published"}, fired("Mobile", "1"))
	publish("API", "1", "Billing")
	require.Empty(t, fired("API", "1"), "no label matches")

	// Labels count as they are at the time of the event.
	require.NoError(t, s.DeleteLabel(ctx, "Web", "frontend"))
	_, _, err = s.PutLabel(ctx, "Billing", "backend")
	require.NoError(t, err)
	sha := publish("Web", "2", "Billing")
	require.Equal(t, []string{"provider-label:Billing:contract_published"}, fired("Web", "2"))

	_, err = s.PublishVerification(ctx, broker.VerificationInput{Consumer: "Web", Provider: "Billing", PactSHA: sha, ProviderVersion: "b1", Success: true})
	require.NoError(t, err)
	ts, err := s.ListTriggeredWebhooks(ctx, broker.TriggeredFilter{WebhookUUID: byProvider.UUID, ConsumerVersion: "2"}, broker.Page{})
	require.NoError(t, err)
	var events []string
	for _, tr := range ts {
		events = append(events, tr.Event)
	}
	require.ElementsMatch(t, []string{broker.EventContractPublished, broker.EventProviderVerificationPublished}, events)
}
