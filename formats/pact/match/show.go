package match

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// formatPath writes a location such as ["$", "one", "0", "a b"] as
// "$.one[0]['a b']", the way Pact reports body paths.
func formatPath(loc []string) string {
	var b strings.Builder
	for i, seg := range loc {
		if i == 0 && seg == "$" {
			b.WriteByte('$')
			continue
		}
		switch {
		case isDigits(seg):
			b.WriteByte('[')
			b.WriteString(seg)
			b.WriteByte(']')
		case isIdent(seg):
			b.WriteByte('.')
			b.WriteString(seg)
		default:
			b.WriteString("['")
			b.WriteString(strings.ReplaceAll(seg, "'", `\'`))
			b.WriteString("']")
		}
	}
	return b.String()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// child returns loc extended by seg. It appends in place: comparisons walk
// the document depth first and never keep a location after returning
// (mismatches store the formatted path), so siblings may reuse the slot
// and no location is copied per node.
func child(loc []string, seg string) []string { return append(loc, seg) }

// rootLoc returns a fresh location "$" with room for a deep document.
func rootLoc(segs ...string) []string {
	loc := make([]string, 1, 32)
	loc[0] = "$"
	return append(loc, segs...)
}

// show writes a value the way Pact mismatch messages do: strings in single
// quotes, numbers, booleans and null as is, collections as compact JSON.
func show(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + x + "'"
	case json.Number:
		return string(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	case []byte:
		return showBytes(x)
	default:
		return compactJSON(v)
	}
}

// showList writes an array as "[1, 2, 3]", as the size messages do.
func showList(items []any) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(compactJSON(it))
	}
	b.WriteByte(']')
	return b.String()
}

func showBytes(b []byte) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, c := range b {
		if i == 32 {
			sb.WriteString(", ...")
			break
		}
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(int(c)))
	}
	sb.WriteByte(']')
	return sb.String()
}

// plain writes a value without quotes: strings raw, anything else as JSON.
func plain(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return compactJSON(v)
}

// compactJSON encodes v as JSON with sorted keys and no HTML escaping.
func compactJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "<unprintable>"
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// typeName names a value's type as Pact messages do.
func typeName(v any) string {
	switch x := v.(type) {
	case string:
		return "String"
	case json.Number:
		if isDecimalText(string(x)) {
			return "Decimal"
		}
		return "Integer"
	case float64:
		if x == float64(int64(x)) {
			return "Integer"
		}
		return "Decimal"
	case int, int64:
		return "Integer"
	case bool:
		return "Boolean"
	case nil:
		return "Null"
	case []any:
		return "Array"
	case map[string]any:
		return "Object"
	case []byte:
		return strconv.Itoa(len(x)) + " bytes"
	}
	return "Unknown"
}

func isDecimalText(s string) bool {
	return strings.ContainsAny(s, ".eE")
}

// showTyped writes "value (Type)".
func showTyped(v any) string {
	if b, ok := v.([]byte); ok {
		return showBytes(b) + " (" + typeName(v) + ")"
	}
	return show(v) + " (" + typeName(v) + ")"
}
