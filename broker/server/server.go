// Package server is the broker's HTTP side: the Pact-Broker-compatible HAL
// JSON API over a broker.Store (through broker.Service), with
// authentication, JSON logs with trace ids, /health and Prometheus
// /metrics. The documents the Go client (broker/api) also reads or writes
// are the typed wire structs of broker/api; the other HAL resources are
// built here.
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/contracts-dev/contracts/broker"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultMaxBodyBytes is the request body limit when Config leaves
// MaxBodyBytes zero.
const DefaultMaxBodyBytes = 16 << 20

// Config configures New. The zero value is usable: hrefs are
// built from the request, logs are discarded, everything is open.
type Config struct {
	// BaseURL, when set, is the absolute URL hrefs start with, overriding
	// the request's Host and X-Forwarded-* headers.
	BaseURL string
	// Logger receives one line per request and the server's warnings.
	Logger *slog.Logger
	// Auth holds the accepted credentials.
	Auth AuthConfig
	// Rules are the Pact Broker behaviours for older clients (see Rules);
	// nil means DefaultRules.
	Rules *broker.Rules
	// AllowOverwrite lets a publication change the content of a pact
	// already published for the same consumer version.
	AllowOverwrite bool
	// MaxBodyBytes limits request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// BodyReadTimeout bounds how long a request body may take to arrive
	// once the handler may read it; 0 means DefaultBodyReadTimeout. A body
	// that stops arriving is answered 408.
	BodyReadTimeout time.Duration
	// MaxInFlightBodyBytes bounds the total size of large request bodies
	// (1 MiB and more) being read and handled at once, weighted by their
	// Content-Length; others wait. 0 means DefaultMaxInFlightBodyBytes.
	MaxInFlightBodyBytes int64
	// Draining, when closed, makes GET /health/ready answer 503 so that a
	// load balancer stops sending requests while in-flight ones finish
	// (the serve command closes it on SIGTERM).
	Draining <-chan struct{}
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Frontend, when set, wraps the API handler inside authentication,
	// logging and metrics, to serve the web view at the same paths, e.g.
	// func(api http.Handler) http.Handler { return web.Negotiate(api, ui) }.
	Frontend func(api http.Handler) http.Handler
}

type server struct {
	store   *broker.Service
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	mux     *http.ServeMux
	gate    *bodyGate
}

// New returns the broker's HTTP handler: the Pact-Broker-compatible
// HAL JSON API, /health and /metrics, over store with the rules of
// cfg.Rules.
func New(store broker.Store, cfg Config) http.Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.BodyReadTimeout == 0 {
		cfg.BodyReadTimeout = DefaultBodyReadTimeout
	}
	if cfg.MaxInFlightBodyBytes == 0 {
		cfg.MaxInFlightBodyBytes = DefaultMaxInFlightBodyBytes
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rules := broker.DefaultRules()
	if cfg.Rules != nil {
		rules = *cfg.Rules
	}
	s := &server{store: broker.NewService(store, rules), cfg: cfg, log: log, metrics: newMetrics(), mux: http.NewServeMux(),
		gate: newBodyGate(cfg.MaxInFlightBodyBytes, cfg.MaxBodyBytes, cfg.BodyReadTimeout)}
	if cfg.Auth.Open() {
		log.Warn("no credentials configured: the broker is open to anyone for reading and writing")
	}
	s.routes()
	var h http.Handler = s.mux
	if cfg.Frontend != nil {
		h = cfg.Frontend(h)
	}
	return s.observe(h)
}

// handle registers a handler that returns an error; the error is answered
// in the broker's error shapes.
func (s *server) handle(pattern string, h func(w http.ResponseWriter, r *http.Request) error) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *server) routes() {
	s.mux.HandleFunc("GET /health", s.health)
	s.mux.HandleFunc("GET /health/live", s.live)
	s.mux.HandleFunc("GET /health/ready", s.ready)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
	s.handle("GET /{$}", s.index)
	s.routesAPI()
	s.mux.HandleFunc("/", s.unrouted)
}

// unrouted answers requests no route matched: 405 with Allow when the path
// exists for other methods, else 404.
func (s *server) unrouted(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.writeErrorStatus(w, r, http.StatusMethodNotAllowed, fmt.Errorf("%s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, strings.Join(allow, ", ")))
		return
	}
	s.writeError(w, r, fmt.Errorf("no resource at %s: %w", r.URL.Path, broker.ErrNotFound))
}

func (s *server) health(w http.ResponseWriter, r *http.Request) {
	if err := s.pingStore(r); err != nil {
		s.log.ErrorContext(r.Context(), "health check failed", "trace_id", traceID(r.Context()), "error", err.Error())
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "store": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "store": "ok"})
}

// live answers 200 while the process serves HTTP: a liveness probe that
// fails only when the process must be restarted, never because the
// database is away.
func (s *server) live(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
}

// ready answers 503 while the server drains or when the store does not
// answer, else 200: a readiness probe.
func (s *server) ready(w http.ResponseWriter, r *http.Request) {
	select {
	case <-s.cfg.Draining:
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "draining"})
		return
	default:
	}
	if err := s.pingStore(r); err != nil {
		s.log.WarnContext(r.Context(), "readiness check failed", "trace_id", traceID(r.Context()), "error", err.Error())
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "store": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "store": "ok"})
}

// pingStore checks the store answers: with its Ping method when it has
// one, else with the cheapest read.
func (s *server) pingStore(r *http.Request) error {
	if p, ok := s.store.Store.(interface{ Ping(context.Context) error }); ok {
		return p.Ping(r.Context())
	}
	_, err := s.store.ListPacticipants(r.Context(), broker.Page{Limit: 1})
	return err
}

// decodeJSON reads the request body as JSON into v. A body that is not
// JSON is refused with 415 (wrong media type) or 400 (malformed).
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !strings.Contains(mt, "json") {
			return fmt.Errorf("content type %q is not JSON: %w", ct, errUnsupportedMediaType)
		}
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if !utf8.Valid(body) {
		// encoding/json would quietly substitute U+FFFD.
		return invalid("body", "request body is not valid UTF-8: invalid byte at offset %d", broker.InvalidUTF8Offset(body))
	}
	if at := loneSurrogate(body); at >= 0 {
		// Same reason: "a\ud800" and "a\udc00" would both become "a\ufffd".
		return invalid("body", "request body has a lone UTF-16 surrogate escape %s at byte offset %d (not a Unicode character)", body[at:at+6], at)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return invalid("body", "request body is not valid JSON: %v", jsonErrorText(err))
	}
	return nil
}

// errUnsupportedMediaType is answered with 415.
var errUnsupportedMediaType = &statusError{status: http.StatusUnsupportedMediaType}

// statusError is an error answered with a specific status.
type statusError struct{ status int }

func (e *statusError) Error() string { return strings.ToLower(http.StatusText(e.status)) }

func jsonErrorText(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%s at byte offset %d", se.Error(), se.Offset)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(root)"
		}
		return fmt.Sprintf("field %s: expected %s, got JSON %s", field, te.Type, te.Value)
	}
	return err.Error()
}
