package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// statusFor returns the HTTP status for err: 413 for a body over the limit,
// the status table's entry, else 500.
func statusFor(err error) int {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	var unproc *unprocessable
	if errors.As(err, &unproc) {
		return http.StatusUnprocessableEntity
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	return api.StatusOf(err)
}

// fieldErrors are validation messages keyed by the field (JSON path) they
// are about. It is an error that matches ErrInvalid.
type fieldErrors map[string][]string

func (f fieldErrors) add(field, format string, args ...any) {
	f[field] = append(f[field], fmt.Sprintf(format, args...))
}

func (f fieldErrors) Error() string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, m := range f[k] {
			parts = append(parts, k+": "+m)
		}
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

func (f fieldErrors) Is(target error) bool { return target == broker.ErrInvalid }

// errOrNil returns f as an error when it holds messages.
func (f fieldErrors) errOrNil() error {
	if len(f) == 0 {
		return nil
	}
	return f
}

// invalid returns a validation error about one field.
func invalid(field, format string, args ...any) error {
	f := fieldErrors{}
	f.add(field, format, args...)
	return f
}

// problem is an application/problem+json body.
type problem struct {
	Title    string          `json:"title"`
	Type     string          `json:"type"`
	Status   int             `json:"status"`
	Instance string          `json:"instance,omitempty"`
	Detail   string          `json:"detail,omitempty"`
	Errors   []problemDetail `json:"errors,omitempty"`
}

type problemDetail struct {
	Type    string `json:"type"`
	Title   string `json:"title"`
	Detail  string `json:"detail"`
	Pointer string `json:"pointer,omitempty"`
}

// writeError answers err in the Pact Broker's error shapes: validation
// errors as {"errors": {field: [msg]}}, others as {"error": msg}, a 500 as
// {"error": {"message", "reference"}}, and application/problem+json when the
// client asked for it. Internal error details are logged, not sent.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusFor(err)
	s.writeErrorStatus(w, r, status, err)
}

func (s *server) writeErrorStatus(w http.ResponseWriter, r *http.Request, status int, err error) {
	msg := err.Error()
	ref := traceID(r.Context())
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "trace_id", ref, "error", msg)
		msg = "internal error, reference " + ref
	}
	if status == http.StatusRequestEntityTooLarge {
		msg = fmt.Sprintf("request body is larger than the limit of %d bytes", s.cfg.MaxBodyBytes)
	}
	fe := fieldsOf(err)
	hasFields := fe != nil
	if strings.Contains(r.Header.Get("Accept"), "application/problem+json") {
		p := problem{Title: http.StatusText(status), Type: "https://docs.pact.io/errors/" + strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "-"), Status: status, Instance: r.URL.Path, Detail: msg}
		if hasFields {
			keys := make([]string, 0, len(fe))
			for k := range fe {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				for _, m := range fe[k] {
					p.Errors = append(p.Errors, problemDetail{Type: p.Type, Title: "Validation errors", Detail: m, Pointer: "/" + strings.ReplaceAll(k, ".", "/")})
				}
			}
		}
		w.Header().Set("Content-Type", "application/problem+json;charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(p)
		return
	}
	switch {
	case hasFields:
		writeJSON(w, status, map[string]any{"errors": map[string][]string(fe)})
	case status >= 500:
		writeJSON(w, status, map[string]any{"error": map[string]string{"message": msg, "reference": ref}})
	case status == http.StatusBadRequest:
		writeJSON(w, status, map[string]any{"errors": map[string][]string{"request": {msg}}})
	default:
		writeJSON(w, status, map[string]any{"error": msg})
	}
}

// fieldsOf returns the field messages of a validation or pact conflict
// error, nil for other errors.
func fieldsOf(err error) fieldErrors {
	var fe fieldErrors
	if errors.As(err, &fe) {
		return fe
	}
	var one *broker.FieldError
	if errors.As(err, &one) {
		return fieldErrors{one.Field: {one.Message}}
	}
	var conflict *broker.PactConflictError
	if errors.As(err, &conflict) {
		return fieldErrors{"contracts": {conflict.Error()}}
	}
	return nil
}
