package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

type infoKey struct{}

// requestInfo is what the middleware learns about a request; handlers read
// it from the context.
type requestInfo struct {
	traceID string
	access  access
}

func infoFrom(ctx context.Context) *requestInfo {
	if i, ok := ctx.Value(infoKey{}).(*requestInfo); ok {
		return i
	}
	return &requestInfo{}
}

// traceID returns the request's trace id, "" outside a request.
func traceID(ctx context.Context) string { return infoFrom(ctx).traceID }

// requestTraceID takes the trace id from a W3C traceparent header (its
// trace-id part), else from X-Request-ID, else generates one.
func requestTraceID(r *http.Request) string {
	if tp := r.Header.Get("traceparent"); tp != "" {
		parts := strings.Split(strings.TrimSpace(tp), "-")
		if len(parts) == 4 && len(parts[1]) == 32 && isLowerHex(parts[1]) && strings.Trim(parts[1], "0") != "" {
			return parts[1]
		}
	}
	if id := strings.TrimSpace(r.Header.Get("X-Request-ID")); id != "" && len(id) <= 128 && isTokenText(id) {
		return id
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func isLowerHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// isTokenText accepts the characters safe to echo in a header and a log.
func isTokenText(s string) bool {
	for _, c := range s {
		if c <= ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// metrics are the server's Prometheus collectors, on a registry of its own.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contracts_http_requests_total",
			Help: "HTTP requests served by the broker, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "contracts_http_request_duration_seconds",
			Help:    "Time to serve broker HTTP requests, by method and route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	m.registry.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe wraps the router: it assigns the trace id, recovers panics, limits
// the body size, records metrics and writes one JSON log line per request.
// It never logs bodies, query strings or credentials.
func (s *server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.cfg.Now()
		id := requestTraceID(r)
		w.Header().Set("X-Request-ID", id)
		info := &requestInfo{traceID: id}
		ctx := context.WithValue(r.Context(), infoKey{}, info)
		r = r.WithContext(ctx)
		if r.Body != nil && s.cfg.MaxBodyBytes > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		}
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.ErrorContext(ctx, "panic serving request", "trace_id", id, "panic", fmt.Sprint(p))
				if rec.status == 0 {
					s.writeErrorStatus(rec, r, http.StatusInternalServerError, fmt.Errorf("panic"))
				}
			}
			route := r.Pattern
			if route == "" {
				// Refused before routing (auth): find the pattern anyway,
				// so metrics and logs name the route.
				_, route = s.mux.Handler(r)
			}
			if route == "" {
				route = "unmatched"
			} else if _, after, ok := strings.Cut(route, " "); ok {
				route = after
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			elapsed := s.cfg.Now().Sub(start)
			s.metrics.requests.WithLabelValues(methodLabel(r.Method), route, strconv.Itoa(status)).Inc()
			s.metrics.duration.WithLabelValues(methodLabel(r.Method), route).Observe(elapsed.Seconds())
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			s.log.LogAttrs(ctx, level, "request",
				slog.String("trace_id", id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.EscapedPath()),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int64("bytes", rec.bytes),
				slog.Float64("duration_ms", float64(elapsed)/float64(time.Millisecond)),
				slog.String("access", info.access.String()),
			)
		}()
		// Credentials are checked before a byte of the body is read.
		granted, err := s.authorize(r)
		info.access = granted
		if err != nil {
			if granted == accessNone {
				w.Header().Set("WWW-Authenticate", `Basic realm="contracts broker", Bearer`)
			}
			refuseBody(w, r)
			s.writeError(rec, r, err)
			return
		}
		if !utf8.ValidString(r.URL.Path) {
			// Names are stored as given; one that is not UTF-8 would come
			// back as U+FFFD in JSON and no URL would find it again.
			refuseBody(w, r)
			s.writeError(rec, r, invalid("path", "is not valid UTF-8 once unescaped: %s", r.URL.EscapedPath()))
			return
		}
		release, err := s.gate.enter(ctx, w, r)
		if err != nil {
			return // the client went away while waiting
		}
		defer release()
		next.ServeHTTP(rec, r)
	})
}

// refuseBody closes the connection after a response that leaves the body
// unread: otherwise the server would first read (up to 256 KiB of) it,
// and a refused client could hold the connection by sending it slowly.
func refuseBody(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
		w.Header().Set("Connection", "close")
	}
}
