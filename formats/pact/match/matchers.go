package match

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2"

	"github.com/contracts-dev/contracts/formats/pact"
)

// regexCache holds compiled, fully anchored regular expressions by pattern.
// Pact regexes must match the whole value. The cache is process-wide on
// purpose: contracts repeat the same few patterns across thousands of
// interactions and compiling dominates.
var regexCache sync.Map // pattern -> regexEntry

// matcherRegex is a compiled Pact regex: Go's linear-time engine when the
// pattern fits RE2, otherwise a backtracking engine for the Java/Perl
// features (lookaround, backreferences) that Pact's JVM and Rust
// implementations accept and that pact-go / pact-js emit for timestamps.
type matcherRegex struct {
	re2  *regexp.Regexp
	back *regexp2.Regexp
}

// backtrackTimeout bounds one backtracking match, so a pathological
// pattern cannot stall a verification.
const backtrackTimeout = 2 * time.Second

func (m *matcherRegex) MatchString(s string) bool {
	ok, _ := m.match(s)
	return ok
}

// match reports whether s matches, and whether the backtracking engine
// gave up after backtrackTimeout (s is then neither accepted nor shown to
// differ).
func (m *matcherRegex) match(s string) (ok, timedOut bool) {
	if m.re2 != nil {
		return m.re2.MatchString(s), false
	}
	ok, err := m.back.MatchString(s)
	return err == nil && ok, err != nil
}

// regexTimeoutPrefix starts the message of a regex that timed out; the
// public comparisons give such mismatches KindRegexTimeout (see
// markTimeouts). The messages are built here, so the prefix is ours.
const regexTimeoutPrefix = "Regex timed out: "

func regexTimeoutMessage(pattern, s string) string {
	return fmt.Sprintf("%s'%s' did not finish matching '%s' within %s, so the value was not checked", regexTimeoutPrefix, pattern, s, backtrackTimeout)
}

type regexEntry struct {
	re  *matcherRegex
	err error
}

func compileRegex(pattern string) (*matcherRegex, error) {
	if e, ok := regexCache.Load(pattern); ok {
		ent := e.(regexEntry)
		return ent.re, ent.err
	}
	var ent regexEntry
	if _, err := regexp.Compile(pattern); err == nil {
		ent.re = &matcherRegex{re2: regexp.MustCompile(`^(?:` + pattern + `)$`)}
	} else if back, berr := regexp2.Compile(`\A(?:`+pattern+`)\z`, regexp2.None); berr == nil {
		back.MatchTimeout = backtrackTimeout
		ent.re = &matcherRegex{back: back}
	} else {
		ent.err = berr
	}
	regexCache.Store(pattern, ent)
	return ent.re, ent.err
}

// applyList applies every matcher of a list to one value and returns the
// failure messages. With combine OR one passing matcher is enough.
func applyList(list *pact.RuleList, exp, act any, cascaded, coerce bool) []string {
	if list == nil {
		return nil
	}
	or := strings.EqualFold(list.Combine, "OR")
	var msgs []string
	for i := range list.Matchers {
		ms := applyMatcher(&list.Matchers[i], exp, act, cascaded, coerce)
		if or && len(ms) == 0 {
			return nil
		}
		msgs = append(msgs, ms...)
	}
	return msgs
}

// onCollection reports whether a matcher is applied to an object or array
// itself (as opposed to only its leaves).
func onCollection(t string, cascaded bool) bool {
	switch t {
	case "type", "min", "max", "minType", "maxType", "notEmpty":
		return true
	case "equality":
		// At its own path equality compares the whole collection; inherited,
		// it is the default comparison of the children.
		return !cascaded
	}
	// Leaf matchers (regex, integer, date, ...) on a collection apply to
	// its leaves, as the reference engine does; structural ones are
	// handled by the collection comparisons.
	return false
}

// applyCollection applies the matchers of a list that concern a collection
// itself.
func applyCollection(list *pact.RuleList, exp, act any, cascaded bool) []string {
	if list == nil {
		return nil
	}
	or := strings.EqualFold(list.Combine, "OR")
	var msgs []string
	applied := false
	for i := range list.Matchers {
		m := &list.Matchers[i]
		if !onCollection(m.Type, cascaded) {
			continue
		}
		applied = true
		ms := applyMatcher(m, exp, act, cascaded, false)
		if or && len(ms) == 0 {
			return nil
		}
		msgs = append(msgs, ms...)
	}
	if !applied {
		return nil
	}
	return msgs
}

// applyMatcher applies one matcher. coerce allows string forms of numbers
// and booleans, as in query parameters, headers and metadata.
func applyMatcher(m *pact.Matcher, exp, act any, cascaded, coerce bool) []string {
	switch m.Type {
	case "type", "min", "max", "minType", "maxType", "minmax", "minMaxType":
		var msgs []string
		if !sameKind(exp, act) {
			msgs = append(msgs, fmt.Sprintf("Expected %s to be the same type as %s", showTyped(act), showTyped(exp)))
		}
		if !cascaded {
			msgs = append(msgs, sizeMessages(m, act)...)
		}
		return msgs
	case "regex":
		pattern, _ := m.Attrs["regex"].(string)
		s, ok := textOf(act)
		if !ok {
			return []string{fmt.Sprintf("Expected %s to match '%s'", showTyped(act), pattern)}
		}
		re, err := compileRegex(pattern)
		if err != nil {
			return []string{fmt.Sprintf("Regex '%s' is not valid: %v", pattern, err)}
		}
		if ok, timedOut := re.match(s); timedOut {
			return []string{regexTimeoutMessage(pattern, s)}
		} else if !ok {
			return []string{fmt.Sprintf("Expected '%s' to match '%s'", s, pattern)}
		}
	case "equality":
		if !equalValues(exp, act) {
			return []string{fmt.Sprintf("Expected %s to be equal to %s", showTyped(act), showTyped(exp))}
		}
	case "include":
		want := plain(m.Attrs["value"])
		s, _ := textOf(act)
		if !strings.Contains(s, want) {
			return []string{fmt.Sprintf("Expected '%s' to include '%s'", s, want)}
		}
	case "integer":
		if !isInteger(act, coerce) {
			return []string{fmt.Sprintf("Expected %s to be an integer", showTyped(act))}
		}
	case "decimal":
		if !isDecimal(act, coerce) {
			return []string{fmt.Sprintf("Expected %s to be a decimal number", showTyped(act))}
		}
	case "number":
		if !isNumber(act, coerce) {
			return []string{fmt.Sprintf("Expected %s to be a number", showTyped(act))}
		}
	case "null":
		if act != nil {
			return []string{fmt.Sprintf("Expected %s to be a null value", showTyped(act))}
		}
	case "boolean":
		if !isBoolean(act, coerce) {
			return []string{fmt.Sprintf("Expected %s to match a boolean", showTyped(act))}
		}
	case "date", "time", "timestamp", "datetime":
		return dateMessages(m, act)
	case "contentType":
		want, _ := m.Attrs["value"].(string)
		var data []byte
		switch x := act.(type) {
		case []byte:
			data = x
		case string:
			data = []byte(x)
		default:
			data = []byte(compactJSON(act))
		}
		if got := detectContentType(data); !sameMediaType(got, want) && !(isXMLType(got) && isXMLType(want)) {
			return []string{fmt.Sprintf("Expected binary contents to have content type '%s' but detected contents was '%s'", want, got)}
		}
	case "notEmpty":
		if act == nil {
			return []string{"Expected non-empty value but got a NULL"}
		}
		if isEmpty(act) {
			return []string{fmt.Sprintf("Expected %s to not be empty", showTyped(act))}
		}
	case "semver":
		s, _ := textOf(act)
		if !semverRe.MatchString(s) {
			return []string{fmt.Sprintf("'%s' is not a valid semantic version", s)}
		}
	case "values", "eachKey", "eachValue", "arrayContains", "each-key", "each-value", "array-contains", "statusCode":
		// Structural matchers, applied by the collection comparisons.
	default:
		return []string{fmt.Sprintf("Unsupported matcher '%s'", m.Type)}
	}
	return nil
}

// semverRe is the Semantic Versioning 2.0.0 grammar.
var semverRe = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// sizeMessages checks the min and max attributes against an array (or a
// list of values such as repeated query parameters).
func sizeMessages(m *pact.Matcher, act any) []string {
	var n int
	var shown string
	switch x := act.(type) {
	case []any:
		n, shown = len(x), showList(x)
	case map[string]any:
		// An object's size is its number of entries, as the Pact
		// implementations count it.
		n, shown = len(x), compactJSON(x)
	default:
		return nil
	}
	var msgs []string
	if min, ok := toInt(m.Attrs["min"]); ok && n < min {
		msgs = append(msgs, fmt.Sprintf("Expected %s (size %d) to have minimum size of %d", shown, n, min))
	}
	if max, ok := toInt(m.Attrs["max"]); ok && n > max {
		msgs = append(msgs, fmt.Sprintf("Expected %s (size %d) to have maximum size of %d", shown, n, max))
	}
	return msgs
}

// textOf gives the text a regex or include matcher sees: strings as is,
// numbers and booleans in their JSON form. Collections have none.
func textOf(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return string(x), true
	case bool:
		return strconv.FormatBool(x), true
	case nil:
		return "null", true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case []byte:
		return string(x), true
	}
	return compactJSON(v), false
}

// kindOf groups values by JSON type for the type matcher.
func kindOf(v any) int {
	switch v.(type) {
	case string:
		return 1
	case json.Number, float64, int, int64:
		return 2
	case bool:
		return 3
	case nil:
		return 4
	case []any:
		return 5
	case map[string]any:
		return 6
	case []byte:
		return 7
	}
	return 0
}

func sameKind(a, b any) bool { return kindOf(a) == kindOf(b) }

func isInteger(v any, coerce bool) bool {
	switch x := v.(type) {
	case json.Number:
		return !isDecimalText(string(x))
	case int, int64:
		return true
	case float64:
		return x == float64(int64(x))
	case string:
		if !coerce {
			return false
		}
		_, err := strconv.ParseInt(x, 10, 64)
		return err == nil
	}
	return false
}

func isDecimal(v any, coerce bool) bool {
	switch x := v.(type) {
	case json.Number:
		return isDecimalText(string(x))
	case float64:
		return true
	case string:
		if !coerce || !strings.Contains(x, ".") {
			return false
		}
		_, err := strconv.ParseFloat(x, 64)
		return err == nil
	}
	return false
}

func isNumber(v any, coerce bool) bool {
	switch x := v.(type) {
	case json.Number, int, int64, float64:
		return true
	case string:
		if !coerce {
			return false
		}
		_, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return err == nil
	}
	return false
}

// isBoolean accepts the strings "true" and "false" even in JSON bodies,
// as the Pact verifier does (numbers in strings are not accepted there).
func isBoolean(v any, _ bool) bool {
	switch x := v.(type) {
	case bool:
		return true
	case string:
		return x == "true" || x == "false"
	}
	return false
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	case []byte:
		return len(x) == 0
	}
	return false
}

// equalValues compares JSON values deeply. Numbers compare by value but an
// integer never equals a decimal, as with Pact's JSON model.
func equalValues(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		if isDecimalText(string(x)) != isDecimalText(string(y)) {
			return false
		}
		if !isDecimalText(string(x)) {
			// Integers compare exactly: float64 would make ids that
			// differ beyond 2^53 equal.
			bx, ok1 := new(big.Int).SetString(string(x), 10)
			by, ok2 := new(big.Int).SetString(string(y), 10)
			return ok1 && ok2 && bx.Cmp(by) == 0
		}
		fx, err1 := x.Float64()
		fy, err2 := y.Float64()
		return err1 == nil && err2 == nil && fx == fy
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalValues(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValues(x[i], y[i]) {
				return false
			}
		}
		return true
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	case float64:
		switch y := b.(type) {
		case float64:
			return x == y
		case json.Number:
			f, err := y.Float64()
			return err == nil && f == x
		}
		return false
	default:
		return a == b
	}
}
