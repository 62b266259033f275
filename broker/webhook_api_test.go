package broker_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/broker/webhook"
	"github.com/stretchr/testify/require"
)

// hookReceiver is a real receiver on loopback recording what it got.
type hookReceiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []*http.Request
	bod []string
}

func newHookReceiver(t *testing.T, status int) *hookReceiver {
	h := &hookReceiver{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, r.Clone(context.Background()))
		h.bod = append(h.bod, string(b))
		h.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.got)
}

type hookBroker struct {
	url    string
	runner *webhook.Runner
	now    *time.Time
	mu     *sync.Mutex
}

func (b hookBroker) advance(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	*b.now = b.now.Add(d)
}

func mustHookBroker(t *testing.T, policy webhook.Policy) hookBroker {
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	mu := &sync.Mutex{}
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "broker.db"), sqlite.WithClock(clock))
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	// The runner's base URL is only known once the server listens.
	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	t.Cleanup(srv.Close)
	runner := webhook.NewRunner(store, webhook.Config{Executor: webhook.Executor{Policy: policy, Now: clock}, Delay: 5 * time.Second,
		Retry: []time.Duration{10 * time.Second}, BaseURL: srv.URL})
	srv.Config.Handler = server.New(store, server.Config{Webhooks: runner, Now: clock})
	return hookBroker{url: srv.URL, runner: runner, now: &now, mu: mu}
}

func TestWebhookCreationRefusesUnsafeTargets(t *testing.T) {
	b := mustHookBroker(t, webhook.Policy{})
	for _, tc := range []struct{ method, url, field, want string }{
		{"GET", "http://169.254.169.254/latest/meta-data/", "request.method", "not allowed"},
		{"POST", "http://hooks.example/x", "request.url", `scheme "http" is not allowed`},
		{"POST", "https://169.254.169.254/latest/meta-data/", "request.url", "internal"},
		{"POST", "https://127.0.0.1:8080/x", "request.url", "internal"},
		{"POST", "https://[fe80::1]/x", "request.url", "internal"},
		{"POST", "https://10.0.0.1/x", "request.url", "internal"},
		{"POST", "https://${pactbroker.consumerName}.example/x", "request.url", "template variable in its host"},
	} {
		body := fmt.Sprintf(`{"events":[{"name":"contract_published"}],"request":{"method":%q,"url":%q}}`, tc.method, tc.url)
		status, out, _ := doJSON(t, http.MethodPost, b.url+"/webhooks", body)
		require.Equal(t, http.StatusBadRequest, status, tc.url)
		require.Contains(t, fmt.Sprint(out["errors"].(map[string]any)[tc.field]), tc.want, tc.url)
	}
	status, _, _ := doJSON(t, http.MethodGet, b.url+"/webhooks", "")
	require.Equal(t, http.StatusOK, status)
}

func TestWebhookAPIRedactsAndExecutes(t *testing.T) {
	rcv := newHookReceiver(t, http.StatusOK)
	b := mustHookBroker(t, webhook.Policy{Schemes: []string{"http"}, Hosts: []string{"127.0.0.1"}})
	def := fmt.Sprintf(`{"description":"ci","events":[{"name":"contract_published"}],"request":{"method":"POST","url":%q,
		"headers":{"Authorization":"Bearer s3cret","X-Api-Key":"k3y","Accept":"application/json"},"username":"u","password":"pa55",
		"body":{"consumer":"${pactbroker.consumerName}","url":"${pactbroker.pactUrl}"}}}`, rcv.URL+"/hook")
	status, created, hdr := doJSON(t, http.MethodPost, b.url+"/webhooks", def)
	require.Equal(t, http.StatusCreated, status, created)
	for _, doc := range []map[string]any{created, func() map[string]any {
		_, got, _ := doJSON(t, http.MethodGet, hdr.Get("Location"), "")
		return got
	}()} {
		raw, _ := json.Marshal(doc)
		require.NotContains(t, string(raw), "s3cret")
		require.NotContains(t, string(raw), "k3y")
		require.NotContains(t, string(raw), "pa55")
		req := doc["request"].(map[string]any)
		require.Equal(t, webhook.Redacted, req["headers"].(map[string]any)["Authorization"])
		require.Equal(t, "application/json", req["headers"].(map[string]any)["Accept"])
	}
	execute := created["_links"].(map[string]any)["pb:execute"].(map[string]any)["href"].(string)

	// Executed with placeholders before any pact exists.
	status, res, _ := doJSON(t, http.MethodPost, execute, "{}")
	require.Equal(t, http.StatusOK, status, res)
	require.Equal(t, true, res["success"], res)
	raw, _ := json.Marshal(res)
	require.NotContains(t, string(raw), "s3cret")
	require.NotContains(t, string(raw), base64.StdEncoding.EncodeToString([]byte("u:pa55")))
	require.Equal(t, 1, rcv.count())
	require.Equal(t, "k3y", rcv.got[0].Header.Get("X-Api-Key"))
	require.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("u:pa55")), rcv.got[0].Header.Get("Authorization"))
	require.JSONEq(t, `{"consumer":"consumer","url":""}`, rcv.bod[0])
	require.Equal(t, float64(200), res["response"].(map[string]any)["status"])

	// With a pact: the latest one.
	c := mustClient(t, b.url)
	mustPublish(t, c, "Web", "1.0.0", "main", map[string][]byte{"API": pactJSON("Web", "API", "/a")})
	status, _, _ = doJSON(t, http.MethodPost, execute, "{}")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, rcv.bod[1], `"consumer":"Web"`)
	require.Contains(t, rcv.bod[1], b.url+"/pacts/provider/API/consumer/Web/pact-version/")

	// Testing an unsaved definition.
	status, res, _ = doJSON(t, http.MethodPost, b.url+"/webhooks/execute", def)
	require.Equal(t, http.StatusOK, status, res)
	require.Equal(t, 3, rcv.count())
	status, _, _ = doJSON(t, http.MethodPost, b.url+"/webhooks/nope/execute", "{}")
	require.Equal(t, http.StatusNotFound, status)

	// The index advertises the relations the CLI follows.
	_, idx, _ := doJSON(t, http.MethodGet, b.url+"/", "")
	require.Contains(t, idx["_links"], "pb:webhook")
	require.Contains(t, idx["_links"], "pb:webhooks")
}

func mustClient(t *testing.T, url string) *api.Client {
	c, err := api.NewClient(url)
	require.NoError(t, err)
	return c
}

func TestTriggeredWebhooksThroughTheAPI(t *testing.T) {
	ok := newHookReceiver(t, http.StatusOK)
	bad := newHookReceiver(t, http.StatusInternalServerError)
	b := mustHookBroker(t, webhook.Policy{Schemes: []string{"http"}, Hosts: []string{"127.0.0.1"}})
	for _, def := range []string{
		fmt.Sprintf(`{"events":[{"name":"contract_published"}],"request":{"method":"POST","url":%q,"headers":{"Authorization":"Bearer s3cret"}}}`, ok.URL+"/pub"),
		fmt.Sprintf(`{"events":[{"name":"provider_verification_published"}],"request":{"method":"POST","url":%q,"body":{"cv":"${pactbroker.consumerVersionNumber}"}}}`, bad.URL+"/ver"),
	} {
		status, out, _ := doJSON(t, http.MethodPost, b.url+"/webhooks/provider/API/consumer/Web", def)
		if status == http.StatusNotFound { // the pacticipants do not exist yet
			c := mustClient(t, b.url)
			mustPublish(t, c, "Web", "0", "main", map[string][]byte{"API": pactJSON("Web", "API", "/a")})
			status, out, _ = doJSON(t, http.MethodPost, b.url+"/webhooks/provider/API/consumer/Web", def)
		}
		require.Equal(t, http.StatusCreated, status, out)
	}
	c := mustClient(t, b.url)
	mustPublish(t, c, "Web", "1", "main", map[string][]byte{"API": pactJSON("Web", "API", "/a")})
	_, pact, _ := doJSON(t, http.MethodGet, b.url+"/pacts/provider/API/consumer/Web/version/1", "")
	publish := pact["_links"].(map[string]any)["pb:publish-verification-results"].(map[string]any)["href"].(string)
	// The pact URL's metadata names the consumer versions.
	meta := base64.RawURLEncoding.EncodeToString([]byte("cvn=1&s[][cv]=0"))
	publish = strings.Replace(publish, "/verification-results", "/metadata/"+meta+"/verification-results", 1)
	status, out, _ := doJSON(t, http.MethodPost, publish, `{"success":true,"providerApplicationVersion":"p1"}`)
	require.Equal(t, http.StatusCreated, status, out)

	list := func(path string) []any {
		t.Helper()
		status, out, _ := doJSON(t, http.MethodGet, b.url+path, "")
		require.Equal(t, http.StatusOK, status, out)
		return out["_embedded"].(map[string]any)["triggeredWebhooks"].([]any)
	}
	require.Len(t, list("/pacts/provider/API/consumer/Web/version/1/triggered-webhooks"), 2) // published + verification for cv 1
	byVer := list("/pacts/provider/API/consumer/Web/pact-version/" + pactSHA(pact) + "/verification-results/1/triggered-webhooks")
	require.Len(t, byVer, 2) // consumer versions 1 and 0
	require.Equal(t, "not_run", byVer[0].(map[string]any)["status"])
	require.Equal(t, float64(2), byVer[0].(map[string]any)["attemptsRemaining"])

	b.advance(5 * time.Second)
	n, err := b.runner.RunDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, 3, n) // the publication of version 1 (version 0 came before the webhooks) + two verifications
	b.advance(10 * time.Second)
	n, err = b.runner.RunDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, 2, n)

	dead := list("/triggered-webhooks/dead")
	require.Len(t, dead, 2)
	d := dead[0].(map[string]any)
	require.Equal(t, "failure", d["status"])
	require.Equal(t, float64(2), d["attemptsMade"])
	require.Equal(t, float64(0), d["attemptsRemaining"])
	logsURL := d["_links"].(map[string]any)["pb:logs"].(map[string]any)["href"].(string)
	status, logs, _ := doJSON(t, http.MethodGet, logsURL, "")
	require.Equal(t, http.StatusOK, status)
	execs := logs["executions"].([]any)
	require.Len(t, execs, 2)
	require.Contains(t, execs[0].(map[string]any)["logs"], "HTTP 500 Internal Server Error")
	require.Contains(t, execs[0].(map[string]any)["logs"], "POST "+bad.URL+"/ver")

	succeeded := list("/triggered-webhooks?status=success")
	require.Len(t, succeeded, 1)
	status, logs, _ = doJSON(t, http.MethodGet, succeeded[0].(map[string]any)["_links"].(map[string]any)["pb:logs"].(map[string]any)["href"].(string), "")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, logs["executions"].([]any)[0].(map[string]any)["logs"], "Authorization: "+webhook.Redacted)
	require.NotContains(t, fmt.Sprint(logs), "s3cret")
	require.Equal(t, "Bearer s3cret", ok.got[0].Header.Get("Authorization"))

	status, st, _ := doJSON(t, http.MethodGet, b.url+"/pacts/provider/API/consumer/Web/webhooks/status", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "failure", st["status"])
	require.Equal(t, map[string]any{"successful": float64(1), "failed": float64(2), "notRun": float64(0), "retrying": float64(0)}, st["summary"])

	status, _, _ = doJSON(t, http.MethodGet, b.url+"/triggered-webhooks?status=bogus", "")
	require.Equal(t, http.StatusBadRequest, status)

	resp, err := http.Get(b.url + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	metrics, _ := io.ReadAll(resp.Body)
	require.Contains(t, string(metrics), "contracts_webhook_queue_pending 0")
	require.Contains(t, string(metrics), "contracts_webhook_dead 2")
	require.Contains(t, string(metrics), `contracts_webhook_attempts_total{outcome="failure"} 2`)
	require.Contains(t, string(metrics), `contracts_webhook_attempts_total{outcome="retry"} 2`)
	require.Contains(t, string(metrics), `contracts_webhook_attempts_total{outcome="success"} 1`)
}

func pactSHA(pact map[string]any) string {
	href := pact["_links"].(map[string]any)["pb:pact-version"].(map[string]any)["href"].(string)
	return href[strings.LastIndex(href, "/")+1:]
}

// A definition read back (credentials redacted) and sent again keeps the
// stored credentials.
func TestWebhookPutKeepsRedactedCredentials(t *testing.T) {
	rcv := newHookReceiver(t, http.StatusOK)
	b := mustHookBroker(t, webhook.Policy{Schemes: []string{"http"}, Hosts: []string{"127.0.0.1"}})
	def := fmt.Sprintf(`{"events":[{"name":"contract_published"}],"request":{"method":"POST","url":%q,"headers":{"X-Api-Key":"k3y"}}}`, rcv.URL)
	status, created, hdr := doJSON(t, http.MethodPost, b.url+"/webhooks", def)
	require.Equal(t, http.StatusCreated, status)
	delete(created, "_links")
	created["description"] = "renamed"
	again, _ := json.Marshal(created)
	status, out, _ := doJSON(t, http.MethodPut, hdr.Get("Location"), string(again))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "renamed", out["description"])
	status, _, _ = doJSON(t, http.MethodPost, hdr.Get("Location")+"/execute", "{}")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "k3y", rcv.got[0].Header.Get("X-Api-Key"))
}
