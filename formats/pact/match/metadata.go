package match

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// contentTypeKeys are metadata keys that hold the message content type.
func isContentTypeKey(k string) bool {
	switch strings.ToLower(k) {
	case "contenttype", "content-type", "content_type":
		return true
	}
	return false
}

// matchMetadata compares message metadata. actualContentType is the actual
// contents' own content type: a content-type key the actual metadata lacks
// is compared with it (and skipped when that is unknown too, since the body
// comparison already checks the type).
func matchMetadata(expected, actual map[string]any, actualContentType string, rules *ruleSet) []Mismatch {
	keys := make([]string, 0, len(expected))
	for k := range expected {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Mismatch
	for _, k := range keys {
		ev := expected[k]
		av, ok := actual[k]
		if !ok {
			for ak, v := range actual {
				if strings.EqualFold(ak, k) || (isContentTypeKey(k) && isContentTypeKey(ak)) {
					av, ok = v, true
					break
				}
			}
		}
		if !ok && isContentTypeKey(k) {
			if actualContentType == "" {
				continue
			}
			av, ok = actualContentType, true
		}
		mk := func(msg string) {
			out = append(out, Mismatch{Kind: KindMetadata, Path: k, Expected: plain(ev), Actual: plain(av), Message: msg})
		}
		if !ok {
			mk(fmt.Sprintf("Expected message metadata '%s' but was missing", k))
			continue
		}
		// Pact words a value mismatch as the key's expected and actual JSON,
		// then what the comparison said.
		outer := fmt.Sprintf("Expected metadata key '%s' to have value '%s' but was '%s'", k, compactJSON(ev), compactJSON(av))
		if list := rules.byName(k, false); list != nil {
			for _, msg := range applyList(list, normaliseJSON(ev), normaliseJSON(av), false, true) {
				mk(outer + " - " + msg)
			}
			continue
		}
		if isContentTypeKey(k) {
			es, _ := ev.(string)
			as, _ := av.(string)
			if !parameterValueMatches(es, as) {
				mk(outer + " - " + fmt.Sprintf("Expected metadata '%s' to have value '%s' but was '%s'", k, plain(ev), plain(av)))
			}
			continue
		}
		e, a := normaliseJSON(ev), normaliseJSON(av)
		if !equalValues(e, a) {
			mk(outer + " - " + fmt.Sprintf("Expected %s to be equal to %s", compactJSON(a), compactJSON(e)))
		}
	}
	return out
}

// normaliseJSON brings a value built in Go (float64, int, maps of any) to
// the decoded-JSON form the matchers use (json.Number numbers).
func normaliseJSON(v any) any {
	switch v.(type) {
	case string, bool, nil, json.Number:
		return v
	}
	data, err := json.Marshal(v)
	if err != nil {
		return v
	}
	out, err := decodeJSON(data)
	if err != nil {
		return v
	}
	return out
}
