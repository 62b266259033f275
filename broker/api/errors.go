package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/contracts-dev/contracts/broker"
)

// ErrUnauthorized is returned by the Client when the broker refused the
// request because no valid credential was presented (HTTP 401).
var ErrUnauthorized = errors.New("unauthorized")

// ErrForbidden is returned by the Client when the credential presented may
// not do what was asked, such as a read-only token publishing (HTTP 403).
var ErrForbidden = errors.New("forbidden")

// statusTable maps domain errors to HTTP statuses. The server answers the
// first entry whose error matches with errors.Is (StatusOf); the client
// turns a status back into the error of the first entry with that status
// (ErrorForStatus), so errors.Is works on both sides of the wire.
var statusTable = []struct {
	err    error
	status int
}{
	{broker.ErrNotFound, http.StatusNotFound},
	{broker.ErrConflict, http.StatusConflict},
	{broker.ErrInvalid, http.StatusBadRequest},
	{ErrUnauthorized, http.StatusUnauthorized},
	{ErrForbidden, http.StatusForbidden},
	{broker.ErrInvalid, http.StatusRequestEntityTooLarge},
	{broker.ErrInvalid, http.StatusUnsupportedMediaType},
	{broker.ErrInvalid, http.StatusUnprocessableEntity},
}

// StatusOf returns the HTTP status of the status table's first entry
// whose error matches err, else 500.
func StatusOf(err error) int {
	for _, e := range statusTable {
		if errors.Is(err, e.err) {
			return e.status
		}
	}
	return http.StatusInternalServerError
}

// ErrorForStatus returns the domain error for an HTTP status, nil when the
// table has none.
func ErrorForStatus(status int) error {
	for _, e := range statusTable {
		if e.status == status {
			return e.err
		}
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
func (e *ResponseError) Unwrap() error { return ErrorForStatus(e.Status) }

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
