// Command provider is the example order service of the README walkthrough:
// a tiny HTTP provider that honours testdata/examples/pacts/order-web-order-service.json.
//
//	go run ./testdata/examples/provider -listen 127.0.0.1:8080
//	contracts verify testdata/examples/pacts --provider-base-url http://127.0.0.1:8080 \
//	  --provider-states-setup-url http://127.0.0.1:8080/_pact/state
//
// The first line on stdout is the base URL it listens on. POST
// /_pact/state sets up provider states ("an order exists" with params
// {"id": N}, "no orders exist"). With -broken it returns order totals as
// strings, so a verification fails with "Body had differences".
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
)

type item struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

type order struct {
	ID     int     `json:"id"`
	Status string  `json:"status"`
	Items  []item  `json:"items,omitempty"`
	Total  float64 `json:"total,omitempty"`
}

type store struct {
	mu     sync.Mutex
	orders map[int]order
	nextID int
	broken bool
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on (port 0 picks a free one)")
	broken := flag.Bool("broken", false, "break the contract: totals become strings")
	flag.Parse()
	s := &store{orders: map[int]order{}, nextID: 1, broken: *broken}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "provider:", err)
		os.Exit(2)
	}
	fmt.Println("http://" + ln.Addr().String())
	if err := http.Serve(ln, s.routes()); err != nil {
		fmt.Fprintln(os.Stderr, "provider:", err)
		os.Exit(2)
	}
}

func (s *store) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_pact/state", s.state)
	mux.HandleFunc("GET /orders/{id}", s.get)
	mux.HandleFunc("GET /orders", s.list)
	mux.HandleFunc("POST /orders", s.create)
	return mux
}

// state handles {"state": NAME, "params": {...}, "action": "setup"|"teardown"}.
func (s *store) state(w http.ResponseWriter, r *http.Request) {
	var c struct {
		State  string         `json:"state"`
		Params map[string]any `json:"params"`
		Action string         `json:"action"`
	}
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Action == "teardown" {
		s.orders, s.nextID = map[int]order{}, 1
		w.WriteHeader(http.StatusNoContent)
		return
	}
	switch c.State {
	case "an order exists":
		id := 1
		if f, ok := c.Params["id"].(float64); ok {
			id = int(f)
		}
		s.orders[id] = order{ID: id, Status: "open", Items: []item{{"A-1", 2}}, Total: 19.98}
		if id >= s.nextID {
			s.nextID = id + 1
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id})
	case "no orders exist", "":
		if c.State != "" {
			s.orders = map[int]order{}
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "unknown provider state "+strconv.Quote(c.State), http.StatusBadRequest)
	}
}

func (s *store) get(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.Error(w, "bad order id", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	o, ok := s.orders[id]
	s.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if s.broken {
		writeJSON(w, http.StatusOK, map[string]any{"id": o.ID, "status": o.Status, "items": o.Items, "total": strconv.FormatFloat(o.Total, 'f', 2, 64)})
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *store) list(w http.ResponseWriter, r *http.Request) {
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

func (s *store) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Items []item `json:"items"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Items) == 0 {
		http.Error(w, "want a JSON body with items", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	o := order{ID: s.nextID, Status: "open", Items: in.Items}
	s.orders[o.ID] = o
	s.nextID++
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"id": o.ID, "status": o.Status})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
