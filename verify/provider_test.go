package verify_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

// orderService is a small provider for the tests: the order service the
// fixtures under testdata/verify describe. With broken set it breaks the
// contract in three ways (a value of the wrong type, a wrong status, a
// wrong content type). It records the state change calls and the headers
// of the requests it receives.
type orderService struct {
	broken    bool
	failState bool // the state change endpoint answers 500

	mu      sync.Mutex
	orders  map[int]order
	nextID  int
	states  []stateCall
	headers []http.Header
	paths   []string
	events  []string // state changes and requests, in arrival order
}

type order struct {
	ID     int     `json:"id"`
	Status string  `json:"status"`
	Items  []item  `json:"items,omitempty"`
	Total  float64 `json:"total,omitempty"`
}

type item struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

type stateCall struct {
	State  string         `json:"state"`
	Params map[string]any `json:"params"`
	Action string         `json:"action"`
}

func seedOrder() order {
	return order{ID: 1, Status: "open", Items: []item{{"A-1", 2}, {"C-3", 1}}, Total: 29.97}
}

// mustStartOrderService starts the provider on a loopback port.
func mustStartOrderService(tb testing.TB, s *orderService) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(s.handler())
	tb.Cleanup(srv.Close)
	return srv
}

// handler seeds the service and returns its routes.
func (s *orderService) handler() http.Handler {
	s.orders = map[int]order{1: seedOrder()}
	s.nextID = 2
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_pact/state", s.state)
	mux.HandleFunc("GET /orders/{id}", s.getOrder)
	mux.HandleFunc("POST /orders", s.createOrder)
	mux.HandleFunc("GET /orders", s.listOrders)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_pact/state" {
			s.mu.Lock()
			s.headers = append(s.headers, r.Header.Clone())
			s.paths = append(s.paths, r.URL.RequestURI())
			s.events = append(s.events, r.Method+" "+r.URL.RequestURI())
			s.mu.Unlock()
		}
		mux.ServeHTTP(w, r)
	})
}

func (s *orderService) stateCalls() []stateCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]stateCall(nil), s.states...)
}

func (s *orderService) requestHeaders() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]http.Header(nil), s.headers...)
}

func (s *orderService) state(w http.ResponseWriter, r *http.Request) {
	var c stateCall
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.states = append(s.states, c)
	s.events = append(s.events, c.Action+" "+c.State)
	if s.failState {
		http.Error(w, "database unavailable", http.StatusInternalServerError)
		return
	}
	if c.Action != "setup" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	switch c.State {
	case "an order exists":
		id := 1
		if f, ok := c.Params["id"].(float64); ok {
			id = int(f)
		}
		o := seedOrder()
		o.ID = id
		s.orders[id] = o
		writeJSON(w, http.StatusOK, map[string]any{"id": id})
	case "no orders exist":
		s.orders = map[int]order{}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *orderService) getOrder(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.Error(w, "bad id", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	o, ok := s.orders[id]
	s.mu.Unlock()
	switch {
	case !ok && s.broken:
		writeJSON(w, http.StatusOK, map[string]any{"error": "not found"})
	case !ok:
		w.WriteHeader(http.StatusNotFound)
	case s.broken:
		writeJSON(w, http.StatusOK, map[string]any{"id": o.ID, "status": o.Status, "items": o.Items, "total": strconv.FormatFloat(o.Total, 'f', 2, 64)})
	default:
		writeJSON(w, http.StatusOK, o)
	}
}

func (s *orderService) createOrder(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Items []item `json:"items"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Items) == 0 {
		http.Error(w, "want items", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	o := order{ID: s.nextID, Status: "open", Items: in.Items}
	s.orders[o.ID] = o
	s.nextID++
	s.mu.Unlock()
	if s.broken {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte("created order " + strconv.Itoa(o.ID)))
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": o.ID, "status": o.Status})
}

func (s *orderService) listOrders(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	s.mu.Lock()
	out := []order{}
	for _, o := range s.orders {
		if status == "" || o.Status == status {
			out = append(out, order{ID: o.ID, Status: o.Status})
		}
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fixedClock is a clock that never moves, so durations in reports are 0.
func fixedClock() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
