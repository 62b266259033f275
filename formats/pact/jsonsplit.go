package pact

import (
	"encoding/json"
	"unicode/utf8"
)

// The reader walks a pact level by level, keeping every value's raw bytes
// (for lossless writing). Decoding each level with json.Unmarshal into
// map[string]json.RawMessage validated the whole subtree again at every
// level, which made Parse quadratic in the nesting depth and most of the
// verifier's run time on large pacts. Parse and the exported entry points
// validate their input once; below them, objects and arrays are split by
// this scanner, which relies on that validation.

// splitObject splits a valid JSON object into its members.
func splitObject(raw []byte) (map[string]json.RawMessage, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, errNotContainer
	}
	m := make(map[string]json.RawMessage, 8)
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return m, nil
	}
	for i < len(raw) {
		end := stringEnd(raw, i)
		key, err := unquote(raw[i:end])
		if err != nil {
			return nil, err
		}
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return nil, errNotContainer
		}
		i = skipSpace(raw, i+1)
		vend := valueEnd(raw, i)
		m[key] = json.RawMessage(raw[i:vend])
		i = skipSpace(raw, vend)
		if i >= len(raw) {
			break
		}
		if raw[i] == '}' {
			return m, nil
		}
		i = skipSpace(raw, i+1) // ','
	}
	return nil, errNotContainer
}

// splitArray splits a valid JSON array into its items.
func splitArray(raw []byte) ([]json.RawMessage, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return nil, errNotContainer
	}
	var a []json.RawMessage
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		return []json.RawMessage{}, nil
	}
	for i < len(raw) {
		vend := valueEnd(raw, i)
		a = append(a, json.RawMessage(raw[i:vend]))
		i = skipSpace(raw, vend)
		if i >= len(raw) {
			break
		}
		if raw[i] == ']' {
			return a, nil
		}
		i = skipSpace(raw, i+1) // ','
	}
	return nil, errNotContainer
}

type scanError string

func (e scanError) Error() string { return string(e) }

const errNotContainer = scanError("malformed JSON container")

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] == '"'.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the value starting at b[i].
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	default:
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
			j++
		}
		return j
	}
}

// unquote decodes a JSON string literal, fast when it has no escapes.
func unquote(q []byte) (string, error) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", errNotContainer
	}
	body := q[1 : len(q)-1]
	plain := true
	for _, c := range body {
		if c == '\\' || c < 0x20 {
			plain = false
			break
		}
	}
	if plain && utf8.Valid(body) {
		return string(body), nil
	}
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return "", err
	}
	return s, nil
}
