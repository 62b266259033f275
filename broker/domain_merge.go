package broker

import (
	"bytes"
	"encoding/json"
)

// MergePactContent merges the interactions (or messages) of update into
// existing: an interaction of update replaces the existing one with the
// same description and provider states, others are appended. The other
// top-level fields come from update. ErrInvalid: either is not a JSON
// object.
func MergePactContent(existing, update []byte) ([]byte, error) {
	var base, next map[string]json.RawMessage
	if err := json.Unmarshal(existing, &base); err != nil {
		return nil, Invalid("content", "existing pact is not a JSON object: %v", err)
	}
	if err := json.Unmarshal(update, &next); err != nil {
		return nil, Invalid("content", "pact is not a JSON object: %v", err)
	}
	for _, key := range []string{"interactions", "messages"} {
		if _, ok := next[key]; !ok {
			if old, ok := base[key]; ok {
				next[key] = old
			}
			continue
		}
		var olds, news []json.RawMessage
		if raw, ok := base[key]; ok {
			if err := json.Unmarshal(raw, &olds); err != nil {
				return nil, Invalid(key, "existing pact %s is not an array: %v", key, err)
			}
		}
		if err := json.Unmarshal(next[key], &news); err != nil {
			return nil, Invalid(key, "%s is not an array: %v", key, err)
		}
		merged := append([]json.RawMessage(nil), olds...)
		for _, n := range news {
			k := interactionKey(n)
			replaced := false
			for i, o := range merged {
				if interactionKey(o) == k {
					merged[i] = n
					replaced = true
					break
				}
			}
			if !replaced {
				merged = append(merged, n)
			}
		}
		raw, err := json.Marshal(merged)
		if err != nil {
			return nil, err
		}
		next[key] = raw
	}
	return json.Marshal(next)
}

// interactionKey identifies an interaction for merging: its description
// and provider states.
func interactionKey(raw json.RawMessage) string {
	var it map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&it); err != nil {
		return string(raw)
	}
	var b bytes.Buffer
	writeCanonical(&b, []any{it["description"], it["providerState"], it["providerStates"]})
	return b.String()
}
