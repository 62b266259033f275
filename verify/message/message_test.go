package message_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/internal/pactclitest"
	"github.com/contracts-dev/contracts/verify/message"
)

const (
	ordersPact   = "../../testdata/message/orders/pact.json"
	ordersPactV3 = "../../testdata/message/orders/pact-v3.json"
)

// orderService is a message producer: an order created event and a
// request/reply status query. drifted renames a payload field, changes the
// Kafka topic and answers an unknown status.
type orderService struct {
	drifted bool
	mu      sync.Mutex
	states  []string // "name params" of each state set up
}

func (s *orderService) provider() *message.Provider {
	p := message.NewProvider()
	p.HandleState("an order exists", func(_ context.Context, params map[string]any) error {
		data, _ := json.Marshal(params)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.states = append(s.states, "an order exists "+string(data))
		return nil
	})
	p.Handle("an order created event", func(_ context.Context, _ []pact.ProviderState) (message.Message, error) {
		order := map[string]any{"id": "o-2002", "total": 19.99, "items": []any{map[string]any{"sku": "SKU-9", "qty": 1}, map[string]any{"sku": "SKU-8", "qty": 3}}}
		topic := "orders"
		if s.drifted {
			order["amount"] = order["total"]
			delete(order, "total")
			topic = "orders-v2"
		}
		return message.JSON(order, map[string]any{"kafka_topic": topic, "key": "o-2002"})
	})
	p.HandleSync("an order status query", func(_ context.Context, req message.Message, _ []pact.ProviderState) ([]message.Message, error) {
		var q struct{ ID string }
		if err := json.Unmarshal(req.Contents, &q); err != nil {
			return nil, err
		}
		status := "SHIPPED"
		if s.drifted {
			status = "LOST"
		}
		m, err := message.JSON(map[string]any{"id": q.ID, "status": status}, nil)
		return []message.Message{m}, err
	})
	return p
}

func mustSources(tb testing.TB, path string) []verify.Source {
	tb.Helper()
	src, err := verify.LoadPath(path)
	require.NoError(tb, err)
	return src
}

// mustVerifyHTTP verifies the orders pact (or the one at path) against
// svc served over HTTP by the Provider's handler.
func mustVerifyHTTP(tb testing.TB, svc *orderService, path ...string) *verify.Report {
	tb.Helper()
	if len(path) == 0 {
		path = []string{ordersPact}
	}
	srv := httptest.NewServer(svc.provider())
	tb.Cleanup(srv.Close)
	tr := message.NewHTTPTransport(srv.URL+"/", srv.Client())
	report, err := verify.Verify(context.Background(), verify.Config{
		Transports: map[string]verify.Transport{message.KeyAsync: tr, message.KeySync: tr},
	}, mustSources(tb, path[0]))
	require.NoError(tb, err)
	return report
}

func byDescription(r *verify.Report) map[string]verify.InteractionResult {
	out := map[string]verify.InteractionResult{}
	for _, p := range r.Pacts {
		for _, in := range p.Interactions {
			out[in.Description] = in
		}
	}
	return out
}

type kindPath struct{ Kind, Path string }

func kindPaths(r verify.InteractionResult) []kindPath {
	var out []kindPath
	for _, f := range r.Failures {
		for _, m := range f.Mismatches {
			out = append(out, kindPath{m.Kind, m.Path})
		}
	}
	return out
}

func TestVerifyOverHTTPAndInProcessAgree(t *testing.T) {
	for _, drifted := range []bool{false, true} {
		svc := &orderService{drifted: drifted}
		reports := map[string]*verify.Report{"http": mustVerifyHTTP(t, svc)}
		r, err := message.VerifyPacts(context.Background(), svc.provider(), mustSources(t, ordersPact)...)
		require.NoError(t, err)
		reports["in-process"] = r
		for name, report := range reports {
			results := byDescription(report)
			if !drifted {
				require.True(t, report.Success(), "%s: %+v", name, results)
				require.Equal(t, verify.Counts{Passed: 2}, report.Counts(), name)
				continue
			}
			require.False(t, report.Success(), name)
			ev := results["an order created event"]
			require.True(t, ev.HasFailure(verify.FailureBody), "%s: %+v", name, ev.Failures)
			require.True(t, ev.HasFailure(verify.FailureMetadata), "%s: %+v", name, ev.Failures)
			require.ElementsMatch(t, []kindPath{{"body-mismatch", "$"}, {"metadata-mismatch", "kafka_topic"}}, kindPaths(ev), name)
			q := results["an order status query"]
			require.Equal(t, []kindPath{{"body-mismatch", "$.status"}}, kindPaths(q), name)
		}
	}
}

func TestProviderStatesReachTheStateHandlers(t *testing.T) {
	svc := &orderService{}
	mustVerifyHTTP(t, svc)
	_, err := message.VerifyPacts(context.Background(), svc.provider(), mustSources(t, ordersPact)...)
	require.NoError(t, err)
	require.Equal(t, []string{`an order exists {"id":"o-1001"}`, `an order exists {"id":"o-1001"}`}, svc.states)
}

// The message transports carry provider states to the provider themselves,
// so verify gives no "no state change URL" warning for their interactions.
func TestMessageTransportsCarryStates(t *testing.T) {
	svc := &orderService{}
	in, err := message.VerifyPacts(context.Background(), svc.provider(), mustSources(t, ordersPact)...)
	require.NoError(t, err)
	for name, report := range map[string]*verify.Report{"http": mustVerifyHTTP(t, svc), "in-process": in} {
		ev := byDescription(report)["an order created event"]
		require.NotEmpty(t, ev.States, name)
		for _, w := range ev.Warnings {
			require.NotContains(t, w, "state change URL", name)
		}
	}
}

func TestInProcessFailures(t *testing.T) {
	t.Run("no producer for the description", func(t *testing.T) {
		r, err := message.VerifyPacts(context.Background(), message.NewProvider(), mustSources(t, ordersPact)...)
		require.NoError(t, err)
		for _, in := range byDescription(r) {
			require.True(t, in.HasFailure(verify.FailureRequest), "%+v", in)
			require.Contains(t, in.Failures[0].Error, in.Description)
		}
	})
	t.Run("a failing state handler fails the interaction", func(t *testing.T) {
		p := (&orderService{}).provider()
		p.HandleState("an order exists", func(context.Context, map[string]any) error { return errors.New("database down") })
		r, err := message.VerifyPacts(context.Background(), p, mustSources(t, ordersPact)...)
		require.NoError(t, err)
		ev := byDescription(r)["an order created event"]
		require.Equal(t, verify.StatusFailed, ev.Status)
		require.Contains(t, ev.Failures[0].Error, `provider state "an order exists": database down`)
		require.Equal(t, verify.StatusPassed, byDescription(r)["an order status query"].Status)
	})
	t.Run("a state without handler is a warning", func(t *testing.T) {
		p := message.NewProvider()
		p.Handle("an order created event", func(context.Context, []pact.ProviderState) (message.Message, error) {
			return message.JSON(map[string]any{"id": "o-1", "total": 1.5, "items": []any{map[string]any{"sku": "a", "qty": 1}}},
				map[string]any{"kafka_topic": "orders", "key": "o-1"})
		})
		r, err := message.VerifyPacts(context.Background(), p, mustSources(t, ordersPact)...)
		require.NoError(t, err)
		ev := byDescription(r)["an order created event"]
		require.Equal(t, verify.StatusPassed, ev.Status, "%+v", ev.Failures)
		// verify itself warns that no state change URL is configured too.
		require.Contains(t, ev.Warnings, `no state handler registered for provider state "an order exists"`)
	})
	t.Run("missing response messages", func(t *testing.T) {
		p := (&orderService{}).provider()
		p.HandleSync("an order status query", func(context.Context, message.Message, []pact.ProviderState) ([]message.Message, error) {
			return nil, nil
		})
		r, err := message.VerifyPacts(context.Background(), p, mustSources(t, ordersPact)...)
		require.NoError(t, err)
		q := byDescription(r)["an order status query"]
		require.Equal(t, []kindPath{{"body-mismatch", "$"}}, kindPaths(q))
		require.Equal(t, "Expected 1 response messages but received 0", q.Failures[0].Mismatches[0].Message)
	})
}

func TestHandleGivenPicksTheProducerByProviderState(t *testing.T) {
	p := (&orderService{}).provider()
	p.HandleGiven("an order created event", "an order exists", func(context.Context, []pact.ProviderState) (message.Message, error) {
		return message.JSON(map[string]any{"id": "not-an-order"}, nil)
	})
	p.HandleGiven("an order created event", "another state", func(context.Context, []pact.ProviderState) (message.Message, error) {
		return message.Message{}, errors.New("must not be called")
	})
	r, err := message.VerifyPacts(context.Background(), p, mustSources(t, ordersPact)...)
	require.NoError(t, err)
	ev := byDescription(r)["an order created event"]
	require.Equal(t, verify.StatusFailed, ev.Status)
	require.Contains(t, kindPaths(ev), kindPath{"body-mismatch", "$.id"})

	empty := message.NewProvider()
	empty.HandleGiven("x", "s", func(context.Context, []pact.ProviderState) (message.Message, error) { return message.Message{}, nil })
	r, err = message.VerifyPacts(context.Background(), empty, mustSources(t, ordersPact)...)
	require.NoError(t, err)
	require.Contains(t, byDescription(r)["an order created event"].Failures[0].Error, "registered: [x (given s)]")
}

func TestHTTPTransportErrors(t *testing.T) {
	cases := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"error status", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) }, "returned HTTP 500: boom"},
		{"metadata not base64", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set(message.MetadataHeader, "%%%")
			_, _ = w.Write([]byte(`{}`))
		}, `header Pact-Message-Metadata: not base64: "%%%"`},
		{"metadata not an object", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set(message.MetadataHeader, "WzFd") // [1]
			_, _ = w.Write([]byte(`{}`))
		}, `header Pact-Message-Metadata: want a base64 JSON object, got "[1]"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.handler)
			t.Cleanup(srv.Close)
			tr := message.NewHTTPTransport(srv.URL, nil)
			r, err := verify.Verify(context.Background(), verify.Config{
				Transports: map[string]verify.Transport{message.KeyAsync: tr, message.KeySync: tr},
			}, mustSources(t, ordersPact))
			require.NoError(t, err)
			for _, in := range byDescription(r) {
				require.True(t, in.HasFailure(verify.FailureRequest), "%+v", in)
				require.Contains(t, in.Failures[0].Error, c.want)
			}
		})
	}
}

func TestProviderServeHTTPRefusesBadRequests(t *testing.T) {
	srv := httptest.NewServer((&orderService{}).provider())
	t.Cleanup(srv.Close)
	cases := []struct {
		name, method, body string
		status             int
	}{
		{"GET", http.MethodGet, "", http.StatusMethodNotAllowed},
		{"not JSON", http.MethodPost, "hello", http.StatusBadRequest},
		{"no description", http.MethodPost, `{"providerStates":[]}`, http.StatusBadRequest},
		{"unknown description", http.MethodPost, `{"description":"nope"}`, http.StatusNotFound},
		{"bad sync request", http.MethodPost, `{"description":"an order status query","request":{"contents":5}}`, http.StatusBadRequest},
	}
	for _, c := range cases {
		req, err := http.NewRequest(c.method, srv.URL, strings.NewReader(c.body))
		require.NoError(t, err)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, c.status, resp.StatusCode, c.name)
	}
}

// pactVerifierFailures runs the official Pact verifier on the pact at
// path against svc's message endpoint and returns the descriptions of the
// interactions it failed.
func pactVerifierFailures(t *testing.T, path string, svc *orderService) []string {
	t.Helper()
	srv := httptest.NewServer(svc.provider())
	t.Cleanup(srv.Close)
	failed, out := pactclitest.VerifierFailures(t, path, srv.URL)
	t.Logf("pact verifier (drifted=%v):\n%s", svc.drifted, out)
	return failed
}

func TestThePactVerifierAgrees(t *testing.T) {
	for _, c := range []struct {
		path    string
		drifted int // failing interactions of a drifted provider
	}{{ordersPact, 2}, {ordersPactV3, 1}} {
		for _, drifted := range []bool{false, true} {
			want := pactVerifierFailures(t, c.path, &orderService{drifted: drifted})
			got := pactclitest.Failed(mustVerifyHTTP(t, &orderService{drifted: drifted}, c.path))
			require.Equal(t, want, got, "%s drifted=%v: failing interactions, pact verifier vs contracts", c.path, drifted)
			if drifted {
				require.Len(t, got, c.drifted)
			} else {
				require.Empty(t, got)
			}
		}
	}
}

// TestSyncRequestContentsReachTheResponder sends requests of each kind of
// contents through the HTTP convention (the V4 contents form in the
// message request) and has the responder echo them back.
func TestSyncRequestContentsReachTheResponder(t *testing.T) {
	cases := []struct {
		name string
		body pact.Body
	}{
		{"json", pact.NewBody([]byte(`{"a":[1,2]}`), "application/json")},
		{"text", pact.NewBody([]byte("hello"), "text/plain")},
		{"xml", pact.NewBody([]byte("<a b=\"1\"/>"), "application/xml")},
		{"binary", pact.NewBody([]byte{0, 0xff, 0x10}, "application/octet-stream")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := message.NewProvider()
			var seen message.Message
			p.HandleSync("echo", func(_ context.Context, req message.Message, _ []pact.ProviderState) ([]message.Message, error) {
				seen = req
				return []message.Message{req}, nil
			})
			in := &pact.Interaction{
				Type: pact.SyncMessage, Description: "echo",
				MessageRequest:   &pact.Message{Contents: c.body, Metadata: map[string]any{"reply-to": "x"}},
				MessageResponses: []*pact.Message{{Contents: c.body}},
			}
			data, err := pact.Write(&pact.Pact{
				Consumer: pact.Pacticipant{Name: "c"}, Provider: pact.Pacticipant{Name: "p"},
				Spec: pact.V4, Interactions: []*pact.Interaction{in},
			}, pact.V4)
			require.NoError(t, err)
			srv := httptest.NewServer(p)
			t.Cleanup(srv.Close)
			tr := message.NewHTTPTransport(srv.URL, srv.Client())
			r, err := verify.Verify(context.Background(), verify.Config{
				Transports: map[string]verify.Transport{message.KeySync: tr},
			}, []verify.Source{{Name: "echo.json", Data: data}})
			require.NoError(t, err)
			res := r.Pacts[0].Interactions[0]
			require.Equal(t, verify.StatusPassed, res.Status, "%+v", res.Failures)
			require.Equal(t, c.body.Content, seen.Contents)
			require.Equal(t, c.body.ContentType, seen.ContentType)
			require.Equal(t, "x", seen.Metadata["reply-to"])
		})
	}
}
