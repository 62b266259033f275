package webhook

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contracts-dev/contracts/broker"
)

// Defaults of Config (the Pact Broker's retry schedule).
var (
	DefaultDelay         = 5 * time.Second
	DefaultTimeout       = 15 * time.Second
	DefaultRetrySchedule = []time.Duration{10 * time.Second, 60 * time.Second, 120 * time.Second, 300 * time.Second, 600 * time.Second, 1200 * time.Second}
)

// Config configures a Runner.
type Config struct {
	Executor
	// Delay is how long a triggered webhook waits before its first attempt.
	Delay time.Duration
	// Retry is the wait before each retry; its length is the number of
	// retries.
	Retry []time.Duration
	// BaseURL is the broker's absolute URL, for pactUrl and
	// verificationResultUrl.
	BaseURL string
	// Concurrency is the number of attempts run at once (default 4).
	Concurrency int
	// Sealer, when set, encrypts credentials at rest (see Seal and Open).
	Sealer *Sealer
	// Poll is how often Run looks for due webhooks (default 1s).
	Poll   time.Duration
	Logger *slog.Logger
}

// Runner works the queue of triggered webhooks of a store. Several
// runners (replicas) may share a store: each attempt is leased to one.
type Runner struct {
	store broker.Store
	cfg   Config
	log   *slog.Logger
	// counts of attempts by outcome: success, retry, failure
	success, retry, failure atomic.Uint64
}

// AttemptCounts are the attempts made since the runner started, by
// outcome: succeeded, failed with a retry left, failed for good.
type AttemptCounts struct {
	Success, Retry, Failure uint64
}

// NewRunner returns a Runner over store.
func NewRunner(store broker.Store, cfg Config) *Runner {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{store: store, cfg: cfg, log: log}
}

// AttemptCounts returns the attempts made so far by outcome (for
// /metrics).
func (r *Runner) AttemptCounts() AttemptCounts {
	return AttemptCounts{Success: r.success.Load(), Retry: r.retry.Load(), Failure: r.failure.Load()}
}

// Run works the queue every Poll until ctx ends; it then waits for the
// attempts in flight.
func (r *Runner) Run(ctx context.Context) {
	t := time.NewTicker(r.cfg.Poll)
	defer t.Stop()
	for {
		if _, err := r.RunDue(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("webhook queue", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDue runs every attempt due now (by the clock) and returns how many
// it ran. Attempts run Concurrency at a time, each leased for the
// attempt's timeout plus a margin.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	var (
		mu    sync.Mutex
		n     int
		first error
		wg    sync.WaitGroup
	)
	for range r.cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				ran, err := r.runOne(ctx)
				mu.Lock()
				if ran {
					n++
				}
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
				if !ran || err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	return n, first
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// runOne claims one due trigger and attempts it.
func (r *Runner) runOne(ctx context.Context) (bool, error) {
	now := r.cfg.Now()
	token := newToken()
	ts, err := r.store.ClaimTriggeredWebhooks(ctx, broker.Claim{
		Now: now, FirstDue: now.Add(-r.cfg.Delay), Token: token,
		Until: now.Add(r.cfg.Timeout + time.Minute), Limit: 1,
	})
	if err != nil || len(ts) == 0 {
		return false, err
	}
	t := ts[0]
	// A claimed attempt finishes even when ctx ends (shutdown): its
	// timeout bounds it, and its outcome is recorded.
	ctx = context.WithoutCancel(ctx)
	res := r.attempt(ctx, t)
	out := broker.AttemptResult{Attempt: broker.WebhookAttempt{
		Success: res.Success, StatusCode: res.StatusCode(), Log: res.Log(), StartedAt: res.StartedAt, Duration: res.Duration,
	}}
	outcome := "success"
	switch made := t.Attempts + 1; {
	case res.Success:
		out.Status = broker.TriggerSuccess
	case made <= len(r.cfg.Retry):
		out.Status, out.NextAttemptAt, outcome = broker.TriggerRetrying, r.cfg.Now().Add(r.cfg.Retry[made-1]), "retry"
	default:
		out.Status, outcome = broker.TriggerFailure, "failure"
	}
	if err := r.store.CompleteWebhookAttempt(ctx, t.UUID, token, out); err != nil {
		return true, fmt.Errorf("record attempt of triggered webhook %s: %w", t.UUID, err)
	}
	map[string]*atomic.Uint64{"success": &r.success, "retry": &r.retry, "failure": &r.failure}[outcome].Add(1)
	// Logged without the request or response: they may hold contract
	// contents; the redacted log is readable through the API.
	r.log.Info("webhook attempt", "triggered_webhook", t.UUID, "webhook", t.WebhookUUID, "event", t.Event,
		"attempt", t.Attempts+1, "status", res.StatusCode(), "outcome", outcome, "error", res.Error)
	return true, nil
}

// attempt renders and makes the request of trigger t.
func (r *Runner) attempt(ctx context.Context, t broker.TriggeredWebhook) Result {
	start := r.cfg.Now()
	failed := func(err error) Result {
		return Result{Error: err.Error(), StartedAt: start}
	}
	wh, err := r.store.GetWebhook(ctx, t.WebhookUUID)
	if err != nil {
		return failed(fmt.Errorf("load webhook: %w", err))
	}
	def, err := r.Definition(wh)
	if err != nil {
		return failed(err)
	}
	vars, err := r.Variables(ctx, t)
	if err != nil {
		return failed(fmt.Errorf("template variables: %w", err))
	}
	rendered, err := Render(def.Request, vars)
	if err != nil {
		return failed(err)
	}
	return r.cfg.Executor.Do(ctx, rendered)
}

// Execute runs webhook wh once now for the event t describes, outside the
// queue (the API's execute and test-execute), and records nothing.
func (r *Runner) Execute(ctx context.Context, def Definition, t broker.TriggeredWebhook) (Result, error) {
	vars, err := r.Variables(ctx, t)
	if err != nil {
		return Result{}, err
	}
	rendered, err := Render(def.Request, vars)
	if err != nil {
		return Result{}, err
	}
	return r.cfg.Executor.Do(ctx, rendered), nil
}

// Seal encrypts a definition's credentials for storage when the runner
// has a Sealer.
func (r *Runner) Seal(def json.RawMessage) (json.RawMessage, error) { return r.cfg.Sealer.Seal(def) }

// Definition decrypts and decodes a stored webhook's definition.
func (r *Runner) Definition(wh broker.Webhook) (Definition, error) {
	def, err := r.cfg.Sealer.Open(wh.Definition)
	if err != nil {
		return Definition{}, fmt.Errorf("webhook %s: %w", wh.UUID, err)
	}
	return ParseDefinition(def)
}

// Retries is the number of retries after a first failed attempt.
func (r *Runner) Retries() int { return len(r.cfg.Retry) }

// Policy returns the runner's request policy.
func (r *Runner) Policy() Policy { return r.cfg.Policy }

// Variables computes the template variables for trigger t; what does not
// exist renders empty.
func (r *Runner) Variables(ctx context.Context, t broker.TriggeredWebhook) (Variables, error) {
	v := Variables{
		"consumerName": t.Consumer, "providerName": t.Provider, "consumerVersionNumber": t.ConsumerVersion,
		"providerVersionNumber": t.ProviderVersion, "eventName": t.Event,
		"providerVersionDescriptions": t.ProviderVersionDescriptions,
	}
	base := strings.TrimSuffix(r.cfg.BaseURL, "/")
	seg := url.PathEscape
	pactBase := base + "/pacts/provider/" + seg(t.Provider) + "/consumer/" + seg(t.Consumer) + "/pact-version/" + seg(t.PactSHA)
	if t.PactSHA != "" {
		v["pactUrl"] = pactBase
		if t.ConsumerVersion != "" {
			meta := base64.RawURLEncoding.EncodeToString([]byte("cvn=" + url.QueryEscape(t.ConsumerVersion)))
			v["pactUrl"] = pactBase + "/metadata/" + meta
		}
	}
	if t.ConsumerVersion != "" {
		cv, err := r.store.GetVersion(ctx, t.Consumer, t.ConsumerVersion)
		if err == nil {
			v["consumerVersionTags"] = strings.Join(cv.Tags, ", ")
			if len(cv.Branches) > 0 {
				v["consumerVersionBranch"] = cv.Branches[len(cv.Branches)-1]
			}
			v["buildUrl"] = cv.BuildURL
		} else if !errors.Is(err, broker.ErrNotFound) {
			return nil, err
		}
	}
	var ver *broker.Verification
	switch {
	case t.VerificationNumber > 0:
		got, err := r.store.GetVerification(ctx, t.Consumer, t.Provider, t.PactSHA, t.VerificationNumber)
		if err == nil {
			ver = &got
		} else if !errors.Is(err, broker.ErrNotFound) {
			return nil, err
		}
	case t.PactSHA != "":
		got, err := r.store.LatestVerification(ctx, t.Consumer, t.Provider, t.PactSHA)
		if err == nil {
			ver = &got
		} else if !errors.Is(err, broker.ErrNotFound) {
			return nil, err
		}
	}
	if ver != nil {
		v["verificationResultUrl"] = fmt.Sprintf("%s/verification-results/%d", pactBase, ver.Number)
		if t.VerificationNumber > 0 {
			v["buildUrl"] = ver.BuildURL
		}
	}
	for k, s := range statuses(ver) {
		v[k] = s
	}
	if t.ProviderVersion != "" {
		pv, err := r.store.GetVersion(ctx, t.Provider, t.ProviderVersion)
		if err == nil {
			v["providerVersionTags"] = strings.Join(pv.Tags, ", ")
			if len(pv.Branches) > 0 {
				v["providerVersionBranch"] = pv.Branches[len(pv.Branches)-1]
			}
		} else if !errors.Is(err, broker.ErrNotFound) {
			return nil, err
		}
	}
	// The pacticipants' labels as they are when the webhook runs, as the
	// Pact Broker renders them.
	for key, name := range map[string]string{"consumerLabels": t.Consumer, "providerLabels": t.Provider} {
		if name == "" {
			continue
		}
		ls, err := r.store.ListLabels(ctx, name)
		if err != nil {
			return nil, err
		}
		v[key] = strings.Join(broker.LabelNames(ls), ", ")
	}
	if t.Provider != "" {
		deployed, err := r.store.ListDeployedVersions(ctx, broker.DeploymentFilter{Pacticipant: t.Provider, CurrentOnly: true})
		if err != nil && !errors.Is(err, broker.ErrNotFound) {
			return nil, err
		}
		var nums []string
		for _, d := range deployed {
			nums = append(nums, d.Version)
		}
		v["currentlyDeployedProviderVersionNumber"] = strings.Join(nums, ", ")
	}
	return v, nil
}

// statuses are the verification status words of the commit status APIs.
func statuses(v *broker.Verification) map[string]string {
	switch {
	case v == nil:
		return map[string]string{"githubVerificationStatus": "pending", "bitbucketVerificationStatus": "INPROGRESS",
			"gitlabVerificationStatus": "pending", "azureDevOpsVerificationStatus": "pending"}
	case v.Success:
		return map[string]string{"githubVerificationStatus": "success", "bitbucketVerificationStatus": "SUCCESSFUL",
			"gitlabVerificationStatus": "success", "azureDevOpsVerificationStatus": "succeeded"}
	default:
		return map[string]string{"githubVerificationStatus": "failure", "bitbucketVerificationStatus": "FAILED",
			"gitlabVerificationStatus": "failed", "azureDevOpsVerificationStatus": "failed"}
	}
}
