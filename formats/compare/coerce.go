package compare

import (
	"encoding/json"
	"strings"
)

// coerce converts the strings of a parameter value (path, query, header)
// to the types its schema asks for, as HTTP frameworks do: "42" for an
// integer, "true" for a boolean; items of arrays and properties of objects
// alike. A string that does not convert is left for validation to refuse.
func coerce(v any, schema map[string]any, doc map[string]any) any {
	if schema == nil {
		return v
	}
	types := typesOf(schema)
	switch t := v.(type) {
	case string:
		for _, ty := range types {
			switch ty {
			case "integer", "number":
				n := json.Number(strings.TrimSpace(t))
				if _, err := n.Float64(); err == nil && t != "" {
					if ty == "number" || !strings.ContainsAny(string(n), ".eE") {
						return n
					}
				}
			case "boolean":
				if t == "true" {
					return true
				}
				if t == "false" {
					return false
				}
			case "null":
				if t == "" {
					return nil
				}
			}
		}
	case []any:
		items, _ := deref(schema["items"], doc).(map[string]any)
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = coerce(e, items, doc)
		}
		return out
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		out := make(map[string]any, len(t))
		for k, e := range t {
			ps, _ := deref(props[k], doc).(map[string]any)
			out[k] = coerce(e, ps, doc)
		}
		return out
	}
	return v
}

func typesOf(schema map[string]any) []string {
	switch t := schema["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
