package pact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// ParseError reports a pact file that cannot be read: Path is the JSON path
// of the offending value ("$.interactions[2].request.method") and Msg says
// what was expected and what was found.
type ParseError struct {
	Path string
	Msg  string
}

// Error implements error.
func (e *ParseError) Error() string { return e.Path + ": " + e.Msg }

func perr(path, format string, args ...any) error {
	return &ParseError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// jsonKind names the JSON type of raw for error messages.
func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimLeft(raw, " \t\r\n")
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

func isNull(raw json.RawMessage) bool { return jsonKind(raw) == "null" }

func expected(path, want string, raw json.RawMessage) error {
	kind := jsonKind(raw)
	if kind == "string" {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return perr(path, "expected %s, got string %q", want, truncate(s))
		}
	}
	if kind == "number" || kind == "boolean" {
		return perr(path, "expected %s, got %s %s", want, kind, truncate(string(raw)))
	}
	return perr(path, "expected %s, got %s", want, kind)
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

var keyQuoter = strings.NewReplacer(`\`, `\\`, `'`, `\'`)

// childPath appends an object key to a JSON path, quoting it when needed.
func childPath(path, key string) string {
	if plainName(key) {
		return path + "." + key
	}
	return path + "['" + keyQuoter.Replace(key) + "']"
}

func indexPath(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func asObject(path string, raw json.RawMessage) (map[string]json.RawMessage, error) {
	if jsonKind(raw) != "object" {
		return nil, expected(path, "an object", raw)
	}
	m, err := splitObject(raw)
	if err != nil {
		return nil, perr(path, "invalid object: %v", err)
	}
	return m, nil
}

func asArray(path string, raw json.RawMessage) ([]json.RawMessage, error) {
	if jsonKind(raw) != "array" {
		return nil, expected(path, "an array", raw)
	}
	a, err := splitArray(raw)
	if err != nil {
		return nil, perr(path, "invalid array: %v", err)
	}
	return a, nil
}

func asString(path string, raw json.RawMessage) (string, error) {
	if jsonKind(raw) != "string" {
		return "", expected(path, "a string", raw)
	}
	s, err := unquote(bytes.TrimSpace(raw))
	if err != nil {
		return "", perr(path, "invalid string: %v", err)
	}
	return s, nil
}

func asBool(path string, raw json.RawMessage) (bool, error) {
	if jsonKind(raw) != "boolean" {
		return false, expected(path, "a boolean", raw)
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, perr(path, "invalid boolean: %v", err)
	}
	return b, nil
}

// asAny decodes any JSON value with numbers as json.Number.
func asAny(path string, raw json.RawMessage) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, perr(path, "invalid JSON value: %v", err)
	}
	return v, nil
}

// asAnyMap decodes a JSON object into map[string]any with json.Number numbers.
func asAnyMap(path string, raw json.RawMessage) (map[string]any, error) {
	if jsonKind(raw) != "object" {
		return nil, expected(path, "an object", raw)
	}
	v, err := asAny(path, raw)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

// marshal encodes v without HTML escaping.
func marshal(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// mustMarshal encodes values the package built itself (strings, maps of
// JSON values), which cannot fail to encode.
func mustMarshal(v any) json.RawMessage {
	b, err := marshal(v)
	if err != nil {
		panic(fmt.Sprintf("pact: encode %T: %v", v, err))
	}
	return b
}

// extra returns the entries of o whose keys are not in known, or nil.
func extra(o map[string]json.RawMessage, known map[string]bool) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	for k, v := range o {
		if known[k] {
			continue
		}
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[k] = v
	}
	return out
}

// orig returns the entries of o whose keys are in known. The map is never
// nil, which marks the value as read from a file (see obj.absent).
func orig(o map[string]json.RawMessage, known map[string]bool) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for k, v := range o {
		if known[k] {
			out[k] = v
		}
	}
	return out
}

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}
