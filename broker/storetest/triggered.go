package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/stretchr/testify/require"
)

// far is later than any store clock in these tests; epoch earlier.
var (
	far   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	epoch = time.Date(1971, 1, 1, 0, 0, 0, 0, time.UTC)
)

func hookDef(events ...string) json.RawMessage {
	var evs []map[string]string
	for _, e := range events {
		evs = append(evs, map[string]string{"name": e})
	}
	b, _ := json.Marshal(map[string]any{"events": evs, "request": map[string]any{"method": "POST", "url": "https://hooks.example/x"}})
	return b
}

func testTriggeredWebhooks(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	for _, n := range []string{"Web", "API", "Other"} {
		_, err := s.CreatePacticipant(ctx, broker.Pacticipant{Name: n})
		require.NoError(t, err)
	}
	pub, err := s.CreateWebhook(ctx, broker.Webhook{Consumer: "Web", Provider: "API", Definition: hookDef(broker.EventContractPublished, broker.EventContractContentChanged)})
	require.NoError(t, err)
	ver, err := s.CreateWebhook(ctx, broker.Webhook{Provider: "API", Definition: hookDef(broker.EventProviderVerificationPublished, broker.EventProviderVerificationSucceeded, broker.EventProviderVerificationFailed)})
	require.NoError(t, err)
	_, err = s.CreateWebhook(ctx, broker.Webhook{Consumer: "Other", Definition: hookDef(broker.EventContractPublished)})
	require.NoError(t, err)
	disabled := json.RawMessage(`{"enabled":false,"events":[{"name":"contract_published"}],"request":{"method":"POST","url":"https://hooks.example/x"}}`)
	_, err = s.CreateWebhook(ctx, broker.Webhook{Definition: disabled})
	require.NoError(t, err)
	byLabel := json.RawMessage(`{"consumer":{"label":"team-a"},"events":[{"name":"contract_published"}],"request":{"method":"POST","url":"https://hooks.example/x"}}`)
	_, err = s.CreateWebhook(ctx, broker.Webhook{Definition: byLabel})
	require.NoError(t, err)

	publish := func(version string, descriptions ...string) broker.PublishResult {
		res, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Web", Version: version, Branch: "main",
			Contracts: []broker.ContractInput{{Consumer: "Web", Provider: "API", Content: PactJSON("Web", "API", descriptions...)}}})
		require.NoError(t, err)
		return res
	}
	events := func(f broker.TriggeredFilter) []string {
		ts, err := s.ListTriggeredWebhooks(ctx, f, broker.Page{})
		require.NoError(t, err)
		var out []string
		for _, tr := range ts {
			out = append(out, tr.Event+"@"+tr.ConsumerVersion+"/"+tr.ProviderVersion)
		}
		return out
	}

	// A first publication is a content change; the same content again is
	// only a publication.
	r1 := publish("1", "a")
	publish("2", "a")
	require.ElementsMatch(t, []string{"contract_published@1/", "contract_content_changed@1/"}, events(broker.TriggeredFilter{ConsumerVersion: "1"}))
	require.Equal(t, []string{"contract_published@2/"}, events(broker.TriggeredFilter{ConsumerVersion: "2"}))
	publish("3", "b")
	require.Len(t, events(broker.TriggeredFilter{ConsumerVersion: "3"}), 2)
	got, err := s.ListTriggeredWebhooks(ctx, broker.TriggeredFilter{ConsumerVersion: "1"}, broker.Page{})
	require.NoError(t, err)
	require.Equal(t, r1.Contracts[0].Pact.SHA, got[0].PactSHA)
	require.Equal(t, pub.UUID, got[0].WebhookUUID)
	require.Equal(t, broker.TriggerNotRun, got[0].Status)
	require.Equal(t, "Web", got[0].Consumer)
	require.Equal(t, "API", got[0].Provider)

	// A verification triggers once per consumer version named in the
	// metadata, or for the latest consumer version with the content.
	v, err := s.PublishVerification(ctx, broker.VerificationInput{Consumer: "Web", Provider: "API", PactSHA: r1.Contracts[0].Pact.SHA,
		ProviderVersion: "p1", Success: false, ConsumerVersions: []string{"1", "2"}})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"provider_verification_published@1/p1", "provider_verification_failed@1/p1",
		"provider_verification_published@2/p1", "provider_verification_failed@2/p1"},
		events(broker.TriggeredFilter{PactSHA: r1.Contracts[0].Pact.SHA, VerificationNumber: v.Number}))
	v2, err := s.PublishVerification(ctx, broker.VerificationInput{Consumer: "Web", Provider: "API", PactSHA: r1.Contracts[0].Pact.SHA,
		ProviderVersion: "p2", Success: true})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"provider_verification_published@2/p2", "provider_verification_succeeded@2/p2"},
		events(broker.TriggeredFilter{PactSHA: r1.Contracts[0].Pact.SHA, VerificationNumber: v2.Number}))
	require.Len(t, events(broker.TriggeredFilter{WebhookUUID: ver.UUID}), 6)
	require.Len(t, events(broker.TriggeredFilter{}), 11)
	st, err := s.WebhookQueueStats(ctx)
	require.NoError(t, err)
	require.Equal(t, broker.WebhookQueueStats{Pending: 11}, st)

	// Nothing is due before its delay; a claim leases; a leased trigger is
	// not claimed again until its lease ends.
	none, err := s.ClaimTriggeredWebhooks(ctx, broker.Claim{Now: far, FirstDue: epoch, Token: "a", Until: far, Limit: 100})
	require.NoError(t, err)
	require.Empty(t, none)
	a, err := s.ClaimTriggeredWebhooks(ctx, broker.Claim{Now: far, FirstDue: far, Token: "a", Until: far.Add(time.Minute), Limit: 4})
	require.NoError(t, err)
	require.Len(t, a, 4)
	b, err := s.ClaimTriggeredWebhooks(ctx, broker.Claim{Now: far, FirstDue: far, Token: "b", Until: far.Add(time.Minute), Limit: 100})
	require.NoError(t, err)
	require.Len(t, b, 7)
	for _, x := range b {
		for _, y := range a {
			require.NotEqual(t, x.UUID, y.UUID)
		}
	}
	require.ErrorIs(t, s.CompleteWebhookAttempt(ctx, a[0].UUID, "b", broker.AttemptResult{Status: broker.TriggerSuccess}), broker.ErrStale)
	require.ErrorIs(t, s.CompleteWebhookAttempt(ctx, "nope", "a", broker.AttemptResult{Status: broker.TriggerSuccess}), broker.ErrNotFound)
	started := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	retry := far.Add(10 * time.Second)
	require.NoError(t, s.CompleteWebhookAttempt(ctx, a[0].UUID, "a", broker.AttemptResult{
		Attempt: broker.WebhookAttempt{StatusCode: 500, Log: "POST https://hooks.example/x\n\nHTTP 500", StartedAt: started, Duration: time.Second},
		Status:  broker.TriggerRetrying, NextAttemptAt: retry}))
	// Completing twice with the same lease is refused: the lease ended.
	require.ErrorIs(t, s.CompleteWebhookAttempt(ctx, a[0].UUID, "a", broker.AttemptResult{Status: broker.TriggerSuccess}), broker.ErrStale)
	tr, attempts, err := s.GetTriggeredWebhook(ctx, a[0].UUID)
	require.NoError(t, err)
	require.Equal(t, broker.TriggerRetrying, tr.Status)
	require.Equal(t, 1, tr.Attempts)
	require.Equal(t, retry, tr.NextAttemptAt)
	require.Equal(t, []broker.WebhookAttempt{{Number: 1, StatusCode: 500, Log: "POST https://hooks.example/x\n\nHTTP 500", StartedAt: started, Duration: time.Second}}, attempts)
	_, _, err = s.GetTriggeredWebhook(ctx, "nope")
	require.ErrorIs(t, err, broker.ErrNotFound)

	// The retry is due at its time, not before.
	none, err = s.ClaimTriggeredWebhooks(ctx, broker.Claim{Now: retry.Add(-time.Nanosecond), FirstDue: far, Token: "c", Until: far.Add(time.Hour), Limit: 100})
	require.NoError(t, err)
	require.Empty(t, none)
	again, err := s.ClaimTriggeredWebhooks(ctx, broker.Claim{Now: retry, FirstDue: far, Token: "c", Until: far.Add(time.Hour), Limit: 100})
	require.NoError(t, err)
	require.Len(t, again, 1)
	require.Equal(t, a[0].UUID, again[0].UUID)
	// An ended lease (a worker that died) is claimed again.
	expired, err := s.ClaimTriggeredWebhooks(ctx, broker.Claim{Now: far.Add(time.Minute), FirstDue: far, Token: "d", Until: far.Add(2 * time.Hour), Limit: 100})
	require.NoError(t, err)
	require.Len(t, expired, 10)
	for _, x := range expired {
		require.NoError(t, s.CompleteWebhookAttempt(ctx, x.UUID, "d", broker.AttemptResult{Attempt: broker.WebhookAttempt{Success: true, StatusCode: 200}, Status: broker.TriggerSuccess}))
	}
	require.NoError(t, s.CompleteWebhookAttempt(ctx, a[0].UUID, "c", broker.AttemptResult{Attempt: broker.WebhookAttempt{StatusCode: 500}, Status: broker.TriggerFailure}))
	st, err = s.WebhookQueueStats(ctx)
	require.NoError(t, err)
	require.Equal(t, broker.WebhookQueueStats{Dead: 1}, st)
	dead, err := s.ListTriggeredWebhooks(ctx, broker.TriggeredFilter{Status: broker.TriggerFailure}, broker.Page{})
	require.NoError(t, err)
	require.Len(t, dead, 1)
	require.Equal(t, 2, dead[0].Attempts)

	// Deleting the webhook deletes its triggers.
	require.NoError(t, s.DeleteWebhook(ctx, ver.UUID))
	require.Empty(t, events(broker.TriggeredFilter{WebhookUUID: ver.UUID}))
}

func testRequiringVerification(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	for _, n := range []string{"Web", "API"} {
		_, err := s.CreatePacticipant(ctx, broker.Pacticipant{Name: n})
		require.NoError(t, err)
	}
	_, err := s.CreateWebhook(ctx, broker.Webhook{Provider: "API", Definition: hookDef(broker.EventContractRequiringVerification)})
	require.NoError(t, err)
	publish := func(version string) broker.PublishResult {
		res, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Web", Version: version,
			Contracts: []broker.ContractInput{{Consumer: "Web", Provider: "API", Content: PactJSON("Web", "API", "a")}}})
		require.NoError(t, err)
		return res
	}
	picked := func(version string) map[string]string {
		ts, err := s.ListTriggeredWebhooks(ctx, broker.TriggeredFilter{ConsumerVersion: version}, broker.Page{})
		require.NoError(t, err)
		out := map[string]string{}
		for _, tr := range ts {
			require.Equal(t, broker.EventContractRequiringVerification, tr.Event)
			out[tr.ProviderVersion] = tr.ProviderVersionDescriptions
		}
		return out
	}
	// A provider with no main branch head, deployment or release: nothing
	// to verify with.
	publish("0")
	require.Empty(t, picked("0"))

	_, _, err = s.AddBranchVersion(ctx, "API", "main", "p0")
	require.NoError(t, err)
	_, _, err = s.AddBranchVersion(ctx, "API", "main", "p1")
	require.NoError(t, err)
	prod, err := s.CreateEnvironment(ctx, broker.Environment{Name: "prod", Production: true})
	require.NoError(t, err)
	_, _, err = s.RecordDeployment(ctx, "API", "p0", prod.UUID, "")
	require.NoError(t, err)
	_, _, err = s.RecordRelease(ctx, "API", "p1", prod.UUID)
	require.NoError(t, err)
	res := publish("1")
	require.Equal(t, map[string]string{"p1": "latest from main branch main, released in prod", "p0": "deployed in prod"}, picked("1"))

	// Once p1 verified the content, only p0 is asked.
	_, err = s.PublishVerification(ctx, broker.VerificationInput{Consumer: "Web", Provider: "API", PactSHA: res.Contracts[0].Pact.SHA, ProviderVersion: "p1", Success: false})
	require.NoError(t, err)
	publish("2")
	require.Equal(t, map[string]string{"p0": "deployed in prod"}, picked("2"))
}
