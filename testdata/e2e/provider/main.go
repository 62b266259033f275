// Command provider is the inventory service of the README's broker story: a
// tiny HTTP provider that honours the pacts of testdata/e2e/web and
// testdata/e2e/mobile (not mobile-next, which wants a discount it does not
// serve).
//
//	go run ./testdata/e2e/provider -listen 127.0.0.1:18081
//	contracts verify --provider inventory --provider-base-url http://127.0.0.1:18081 \
//	  --provider-states-setup-url http://127.0.0.1:18081/_pact/state ...
//
// The first line on stdout is the base URL it listens on. POST /_pact/state
// sets up provider states ("an item exists" with params {"id": N}, "no items
// exist"); the teardown action empties the stock.
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
	ID    int     `json:"id"`
	Name  string  `json:"name"`
	Stock int     `json:"stock"`
	Price float64 `json:"price"`
}

type store struct {
	mu    sync.Mutex
	items map[int]item
}

func main() {
	listen := flag.String("listen", "127.0.0.1:18081", "address to listen on (port 0 picks a free one)")
	flag.Parse()
	s := &store{items: seed()}
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

// seed is the stock before any provider state is set up.
func seed() map[int]item {
	return map[int]item{1: {ID: 1, Name: "desk lamp", Stock: 12, Price: 24.5}, 2: {ID: 2, Name: "chair", Stock: 0, Price: 80.25}}
}

func (s *store) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_pact/state", s.state)
	mux.HandleFunc("GET /items", s.list)
	mux.HandleFunc("GET /items/{id}", s.get)
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
		s.items = seed()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	switch c.State {
	case "an item exists":
		id := 1
		if f, ok := c.Params["id"].(float64); ok {
			id = int(f)
		}
		s.items[id] = item{ID: id, Name: "lamp", Stock: 3, Price: 9.5}
		writeJSON(w, http.StatusOK, map[string]any{"id": id})
	case "no items exist":
		s.items = map[int]item{}
		w.WriteHeader(http.StatusNoContent)
	case "":
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "unknown provider state "+strconv.Quote(c.State), http.StatusBadRequest)
	}
}

func (s *store) get(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.Error(w, "bad item id", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	it, ok := s.items[id]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such item"})
		return
	}
	writeJSON(w, http.StatusOK, it)
}

func (s *store) list(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := make([]item, 0, len(s.items))
	for _, it := range s.items {
		out = append(out, it)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
