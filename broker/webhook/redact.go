package webhook

import (
	"encoding/json"
	"strings"
)

// Redacted replaces secret values wherever they are shown or logged.
const Redacted = "**********"

// SecretHeader reports whether a header's value is a credential: its name
// contains authorization, token, secret, key or password.
func SecretHeader(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"authorization", "token", "secret", "key", "password"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// RedactDefinition returns a definition document with secret header
// values and the password replaced by Redacted; other fields are kept.
func RedactDefinition(def map[string]any) map[string]any {
	req, ok := def["request"].(map[string]any)
	if !ok {
		return def
	}
	if _, ok := req["password"]; ok {
		req["password"] = Redacted
	}
	if hs, ok := req["headers"].(map[string]any); ok {
		for k := range hs {
			if SecretHeader(k) {
				hs[k] = Redacted
			}
		}
	}
	return def
}

// RedactDefinitionJSON is RedactDefinition on JSON.
func RedactDefinitionJSON(def json.RawMessage) (json.RawMessage, error) {
	var m map[string]any
	if err := json.Unmarshal(def, &m); err != nil {
		return nil, err
	}
	return json.Marshal(RedactDefinition(m))
}

// KeepRedacted returns next with every credential that reads Redacted
// (a definition read back and sent again) replaced by its value in prev,
// the stored definition, so that updating a webhook from what a GET
// returned does not overwrite its credentials with asterisks.
func KeepRedacted(next, prev json.RawMessage) (json.RawMessage, error) {
	var n, p map[string]any
	if err := json.Unmarshal(next, &n); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(prev, &p); err != nil {
		return next, nil
	}
	nr, _ := n["request"].(map[string]any)
	pr, _ := p["request"].(map[string]any)
	if nr == nil || pr == nil {
		return next, nil
	}
	changed := false
	if nr["password"] == Redacted {
		if v, ok := pr["password"]; ok {
			nr["password"], changed = v, true
		}
	}
	nh, _ := nr["headers"].(map[string]any)
	ph, _ := pr["headers"].(map[string]any)
	for k, v := range nh {
		if v != Redacted || ph == nil {
			continue
		}
		for pk, pv := range ph {
			if strings.EqualFold(pk, k) {
				nh[k], changed = pv, true
			}
		}
	}
	if !changed {
		return next, nil
	}
	return json.Marshal(n)
}
