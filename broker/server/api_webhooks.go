package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/webhook"
)

// webhookEvents are the event names a webhook may subscribe to.
var webhookEvents = map[string]bool{
	"contract_published":                        true,
	"contract_content_changed":                  true,
	"contract_requiring_verification_published": true,
	"provider_verification_published":           true,
	"provider_verification_succeeded":           true,
	"provider_verification_failed":              true,
}

type webhookParty struct {
	Name  string `json:"name,omitempty"`
	Label string `json:"label,omitempty"`
}

type webhookBody struct {
	UUID        string        `json:"uuid,omitempty"`
	Description string        `json:"description,omitempty"`
	Consumer    *webhookParty `json:"consumer,omitempty"`
	Provider    *webhookParty `json:"provider,omitempty"`
	Enabled     *bool         `json:"enabled,omitempty"`
	Events      []struct {
		Name string `json:"name"`
	} `json:"events"`
	Request *struct {
		Method   string          `json:"method"`
		URL      string          `json:"url"`
		Headers  json.RawMessage `json:"headers,omitempty"`
		Body     json.RawMessage `json:"body,omitempty"`
		Username string          `json:"username,omitempty"`
		Password string          `json:"password,omitempty"`
	} `json:"request"`
}

// validate checks the definition; names of consumer and provider given in
// the body must exist.
func (s *server) validateWebhook(r *http.Request, b *webhookBody) error {
	fe := fieldErrors{}
	if b.Request == nil {
		fe.add("request", "is required")
	} else {
		if strings.TrimSpace(b.Request.Method) == "" {
			fe.add("request.method", "is required")
		}
		if strings.TrimSpace(b.Request.URL) == "" {
			fe.add("request.url", "is required")
		} else if u, err := url.Parse(strings.ReplaceAll(strings.ReplaceAll(b.Request.URL, "${", ""), "}", "")); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			fe.add("request.url", "must be an http or https URL, got %q", b.Request.URL)
		} else if strings.TrimSpace(b.Request.Method) != "" {
			var field *broker.FieldError
			if err := s.webhooks.Policy().CheckRequest(webhook.Request{Method: b.Request.Method, URL: b.Request.URL}); errors.As(err, &field) {
				fe.add(field.Field, "%s", field.Message)
			} else if err != nil {
				return err
			}
		}
		if len(b.Request.Headers) > 0 {
			var hs map[string]string
			if err := json.Unmarshal(b.Request.Headers, &hs); err != nil {
				fe.add("request.headers", "must be an object of strings: %v", err)
			}
		}
	}
	if len(b.Events) == 0 {
		fe.add("events", "at least one event is required")
	}
	for i, e := range b.Events {
		if !webhookEvents[e.Name] {
			fe.add(fmt.Sprintf("events[%d].name", i), "unknown event %q", e.Name)
		}
	}
	for field, p := range map[string]*webhookParty{"consumer": b.Consumer, "provider": b.Provider} {
		if p == nil || p.Name == "" {
			continue
		}
		if _, err := s.store.GetPacticipant(r.Context(), p.Name); errors.Is(err, broker.ErrNotFound) {
			fe.add(field+".name", "no pacticipant named %q", p.Name)
		} else if err != nil {
			return err
		}
	}
	return fe.errOrNil()
}

func partyName(p *webhookParty) string {
	if p == nil {
		return ""
	}
	return p.Name
}

// webhookJSON renders a stored webhook; the request password is never
// sent back.
func (u urls) webhookJSON(wh broker.Webhook) (map[string]any, error) {
	out := map[string]any{}
	if err := json.Unmarshal(wh.Definition, &out); err != nil {
		return nil, fmt.Errorf("decode stored webhook %s: %w", wh.UUID, err)
	}
	// Credentials are never sent back: not to readers, not in the
	// create response.
	webhook.RedactDefinition(out)
	if _, ok := out["enabled"]; !ok {
		out["enabled"] = true
	}
	out["uuid"] = wh.UUID
	out["createdAt"] = timeJSON(wh.CreatedAt)
	out["updatedAt"] = timeJSON(wh.UpdatedAt)
	self := u.href("webhooks", wh.UUID)
	l := links{
		"self":                  api.Link{Href: self, Title: webhookTitle(out)},
		"pb:webhooks":           api.Link{Href: u.href("webhooks"), Title: "All webhooks"},
		"pb:execute":            api.Link{Href: u.href("webhooks", wh.UUID, "execute"), Title: "Test the execution of the webhook with the latest matching pact or verification by sending a POST request to this URL"},
		"pb:triggered-webhooks": api.Link{Href: u.href("triggered-webhooks") + "?webhook=" + url.QueryEscape(wh.UUID), Title: "Executions of this webhook"},
	}
	if wh.Consumer != "" {
		l["pb:consumer"] = api.Link{Href: u.pacticipant(wh.Consumer), Name: wh.Consumer}
	}
	if wh.Provider != "" {
		l["pb:provider"] = api.Link{Href: u.pacticipant(wh.Provider), Name: wh.Provider}
	}
	out["_links"] = l
	return out, nil
}

func webhookTitle(def map[string]any) string {
	if d, ok := def["description"].(string); ok && d != "" {
		return d
	}
	return "Webhook"
}

func (s *server) readWebhook(r *http.Request) (broker.Webhook, error) {
	var b webhookBody
	if err := decodeJSON(r, &b); err != nil {
		return broker.Webhook{}, err
	}
	// Names in the path win over the body and must exist (404 otherwise).
	for _, pv := range []struct {
		key   string
		party **webhookParty
	}{{"consumer", &b.Consumer}, {"provider", &b.Provider}} {
		name := r.PathValue(pv.key)
		if name == "" {
			continue
		}
		if _, err := s.store.GetPacticipant(r.Context(), name); err != nil {
			return broker.Webhook{}, fmt.Errorf("%s %q: %w", pv.key, name, err)
		}
		*pv.party = &webhookParty{Name: name}
	}
	if err := s.validateWebhook(r, &b); err != nil {
		return broker.Webhook{}, err
	}
	b.UUID = ""
	def, err := json.Marshal(b)
	if err != nil {
		return broker.Webhook{}, err
	}
	if def, err = s.webhooks.Seal(def); err != nil {
		return broker.Webhook{}, err
	}
	return broker.Webhook{Consumer: partyName(b.Consumer), Provider: partyName(b.Provider), Definition: def}, nil
}

func (s *server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, err := s.readWebhook(r)
	if err != nil {
		return err
	}
	created, err := s.store.CreateWebhook(r.Context(), wh)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	body, err := u.webhookJSON(created)
	if err != nil {
		return err
	}
	w.Header().Set("Location", u.href("webhooks", created.UUID))
	writeJSON(w, http.StatusCreated, body)
	return nil
}

func (s *server) putWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, err := s.readWebhook(r)
	if err != nil {
		return err
	}
	wh.UUID = r.PathValue("uuid")
	if prev, err := s.store.GetWebhook(r.Context(), wh.UUID); err == nil {
		if wh.Definition, err = webhook.KeepRedacted(wh.Definition, prev.Definition); err != nil {
			return err
		}
	} else if !errors.Is(err, broker.ErrNotFound) {
		return err
	}
	saved, created, err := s.store.PutWebhook(r.Context(), wh)
	if err != nil {
		return err
	}
	body, err := s.urlsFor(r).webhookJSON(saved)
	if err != nil {
		return err
	}
	writeJSON(w, upsertStatus(created), body)
	return nil
}

func (s *server) getWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, err := s.store.GetWebhook(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	body, err := s.urlsFor(r).webhookJSON(wh)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeleteWebhook(r.Context(), r.PathValue("uuid")))
}

func (s *server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	f := broker.WebhookFilter{Consumer: r.PathValue("consumer"), Provider: r.PathValue("provider")}
	whs, err := s.store.ListWebhooks(r.Context(), f)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	refs := make([]api.Link, 0, len(whs))
	items := make([]map[string]any, 0, len(whs))
	for _, wh := range whs {
		body, err := u.webhookJSON(wh)
		if err != nil {
			return err
		}
		items = append(items, body)
		refs = append(refs, api.Link{Href: u.href("webhooks", wh.UUID), Title: webhookTitle(body), Name: wh.UUID})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_embedded": map[string]any{"webhooks": items},
		"_links": links{
			"self":        api.Link{Href: u.raw(r.URL.EscapedPath()), Title: "Webhooks"},
			"pb:create":   api.Link{Href: u.raw(r.URL.EscapedPath()), Title: "POST to create a webhook"},
			"pb:webhooks": refs,
		},
	})
	return nil
}

func (s *server) listIntegrations(w http.ResponseWriter, r *http.Request) error {
	page, err := pageFrom(r)
	if err != nil {
		return err
	}
	is, err := s.store.ListIntegrations(r.Context(), page)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	items := make([]map[string]any, 0, len(is))
	for _, in := range is {
		items = append(items, map[string]any{
			"consumer":            map[string]any{"name": in.Consumer, "_links": links{"self": api.Link{Href: u.pacticipant(in.Consumer)}}},
			"provider":            map[string]any{"name": in.Provider, "_links": links{"self": api.Link{Href: u.pacticipant(in.Provider)}}},
			"createdAt":           timeJSON(in.CreatedAt),
			"latestPactCreatedAt": timeJSON(in.LatestPactCreatedAt),
			"_links": links{
				"self":                   api.Link{Href: u.href("integrations", "provider", in.Provider, "consumer", in.Consumer)},
				"pb:latest-pact-version": api.Link{Href: u.href("pacts", "provider", in.Provider, "consumer", in.Consumer, "latest")},
			},
		})
	}
	l := links{"self": api.Link{Href: u.href("integrations")}}
	u.addPageLinks(r, page, len(is), l)
	writeJSON(w, http.StatusOK, map[string]any{
		"_embedded": map[string]any{"integrations": items},
		"_links":    l,
	})
	return nil
}

func (s *server) deleteIntegration(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeleteIntegration(r.Context(), r.PathValue("consumer"), r.PathValue("provider")))
}
