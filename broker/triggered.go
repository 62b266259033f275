package broker

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
)

// Webhook event names (the Pact Broker's).
const (
	EventContractPublished             = "contract_published"
	EventContractContentChanged        = "contract_content_changed"
	EventContractRequiringVerification = "contract_requiring_verification_published"
	EventProviderVerificationPublished = "provider_verification_published"
	EventProviderVerificationSucceeded = "provider_verification_succeeded"
	EventProviderVerificationFailed    = "provider_verification_failed"
)

// TriggerStatus is the state of a triggered webhook.
type TriggerStatus string

// Trigger statuses, as the Pact Broker names them.
const (
	// TriggerNotRun: no attempt made yet.
	TriggerNotRun TriggerStatus = "not_run"
	// TriggerRetrying: at least one attempt failed, more are scheduled.
	TriggerRetrying TriggerStatus = "retrying"
	// TriggerSuccess: an attempt succeeded.
	TriggerSuccess TriggerStatus = "success"
	// TriggerFailure: every attempt failed (a dead webhook).
	TriggerFailure TriggerStatus = "failure"
)

// WebhookTrigger asks a write (PublishWrite.Webhooks,
// VerificationInput.Webhooks) to record a triggered webhook in the same
// transaction as the event. The Store fills in what the write created:
// the pact SHA of a publication, the verification number and provider
// version of a verification.
type WebhookTrigger struct {
	WebhookUUID string
	Event       string
	// Provider names the publication's pact the trigger is about (for
	// publications; the consumer is the publishing pacticipant).
	Provider string
	// ConsumerVersion is the consumer version the event is about.
	ConsumerVersion string
	// ProviderVersion and ProviderVersionDescriptions name the provider
	// version a contract_requiring_verification_published trigger asks to
	// verify, and why ("latest from main branch main, deployed in prod").
	ProviderVersion             string
	ProviderVersionDescriptions string
	// IfContentChanged records the trigger only when the publication
	// changed the pact's content (publications): see the Store's
	// PublishContracts for the rule (contract_content_changed).
	IfContentChanged bool
}

// TriggeredWebhook is one execution of a webhook for one event, with its
// retry state. Versions and names are kept as text so that a trigger
// outlives the rows it was about.
type TriggeredWebhook struct {
	UUID            string
	WebhookUUID     string
	Event           string
	Consumer        string
	Provider        string
	ConsumerVersion string
	ProviderVersion string
	// ProviderVersionDescriptions say why ProviderVersion was picked
	// (contract_requiring_verification_published).
	ProviderVersionDescriptions string
	PactSHA                     string
	// VerificationNumber is the verification that triggered it (0 for
	// publications).
	VerificationNumber int
	Status             TriggerStatus
	// Attempts is the number of attempts made.
	Attempts int
	// NextAttemptAt is when the next attempt is due (the creation time
	// before the first one, which waits the worker's delay).
	NextAttemptAt time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// WebhookAttempt is the log of one attempt of a triggered webhook. Log
// is the request and response as text, with credentials already redacted.
type WebhookAttempt struct {
	Number     int
	Success    bool
	StatusCode int
	Log        string
	StartedAt  time.Time
	Duration   time.Duration
}

// AttemptResult completes a claimed attempt (Store.CompleteWebhookAttempt).
type AttemptResult struct {
	Attempt WebhookAttempt
	// Status is the trigger's new status.
	Status TriggerStatus
	// NextAttemptAt is when to retry (Status TriggerRetrying).
	NextAttemptAt time.Time
}

// TriggeredFilter restricts ListTriggeredWebhooks; empty fields match any.
type TriggeredFilter struct {
	Consumer        string
	Provider        string
	ConsumerVersion string
	// PactSHA and VerificationNumber select the triggers of one
	// verification (both set).
	PactSHA            string
	VerificationNumber int
	WebhookUUID        string
	Status             TriggerStatus
}

// WebhookQueueStats counts triggered webhooks by state, for /metrics.
type WebhookQueueStats struct {
	// Pending are not run or retrying.
	Pending int
	// Dead have failed every attempt.
	Dead int
}

// Claim asks Store.ClaimTriggeredWebhooks for due triggers.
type Claim struct {
	// Now is the claiming worker's time: retries due at or before it are
	// claimed.
	Now time.Time
	// FirstDue claims never-run triggers created at or before it (Now
	// minus the worker's delay).
	FirstDue time.Time
	// Token identifies this claim; CompleteWebhookAttempt must present it.
	Token string
	// Until is when the lease ends: no other claim takes the trigger
	// before, so one attempt runs once.
	Until time.Time
	// Limit caps the number claimed.
	Limit int
}

// WebhookQueue is the persistence of triggered webhooks (part of Store).
type WebhookQueue interface {
	// ClaimTriggeredWebhooks leases up to c.Limit due triggers (not run and
	// created at or before c.FirstDue, or retrying and due at c.Now) whose
	// lease is absent or ended, oldest due first, to c.Token until
	// c.Until. Concurrent claims never return the same trigger.
	ClaimTriggeredWebhooks(ctx context.Context, c Claim) ([]TriggeredWebhook, error)
	// CompleteWebhookAttempt records attempt r of trigger uuid claimed with
	// token, sets its status and next attempt, and ends the lease.
	// ErrStale: the lease is not token's any more (nothing written).
	// ErrNotFound: no such trigger.
	CompleteWebhookAttempt(ctx context.Context, uuid, token string, r AttemptResult) error
	// GetTriggeredWebhook returns a trigger with its attempts, oldest
	// first. ErrNotFound.
	GetTriggeredWebhook(ctx context.Context, uuid string) (TriggeredWebhook, []WebhookAttempt, error)
	// ListTriggeredWebhooks lists triggers matching f, newest first.
	ListTriggeredWebhooks(ctx context.Context, f TriggeredFilter, page Page) ([]TriggeredWebhook, error)
	// WebhookQueueStats counts pending and dead triggers.
	WebhookQueueStats(ctx context.Context) (WebhookQueueStats, error)
}

// webhookSpec is the part of a webhook definition that decides when it
// fires.
type webhookSpec struct {
	Enabled  *bool `json:"enabled"`
	Consumer *struct {
		Label string `json:"label"`
	} `json:"consumer"`
	Provider *struct {
		Label string `json:"label"`
	} `json:"provider"`
	Events []struct {
		Name string `json:"name"`
	} `json:"events"`
}

func (w Webhook) spec() (webhookSpec, bool) {
	var spec webhookSpec
	if json.Unmarshal(w.Definition, &spec) != nil || (spec.Enabled != nil && !*spec.Enabled) {
		return spec, false
	}
	return spec, true
}

// subscribed returns the events w fires on, none when disabled.
func (w Webhook) subscribed() []string {
	spec, ok := w.spec()
	if !ok {
		return nil
	}
	var out []string
	for _, e := range spec.Events {
		out = append(out, e.Name)
	}
	return out
}

// labelsOf returns pacticipants' label names, read once per event: a
// webhook given a consumer or provider label applies to the pacticipants
// that have the label at the time of the event.
type labelsOf struct {
	store Labels
	seen  map[string][]string
}

func (l *labelsOf) has(ctx context.Context, pacticipant, label string) (bool, error) {
	names, ok := l.seen[pacticipant]
	if !ok {
		ls, err := l.store.ListLabels(ctx, pacticipant)
		if err != nil {
			return false, err
		}
		names = LabelNames(ls)
		if l.seen == nil {
			l.seen = map[string][]string{}
		}
		l.seen[pacticipant] = names
	}
	return slices.Contains(names, label), nil
}

// applies reports whether w applies to the integration: its consumer and
// provider are the ones w names, or have the labels w gives, or w gives
// neither (any).
func (w Webhook) applies(ctx context.Context, labels *labelsOf, consumer, provider string) (bool, error) {
	if (w.Consumer != "" && w.Consumer != consumer) || (w.Provider != "" && w.Provider != provider) {
		return false, nil
	}
	spec, _ := w.spec()
	for _, c := range []struct{ label, pacticipant string }{{labelOf(spec.Consumer), consumer}, {labelOf(spec.Provider), provider}} {
		if c.label == "" {
			continue
		}
		if ok, err := labels.has(ctx, c.pacticipant, c.label); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// WebhookApplies reports whether w applies to the integration between
// consumer and provider: it names them, or gives labels they have now, or
// neither (it applies to every integration). Whether it is enabled and
// its events are not considered.
func WebhookApplies(ctx context.Context, labels Labels, w Webhook, consumer, provider string) (bool, error) {
	return w.applies(ctx, &labelsOf{store: labels}, consumer, provider)
}

func labelOf(p *struct {
	Label string `json:"label"`
}) string {
	if p == nil {
		return ""
	}
	return p.Label
}

// publicationTriggers decides the webhooks a publication triggers:
// contract_published for every pact, contract_content_changed for a pact
// whose content the publication changed.
func (s *Service) publicationTriggers(ctx context.Context, hooks []Webhook, labels *labelsOf, w PublishWrite) ([]WebhookTrigger, error) {
	var out []WebhookTrigger
	for _, p := range w.Pacts {
		for _, h := range hooks {
			events := h.subscribed()
			if !slices.Contains(events, EventContractPublished) && !slices.Contains(events, EventContractContentChanged) {
				continue
			}
			if ok, err := h.applies(ctx, labels, w.Pacticipant, p.Provider); err != nil {
				return nil, err
			} else if !ok {
				continue
			}
			if slices.Contains(events, EventContractPublished) {
				out = append(out, WebhookTrigger{WebhookUUID: h.UUID, Event: EventContractPublished, Provider: p.Provider, ConsumerVersion: w.Version})
			}
			if slices.Contains(events, EventContractContentChanged) {
				out = append(out, WebhookTrigger{WebhookUUID: h.UUID, Event: EventContractContentChanged, Provider: p.Provider, ConsumerVersion: w.Version, IfContentChanged: true})
			}
		}
	}
	return out, nil
}

// providerVersionToVerify is a provider version a new contract should be
// verified by, with the reasons it was picked.
type providerVersionToVerify struct {
	number       string
	descriptions []string
}

// versionsRequiringVerification returns the provider versions that are
// the head of the provider's main branch, currently deployed, or released
// and supported, and have not verified content sha (the Pact Broker's
// contract_requiring_verification_published), reasons merged per version.
func (s *Service) versionsRequiringVerification(ctx context.Context, consumer, provider, sha string) ([]providerVersionToVerify, error) {
	var out []providerVersionToVerify
	add := func(number, why string) {
		for i := range out {
			if out[i].number == number {
				out[i].descriptions = append(out[i].descriptions, why)
				return
			}
		}
		out = append(out, providerVersionToVerify{number: number, descriptions: []string{why}})
	}
	p, err := s.Store.GetPacticipant(ctx, provider)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if p.MainBranch != "" {
		b, err := s.Store.GetBranch(ctx, provider, p.MainBranch)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if err == nil && b.Head != "" {
			add(b.Head, "latest from main branch "+p.MainBranch)
		}
	}
	deployed, err := s.Store.ListDeployedVersions(ctx, DeploymentFilter{Pacticipant: provider, CurrentOnly: true})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	for _, d := range deployed {
		add(d.Version, "deployed in "+d.EnvironmentName)
	}
	released, err := s.Store.ListReleasedVersions(ctx, DeploymentFilter{Pacticipant: provider, CurrentOnly: true})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	for _, r := range released {
		add(r.Version, "released in "+r.EnvironmentName)
	}
	if len(out) == 0 {
		return nil, nil
	}
	verified := map[string]bool{}
	vs, err := s.Store.ListVerifications(ctx, consumer, provider, sha, Page{Limit: MaxPageSize})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	for _, v := range vs {
		verified[v.ProviderVersion] = true
	}
	kept := out[:0]
	for _, pv := range out {
		if !verified[pv.number] {
			kept = append(kept, pv)
		}
	}
	return kept, nil
}

// requiringVerificationTriggers adds a
// contract_requiring_verification_published trigger per provider version
// to verify, for each pact of w and each webhook subscribed to it.
func (s *Service) requiringVerificationTriggers(ctx context.Context, hooks []Webhook, labels *labelsOf, w PublishWrite) ([]WebhookTrigger, error) {
	var out []WebhookTrigger
	for _, p := range w.Pacts {
		var subscribed []Webhook
		for _, h := range hooks {
			if !slices.Contains(h.subscribed(), EventContractRequiringVerification) {
				continue
			}
			if ok, err := h.applies(ctx, labels, w.Pacticipant, p.Provider); err != nil {
				return nil, err
			} else if ok {
				subscribed = append(subscribed, h)
			}
		}
		if len(subscribed) == 0 {
			continue
		}
		pvs, err := s.versionsRequiringVerification(ctx, w.Pacticipant, p.Provider, p.SHA)
		if err != nil {
			return nil, err
		}
		for _, h := range subscribed {
			for _, pv := range pvs {
				out = append(out, WebhookTrigger{WebhookUUID: h.UUID, Event: EventContractRequiringVerification, Provider: p.Provider,
					ConsumerVersion: w.Version, ProviderVersion: pv.number, ProviderVersionDescriptions: strings.Join(pv.descriptions, ", ")})
			}
		}
	}
	return out, nil
}

// verificationTriggers decides the webhooks a verification triggers: for
// each consumer version, provider_verification_published and
// _succeeded or _failed.
func verificationTriggers(ctx context.Context, hooks []Webhook, labels *labelsOf, in VerificationInput, consumerVersions []string) ([]WebhookTrigger, error) {
	outcome := EventProviderVerificationFailed
	if in.Success {
		outcome = EventProviderVerificationSucceeded
	}
	var applying []Webhook
	for _, h := range hooks {
		events := h.subscribed()
		if !slices.Contains(events, EventProviderVerificationPublished) && !slices.Contains(events, outcome) {
			continue
		}
		if ok, err := h.applies(ctx, labels, in.Consumer, in.Provider); err != nil {
			return nil, err
		} else if ok {
			applying = append(applying, h)
		}
	}
	var out []WebhookTrigger
	for _, cv := range consumerVersions {
		for _, h := range applying {
			for _, e := range h.subscribed() {
				if e == EventProviderVerificationPublished || e == outcome {
					out = append(out, WebhookTrigger{WebhookUUID: h.UUID, Event: e, Provider: in.Provider, ConsumerVersion: cv})
				}
			}
		}
	}
	return out, nil
}

// WebhookStatusOf summarises an integration's latest triggered webhooks
// (newest first) for its index line: "none", "success", "failure", or
// "pending" while one is not run yet or retrying, judged on the triggers
// of the newest event.
func WebhookStatusOf(newestFirst []TriggeredWebhook) string {
	if len(newestFirst) == 0 {
		return "none"
	}
	status := "success"
	for _, t := range newestFirst {
		if !t.CreatedAt.Equal(newestFirst[0].CreatedAt) {
			break
		}
		switch t.Status {
		case TriggerFailure:
			return "failure"
		case TriggerNotRun, TriggerRetrying:
			status = "pending"
		}
	}
	return status
}
