package server

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/contracts-dev/contracts/broker/api"
)

// links is the _links object of a resource. Values are Link or []Link.
type links map[string]any

// baseURL returns the absolute URL the client used to reach the broker,
// without a trailing slash: the configured base URL when there is one,
// otherwise built from X-Forwarded-* headers or the request's Host.
func (s *server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := firstHeaderValue(r.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
		scheme = p
	} else if r.Header.Get("X-Forwarded-Ssl") == "on" {
		scheme = "https"
	}
	host := r.Host
	if h := firstHeaderValue(r.Header.Get("X-Forwarded-Host")); h != "" && !strings.ContainsAny(h, "/ \\@") {
		host = h
	}
	if host == "" {
		host = "localhost"
	}
	prefix := strings.TrimRight(firstHeaderValue(r.Header.Get("X-Forwarded-Prefix")), "/")
	if prefix != "" && (!strings.HasPrefix(prefix, "/") || strings.Contains(prefix, "//")) {
		prefix = ""
	}
	return scheme + "://" + host + prefix
}

func firstHeaderValue(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.TrimSpace(v)
}

// urls builds absolute hrefs for one request.
type urls struct{ base string }

func (s *server) urlsFor(r *http.Request) urls { return urls{base: s.baseURL(r)} }

// href returns the absolute URL of the path made of escaped segments.
func (u urls) href(segments ...string) string { return u.base + api.PathOf(segments...) }

// raw returns the absolute URL of an already escaped path (templates).
func (u urls) raw(path string) string { return u.base + path }

func (u urls) pacticipant(name string) string { return u.href("pacticipants", name) }

func (u urls) version(pacticipant, number string) string {
	return u.href("pacticipants", pacticipant, "versions", number)
}

func (u urls) pactVersion(provider, consumer, number string) string {
	return u.href("pacts", "provider", provider, "consumer", consumer, "version", number)
}

func (u urls) pactBySHA(provider, consumer, sha string) string {
	return u.href("pacts", "provider", provider, "consumer", consumer, "pact-version", sha)
}

func (u urls) environment(uuid string) string { return u.href("environments", uuid) }

// writeJSON writes v as a HAL JSON response with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", api.HALContentType)
	w.WriteHeader(status)
	if v == nil {
		return
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// upsertStatus is the status of a PUT: 201 when it created the resource,
// 200 when it replaced one.
func upsertStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// collection is a HAL collection: each of xs, as item renders it, under
// _embedded[key], beside l.
func collection[T, D any](key string, xs []T, item func(T) D, l links) map[string]any {
	items := make([]D, 0, len(xs))
	for _, x := range xs {
		items = append(items, item(x))
	}
	return map[string]any{
		"_embedded": map[string]any{key: items},
		"_links":    l,
	}
}

// noContent answers 204 No Content when err (a delete's) is nil, and
// returns err otherwise.
func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
