package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/webhook"
)

// webhookBadge maps a triggered webhook or integration webhook status to
// a badge class.
func webhookBadge(status string) string {
	switch status {
	case "success":
		return "success"
	case "failure":
		return "failed"
	case "pending", "retrying", "not_run":
		return "pending"
	default:
		return "plain"
	}
}

type webhookDefView struct {
	UUID, Description, Method, URL string
	Events                         []string
	Enabled                        bool
}

type attemptView struct {
	Number  int
	Success bool
	Status  int
	At      time.Time
	Log     string
}

type triggeredView struct {
	UUID, Event, Status, Badge       string
	ConsumerVersion, ProviderVersion string
	ConsumerVersionURL               string
	Attempts                         []attemptView
	AttemptsMade                     int
	Created, NextAttempt             time.Time
}

type webhooksData struct {
	Consumer, Provider       string
	ConsumerURL, ProviderURL string
	Status, StatusBadge      string
	Webhooks                 []webhookDefView
	Triggered                []triggeredView
	Pager                    pager
}

// webhooks is an integration's page of webhooks: the ones that apply to it
// and the triggered ones, newest first, with each attempt's log (already
// redacted when recorded).
func (h *handler) webhooks(r *http.Request) (*page, error) {
	n, err := pageNumber(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	c, p := r.PathValue("consumer"), r.PathValue("provider")
	for _, name := range []string{c, p} {
		if _, err := h.store.GetPacticipant(ctx, name); err != nil {
			return nil, wrapf(err, "pacticipant %q", name)
		}
	}
	d := webhooksData{Consumer: c, Provider: p, ConsumerURL: h.pacticipantLink(c), ProviderURL: h.pacticipantLink(p)}
	hooks, err := h.store.ListWebhooks(ctx, broker.WebhookFilter{})
	if err != nil {
		return nil, wrapf(err, "list webhooks")
	}
	for _, wh := range hooks {
		if ok, err := broker.WebhookApplies(ctx, h.store, wh, c, p); err != nil {
			return nil, wrapf(err, "labels of %q and %q", c, p)
		} else if !ok {
			continue
		}
		red, err := webhook.RedactDefinitionJSON(wh.Definition)
		if err != nil {
			continue
		}
		var def webhook.Definition
		if json.Unmarshal(red, &def) != nil {
			continue
		}
		v := webhookDefView{UUID: wh.UUID, Description: def.Description, Method: def.Request.Method, URL: def.Request.URL, Enabled: def.Enabled == nil || *def.Enabled}
		for _, e := range def.Events {
			v.Events = append(v.Events, e.Name)
		}
		d.Webhooks = append(d.Webhooks, v)
	}
	ts, err := h.store.ListTriggeredWebhooks(ctx, broker.TriggeredFilter{Consumer: c, Provider: p}, broker.Page{Offset: (n - 1) * listPerPage, Limit: listPerPage + 1})
	if err != nil {
		return nil, wrapf(err, "triggered webhooks")
	}
	more := len(ts) > listPerPage
	if more {
		ts = ts[:listPerPage]
	}
	if n == 1 {
		d.Status = broker.WebhookStatusOf(ts)
		d.StatusBadge = webhookBadge(d.Status)
	}
	for _, t := range ts {
		v := triggeredView{UUID: t.UUID, Event: t.Event, Status: strings.ReplaceAll(string(t.Status), "_", " "), Badge: webhookBadge(string(t.Status)),
			ConsumerVersion: t.ConsumerVersion, ProviderVersion: t.ProviderVersion, AttemptsMade: t.Attempts, Created: t.CreatedAt,
			ConsumerVersionURL: h.link("/pacticipants", c, "versions", t.ConsumerVersion)}
		if t.Status == broker.TriggerRetrying {
			v.NextAttempt = t.NextAttemptAt
		}
		if t.Attempts > 0 {
			_, as, err := h.store.GetTriggeredWebhook(ctx, t.UUID)
			if err != nil {
				return nil, wrapf(err, "triggered webhook %s", t.UUID)
			}
			for _, a := range as {
				v.Attempts = append(v.Attempts, attemptView{Number: a.Number, Success: a.Success, Status: a.StatusCode, At: a.StartedAt, Log: a.Log})
			}
		}
		d.Triggered = append(d.Triggered, v)
	}
	d.Pager = h.pagerFor(r, n, more)
	return &page{name: "webhooks", title: "Webhooks of " + c + " and " + p, nav: "integrations", data: d,
		json: h.link("/pacts/provider", p, "consumer", c, "webhooks", "status")}, nil
}
