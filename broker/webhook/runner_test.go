package webhook_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/broker/storetest"
	"github.com/contracts-dev/contracts/broker/webhook"
	"github.com/stretchr/testify/require"
)

// clock is a manual clock: tests move it explicitly.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// received is one request a receiver got.
type received struct {
	Method string
	URL    string
	Header http.Header
	Body   string
}

// receiver is a real HTTP server on loopback that answers with the
// statuses queued (200 once they run out) and records every request.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []received
	statuses []int
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{Method: req.Method, URL: req.URL.String(), Header: req.Header.Clone(), Body: string(b)})
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.mu.Unlock()
		w.Header().Set("X-Api-Key", "receiver-secret")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(strings.Repeat("r", 100)))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// loopback allows the tests' receivers: http to 127.0.0.1.
var loopback = webhook.Policy{Schemes: []string{"http", "https"}, Hosts: []string{"127.0.0.1"}}

type env struct {
	t     *testing.T
	clk   *clock
	path  string
	store *sqlite.Store
	svc   *broker.Service
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, clk: newClock(), path: filepath.Join(t.TempDir(), "broker.db")}
	e.open()
	return e
}

func (e *env) open() {
	s, err := sqlite.Open(e.path, sqlite.WithClock(e.clk.Now))
	require.NoError(e.t, err)
	e.t.Cleanup(func() { s.Close() })
	e.store, e.svc = s, broker.NewService(s, broker.DefaultRules())
}

func (e *env) runner(cfg webhook.Config) *webhook.Runner {
	cfg.Now = e.clk.Now
	if cfg.Policy.Schemes == nil {
		cfg.Policy = loopback
	}
	if cfg.Delay == 0 {
		cfg.Delay = webhook.DefaultDelay
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://broker.example"
	}
	return webhook.NewRunner(e.store, cfg)
}

func (e *env) hook(consumer, provider string, def any) broker.Webhook {
	b, err := json.Marshal(def)
	require.NoError(e.t, err)
	w, err := e.svc.CreateWebhook(context.Background(), broker.Webhook{Consumer: consumer, Provider: provider, Definition: b})
	require.NoError(e.t, err)
	return w
}

func (e *env) publish(version, branch string, descriptions ...string) broker.PublishResult {
	res, err := e.svc.PublishContracts(context.Background(), broker.PublishRequest{Pacticipant: "Web", Version: version, Branch: branch,
		BuildURL:  "https://ci.example/build/" + version,
		Contracts: []broker.ContractInput{{Consumer: "Web", Provider: "API", Content: storetest.PactJSON("Web", "API", descriptions...)}}})
	require.NoError(e.t, err)
	return res
}

func mustRun(t *testing.T, r *webhook.Runner, want int) {
	t.Helper()
	n, err := r.RunDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, want, n)
}

func TestEventsAndTemplates(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t)
	ctx := context.Background()
	for _, n := range []string{"Web", "API"} {
		_, err := e.svc.CreatePacticipant(ctx, broker.Pacticipant{Name: n})
		require.NoError(t, err)
	}
	body := map[string]any{}
	for _, n := range webhook.VariableNames {
		body[n] = "${pactbroker." + n + "}"
	}
	e.hook("Web", "API", map[string]any{
		"events": []map[string]string{{"name": "contract_published"}, {"name": "contract_content_changed"}},
		"request": map[string]any{"method": "POST", "url": rcv.URL + "/pub/${pactbroker.consumerVersionBranch}?b=${pactbroker.consumerVersionBranch}&e=${pactbroker.eventName}",
			"headers": map[string]string{"Authorization": "Bearer s3cret", "X-Branch": "${pactbroker.consumerVersionBranch}"}, "body": body},
	})
	e.hook("", "API", map[string]any{
		"events":  []map[string]string{{"name": "provider_verification_published"}, {"name": "provider_verification_failed"}, {"name": "provider_verification_succeeded"}},
		"request": map[string]any{"method": "POST", "url": rcv.URL + "/ver", "body": map[string]string{"state": "${pactbroker.githubVerificationStatus}", "cv": "${pactbroker.consumerVersionNumber}", "pv": "${pactbroker.providerVersionNumber}", "pb": "${pactbroker.providerVersionBranch}", "event": "${pactbroker.eventName}", "url": "${pactbroker.verificationResultUrl}"}},
	})
	r := e.runner(webhook.Config{})

	branch := `feat/a"b&c d`
	res := e.publish("1", branch, "a")
	sha := res.Contracts[0].Pact.SHA
	// Nothing runs before the delay.
	mustRun(t, r, 0)
	e.clk.Advance(webhook.DefaultDelay - time.Nanosecond)
	mustRun(t, r, 0)
	e.clk.Advance(time.Nanosecond)
	mustRun(t, r, 2)
	got := rcv.requests()
	require.Len(t, got, 2)
	events := map[string]map[string]string{}
	for _, g := range got {
		require.Equal(t, http.MethodPost, g.Method)
		// Escaped in the URL: the path segment and the query values.
		require.Equal(t, "/pub/"+url.PathEscape(branch)+"?b="+url.QueryEscape(branch)+"&e="+strings.TrimPrefix(g.URL[strings.LastIndex(g.URL, "=")+1:], ""), g.URL)
		// The request sent keeps its credentials.
		require.Equal(t, "Bearer s3cret", g.Header.Get("Authorization"))
		require.Equal(t, branch, g.Header.Get("X-Branch"))
		require.Equal(t, "application/json", g.Header.Get("Content-Type"))
		// JSON-escaped in the body: it still parses, with the exact value.
		var m map[string]string
		require.NoError(t, json.Unmarshal([]byte(g.Body), &m), g.Body)
		events[m["eventName"]] = m
	}
	require.Contains(t, events, "contract_published")
	require.Contains(t, events, "contract_content_changed")
	m := events["contract_published"]
	meta := base64.RawURLEncoding.EncodeToString([]byte("cvn=1"))
	require.Equal(t, "https://broker.example/pacts/provider/API/consumer/Web/pact-version/"+sha+"/metadata/"+meta, m["pactUrl"])
	require.Equal(t, "Web", m["consumerName"])
	require.Equal(t, "API", m["providerName"])
	require.Equal(t, "1", m["consumerVersionNumber"])
	require.Equal(t, branch, m["consumerVersionBranch"])
	require.Equal(t, "pending", m["githubVerificationStatus"])
	require.Equal(t, "INPROGRESS", m["bitbucketVerificationStatus"])
	require.Equal(t, "https://ci.example/build/1", m["buildUrl"])
	require.Empty(t, m["providerVersionNumber"])
	require.Empty(t, m["verificationResultUrl"])
	require.Len(t, m, len(webhook.VariableNames))

	// Same content again on the branch: published, not changed (on a new
	// branch it would be a change: the branch's first publication).
	e.publish("2", branch, "a")
	e.clk.Advance(webhook.DefaultDelay)
	mustRun(t, r, 1)
	require.Contains(t, rcv.requests()[2].URL, "e=contract_published")

	// A verification naming two consumer versions triggers per version.
	_, _, err := e.svc.AddBranchVersion(ctx, "API", "main", "p1")
	require.NoError(t, err)
	v, err := e.svc.PublishVerification(ctx, broker.VerificationInput{Consumer: "Web", Provider: "API", PactSHA: sha, ProviderVersion: "p1", Success: true, ConsumerVersions: []string{"1", "2"}})
	require.NoError(t, err)
	e.clk.Advance(webhook.DefaultDelay)
	mustRun(t, r, 4)
	var ver []map[string]string
	for _, g := range rcv.requests()[3:] {
		require.Equal(t, "/ver", g.URL)
		var m map[string]string
		require.NoError(t, json.Unmarshal([]byte(g.Body), &m))
		ver = append(ver, m)
	}
	vurl := "https://broker.example/pacts/provider/API/consumer/Web/pact-version/" + sha + "/verification-results/1"
	require.Equal(t, 1, v.Number)
	require.ElementsMatch(t, []map[string]string{
		{"state": "success", "cv": "1", "pv": "p1", "pb": "main", "event": "provider_verification_published", "url": vurl},
		{"state": "success", "cv": "1", "pv": "p1", "pb": "main", "event": "provider_verification_succeeded", "url": vurl},
		{"state": "success", "cv": "2", "pv": "p1", "pb": "main", "event": "provider_verification_published", "url": vurl},
		{"state": "success", "cv": "2", "pv": "p1", "pb": "main", "event": "provider_verification_succeeded", "url": vurl},
	}, ver)

	// A failed one.
	_, err = e.svc.PublishVerification(ctx, broker.VerificationInput{Consumer: "Web", Provider: "API", PactSHA: sha, ProviderVersion: "p2", Success: false, ConsumerVersions: []string{"2"}})
	require.NoError(t, err)
	e.clk.Advance(webhook.DefaultDelay)
	mustRun(t, r, 2)
	var states []string
	for _, g := range rcv.requests()[7:] {
		var m map[string]string
		require.NoError(t, json.Unmarshal([]byte(g.Body), &m))
		states = append(states, m["event"]+":"+m["state"])
	}
	require.ElementsMatch(t, []string{"provider_verification_published:failure", "provider_verification_failed:failure"}, states)

	// The logs are redacted: request and response credentials.
	ts, err := e.store.ListTriggeredWebhooks(ctx, broker.TriggeredFilter{ConsumerVersion: "1", Provider: "API"}, broker.Page{})
	require.NoError(t, err)
	_, attempts, err := e.store.GetTriggeredWebhook(ctx, ts[len(ts)-1].UUID)
	require.NoError(t, err)
	require.Len(t, attempts, 1)
	log := attempts[0].Log
	require.Contains(t, log, "POST "+rcv.URL+"/pub/")
	require.Contains(t, log, "Authorization: "+webhook.Redacted)
	require.Contains(t, log, "X-Api-Key: "+webhook.Redacted)
	require.Contains(t, log, "HTTP 200 OK")
	require.NotContains(t, log, "s3cret")
	require.NotContains(t, log, "receiver-secret")
	require.Equal(t, webhook.AttemptCounts{Success: 9}, r.AttemptCounts())
}

func setupOne(t *testing.T, e *env, rcv *receiver, def map[string]any) broker.TriggeredWebhook {
	t.Helper()
	ctx := context.Background()
	for _, n := range []string{"Web", "API"} {
		_, err := e.svc.CreatePacticipant(ctx, broker.Pacticipant{Name: n})
		require.NoError(t, err)
	}
	if def == nil {
		def = map[string]any{"events": []map[string]string{{"name": "contract_published"}},
			"request": map[string]any{"method": "POST", "url": rcv.URL + "/hook", "username": "user", "password": "pa55word"}}
	}
	e.hook("Web", "API", def)
	e.publish("1", "main", "a")
	ts, err := e.store.ListTriggeredWebhooks(ctx, broker.TriggeredFilter{}, broker.Page{})
	require.NoError(t, err)
	require.Len(t, ts, 1)
	return ts[0]
}

func status(t *testing.T, e *env, uuid string) (broker.TriggeredWebhook, []broker.WebhookAttempt) {
	t.Helper()
	tr, as, err := e.store.GetTriggeredWebhook(context.Background(), uuid)
	require.NoError(t, err)
	return tr, as
}

func TestRetryThenSuccess(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, 500, 503)
	tr := setupOne(t, e, rcv, nil)
	r := e.runner(webhook.Config{Retry: []time.Duration{10 * time.Second, time.Minute}})
	e.clk.Advance(webhook.DefaultDelay)
	mustRun(t, r, 1)
	got, as := status(t, e, tr.UUID)
	require.Equal(t, broker.TriggerRetrying, got.Status)
	require.Equal(t, 1, got.Attempts)
	require.Equal(t, 500, as[0].StatusCode)
	require.False(t, as[0].Success)
	e.clk.Advance(10*time.Second - time.Nanosecond)
	mustRun(t, r, 0)
	e.clk.Advance(time.Nanosecond)
	mustRun(t, r, 1)
	got, _ = status(t, e, tr.UUID)
	require.Equal(t, broker.TriggerRetrying, got.Status)
	e.clk.Advance(time.Minute)
	mustRun(t, r, 1)
	got, as = status(t, e, tr.UUID)
	require.Equal(t, broker.TriggerSuccess, got.Status)
	require.Equal(t, 3, got.Attempts)
	require.True(t, as[2].Success)
	require.Len(t, rcv.requests(), 3)
	// Basic auth is sent, and redacted in the log.
	u, p, ok := (&http.Request{Header: rcv.requests()[0].Header}).BasicAuth()
	require.True(t, ok)
	require.Equal(t, "user:pa55word", u+":"+p)
	require.NotContains(t, as[0].Log, "pa55word")
	require.NotContains(t, as[0].Log, base64.StdEncoding.EncodeToString([]byte("user:pa55word")))
	e.clk.Advance(time.Hour)
	mustRun(t, r, 0)
	require.Equal(t, webhook.AttemptCounts{Success: 1, Retry: 2}, r.AttemptCounts())
}

func TestExhaustedRetriesAreDead(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, 500, 500, 500)
	tr := setupOne(t, e, rcv, nil)
	r := e.runner(webhook.Config{Retry: []time.Duration{time.Second}})
	e.clk.Advance(webhook.DefaultDelay)
	mustRun(t, r, 1)
	e.clk.Advance(time.Second)
	mustRun(t, r, 1)
	got, as := status(t, e, tr.UUID)
	require.Equal(t, broker.TriggerFailure, got.Status)
	require.Len(t, as, 2)
	e.clk.Advance(time.Hour)
	mustRun(t, r, 0)
	st, err := e.store.WebhookQueueStats(context.Background())
	require.NoError(t, err)
	require.Equal(t, broker.WebhookQueueStats{Dead: 1}, st)
	require.Equal(t, webhook.AttemptCounts{Retry: 1, Failure: 1}, r.AttemptCounts())
}

func TestSuccessCodesAndNoRedirects(t *testing.T) {
	e := newEnv(t)
	target := newReceiver(t)
	redirect := httptest.NewServer(http.RedirectHandler(target.URL+"/elsewhere", http.StatusFound))
	t.Cleanup(redirect.Close)
	tr := setupOne(t, e, nil, map[string]any{"events": []map[string]string{{"name": "contract_published"}},
		"request": map[string]any{"method": "POST", "url": redirect.URL + "/hook"}})
	r := e.runner(webhook.Config{})
	e.clk.Advance(webhook.DefaultDelay)
	mustRun(t, r, 1)
	got, as := status(t, e, tr.UUID)
	require.Equal(t, broker.TriggerFailure, got.Status) // no retries configured
	require.Equal(t, http.StatusFound, as[0].StatusCode)
	require.Empty(t, target.requests(), "the redirect was followed")

	// 302 can be made a success.
	e2 := newEnv(t)
	tr = setupOne(t, e2, nil, map[string]any{"events": []map[string]string{{"name": "contract_published"}},
		"request": map[string]any{"method": "POST", "url": redirect.URL + "/hook"}})
	r = e2.runner(webhook.Config{Executor: webhook.Executor{SuccessCodes: []int{302}}})
	e2.clk.Advance(webhook.DefaultDelay)
	mustRun(t, r, 1)
	got, _ = status(t, e2, tr.UUID)
	require.Equal(t, broker.TriggerSuccess, got.Status)
}

func TestResponseReadIsCapped(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t)
	tr := setupOne(t, e, rcv, nil)
	r := e.runner(webhook.Config{Executor: webhook.Executor{MaxResponseBytes: 10}})
	e.clk.Advance(webhook.DefaultDelay)
	mustRun(t, r, 1)
	_, as := status(t, e, tr.UUID)
	require.Contains(t, as[0].Log, "\n"+strings.Repeat("r", 10)+"\n")
	require.NotContains(t, as[0].Log, strings.Repeat("r", 11))
}

func TestRestartResumesPending(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, 500)
	tr := setupOne(t, e, rcv, nil)
	r := e.runner(webhook.Config{Retry: []time.Duration{10 * time.Second}})
	e.clk.Advance(webhook.DefaultDelay)
	mustRun(t, r, 1)
	// The broker stops between the attempt and its retry, and a worker of
	// another process dies holding a lease on the retry.
	require.NoError(t, e.store.Close())
	e.open()
	e.clk.Advance(10 * time.Second)
	claimed, err := e.store.ClaimTriggeredWebhooks(context.Background(), broker.Claim{Now: e.clk.Now(), FirstDue: e.clk.Now(), Token: "dead-worker", Until: e.clk.Now().Add(time.Minute), Limit: 10})
	require.NoError(t, err)
	require.Len(t, claimed, 1)
	r = e.runner(webhook.Config{Retry: []time.Duration{10 * time.Second}})
	mustRun(t, r, 0) // leased
	e.clk.Advance(time.Minute)
	mustRun(t, r, 1)
	got, _ := status(t, e, tr.UUID)
	require.Equal(t, broker.TriggerSuccess, got.Status)
	require.Len(t, rcv.requests(), 2)
}

func TestTwoRunnersRunEachAttemptOnce(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t)
	ctx := context.Background()
	for _, n := range []string{"Web", "API"} {
		_, err := e.svc.CreatePacticipant(ctx, broker.Pacticipant{Name: n})
		require.NoError(t, err)
	}
	for range 5 {
		e.hook("Web", "API", map[string]any{"events": []map[string]string{{"name": "contract_published"}},
			"request": map[string]any{"method": "POST", "url": rcv.URL + "/hook?v=${pactbroker.consumerVersionNumber}"}})
	}
	for _, v := range []string{"1", "2", "3", "4"} {
		e.publish(v, "main", "a")
	}
	e.clk.Advance(webhook.DefaultDelay)
	// Two replicas on one database file.
	other, err := sqlite.Open(e.path, sqlite.WithClock(e.clk.Now))
	require.NoError(t, err)
	t.Cleanup(func() { other.Close() })
	a := e.runner(webhook.Config{})
	b := webhook.NewRunner(other, webhook.Config{Executor: webhook.Executor{Policy: loopback, Now: e.clk.Now}, Delay: webhook.DefaultDelay})
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, r := range []*webhook.Runner{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := r.RunDue(ctx)
			require.NoError(t, err)
			counts[i] = n
		}()
	}
	wg.Wait()
	require.Equal(t, 20, counts[0]+counts[1])
	require.Len(t, rcv.requests(), 20)
	st, err := e.store.WebhookQueueStats(ctx)
	require.NoError(t, err)
	require.Zero(t, st.Pending)
}

func TestRequiringVerificationVariables(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t)
	ctx := context.Background()
	for _, n := range []string{"Web", "API"} {
		_, err := e.svc.CreatePacticipant(ctx, broker.Pacticipant{Name: n})
		require.NoError(t, err)
	}
	_, _, err := e.svc.AddBranchVersion(ctx, "API", "main", "p1")
	require.NoError(t, err)
	_, _, err = e.svc.AddTag(ctx, "API", "p1", "stable")
	require.NoError(t, err)
	prod, err := e.svc.CreateEnvironment(ctx, broker.Environment{Name: "prod", Production: true})
	require.NoError(t, err)
	_, _, err = e.svc.RecordDeployment(ctx, "API", "p1", prod.UUID, "")
	require.NoError(t, err)
	e.hook("", "API", map[string]any{"events": []map[string]string{{"name": "contract_requiring_verification_published"}},
		"request": map[string]any{"method": "POST", "url": rcv.URL + "/verify", "body": map[string]string{
			"pv": "${pactbroker.providerVersionNumber}", "why": "${pactbroker.providerVersionDescriptions}",
			"branch": "${pactbroker.providerVersionBranch}", "tags": "${pactbroker.providerVersionTags}",
			"deployed": "${pactbroker.currentlyDeployedProviderVersionNumber}", "event": "${pactbroker.eventName}"}}})
	e.publish("1", "main", "a")
	e.clk.Advance(webhook.DefaultDelay)
	mustRun(t, e.runner(webhook.Config{}), 1)
	got := rcv.requests()
	require.Len(t, got, 1)
	require.JSONEq(t, `{"pv":"p1","why":"latest from main branch main, deployed in prod","branch":"main","tags":"stable","deployed":"p1","event":"contract_requiring_verification_published"}`, got[0].Body)
}
