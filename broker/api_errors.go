package broker

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// ErrUnauthorized is returned by the Client when the broker refused the
// request because no valid credential was presented (HTTP 401).
var ErrUnauthorized = errors.New("unauthorized")

// ErrForbidden is returned by the Client when the credential presented may
// not do what was asked, such as a read-only token publishing (HTTP 403).
var ErrForbidden = errors.New("forbidden")

// statusTable maps domain errors to HTTP statuses. The server answers the
// first entry whose error matches with errors.Is; the client turns a status
// back into the error of the first entry with that status, so errors.Is
// works on both sides of the wire.
var statusTable = []struct {
	err    error
	status int
}{
	{ErrNotFound, http.StatusNotFound},
	{ErrConflict, http.StatusConflict},
	{ErrInvalid, http.StatusBadRequest},
	{ErrUnauthorized, http.StatusUnauthorized},
	{ErrForbidden, http.StatusForbidden},
	{ErrInvalid, http.StatusRequestEntityTooLarge},
	{ErrInvalid, http.StatusUnsupportedMediaType},
	{ErrInvalid, http.StatusUnprocessableEntity},
}

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
	for _, e := range statusTable {
		if errors.Is(err, e.err) {
			return e.status
		}
	}
	return http.StatusInternalServerError
}

// errorForStatus returns the domain error for an HTTP status, nil when the
// table has none.
func errorForStatus(status int) error {
	for _, e := range statusTable {
		if e.status == status {
			return e.err
		}
	}
	return nil
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

func (f fieldErrors) Is(target error) bool { return target == ErrInvalid }

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
	var one *FieldError
	if errors.As(err, &one) {
		return fieldErrors{one.Field: {one.Message}}
	}
	var conflict *PactConflictError
	if errors.As(err, &conflict) {
		return fieldErrors{"contracts": {conflict.Error()}}
	}
	return nil
}

// ResponseError is the error the Client returns for an unsuccessful HTTP
// response. It unwraps to the domain error for the status (ErrNotFound for
// 404, ErrConflict for 409, ErrInvalid for 400, ...).
type ResponseError struct {
	Method, URL string
	Status      int
	// Messages are the error messages found in the body, "field: message"
	// for validation errors.
	Messages []string
}

// Error says which request failed, how, and the broker's messages.
func (e *ResponseError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
	if len(e.Messages) > 0 {
		msg += ": " + strings.Join(e.Messages, "; ")
	}
	return msg
}

// Unwrap returns the domain error for the status.
func (e *ResponseError) Unwrap() error { return errorForStatus(e.Status) }

// errorMessages extracts the messages of any of the broker's error shapes.
func errorMessages(body []byte) []string {
	var v struct {
		Error  json.RawMessage `json:"error"`
		Errors json.RawMessage `json:"errors"`
		Detail string          `json:"detail"`
		Title  string          `json:"title"`
	}
	if json.Unmarshal(body, &v) != nil {
		s := strings.TrimSpace(string(body))
		if len(s) > 300 {
			s = s[:300] + "..."
		}
		if s == "" {
			return nil
		}
		return []string{s}
	}
	var out []string
	if len(v.Errors) > 0 {
		var byField map[string]json.RawMessage
		var list []json.RawMessage
		if json.Unmarshal(v.Errors, &byField) == nil {
			keys := make([]string, 0, len(byField))
			for k := range byField {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				for _, m := range flattenMessages(byField[k]) {
					out = append(out, k+": "+m)
				}
			}
		} else if json.Unmarshal(v.Errors, &list) == nil {
			for _, m := range list {
				out = append(out, flattenMessages(m)...)
			}
		}
	}
	if len(v.Error) > 0 {
		var s string
		var obj struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(v.Error, &s) == nil {
			out = append(out, s)
		} else if json.Unmarshal(v.Error, &obj) == nil && obj.Message != "" {
			out = append(out, obj.Message)
		}
	}
	if len(out) == 0 && v.Detail != "" {
		out = append(out, v.Detail)
	}
	return out
}

func flattenMessages(raw json.RawMessage) []string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		var out []string
		for _, m := range list {
			out = append(out, flattenMessages(m)...)
		}
		return out
	}
	var obj map[string]any
	if json.Unmarshal(raw, &obj) == nil {
		if d, ok := obj["detail"].(string); ok {
			return []string{d}
		}
		if m, ok := obj["message"].(string); ok {
			return []string{m}
		}
	}
	return []string{string(raw)}
}
