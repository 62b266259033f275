// Command provider is the benchmark's pact and provider: it writes a large,
// realistic V3 JSON pact and serves a fast Go HTTP provider that honours it.
// scripts/bench-verify.sh uses it to compare `contracts verify` with the
// official `pact verifier`.
//
//	go run ./testdata/bench/provider -write-pact pact.json -n 1000
//	go run ./testdata/bench/provider -listen 127.0.0.1:0 -n 1000 [-broken]
//
// With -listen, the first line on stdout is the provider's base URL. The
// pact and the provider are built from the same deterministic table, so the
// provider answers every interaction of a pact written with the same -n.
// The provider's responses are not copies of the pact's examples: values
// covered by matching rules differ (other ids, names, dates, longer arrays),
// so a verifier has to apply the rules to pass.
//
// -broken makes every interaction whose index is 7 modulo 100 fail, in turn
// by a renamed field, a value of the wrong type, and a wrong status. -list-broken
// prints the descriptions of those interactions, one a line.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "provider:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("provider", flag.ContinueOnError)
	n := fs.Int("n", 1000, "number of interactions")
	writePact := fs.String("write-pact", "", "write the pact to this file and exit")
	listen := fs.String("listen", "", "serve the provider on this address (host:port, port 0 picks one)")
	broken := fs.Bool("broken", false, "break the interactions whose index is 7 modulo 100")
	listBroken := fs.Bool("list-broken", false, "print the descriptions of the interactions -broken breaks, and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 {
		return fmt.Errorf("-n %d: want at least 1", *n)
	}
	cases := buildCases(*n)
	switch {
	case *listBroken:
		for _, c := range cases {
			if c.breakage != breakNone {
				fmt.Fprintln(stdout, c.description)
			}
		}
		return nil
	case *writePact != "":
		data, err := json.MarshalIndent(pactFile(cases), "", "  ")
		if err != nil {
			return fmt.Errorf("encode pact: %w", err)
		}
		if err := os.WriteFile(*writePact, append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("write pact: %w", err)
		}
		return nil
	case *listen != "":
		return serve(*listen, cases, *broken, stdout)
	default:
		return errors.New("give -write-pact FILE, -listen ADDR or -list-broken")
	}
}

// breakage says how -broken breaks an interaction.
type breakage int

const (
	breakNone breakage = iota
	breakRename
	breakType
	breakStatus
)

// testCase is one interaction: what the pact expects and what the provider
// really answers.
type testCase struct {
	description string
	states      []state
	method      string
	path        string
	query       url.Values
	reqHeaders  map[string]string
	reqBody     any
	// status, respHeaders, respBody and rules are the pact's expectation.
	status      int
	respHeaders map[string]string
	respBody    any
	rules       map[string]any // "body" / "header" rule tables
	// actual* is what the working provider sends.
	actualStatus  int
	actualHeaders map[string]string
	actualBody    map[string]any
	// renameKey and typeKey are the top-level body fields -broken renames or
	// gives a value of the wrong type.
	renameKey, typeKey string
	breakage           breakage
}

type state struct {
	Name   string         `json:"name"`
	Params map[string]any `json:"params,omitempty"`
}

func matchers(ms ...map[string]any) map[string]any {
	list := make([]any, len(ms))
	for i, m := range ms {
		list[i] = m
	}
	return map[string]any{"matchers": list, "combine": "AND"}
}

func byType() map[string]any            { return map[string]any{"match": "type"} }
func minType(min int) map[string]any    { return map[string]any{"match": "type", "min": min} }
func integer() map[string]any           { return map[string]any{"match": "integer"} }
func decimal() map[string]any           { return map[string]any{"match": "decimal"} }
func regex(re string) map[string]any    { return map[string]any{"match": "regex", "regex": re} }
func date(format string) map[string]any { return map[string]any{"match": "date", "format": format} }
func timestamp(format string) map[string]any {
	return map[string]any{"match": "timestamp", "format": format}
}

const (
	dateFormat      = "yyyy-MM-dd"
	timestampFormat = "yyyy-MM-dd'T'HH:mm:ss"
	goDate          = "2006-01-02"
	goTimestamp     = "2006-01-02T15:04:05"
)

var (
	exampleDay = time.Date(2020, 1, 1, 8, 30, 0, 0, time.UTC)
	actualDay  = time.Date(2024, 3, 1, 17, 45, 12, 0, time.UTC)
)

// money returns a value with a non-zero last decimal digit, so every JSON
// encoder writes it with a fraction (a decimal, never an integer).
func money(i, salt int) float64 {
	cents := ((i*37+salt)%5000)*100 + 1 + (i+salt)%98
	return float64(cents) / 100
}

var names = []string{"Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Ken Thompson"}

func buildCases(n int) []testCase {
	cases := make([]testCase, n)
	for i := range cases {
		var c testCase
		switch i % 6 {
		case 0:
			c = userCase(i)
		case 1:
			c = ordersCase(i)
		case 2:
			c = createOrderCase(i)
		case 3:
			c = productCase(i)
		case 4:
			c = deleteSessionCase(i)
		default:
			c = reportCase(i)
		}
		if i%100 == 7 {
			c.breakage = breakage(1 + (i/100)%3)
		}
		cases[i] = c
	}
	return cases
}

func jsonHeaders() map[string]string { return map[string]string{"Content-Type": "application/json"} }

func userCase(i int) testCase {
	id := 1000 + i
	return testCase{
		description: fmt.Sprintf("a request for user %d (#%04d)", id, i),
		states:      []state{{Name: "a user exists", Params: map[string]any{"id": id}}},
		method:      http.MethodGet,
		path:        fmt.Sprintf("/api/v1/users/%d", id),
		reqHeaders:  map[string]string{"Accept": "application/json"},
		status:      200,
		respHeaders: map[string]string{"Content-Type": "application/json", "X-RateLimit-Remaining": "99"},
		respBody: map[string]any{
			"id": id, "type": "user", "name": "Jane Example", "email": "jane@example.com",
			"active": true, "createdAt": exampleDay.Format(goTimestamp), "birthday": "1990-05-17",
			"roles":   []any{"admin"},
			"address": map[string]any{"street": "1 Main St", "city": "Springfield", "zip": "12345"},
		},
		rules: map[string]any{
			"header": map[string]any{"X-RateLimit-Remaining": matchers(regex(`^\d+$`))},
			"body": map[string]any{
				"$.id":             matchers(integer()),
				"$.name":           matchers(byType()),
				"$.email":          matchers(regex(`^[^@\s]+@[^@\s]+\.[a-z]+$`)),
				"$.active":         matchers(byType()),
				"$.createdAt":      matchers(timestamp(timestampFormat)),
				"$.birthday":       matchers(date(dateFormat)),
				"$.roles":          matchers(minType(1)),
				"$.address.street": matchers(byType()),
				"$.address.city":   matchers(byType()),
				"$.address.zip":    matchers(regex(`^\d{5}$`)),
			},
		},
		actualStatus:  200,
		actualHeaders: map[string]string{"Content-Type": "application/json", "X-RateLimit-Remaining": fmt.Sprint(5000 - i%5000)},
		actualBody: map[string]any{
			"id": id, "type": "user", "name": names[i%len(names)], "email": fmt.Sprintf("user%d@corp.example.org", id),
			"active": i%4 != 0, "createdAt": actualDay.Add(time.Duration(i) * time.Hour).Format(goTimestamp),
			"birthday":  actualDay.AddDate(-30, 0, -i).Format(goDate),
			"roles":     []any{"reader", "writer", fmt.Sprintf("team-%d", i%7)},
			"address":   map[string]any{"street": fmt.Sprintf("%d Elm Road", i), "city": "Shelbyville", "zip": fmt.Sprintf("%05d", 10000+i)},
			"lastLogin": actualDay.Format(goTimestamp), // extra fields are allowed
		},
		renameKey: "email",
		typeKey:   "id",
	}
}

func ordersCase(i int) testCase {
	customer := 5000 + i
	line := func(sku string, qty int) map[string]any { return map[string]any{"sku": sku, "qty": qty} }
	order := func(id int, total float64, day time.Time, lines ...any) map[string]any {
		return map[string]any{"id": id, "total": total, "currency": "EUR", "placedOn": day.Format(goDate), "lines": lines}
	}
	return testCase{
		description: fmt.Sprintf("a search for the open orders of customer %d (#%04d)", customer, i),
		states:      []state{{Name: "a customer has open orders", Params: map[string]any{"customer": customer, "count": 3}}},
		method:      http.MethodGet,
		path:        "/api/v1/orders",
		query:       url.Values{"customer": {fmt.Sprint(customer)}, "status": {"open"}, "page": {fmt.Sprint(1 + i%5)}},
		reqHeaders:  map[string]string{"Accept": "application/json", "X-Correlation-Id": fmt.Sprintf("bench-%d", i)},
		status:      200,
		respHeaders: jsonHeaders(),
		respBody: map[string]any{
			"customer": customer, "page": 1,
			"orders": []any{order(1, 10.5, exampleDay, line("SKU-000001", 1))},
		},
		rules: map[string]any{"body": map[string]any{
			"$.page":                   matchers(integer()),
			"$.orders":                 matchers(minType(1)),
			"$.orders[*].id":           matchers(integer()),
			"$.orders[*].total":        matchers(decimal()),
			"$.orders[*].currency":     matchers(regex(`^[A-Z]{3}$`)),
			"$.orders[*].placedOn":     matchers(date(dateFormat)),
			"$.orders[*].lines":        matchers(minType(1)),
			"$.orders[*].lines[*].sku": matchers(regex(`^SKU-\d{6}$`)),
			"$.orders[*].lines[*].qty": matchers(integer()),
		}},
		actualStatus:  200,
		actualHeaders: jsonHeaders(),
		actualBody: map[string]any{
			"customer": customer, "page": 1 + i%5,
			"orders": []any{
				order(70000+i, money(i, 1), actualDay.AddDate(0, 0, -i%30), line(fmt.Sprintf("SKU-%06d", i), 2), line(fmt.Sprintf("SKU-%06d", i+1), 1)),
				order(80000+i, money(i, 2), actualDay.AddDate(0, -1, 0), line(fmt.Sprintf("SKU-%06d", i+2), 5)),
				order(90000+i, money(i, 3), actualDay, line("SKU-999999", 12)),
			},
		},
		renameKey: "orders",
		typeKey:   "page",
	}
}

func createOrderCase(i int) testCase {
	return testCase{
		description: fmt.Sprintf("a request to create an order for cart %d (#%04d)", i, i),
		states:      []state{{Name: "a cart is ready", Params: map[string]any{"cart": i}}, {Name: "payments are up"}},
		method:      http.MethodPost,
		path:        "/api/v1/orders",
		query:       url.Values{"cart": {fmt.Sprint(i)}},
		reqHeaders:  map[string]string{"Content-Type": "application/json", "Authorization": "Bearer token-1234"},
		reqBody: map[string]any{
			"cart": i, "currency": "EUR", "express": i%2 == 0,
			"lines": []any{map[string]any{"sku": fmt.Sprintf("SKU-%06d", i), "qty": 1 + i%4}},
		},
		status:      201,
		respHeaders: map[string]string{"Content-Type": "application/json", "Location": "/api/v1/orders/1"},
		respBody:    map[string]any{"id": 1, "status": "created", "createdAt": exampleDay.Format(goTimestamp), "total": 12.5},
		rules: map[string]any{
			"header": map[string]any{"Location": matchers(regex(`^/api/v1/orders/\d+$`))},
			"body": map[string]any{
				"$.id":        matchers(integer()),
				"$.createdAt": matchers(timestamp(timestampFormat)),
				"$.total":     matchers(decimal()),
			},
		},
		actualStatus:  201,
		actualHeaders: map[string]string{"Content-Type": "application/json", "Location": fmt.Sprintf("/api/v1/orders/%d", 300000+i)},
		actualBody: map[string]any{
			"id": 300000 + i, "status": "created", "createdAt": actualDay.Add(time.Duration(i) * time.Minute).Format(goTimestamp),
			"total": money(i, 4),
		},
		renameKey: "status",
		typeKey:   "total",
	}
}

func productCase(i int) testCase {
	id := 20000 + i
	return testCase{
		description: fmt.Sprintf("a request to update product %d (#%04d)", id, i),
		states:      []state{{Name: "a product exists", Params: map[string]any{"id": id, "sku": fmt.Sprintf("SKU-%06d", id)}}},
		method:      http.MethodPut,
		path:        fmt.Sprintf("/api/v1/products/%d", id),
		reqHeaders:  map[string]string{"Content-Type": "application/json", "Accept": "application/json", "If-Match": fmt.Sprintf(`"v%d"`, i)},
		reqBody:     map[string]any{"name": fmt.Sprintf("Widget %d", i), "price": money(i, 5), "tags": []any{"blue", "small"}},
		status:      200,
		respHeaders: jsonHeaders(),
		respBody: map[string]any{
			"id": id, "sku": "SKU-000000", "name": "Widget", "price": 9.99, "tags": []any{"tag"},
			"dimensions": map[string]any{"width": 1.5, "height": 2.5, "depth": 0.5},
			"updatedAt":  exampleDay.Format(goTimestamp),
		},
		rules: map[string]any{"body": map[string]any{
			"$.id":                matchers(integer()),
			"$.sku":               matchers(regex(`^SKU-\d{6}$`)),
			"$.name":              matchers(byType()),
			"$.price":             matchers(decimal()),
			"$.tags":              matchers(minType(1)),
			"$.dimensions.width":  matchers(decimal()),
			"$.dimensions.height": matchers(decimal()),
			"$.dimensions.depth":  matchers(decimal()),
			"$.updatedAt":         matchers(timestamp(timestampFormat)),
		}},
		actualStatus:  200,
		actualHeaders: jsonHeaders(),
		actualBody: map[string]any{
			"id": id, "sku": fmt.Sprintf("SKU-%06d", id), "name": fmt.Sprintf("Widget %d", i), "price": money(i, 5),
			"tags":       []any{"blue", "small", "sale"},
			"dimensions": map[string]any{"width": 10.25, "height": 3.75, "depth": money(i, 6)},
			"updatedAt":  actualDay.Format(goTimestamp),
		},
		renameKey: "sku",
		typeKey:   "price",
	}
}

func deleteSessionCase(i int) testCase {
	return testCase{
		description:   fmt.Sprintf("a request to end session %d (#%04d)", i, i),
		states:        []state{{Name: "a session exists", Params: map[string]any{"session": fmt.Sprintf("s-%d", i)}}},
		method:        http.MethodDelete,
		path:          fmt.Sprintf("/api/v1/sessions/s-%d", i),
		reqHeaders:    map[string]string{"Authorization": "Bearer token-1234"},
		status:        204,
		actualStatus:  204,
		actualHeaders: map[string]string{},
	}
}

func reportCase(i int) testCase {
	id := 40000 + i
	return testCase{
		description: fmt.Sprintf("a request for the summary of report %d (#%04d)", id, i),
		method:      http.MethodGet,
		path:        fmt.Sprintf("/api/v1/reports/%d/summary", id),
		query:       url.Values{"from": {"2024-01-01"}, "to": {"2024-01-31"}, "group": {"day", "region"}},
		reqHeaders:  map[string]string{"Accept": "application/json"},
		status:      200,
		respHeaders: map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"},
		respBody: map[string]any{
			"report":      id,
			"period":      map[string]any{"from": "2020-01-01", "to": "2020-01-31"},
			"totals":      map[string]any{"count": 1, "amount": 1.5},
			"rows":        []any{map[string]any{"day": "2020-01-01", "region": "EU", "count": 1}},
			"title":       "Summary",
			"generatedAt": exampleDay.Format(goTimestamp),
		},
		rules: map[string]any{"body": map[string]any{
			"$.period.from":    matchers(date(dateFormat)),
			"$.period.to":      matchers(date(dateFormat)),
			"$.totals.count":   matchers(integer()),
			"$.totals.amount":  matchers(decimal()),
			"$.rows":           matchers(minType(1)),
			"$.rows[*].day":    matchers(date(dateFormat)),
			"$.rows[*].region": matchers(regex(`^(EU|US|APAC)$`)),
			"$.rows[*].count":  matchers(integer()),
			"$.title":          matchers(byType()),
			"$.generatedAt":    matchers(timestamp(timestampFormat)),
		}},
		actualStatus:  200,
		actualHeaders: map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"},
		actualBody: map[string]any{
			"report": id,
			"period": map[string]any{"from": "2024-01-01", "to": "2024-01-31"},
			"totals": map[string]any{"count": 30 + i, "amount": money(i, 7)},
			"rows": []any{
				map[string]any{"day": "2024-01-01", "region": "EU", "count": i},
				map[string]any{"day": "2024-01-02", "region": "US", "count": i + 1},
				map[string]any{"day": "2024-01-03", "region": "APAC", "count": 0},
			},
			"title":       fmt.Sprintf("January summary %d", i),
			"generatedAt": actualDay.Format(goTimestamp),
		},
		renameKey: "title",
		typeKey:   "report",
	}
}

// pactFile renders the cases as a V3 pact.
func pactFile(cases []testCase) map[string]any {
	interactions := make([]any, len(cases))
	for i, c := range cases {
		req := map[string]any{"method": c.method, "path": c.path}
		if len(c.query) > 0 {
			q := map[string]any{}
			for k, vs := range c.query {
				q[k] = vs
			}
			req["query"] = q
		}
		if len(c.reqHeaders) > 0 {
			req["headers"] = c.reqHeaders
		}
		if c.reqBody != nil {
			req["body"] = c.reqBody
		}
		resp := map[string]any{"status": c.status}
		if len(c.respHeaders) > 0 {
			resp["headers"] = c.respHeaders
		}
		if c.respBody != nil {
			resp["body"] = c.respBody
		}
		if len(c.rules) > 0 {
			resp["matchingRules"] = c.rules
		}
		in := map[string]any{"description": c.description, "request": req, "response": resp}
		if len(c.states) > 0 {
			in["providerStates"] = c.states
		}
		interactions[i] = in
	}
	return map[string]any{
		"consumer":     map[string]any{"name": "BenchConsumer"},
		"provider":     map[string]any{"name": "BenchProvider"},
		"interactions": interactions,
		"metadata":     map[string]any{"pactSpecification": map[string]any{"version": "3.0.0"}},
	}
}

// route is the lookup key of a request: method, path and sorted query.
func route(method, path string, query url.Values) string {
	return method + " " + path + "?" + query.Encode()
}

// handler is the provider: a table of prepared responses keyed by route. It
// checks what a real handler would (the JSON body of writes, credentials),
// so a verifier that drops the body or headers gets a 4xx.
type handler struct {
	routes map[string]*response
}

type response struct {
	status  int
	headers map[string]string
	body    []byte
	needs   testCase
}

func newHandler(cases []testCase, broken bool) (*handler, error) {
	h := &handler{routes: make(map[string]*response, len(cases))}
	for _, c := range cases {
		status, body := c.actualStatus, c.actualBody
		if broken {
			switch c.breakage {
			case breakRename:
				body = cloneTop(body)
				body[c.renameKey+"_v2"] = body[c.renameKey]
				delete(body, c.renameKey)
			case breakType:
				body = cloneTop(body)
				body[c.typeKey] = fmt.Sprint(body[c.typeKey])
			case breakStatus:
				status = 500
			}
		}
		r := &response{status: status, headers: c.actualHeaders, needs: c}
		if body != nil {
			data, err := json.Marshal(body)
			if err != nil {
				return nil, fmt.Errorf("encode response of %q: %w", c.description, err)
			}
			r.body = data
		}
		key := route(c.method, c.path, c.query)
		if _, dup := h.routes[key]; dup {
			return nil, fmt.Errorf("two interactions share the route %s", key)
		}
		h.routes[key] = r
	}
	return h, nil
}

func cloneTop(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_pact/provider-states" {
		// State set-up and tear-down: a real provider would seed its store.
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
		return
	}
	res, ok := h.routes[route(r.Method, r.URL.Path, r.URL.Query())]
	if !ok {
		writeError(w, http.StatusNotFound, "no route for "+r.Method+" "+r.URL.RequestURI())
		return
	}
	c := res.needs
	if want, ok := c.reqHeaders["Authorization"]; ok && r.Header.Get("Authorization") != want {
		writeError(w, http.StatusUnauthorized, "missing or wrong credentials")
		return
	}
	if c.reqBody != nil {
		var got any
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			writeError(w, http.StatusBadRequest, "request body: "+err.Error())
			return
		}
	}
	for k, v := range res.headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(res.status)
	if res.body != nil {
		_, _ = w.Write(res.body)
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	data, _ := json.Marshal(map[string]string{"error": msg})
	_, _ = w.Write(data)
}

func serve(addr string, cases []testCase, broken bool, stdout io.Writer) error {
	h, err := newHandler(cases, broken)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
