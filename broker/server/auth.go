package server

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"

	"github.com/contracts-dev/contracts/broker/api"
)

// AuthConfig holds the credentials the broker accepts. A read-write
// credential may do everything; a read-only credential may only read.
// When no credential is configured at all, everything is open.
type AuthConfig struct {
	// ReadToken and WriteToken are bearer tokens.
	ReadToken, WriteToken string
	// ReadUsername/ReadPassword and WriteUsername/WritePassword are Basic
	// auth credentials.
	ReadUsername, ReadPassword   string
	WriteUsername, WritePassword string
	// AllowPublicRead lets requests without credentials read.
	AllowPublicRead bool
	// PublicBadges lets requests without credentials GET the status
	// badges (paths ending in /badge), so a README can show them.
	PublicBadges bool
}

// Open reports whether no credential is configured, leaving the broker open
// to anyone.
func (a AuthConfig) Open() bool {
	return a.ReadToken == "" && a.WriteToken == "" && a.ReadUsername == "" && a.WriteUsername == ""
}

// access is what a request may do.
type access int

const (
	accessNone access = iota
	accessRead
	accessWrite
)

func (a access) String() string {
	switch a {
	case accessRead:
		return "read"
	case accessWrite:
		return "write"
	}
	return "none"
}

// openPaths need no credential: probes and scrapers.
var openPaths = map[string]bool{"/health": true, "/health/live": true, "/health/ready": true, "/metrics": true}

func isRead(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// readsOnly reports whether the request only reads: a read method, or the
// POST of a pacts-for-verification query, which the Pact Broker serves to
// read-only (and, with public read, anonymous) verifiers alike
// (lib/pact_broker/api/authorization/resource_access_policy.rb).
func readsOnly(r *http.Request) bool {
	if isRead(r.Method) {
		return true
	}
	seg := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	return r.Method == http.MethodPost && len(seg) == 4 && seg[0] == "pacts" && seg[1] == "provider" && seg[3] == "for-verification"
}

// authorize decides what the request may do. It returns ErrUnauthorized
// when a needed credential is missing or wrong and ErrForbidden when the
// credential may not write.
func (s *server) authorize(r *http.Request) (access, error) {
	a := s.cfg.Auth
	if a.Open() || openPaths[r.URL.Path] {
		return accessWrite, nil
	}
	granted, presented := a.credential(r)
	if presented && granted == accessNone {
		return accessNone, fmt.Errorf("the credential presented is not valid: %w", api.ErrUnauthorized)
	}
	if !presented {
		if a.AllowPublicRead && readsOnly(r) {
			return accessRead, nil
		}
		if a.PublicBadges && isRead(r.Method) && strings.HasSuffix(r.URL.Path, "/badge") {
			return accessRead, nil
		}
		return accessNone, fmt.Errorf("authentication required (Basic or Bearer): %w", api.ErrUnauthorized)
	}
	if !readsOnly(r) && granted != accessWrite {
		return granted, fmt.Errorf("%s %s needs the read-write credential: %w", r.Method, r.URL.Path, api.ErrForbidden)
	}
	return granted, nil
}

// credential checks the Authorization header. presented is false when there
// is none.
func (a AuthConfig) credential(r *http.Request) (granted access, presented bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return accessNone, false
	}
	scheme, value, _ := strings.Cut(h, " ")
	value = strings.TrimSpace(value)
	switch strings.ToLower(scheme) {
	case "bearer":
		if secretEqual(value, a.WriteToken) {
			return accessWrite, true
		}
		if secretEqual(value, a.ReadToken) {
			return accessRead, true
		}
	case "basic":
		user, pass, ok := r.BasicAuth()
		if !ok {
			return accessNone, true
		}
		if a.WriteUsername != "" && secretEqual(user, a.WriteUsername) && secretEqual(pass, a.WritePassword) {
			return accessWrite, true
		}
		if a.ReadUsername != "" && secretEqual(user, a.ReadUsername) && secretEqual(pass, a.ReadPassword) {
			return accessRead, true
		}
	}
	return accessNone, true
}

// secretEqual compares in constant time; an unset secret never matches.
func secretEqual(got, want string) bool {
	if want == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
