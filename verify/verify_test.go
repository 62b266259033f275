package verify_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
	"github.com/contracts-dev/contracts/verify"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/verify")

const testdata = "../testdata/verify"

func mustSources(tb testing.TB, path string) []verify.Source {
	tb.Helper()
	srcs, err := verify.LoadPath(path)
	require.NoError(tb, err)
	return srcs
}

// mustVerify runs a verification that must be able to run.
func mustVerify(tb testing.TB, cfg verify.Config, srcs []verify.Source) *verify.Report {
	tb.Helper()
	if cfg.Now == nil {
		cfg.Now = fixedClock
	}
	r, err := verify.Verify(context.Background(), cfg, srcs)
	require.NoError(tb, err)
	return r
}

func byDescription(tb testing.TB, r *verify.Report, desc string) verify.InteractionResult {
	tb.Helper()
	for _, p := range r.Pacts {
		for _, in := range p.Interactions {
			if in.Description == desc {
				return in
			}
		}
	}
	tb.Fatalf("no interaction %q in the report", desc)
	return verify.InteractionResult{}
}

func statuses(r *verify.Report) map[string]verify.Status {
	out := map[string]verify.Status{}
	for _, p := range r.Pacts {
		for _, in := range p.Interactions {
			out[in.Description] = in.Status
		}
	}
	return out
}

func failureIDs(in verify.InteractionResult) []verify.FailureID {
	var ids []verify.FailureID
	for _, f := range in.Failures {
		ids = append(ids, f.ID)
	}
	return ids
}

// mustMatchGolden compares got with testdata/verify/<name>/<file>, or
// rewrites it with -update.
func mustMatchGolden(tb testing.TB, name, file string, got []byte) {
	tb.Helper()
	path := filepath.Join(testdata, name, file)
	if *update {
		require.NoError(tb, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(tb, err, "run go test ./verify -update to create it")
	require.Equal(tb, string(want), string(got))
}

func TestVerifyCorrectProviderPasses(t *testing.T) {
	svc := &orderService{}
	srv := mustStartOrderService(t, svc)
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_pact/state"},
		mustSources(t, filepath.Join(testdata, "orders", "pact.json")))

	require.True(t, r.Success(), "%+v", r)
	require.Equal(t, verify.Counts{Passed: 4}, r.Counts())
	require.Equal(t, "order-service", r.Provider)
	require.Len(t, r.Pacts, 1)
	require.Equal(t, "order-web", r.Pacts[0].Consumer)
	require.Equal(t, "V3", r.Pacts[0].Spec)

	// Setup and teardown around every interaction, in order; an interaction
	// without states gets the empty state.
	require.Equal(t, []stateCall{
		{State: "an order exists", Params: map[string]any{"id": float64(1)}, Action: "setup"},
		{State: "an order exists", Params: map[string]any{"id": float64(1)}, Action: "teardown"},
		{State: "no orders exist", Params: map[string]any{}, Action: "setup"},
		{State: "no orders exist", Params: map[string]any{}, Action: "teardown"},
		{State: "", Params: map[string]any{}, Action: "setup"},
		{State: "", Params: map[string]any{}, Action: "teardown"},
		{State: "", Params: map[string]any{}, Action: "setup"},
		{State: "", Params: map[string]any{}, Action: "teardown"},
	}, svc.stateCalls())

	var text bytes.Buffer
	require.NoError(t, verify.WriteText(&text, r))
	mustMatchGolden(t, "orders", "want.golden", text.Bytes())
}

func TestVerifyBrokenProviderFails(t *testing.T) {
	svc := &orderService{broken: true}
	srv := mustStartOrderService(t, svc)
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_pact/state"},
		mustSources(t, filepath.Join(testdata, "orders", "pact.json")))

	require.False(t, r.Success())
	require.Equal(t, verify.Counts{Passed: 1, Failed: 3}, r.Counts())
	require.Equal(t, []verify.FailureID{verify.FailureBody}, failureIDs(byDescription(t, r, "get an existing order")))
	require.Equal(t, []verify.FailureID{verify.FailureStatus}, failureIDs(byDescription(t, r, "get a missing order")))
	created := byDescription(t, r, "create an order")
	require.Contains(t, failureIDs(created), verify.FailureHeaders)
	require.Contains(t, failureIDs(created), verify.FailureBody)

	body := byDescription(t, r, "get an existing order").Failures[0]
	require.Equal(t, "Body had differences", body.Summary)
	require.NotEmpty(t, body.Mismatches)
	require.Equal(t, "$.total", body.Mismatches[0].Path)
	require.Equal(t, "Response status did not match", byDescription(t, r, "get a missing order").Failures[0].Summary)

	var text, js, junit bytes.Buffer
	require.NoError(t, verify.WriteText(&text, r))
	mustMatchGolden(t, "orders-broken", "want.golden", text.Bytes())
	require.NoError(t, verify.WriteJSON(&js, r))
	mustMatchGolden(t, "orders-broken", "want.json.golden", js.Bytes())
	require.NoError(t, verify.WriteJUnit(&junit, r))
	mustMatchGolden(t, "orders-broken", "want.junit.golden", junit.Bytes())
}

func TestVerifyStateChangeFailure(t *testing.T) {
	svc := &orderService{failState: true}
	srv := mustStartOrderService(t, svc)
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_pact/state", FilterDescription: regexp.MustCompile("^get an existing order$")},
		mustSources(t, filepath.Join(testdata, "orders", "pact.json")))

	require.False(t, r.Success())
	in := byDescription(t, r, "get an existing order")
	require.Equal(t, verify.StatusFailed, in.Status)
	require.Equal(t, []verify.FailureID{verify.FailureStateChange}, failureIDs(in))
	require.Equal(t, "State change request failed", in.Failures[0].Summary)
	require.Contains(t, in.Failures[0].Error, "HTTP 500")
	require.Contains(t, in.Failures[0].Error, "an order exists")
	// The setup call failed: no teardown, and the provider was never asked.
	require.Equal(t, []stateCall{{State: "an order exists", Params: map[string]any{"id": float64(1)}, Action: "setup"}}, svc.stateCalls())
	require.Empty(t, svc.requestHeaders())
}

func TestVerifyStateChangeConnectionRefused(t *testing.T) {
	svc := &orderService{}
	srv := mustStartOrderService(t, svc)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	// No state could be set up: the run says nothing about the contract.
	_, err := verify.Verify(context.Background(), verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: deadURL + "/state", Now: fixedClock},
		mustSources(t, filepath.Join(testdata, "orders", "pact.json")))
	require.ErrorIs(t, err, verify.ErrUnreachable)
	require.Contains(t, err.Error(), "state change setup")
	require.Empty(t, svc.requestHeaders(), "the provider was never asked")
}

func TestVerifyWithoutStateChangeURLWarns(t *testing.T) {
	svc := &orderService{}
	srv := mustStartOrderService(t, svc)
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL},
		mustSources(t, filepath.Join(testdata, "orders", "pact.json")))
	require.True(t, r.Success())
	require.Equal(t, []string{`no provider state change URL configured for provider state "an order exists"`},
		byDescription(t, r, "get an existing order").Warnings)
	require.Empty(t, byDescription(t, r, "create an order").Warnings)
	require.Empty(t, svc.stateCalls())
}

func TestVerifyNoTeardown(t *testing.T) {
	svc := &orderService{}
	srv := mustStartOrderService(t, svc)
	mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_pact/state", NoStateChangeTeardown: true, FilterNoState: true},
		mustSources(t, filepath.Join(testdata, "orders", "pact.json")))
	require.Equal(t, []stateCall{
		{State: "", Params: map[string]any{}, Action: "setup"},
		{State: "", Params: map[string]any{}, Action: "setup"},
	}, svc.stateCalls())
}

func TestVerifyPendingDoesNotFail(t *testing.T) {
	svc := &orderService{broken: true}
	srv := mustStartOrderService(t, svc)
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_pact/state"},
		mustSources(t, filepath.Join(testdata, "v4-pending", "pact.json")))

	require.True(t, r.Success())
	require.Equal(t, verify.Counts{Passed: 1, Pending: 1, Skipped: 1}, r.Counts())
	in := byDescription(t, r, "get an existing order (V4)")
	require.Equal(t, verify.StatusPending, in.Status)
	require.True(t, in.Pending)
	require.Equal(t, "get-order-v4", in.Key)
	require.Equal(t, []verify.FailureID{verify.FailureBody}, failureIDs(in))
	require.Equal(t, []string{"the total became a string in v2"}, in.Comments)
	require.Equal(t, "orders_test.go:TestGetOrder", in.TestName)

	msg := byDescription(t, r, "an order created event")
	require.Equal(t, verify.StatusSkipped, msg.Status)
	require.Contains(t, msg.SkipReason, "unsupported here")

	var text bytes.Buffer
	require.NoError(t, verify.WriteText(&text, r))
	mustMatchGolden(t, "v4-pending", "want.golden", text.Bytes())

	// The broker still hears that the pending interaction failed.
	vr := r.Pacts[0].VerificationResult("1.2.3")
	require.False(t, vr.Success)
	require.Len(t, vr.TestResults, 2)
}

func TestVerifyPendingSource(t *testing.T) {
	svc := &orderService{broken: true}
	srv := mustStartOrderService(t, svc)
	srcs := mustSources(t, filepath.Join(testdata, "orders", "pact.json"))
	srcs[0].Broker = &verify.BrokerInfo{Pending: true, Notices: []verify.Notice{{When: "before_verification", Text: "This pact is pending"}}}
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_pact/state"}, srcs)
	require.True(t, r.Success())
	require.True(t, r.Pacts[0].Pending)
	require.Equal(t, verify.Counts{Passed: 1, Pending: 3}, r.Counts())
}

func TestVerifyFilters(t *testing.T) {
	svc := &orderService{}
	srv := mustStartOrderService(t, svc)
	srcs := mustSources(t, filepath.Join(testdata, "orders", "pact.json"))
	p, s := verify.StatusPassed, verify.StatusSkipped
	for _, tc := range []struct {
		name string
		cfg  verify.Config
		want map[string]verify.Status
	}{
		{"description", verify.Config{FilterDescription: regexp.MustCompile("order$")},
			map[string]verify.Status{"get an existing order": p, "get a missing order": p, "create an order": p, "list open orders": s}},
		{"state", verify.Config{FilterState: regexp.MustCompile("^no orders")},
			map[string]verify.Status{"get an existing order": s, "get a missing order": p, "create an order": s, "list open orders": s}},
		{"no state", verify.Config{FilterNoState: true},
			map[string]verify.Status{"get an existing order": s, "get a missing order": s, "create an order": p, "list open orders": p}},
		{"description and state", verify.Config{FilterDescription: regexp.MustCompile("^get"), FilterState: regexp.MustCompile("exists$")},
			map[string]verify.Status{"get an existing order": p, "get a missing order": s, "create an order": s, "list open orders": s}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.ProviderBaseURL = srv.URL
			tc.cfg.StateChangeURL = srv.URL + "/_pact/state"
			r := mustVerify(t, tc.cfg, srcs)
			require.Equal(t, tc.want, statuses(r))
			require.True(t, r.Pacts[0].Filtered)
			for _, in := range r.Pacts[0].Interactions {
				if in.Status == verify.StatusSkipped {
					require.Equal(t, "filtered out", in.SkipReason)
				}
			}
		})
	}
}

func TestVerifyCustomHeadersAndRequestFilter(t *testing.T) {
	svc := &orderService{}
	srv := mustStartOrderService(t, svc)
	r := mustVerify(t, verify.Config{
		ProviderBaseURL: srv.URL,
		Headers:         http.Header{"Authorization": {"Bearer s3cret"}, "Accept": {"application/json, */*"}},
		RequestFilter:   func(r *http.Request) { r.Header.Set("A", "1") },
		FilterNoState:   true,
	}, mustSources(t, filepath.Join(testdata, "orders", "pact.json")))
	require.True(t, r.Success())
	hs := svc.requestHeaders()
	require.Len(t, hs, 2)
	for _, h := range hs {
		require.Equal(t, "Bearer s3cret", h.Get("Authorization"))
		require.Equal(t, []string{"application/json, */*"}, h.Values("Accept"))
		require.Equal(t, "1", h.Get("A"))
	}
	// The contract's own headers still go out (on the POST; requests run
	// concurrently, so find it by path).
	svc.mu.Lock()
	defer svc.mu.Unlock()
	for i, p := range svc.paths {
		if p == "/orders" {
			require.Equal(t, "application/json", hs[i].Get("Content-Type"))
		}
	}
}

func TestVerifyRequestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // answer only when the client gives up (or the test ends)
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, RequestTimeout: 50 * time.Millisecond, FilterDescription: regexp.MustCompile("^list")},
		mustSources(t, filepath.Join(testdata, "orders", "pact.json")))
	in := byDescription(t, r, "list open orders")
	require.Equal(t, verify.StatusFailed, in.Status)
	require.Equal(t, []verify.FailureID{verify.FailureRequest}, failureIDs(in))
	require.Contains(t, in.Failures[0].Error, "no response within 50ms")
}

func TestVerifyConnectionRefused(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	// Nothing listens: the verification could not run (exit 2 in the CLI,
	// nothing to publish), which is not a failed contract.
	r, err := verify.Verify(context.Background(), verify.Config{ProviderBaseURL: deadURL, Now: fixedClock},
		mustSources(t, filepath.Join(testdata, "orders", "pact.json")))
	require.ErrorIs(t, err, verify.ErrUnreachable)
	require.Nil(t, r)
	require.Contains(t, err.Error(), "none of the 4 interactions got a response")
	require.Equal(t, 1, strings.Count(err.Error(), deadURL), "the URL is said once: %s", err)
	require.Contains(t, err.Error(), "connection refused")
}

// refusingTransport replays interactions whose description matches refuse
// by dialling a closed port (a real refused connection); the others pass.
type refusingTransport struct {
	addr   string
	refuse *regexp.Regexp
}

func (t refusingTransport) Verify(ctx context.Context, call verify.Call) verify.Outcome {
	if !t.refuse.MatchString(call.Interaction.Description) {
		return verify.Outcome{}
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", t.addr)
	if err == nil {
		conn.Close()
		return verify.Outcome{Err: errors.New("the closed port accepted a connection")}
	}
	return verify.Outcome{Err: err}
}

func TestVerifyPartlyUnreachableIsAFailure(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	addr := dead.Listener.Addr().String()
	dead.Close()
	tr := refusingTransport{addr: addr, refuse: regexp.MustCompile("^create")}
	r := mustVerify(t, verify.Config{Transports: map[string]verify.Transport{"http": tr}},
		mustSources(t, filepath.Join(testdata, "orders", "pact.json")))
	require.Equal(t, verify.Counts{Passed: 3, Failed: 1}, r.Counts(), "one interaction reached the provider: a real result")
	require.Equal(t, []verify.FailureID{verify.FailureRequest}, failureIDs(byDescription(t, r, "create an order")))

	t.Run("every interaction refused", func(t *testing.T) {
		tr := refusingTransport{addr: addr, refuse: regexp.MustCompile("")}
		_, err := verify.Verify(context.Background(), verify.Config{Transports: map[string]verify.Transport{"http": tr}, Now: fixedClock},
			mustSources(t, filepath.Join(testdata, "orders", "pact.json")))
		require.ErrorIs(t, err, verify.ErrUnreachable)
	})
	t.Run("every interaction filtered out", func(t *testing.T) {
		tr := refusingTransport{addr: addr, refuse: regexp.MustCompile("")}
		r := mustVerify(t, verify.Config{Transports: map[string]verify.Transport{"http": tr}, FilterDescription: regexp.MustCompile("^nothing")},
			mustSources(t, filepath.Join(testdata, "orders", "pact.json")))
		require.Equal(t, verify.Counts{Skipped: 4}, r.Counts())
	})
}

func TestVerifyProviderBasePath(t *testing.T) {
	// A provider mounted under /api: interaction paths go after the base path.
	svc := &orderService{}
	srv := httptest.NewServer(http.StripPrefix("/api", svc.handler()))
	t.Cleanup(srv.Close)
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL + "/api/", FilterDescription: regexp.MustCompile("^list")},
		mustSources(t, filepath.Join(testdata, "orders", "pact.json")))
	require.True(t, r.Success(), "%+v", r)
	svc.mu.Lock()
	defer svc.mu.Unlock()
	require.Equal(t, []string{"/orders?status=open"}, svc.paths)
}

func TestVerifyConcurrentKeepsOrder(t *testing.T) {
	const n = 60
	var interactions []string
	for i := range n {
		interactions = append(interactions, fmt.Sprintf(`{"description": "item %03d", "request": {"method": "GET", "path": "/items/%d"},
		  "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"id": %d}}}`, i, i, i))
	}
	data := `{"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [` + strings.Join(interactions, ",") +
		`], "metadata": {"pactSpecification": {"version": "2.0.0"}}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id": %s}`, strings.TrimPrefix(r.URL.Path, "/items/"))
	}))
	t.Cleanup(srv.Close)
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, Concurrency: 8}, []verify.Source{{Name: "gen.json", Data: []byte(data)}})
	require.Equal(t, verify.Counts{Passed: n}, r.Counts())
	for i, in := range r.Pacts[0].Interactions {
		require.Equal(t, fmt.Sprintf("item %03d", i), in.Description)
	}
}

func TestVerifyCouldNotRun(t *testing.T) {
	srcs := mustSources(t, filepath.Join(testdata, "orders", "pact.json"))
	for _, tc := range []struct {
		name string
		cfg  verify.Config
		srcs []verify.Source
		want string
	}{
		{"no base URL", verify.Config{}, srcs, "provider base URL is required"},
		{"bad base URL", verify.Config{ProviderBaseURL: "localhost:8080"}, srcs, `"localhost:8080"`},
		{"bad state URL", verify.Config{ProviderBaseURL: "http://127.0.0.1:1", StateChangeURL: "ftp://x"}, srcs, "state change URL"},
		{"unparsable pact", verify.Config{ProviderBaseURL: "http://127.0.0.1:1"}, []verify.Source{{Name: "broken.json", Data: []byte(`{"consumer": `)}}, "broken.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := verify.Verify(context.Background(), tc.cfg, tc.srcs)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
	t.Run("config errors are ErrConfig", func(t *testing.T) {
		_, err := verify.Verify(context.Background(), verify.Config{ProviderBaseURL: "nope"}, srcs)
		require.ErrorIs(t, err, verify.ErrConfig)
	})
}

func TestVerifyCancelled(t *testing.T) {
	svc := &orderService{}
	srv := mustStartOrderService(t, svc)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := verify.Verify(ctx, verify.Config{ProviderBaseURL: srv.URL}, mustSources(t, filepath.Join(testdata, "orders", "pact.json")))
	require.ErrorIs(t, err, context.Canceled)
}

func TestFetchURL(t *testing.T) {
	pactJSON, err := os.ReadFile(filepath.Join(testdata, "orders", "pact.json"))
	require.NoError(t, err)
	broker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t0ken" {
			http.Error(w, `{"error": "unauthorized"}`, http.StatusUnauthorized)
			return
		}
		_, _ = w.Write(pactJSON)
	}))
	t.Cleanup(broker.Close)

	src, err := verify.FetchURL(context.Background(), nil, broker.URL+"/pacts/orders", http.Header{"Authorization": {"Bearer t0ken"}})
	require.NoError(t, err)
	require.Equal(t, broker.URL+"/pacts/orders", src.Name)
	require.Equal(t, pactJSON, src.Data)

	svc := &orderService{}
	srv := mustStartOrderService(t, svc)
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL}, []verify.Source{src})
	require.True(t, r.Success())
	require.Equal(t, broker.URL+"/pacts/orders", r.Pacts[0].Source)

	_, err = verify.FetchURL(context.Background(), nil, broker.URL+"/pacts/orders", nil)
	require.ErrorContains(t, err, "401")
	require.ErrorContains(t, err, broker.URL+"/pacts/orders")
}

func TestLoadPath(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.json", "a.json", "notes.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644))
	}
	srcs, err := verify.LoadPath(dir)
	require.NoError(t, err)
	require.Len(t, srcs, 2)
	require.Equal(t, filepath.Join(dir, "a.json"), srcs[0].Name)
	require.Equal(t, "a.json", string(srcs[0].Data))

	_, err = verify.LoadPath(filepath.Join(dir, "missing.json"))
	require.ErrorContains(t, err, "missing.json")
	_, err = verify.LoadPath(t.TempDir())
	require.ErrorContains(t, err, "no *.json files")
}

func TestParseHeader(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, name, value, err string }{
		{in: "Authorization: Bearer x", name: "Authorization", value: "Bearer x"},
		{in: "X-A:1", name: "X-A", value: "1"},
		{in: "X-Empty:", name: "X-Empty", value: ""},
		{in: "no colon", err: "want 'Name: value'"},
		{in: ": v", err: "want 'Name: value'"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			name, value, err := verify.ParseHeader(tc.in)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.name, name)
			require.Equal(t, tc.value, value)
		})
	}
}

func TestReportJSONAndJUnit(t *testing.T) {
	svc := &orderService{broken: true}
	srv := mustStartOrderService(t, svc)
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_pact/state"},
		append(mustSources(t, filepath.Join(testdata, "orders", "pact.json")), mustSources(t, filepath.Join(testdata, "v4-pending", "pact.json"))...))

	var js bytes.Buffer
	require.NoError(t, verify.WriteJSON(&js, r))
	var doc struct {
		Schema  string `json:"schema"`
		Success bool   `json:"success"`
		Summary struct{ Total, Passed, Failed, Pending, Skipped int }
		Pacts   []struct {
			Consumer     string `json:"consumer"`
			Interactions []struct {
				Description string `json:"description"`
				Status      string `json:"status"`
				Failures    []struct {
					ID         string `json:"id"`
					Summary    string `json:"summary"`
					Mismatches []struct{ Path, Message string }
				} `json:"failures"`
			} `json:"interactions"`
		} `json:"pacts"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &doc))
	require.Equal(t, verify.JSONSchemaVersion, doc.Schema)
	require.False(t, doc.Success)
	require.Equal(t, 7, doc.Summary.Total)
	require.Equal(t, 3, doc.Summary.Failed)
	require.Equal(t, 1, doc.Summary.Pending)
	require.Equal(t, 1, doc.Summary.Skipped)
	require.Equal(t, "failed", doc.Pacts[0].Interactions[1].Status)
	require.Equal(t, "status-mismatch", doc.Pacts[0].Interactions[1].Failures[0].ID)

	var ju bytes.Buffer
	require.NoError(t, verify.WriteJUnit(&ju, r))
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(ju.Bytes(), &suites))
	require.Equal(t, 7, suites.Tests)
	require.Equal(t, 3, suites.Failures)
	require.Equal(t, 2, suites.Skipped)
	require.Equal(t, "order-web -> order-service", suites.Suites[0].Name)
	require.Equal(t, "Response status did not match", suites.Suites[0].Cases[1].Failure.Message)
	require.Nil(t, suites.Suites[0].Cases[3].Failure)
	require.Equal(t, "pending: Body had differences", suites.Suites[1].Cases[0].Skipped.Message)
}

func TestVerificationResult(t *testing.T) {
	svc := &orderService{broken: true}
	srv := mustStartOrderService(t, svc)
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_pact/state", FilterDescription: regexp.MustCompile("order$")},
		mustSources(t, filepath.Join(testdata, "orders", "pact.json")))
	vr := r.Pacts[0].VerificationResult("2.0.1")
	data, err := json.Marshal(vr)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	require.Equal(t, false, doc["success"])
	require.Equal(t, "2.0.1", doc["providerApplicationVersion"])
	require.Equal(t, map[string]any{"implementation": "contracts", "version": verify.VerifierVersion}, doc["verifiedBy"])
	results := doc["testResults"].([]any)
	require.Len(t, results, 3) // the filtered-out interaction is not reported
	missing := results[1].(map[string]any)
	require.Equal(t, "get a missing order", missing["interactionDescription"])
	require.Equal(t, false, missing["success"])
	require.NotEmpty(t, missing["interactionId"])
	mismatch := missing["mismatches"].([]any)[0].(map[string]any)
	require.Equal(t, "status", mismatch["attribute"])
}

func TestVerifyProviderStateGenerators(t *testing.T) {
	svc := &orderService{}
	srv := mustStartOrderService(t, svc)
	data := `{"consumer": {"name": "order-web"}, "provider": {"name": "order-service"},
	  "interactions": [{
	    "description": "get the order the state made",
	    "providerStates": [{"name": "an order exists", "params": {"id": 7}}],
	    "request": {"method": "GET", "path": "/orders/1",
	      "generators": {"path": {"type": "ProviderState", "expression": "/orders/${id}", "dataType": "STRING"}}},
	    "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"id": 1, "status": "open"},
	      "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}}}
	  }],
	  "metadata": {"pactSpecification": {"version": "3.0.0"}}}`
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_pact/state"}, []verify.Source{{Name: "gen.json", Data: []byte(data)}})
	require.True(t, r.Success(), "%+v", r.Pacts)
	svc.mu.Lock()
	defer svc.mu.Unlock()
	require.Equal(t, []string{"/orders/7"}, svc.paths, "the path comes from the value the state change returned")
}

func TestVerifyGeneratorFailureIsAWarning(t *testing.T) {
	svc := &orderService{}
	srv := mustStartOrderService(t, svc)
	// No state change URL: the ProviderState generator has no value, so the
	// example path is used and the interaction still passes, with a warning.
	data := `{"consumer": {"name": "order-web"}, "provider": {"name": "order-service"},
	  "interactions": [{
	    "description": "get order",
	    "request": {"method": "GET", "path": "/orders/1",
	      "generators": {"path": {"type": "ProviderState", "expression": "/orders/${missing}", "dataType": "STRING"}}},
	    "response": {"status": 200}
	  }],
	  "metadata": {"pactSpecification": {"version": "3.0.0"}}}`
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL}, []verify.Source{{Name: "gen.json", Data: []byte(data)}})
	require.True(t, r.Success(), "%+v", r.Pacts)
	in := r.Pacts[0].Interactions[0]
	require.Len(t, in.Warnings, 1)
	require.Contains(t, in.Warnings[0], "request generators")
}

// messageTransport is a hand-written Transport for message interactions:
// it "produces" a fixed message and compares it with match.Message, as a
// real message transport would with the provider's message.
type messageTransport struct {
	produced map[string]string // description -> contents
	seen     []string
}

func (m *messageTransport) Verify(ctx context.Context, call verify.Call) verify.Outcome {
	m.seen = append(m.seen, call.Interaction.Description)
	contents, ok := m.produced[call.Interaction.Description]
	if !ok {
		return verify.Outcome{Err: fmt.Errorf("no message for %q", call.Interaction.Description)}
	}
	actual := &pact.Message{Contents: pact.NewBody([]byte(contents), "application/json"), Metadata: map[string]any{"topic": "orders"}}
	return verify.Outcome{Mismatches: match.Message(call.Interaction.Message, actual)}
}

func TestVerifyDispatchesToTransports(t *testing.T) {
	svc := &orderService{}
	srv := mustStartOrderService(t, svc)
	srcs := mustSources(t, filepath.Join(testdata, "v4-pending", "pact.json"))
	for _, tc := range []struct {
		name, contents string
		want           verify.Status
	}{
		{"matching message", `{"id": 1, "event": "created"}`, verify.StatusPassed},
		{"wrong message", `{"id": "1", "event": "deleted"}`, verify.StatusFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mt := &messageTransport{produced: map[string]string{"an order created event": tc.contents}}
			r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, Transports: map[string]verify.Transport{"message": mt}}, srcs)
			require.Equal(t, []string{"an order created event"}, mt.seen)
			in := byDescription(t, r, "an order created event")
			require.Equal(t, tc.want, in.Status, "%+v", in.Failures)
			if tc.want == verify.StatusFailed {
				require.Equal(t, []verify.FailureID{verify.FailureBody}, failureIDs(in))
			}
		})
	}
}

func TestVerifyWithStatesRunsOneAtATime(t *testing.T) {
	svc := &orderService{}
	srv := mustStartOrderService(t, svc)
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_pact/state", Concurrency: 8},
		mustSources(t, filepath.Join(testdata, "orders", "pact.json")))
	require.True(t, r.Success())
	svc.mu.Lock()
	defer svc.mu.Unlock()
	require.Equal(t, []string{
		"setup an order exists", "GET /orders/1", "teardown an order exists",
		"setup no orders exist", "GET /orders/999", "teardown no orders exist",
		"setup ", "POST /orders", "teardown ",
		"setup ", "GET /orders?status=open", "teardown ",
	}, svc.events)
}

// The summary's pending count and the [pending] marks above it count the
// same interactions: pending ones that failed. A pending pact that passes
// has no marks and 0 pending.
func TestVerifyTextPendingMarksMatchCount(t *testing.T) {
	for _, broken := range []bool{false, true} {
		t.Run(fmt.Sprintf("broken=%v", broken), func(t *testing.T) {
			srv := mustStartOrderService(t, &orderService{broken: broken})
			srcs := mustSources(t, filepath.Join(testdata, "orders", "pact.json"))
			srcs[0].Broker = &verify.BrokerInfo{Pending: true}
			r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_pact/state"}, srcs)
			var text bytes.Buffer
			require.NoError(t, verify.WriteText(&text, r))
			out := text.String()
			require.Contains(t, out, "This pact is pending")
			pending := r.Counts().Pending
			require.Equal(t, pending, strings.Count(out, "[pending]"), out)
			require.Contains(t, out, fmt.Sprintf(", %d pending,", pending))
			if broken {
				require.Positive(t, pending)
			} else {
				require.Zero(t, pending)
			}
		})
	}
}

// mustVerifyInteractions verifies one V3 pact holding the given interactions
// (JSON array text) against base and returns the results.
func mustVerifyInteractions(tb testing.TB, base, interactions string) []verify.InteractionResult {
	tb.Helper()
	doc := `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":` + interactions +
		`,"metadata":{"pactSpecification":{"version":"3.0.0"}}}`
	rep, err := verify.Verify(context.Background(), verify.Config{ProviderBaseURL: base},
		[]verify.Source{{Name: "review.json", Data: []byte(doc)}})
	require.NoError(tb, err)
	require.Len(tb, rep.Pacts, 1)
	return rep.Pacts[0].Interactions
}

// A provider that gzips its answer because the pact's request asked for
// it with Accept-Encoding is compared on the decoded body, as the Pact
// verifier does.
func TestGzipResponseIsDecoded(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodHead {
			w.Header().Set("Content-Encoding", "gzip")
			return
		}
		if r.Header.Get("Accept-Encoding") != "gzip" {
			_, _ = w.Write([]byte(`{"plain":true}`))
			return
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write([]byte(`{"a":1}`))
		_ = zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(buf.Bytes())
	}))
	t.Cleanup(srv.Close)
	res := mustVerifyInteractions(t, srv.URL, `[
	 {"description":"gzip","request":{"method":"GET","path":"/gz","headers":{"Accept-Encoding":"gzip"}},
	  "response":{"status":200,"body":{"a":1}}},
	 {"description":"gzip mismatch","request":{"method":"GET","path":"/gz","headers":{"Accept-Encoding":"gzip"}},
	  "response":{"status":200,"body":{"a":2}}},
	 {"description":"gzip head","request":{"method":"HEAD","path":"/gz","headers":{"Accept-Encoding":"gzip"}},
	  "response":{"status":200,"headers":{"Content-Encoding":"gzip"}}}]`)
	require.Len(t, res, 3)
	require.Equal(t, verify.StatusPassed, res[2].Status, "%+v", res[2].Failures)
	require.Equal(t, verify.StatusPassed, res[0].Status, "%+v", res[0].Failures)
	require.Equal(t, verify.StatusFailed, res[1].Status)
	require.True(t, res[1].HasFailure(verify.FailureBody))
	require.Contains(t, res[1].ActualBody, `{"a":1}`, "the report shows the decoded body")
}

// A pact path mixing a percent-escape that must be kept (%2F) with a
// character that must be escaped (a space) reaches the provider with the
// escape intact, not as a second path segment.
func TestPathKeepsEscapesBesideUnescapedCharacters(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.EscapedPath())
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	res := mustVerifyInteractions(t, srv.URL+"/base/", `[
	 {"description":"mixed","request":{"method":"GET","path":"/a%2Fb c"},"response":{"status":200}},
	 {"description":"bare percent","request":{"method":"GET","path":"/100%"},"response":{"status":200}},
	 {"description":"escaped only","request":{"method":"GET","path":"/pacticipants/Pricing%20Service"},"response":{"status":200}},
	 {"description":"plain","request":{"method":"GET","path":"/a b/é"},"response":{"status":200}}]`)
	require.Len(t, res, 4)
	for _, r := range res {
		require.Equal(t, verify.StatusPassed, r.Status, "%s: %+v", r.Description, r.Failures)
	}
	mu.Lock()
	defer mu.Unlock()
	require.ElementsMatch(t, []string{"/base/a%2Fb%20c", "/base/100%25", "/base/pacticipants/Pricing%20Service", "/base/a%20b/%C3%A9"}, got)
}

// Values a state change returns keep their integer precision on their way
// into ProviderState generators: an id beyond 2^53 reaches the provider as
// returned.
func TestStateValuesKeepLargeIntegers(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/state" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"id":9007199254740993}`))
			return
		}
		mu.Lock()
		got = append(got, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":9007199254740993}`))
	}))
	t.Cleanup(srv.Close)
	doc := `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d",
	 "providerStates":[{"name":"an order"}],
	 "request":{"method":"GET","path":"/orders/1",
	  "generators":{"path":{"type":"ProviderState","expression":"/orders/${id}","dataType":"STRING"}}},
	 "response":{"status":200}}],
	 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`
	rep, err := verify.Verify(context.Background(),
		verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/state"},
		[]verify.Source{{Name: "review.json", Data: []byte(doc)}})
	require.NoError(t, err)
	require.True(t, rep.Success(), "%+v", rep.Pacts[0].Interactions[0].Failures)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{"/orders/9007199254740993"}, got)
}

// TestVerifyRegexTimeoutIsItsOwnFailure: a Java-style regex that backtracks
// past its time cap is reported as a regex-timeout failure, not as a body
// that had differences.
func TestVerifyRegexTimeoutIsItsOwnFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"a":%q,"b":1}`, strings.Repeat("a", 40)+"!")
	}))
	t.Cleanup(srv.Close)
	src := verify.Source{Name: "regex.json", Data: []byte(`{"consumer":{"name":"C"},"provider":{"name":"P"},
		"interactions":[{"description":"slow regex","request":{"method":"GET","path":"/"},
		"response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"a":"ab","b":2},
		"matchingRules":{"body":{"$.a":{"matchers":[{"match":"regex","regex":"(?=\\w)(\\w+\\s?)*"}]}}}}}],
		"metadata":{"pactSpecification":{"version":"3.0.0"}}}`)}
	r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL}, []verify.Source{src})
	in := byDescription(t, r, "slow regex")
	require.Equal(t, verify.StatusFailed, in.Status)
	require.Equal(t, []verify.FailureID{verify.FailureBody, verify.FailureRegexTimeout}, failureIDs(in))
	require.Equal(t, "$.b", in.Failures[0].Mismatches[0].Path, "the other value is an ordinary body mismatch")
	require.Len(t, in.Failures[1].Mismatches, 1)
	require.Equal(t, string(match.KindRegexTimeout), in.Failures[1].Mismatches[0].Kind)
	require.Equal(t, "$.a", in.Failures[1].Mismatches[0].Path)
}
