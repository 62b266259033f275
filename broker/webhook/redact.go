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
