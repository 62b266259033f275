package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/webhook"
	"github.com/prometheus/client_golang/prometheus"
)

// registerWebhookMetrics exports the runner's attempt counts and the
// queue's pending and dead counts (read from the store at scrape time).
func (s *server) registerWebhookMetrics() {
	r := s.webhooks
	counter := func(outcome string, pick func(webhook.AttemptCounts) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "contracts_webhook_attempts_total",
			Help:        "Webhook attempts by this process, by outcome: success, retry (failed, will be retried), failure (failed, no retry left).",
			ConstLabels: prometheus.Labels{"outcome": outcome},
		}, func() float64 { return float64(pick(r.AttemptCounts())) })
	}
	queue := func(name, help string, pick func(broker.WebhookQueueStats) int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			st, err := s.store.WebhookQueueStats(ctx)
			if err != nil {
				s.log.Warn("webhook queue stats", "err", err)
				return -1
			}
			return float64(pick(st))
		})
	}
	s.metrics.registry.MustRegister(
		counter("success", func(c webhook.AttemptCounts) uint64 { return c.Success }),
		counter("retry", func(c webhook.AttemptCounts) uint64 { return c.Retry }),
		counter("failure", func(c webhook.AttemptCounts) uint64 { return c.Failure }),
		queue("contracts_webhook_queue_pending", "Triggered webhooks not run yet or retrying.", func(st broker.WebhookQueueStats) int { return st.Pending }),
		queue("contracts_webhook_dead", "Triggered webhooks whose every attempt failed.", func(st broker.WebhookQueueStats) int { return st.Dead }),
	)
}

// executionJSON is the Pact Broker's webhook execution result, with
// credentials redacted.
func (u urls) executionJSON(uuid string, res webhook.Result) map[string]any {
	out := map[string]any{
		"success": res.Success,
		"logs":    res.Log(),
		"request": map[string]any{"method": res.Request.Method, "url": res.Request.URL, "headers": res.Request.Headers, "body": res.Request.Body},
	}
	if res.Response != nil {
		out["response"] = map[string]any{"status": res.Response.Status, "headers": res.Response.Headers, "body": res.Response.Body}
	}
	if res.Error != "" {
		out["error"] = map[string]any{"message": res.Error}
	}
	l := links{}
	if uuid != "" {
		l["webhook"] = api.Link{Href: u.href("webhooks", uuid), Title: "Webhook"}
		l["try-again"] = api.Link{Href: u.href("webhooks", uuid, "execute"), Title: "Execute the webhook again"}
	}
	out["_links"] = l
	return out
}

// sampleEvent is what an executed (tested) webhook is run for: the latest
// pact of an integration it applies to, or placeholders.
func (s *server) sampleEvent(r *http.Request, wh broker.Webhook, def webhook.Definition) (broker.TriggeredWebhook, error) {
	t := broker.TriggeredWebhook{Event: broker.EventContractPublished, Consumer: wh.Consumer, Provider: wh.Provider}
	if len(def.Events) > 0 {
		t.Event = def.Events[0].Name
	}
	sums, err := s.store.ListIntegrationSummaries(r.Context(), broker.Page{Limit: broker.MaxPageSize})
	if err != nil {
		return t, err
	}
	for _, in := range sums {
		if in.LatestPact == nil {
			continue
		}
		if ok, err := broker.WebhookApplies(r.Context(), s.store, wh, in.Consumer, in.Provider); err != nil {
			return t, err
		} else if !ok {
			continue
		}
		t.Consumer, t.Provider, t.ConsumerVersion, t.PactSHA = in.Consumer, in.Provider, in.LatestPact.ConsumerVersion, in.LatestPact.SHA
		if in.LatestVerification != nil {
			t.ProviderVersion, t.VerificationNumber = in.LatestVerification.ProviderVersion, in.LatestVerification.Number
		}
		return t, nil
	}
	if t.Consumer == "" {
		t.Consumer = "consumer"
	}
	if t.Provider == "" {
		t.Provider = "provider"
	}
	return t, nil
}

func (s *server) execute(w http.ResponseWriter, r *http.Request, wh broker.Webhook) error {
	def, err := s.webhooks.Definition(wh)
	if err != nil {
		return err
	}
	if err := s.webhooks.Policy().CheckRequest(def.Request); err != nil {
		return err
	}
	t, err := s.sampleEvent(r, wh, def)
	if err != nil {
		return err
	}
	res, err := s.webhooks.Execute(r.Context(), def, t)
	if err != nil {
		return err
	}
	s.log.Info("webhook executed", "webhook", wh.UUID, "status", res.StatusCode(), "success", res.Success, "error", res.Error)
	writeJSON(w, http.StatusOK, s.urlsFor(r).executionJSON(wh.UUID, res))
	return nil
}

// executeWebhook runs a stored webhook once now (the Pact Broker's
// pb:execute), recording nothing.
func (s *server) executeWebhook(w http.ResponseWriter, r *http.Request) error {
	if r.PathValue("action") != "execute" {
		s.unrouted(w, r)
		return nil
	}
	wh, err := s.store.GetWebhook(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	return s.execute(w, r, wh)
}

// testWebhook runs an unsaved definition once now.
func (s *server) testWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, err := s.readWebhook(r)
	if err != nil {
		return err
	}
	return s.execute(w, r, wh)
}

func (u urls) triggeredJSON(t broker.TriggeredWebhook) map[string]any {
	out := map[string]any{
		"uuid": t.UUID, "eventName": t.Event, "status": string(t.Status), "attemptsMade": t.Attempts,
		"consumerName": t.Consumer, "providerName": t.Provider, "consumerVersionNumber": t.ConsumerVersion,
		"providerVersionNumber": t.ProviderVersion, "pactVersionSha": t.PactSHA,
		"createdAt": timeJSON(t.CreatedAt), "updatedAt": timeJSON(t.UpdatedAt),
		"_links": links{
			"self":       api.Link{Href: u.href("triggered-webhooks", t.UUID), Title: "Triggered webhook"},
			"pb:logs":    api.Link{Href: u.href("triggered-webhooks", t.UUID, "logs"), Title: "Webhook execution logs"},
			"pb:webhook": api.Link{Href: u.href("webhooks", t.WebhookUUID), Title: "Webhook"},
		},
	}
	if t.Status == broker.TriggerRetrying {
		out["nextAttemptAt"] = timeJSON(t.NextAttemptAt)
	}
	return out
}

func (s *server) withRemaining(item map[string]any, t broker.TriggeredWebhook) map[string]any {
	left := 0
	if t.Status == broker.TriggerNotRun || t.Status == broker.TriggerRetrying {
		left = 1 + s.webhooks.Retries() - t.Attempts
	}
	item["attemptsRemaining"] = max(left, 0)
	return item
}

func (s *server) writeTriggered(w http.ResponseWriter, r *http.Request, f broker.TriggeredFilter, title string) error {
	page, err := pageFrom(r)
	if err != nil {
		return err
	}
	ts, err := s.store.ListTriggeredWebhooks(r.Context(), f, page)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	items := make([]map[string]any, 0, len(ts))
	for _, t := range ts {
		items = append(items, s.withRemaining(u.triggeredJSON(t), t))
	}
	l := links{"self": api.Link{Href: u.raw(r.URL.EscapedPath()), Title: title}}
	u.addPageLinks(r, page, len(ts), l)
	writeJSON(w, http.StatusOK, map[string]any{"_embedded": map[string]any{"triggeredWebhooks": items}, "_links": l})
	return nil
}

// listTriggered lists triggered webhooks; ?status=failure is the dead
// list.
func (s *server) listTriggered(w http.ResponseWriter, r *http.Request) error {
	f := broker.TriggeredFilter{Status: broker.TriggerStatus(r.URL.Query().Get("status")), WebhookUUID: r.URL.Query().Get("webhook")}
	switch f.Status {
	case "", broker.TriggerNotRun, broker.TriggerRetrying, broker.TriggerSuccess, broker.TriggerFailure:
	default:
		return invalid("status", "must be not_run, retrying, success or failure, got %q", f.Status)
	}
	return s.writeTriggered(w, r, f, "Triggered webhooks")
}

func (s *server) listDeadWebhooks(w http.ResponseWriter, r *http.Request) error {
	return s.writeTriggered(w, r, broker.TriggeredFilter{Status: broker.TriggerFailure}, "Dead webhooks: every attempt failed")
}

func (s *server) triggeredForConsumerVersion(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.store.GetVersion(r.Context(), r.PathValue("consumer"), r.PathValue("version")); err != nil {
		return err
	}
	return s.writeTriggered(w, r, broker.TriggeredFilter{Consumer: r.PathValue("consumer"), Provider: r.PathValue("provider"), ConsumerVersion: r.PathValue("version")},
		"Webhooks triggered by the publication")
}

func (s *server) triggeredForVerification(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		return fmt.Errorf("verification %q: %w", r.PathValue("n"), broker.ErrNotFound)
	}
	if _, err := s.store.GetVerification(r.Context(), r.PathValue("consumer"), r.PathValue("provider"), r.PathValue("sha"), n); err != nil {
		return err
	}
	return s.writeTriggered(w, r, broker.TriggeredFilter{Consumer: r.PathValue("consumer"), Provider: r.PathValue("provider"), PactSHA: r.PathValue("sha"), VerificationNumber: n},
		"Webhooks triggered by the verification")
}

func (s *server) getTriggered(w http.ResponseWriter, r *http.Request) error {
	t, _, err := s.store.GetTriggeredWebhook(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.withRemaining(s.urlsFor(r).triggeredJSON(t), t))
	return nil
}

// triggeredLogs is the Pact Broker's /triggered-webhooks/{uuid}/logs: one
// entry per attempt, already redacted when recorded.
func (s *server) triggeredLogs(w http.ResponseWriter, r *http.Request) error {
	t, as, err := s.store.GetTriggeredWebhook(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	execs := make([]map[string]any, 0, len(as))
	for _, a := range as {
		execs = append(execs, map[string]any{"attempt": a.Number, "success": a.Success, "status": a.StatusCode, "logs": a.Log,
			"createdAt": timeJSON(a.StartedAt), "durationMillis": a.Duration.Milliseconds()})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_embedded":  map[string]any{"triggeredWebhook": s.withRemaining(u.triggeredJSON(t), t)},
		"executions": execs,
		"_links":     links{"self": api.Link{Href: u.href("triggered-webhooks", t.UUID, "logs"), Title: "Triggered webhook logs"}},
	})
	return nil
}

// webhookStatus is the Pact Broker's /pacts/provider/{p}/consumer/{c}/webhooks/status.
func (s *server) webhookStatus(w http.ResponseWriter, r *http.Request) error {
	c, p := r.PathValue("consumer"), r.PathValue("provider")
	ts, err := s.store.ListTriggeredWebhooks(r.Context(), broker.TriggeredFilter{Consumer: c, Provider: p}, broker.Page{Limit: 100})
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	summary := map[string]int{"successful": 0, "failed": 0, "notRun": 0, "retrying": 0}
	items := make([]map[string]any, 0, len(ts))
	for _, t := range ts {
		switch t.Status {
		case broker.TriggerSuccess:
			summary["successful"]++
		case broker.TriggerFailure:
			summary["failed"]++
		case broker.TriggerRetrying:
			summary["retrying"]++
		default:
			summary["notRun"]++
		}
		items = append(items, s.withRemaining(u.triggeredJSON(t), t))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"summary":   summary,
		"status":    broker.WebhookStatusOf(ts),
		"_embedded": map[string]any{"triggeredWebhooks": items},
		"_links": links{
			"self":        api.Link{Href: u.href("pacts", "provider", p, "consumer", c, "webhooks", "status"), Title: "Webhook status"},
			"pb:webhooks": api.Link{Href: u.href("webhooks", "provider", p, "consumer", c), Title: "Webhooks for the integration"},
		},
	})
	return nil
}
