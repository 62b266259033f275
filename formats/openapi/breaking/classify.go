package breaking

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/contracts-dev/contracts/formats/pact"
)

// InteractionRef names a consumer's interaction.
type InteractionRef struct {
	Consumer    string
	Interaction string
}

// Classified is a finding with the consumer interactions it breaks.
type Classified struct {
	Finding
	// Breaks lists the interactions the change breaks, sorted by consumer
	// then description; empty when no interaction reaches what changed.
	Breaks []InteractionRef
}

// Classify tells, for each finding, which interactions of usage it breaks
// (see the rules on Reaches). basePaths are the path prefixes the base
// document's servers add ("/v1"), tried when an interaction's path matches
// no operation as it is. Order is preserved.
func Classify(findings []Finding, usage Usage, basePaths []string) []Classified {
	// Interactions by operation, computed once per operation.
	byOp := map[string][]int{}
	out := make([]Classified, len(findings))
	for i, f := range findings {
		c := Classified{Finding: f}
		key := f.Method + " " + f.Path
		idx, ok := byOp[key]
		if !ok {
			idx = []int{}
			for j, it := range usage.Interactions {
				if f.Method != "" && it.Method == strings.ToUpper(f.Method) && matchPath(f.Path, it.Path, basePaths) {
					idx = append(idx, j)
				}
			}
			byOp[key] = idx
		}
		seen := map[InteractionRef]bool{}
		for _, j := range idx {
			it := usage.Interactions[j]
			ref := InteractionRef{Consumer: it.Consumer, Interaction: it.Description}
			if !seen[ref] && Reaches(f, it, basePaths) {
				seen[ref] = true
				c.Breaks = append(c.Breaks, ref)
			}
		}
		sort.Slice(c.Breaks, func(a, b int) bool {
			x, y := c.Breaks[a], c.Breaks[b]
			if x.Consumer != y.Consumer {
				return x.Consumer < y.Consumer
			}
			return x.Interaction < y.Interaction
		})
		out[i] = c
	}
	return out
}

// Reaches reports whether the change f breaks the interaction it, which
// must call f's operation (Classify checks that):
//   - a change to a request or response body property (removed, retyped,
//     constrained, ...) reaches the interactions whose request body sends it
//     or whose expected response body (or its matching rules) uses it, for
//     the response status the change is about;
//   - a new required request property, parameter, header or body reaches the
//     interactions that do not send it (a property only when its parent
//     object is sent);
//   - a removed enum value reaches the interactions that send or expect it;
//   - a change to a request parameter or header reaches the interactions
//     that send it; to a response header, those that expect it;
//   - a removed media type or status reaches the interactions that send or
//     expect it;
//   - any other change to the operation (it was removed, its security
//     changed, a rule this mapping does not know) reaches every interaction
//     calling it.
//
// Changes outside the paths (components, security schemes, webhooks) reach
// no interaction: oasdiff reports their effect on an operation as a change
// of that operation.
func Reaches(f Finding, it Interaction, basePaths []string) bool {
	if f.Method == "" {
		return false
	}
	id := f.RuleID
	args := f.Args()
	switch {
	case isParameterRule(id):
		return reachesParameter(f, it, args, basePaths)
	case strings.Contains(id, "response-header") || strings.HasPrefix(id, "required-response-header") || strings.HasPrefix(id, "optional-response-header"):
		return reachesResponseHeader(it, args)
	case id == "response-media-type-removed" || id == "response-media-type-updated" || strings.HasPrefix(id, "response-media-type-"):
		status, _ := lastStatus(args)
		mt := firstMediaType(args)
		return statusMatches(status, it.Status) && (mt == "" || mediaMatches(mt, it.ResponseContentType))
	case strings.HasPrefix(id, "request-body-media-type-"):
		mt := firstMediaType(args)
		return it.HasRequestBody && (mt == "" || mediaMatches(mt, it.RequestContentType))
	case strings.Contains(id, "success-status-removed") || strings.HasPrefix(id, "response-status-"):
		status, ok := lastStatus(args)
		return !ok || statusMatches(status, it.Status)
	case isResponseBodyRule(id):
		return reachesResponseBody(f, it, args)
	case isRequestBodyRule(id):
		return reachesRequestBody(f, it, args)
	}
	return true
}

func isParameterRule(id string) bool {
	for _, p := range []string{"request-parameter-", "new-required-request-parameter", "new-optional-request-parameter",
		"new-request-path-parameter", "new-request-non-path-", "request-header-property-", "new-required-request-header-property"} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

func isResponseBodyRule(id string) bool {
	for _, p := range []string{"response-property-", "response-required-", "response-optional-", "response-body-", "response-mediatype-",
		"response-discriminator", "response-pattern-"} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

func isRequestBodyRule(id string) bool {
	for _, p := range []string{"request-property-", "request-body-", "new-required-request-property", "new-optional-request-property",
		"request-required-property", "request-discriminator", "request-read-only", "request-write-only", "added-required-request-body"} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

// isAddedRequired is a rule about something now required that the client
// may not send.
func isAddedRequired(id string) bool {
	return strings.HasPrefix(id, "new-required-") || strings.Contains(id, "became-required") || strings.HasSuffix(id, "added-required") ||
		strings.HasPrefix(id, "request-body-added-required") || strings.HasPrefix(id, "new-request-path-parameter")
}

func isEnumValueRemoved(id string) bool {
	return strings.Contains(id, "enum-value-removed")
}

// parameter locations as oasdiff prints them.
var locations = map[string]bool{"path": true, "query": true, "header": true, "cookie": true}

func reachesParameter(f Finding, it Interaction, args []any, basePaths []string) bool {
	in, name := "", ""
	for i, a := range args {
		if s, ok := a.(string); ok && locations[s] && i+1 < len(args) {
			in, name = s, fmt.Sprint(args[i+1])
			break
		}
	}
	if strings.Contains(f.RuleID, "request-header-property") && len(args) > 0 {
		// A property of an object-valued header: those that send the header.
		_, sent := parameterValue(it, "header", fmt.Sprint(args[0]), f.Path, basePaths)
		return sent
	}
	if strings.HasPrefix(f.RuleID, "new-request-path-parameter") {
		// The path itself changed: every caller is affected.
		return true
	}
	if in == "" {
		return true // a parameter rule without its location: assume it is used
	}
	value, sent := parameterValue(it, in, name, f.Path, basePaths)
	switch {
	case isAddedRequired(f.RuleID):
		return !sent
	case isEnumValueRemoved(f.RuleID) && len(args) > 0:
		return sent && value == fmt.Sprint(args[0])
	}
	return sent
}

// parameterValue returns the value the interaction sends for a parameter.
func parameterValue(it Interaction, in, name, template string, basePaths []string) (string, bool) {
	switch in {
	case "query":
		for k, v := range it.Query {
			if k == name && len(v) > 0 {
				return v[0], true
			}
			if k == name {
				return "", true
			}
		}
	case "header":
		if vs := it.RequestHeaders.Values(name); len(vs) > 0 {
			return vs[0], true
		}
	case "cookie":
		for _, c := range it.RequestHeaders.Values("Cookie") {
			for _, part := range strings.Split(c, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
				if k == name {
					return v, true
				}
			}
		}
	case "path":
		segs := pathSegments(template)
		actual := pathSegments(stripBase(template, it.Path, basePaths))
		for i, s := range segs {
			if s == "{"+name+"}" && i < len(actual) {
				return actual[i], true
			}
		}
		return "", true // a path parameter is always sent
	}
	return "", false
}

func reachesResponseHeader(it Interaction, args []any) bool {
	if len(args) == 0 {
		return true
	}
	name := fmt.Sprint(args[0])
	if status, ok := lastStatus(args[1:]); ok && !statusMatches(status, it.Status) {
		return false
	}
	if len(it.ResponseHeaders.Values(name)) > 0 {
		return true
	}
	for _, h := range it.ResponseHeaderRules {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

func reachesResponseBody(f Finding, it Interaction, args []any) bool {
	if status, ok := lastStatus(args); ok && !statusMatches(status, it.Status) {
		return false
	}
	if !it.HasResponseBody {
		return false
	}
	path := f.propertyPath()
	if path == "" {
		// A change to the body as a whole (its type, a oneOf wrapping).
		if isEnumValueRemoved(f.RuleID) && len(args) > 0 {
			return containsValue([]any{it.ResponseBody}, args)
		}
		return true
	}
	segs := strings.Split(path, "/")
	reached := walk(it.ResponseBody, segs)
	if isEnumValueRemoved(f.RuleID) || strings.Contains(f.RuleID, "enum-value-removed") {
		return containsValue(reached, args, path)
	}
	return len(reached) > 0 || rulesAddress(it.ResponseRules, segs)
}

func reachesRequestBody(f Finding, it Interaction, args []any) bool {
	path := f.propertyPath()
	if isAddedRequired(f.RuleID) {
		if path == "" {
			if strings.Contains(f.RuleID, "request-body") {
				return !it.HasRequestBody
			}
			return true
		}
		if !it.HasRequestBody {
			return false // the body itself is optional and not sent
		}
		segs := strings.Split(path, "/")
		parents := walk(it.RequestBody, segs[:len(segs)-1])
		last := segs[len(segs)-1]
		for _, p := range parents {
			if m, ok := p.(map[string]any); ok {
				if _, has := m[last]; !has {
					return true
				}
			}
		}
		return false
	}
	if !it.HasRequestBody {
		return false
	}
	if path == "" {
		if isEnumValueRemoved(f.RuleID) && len(args) > 0 {
			return containsValue([]any{it.RequestBody}, args)
		}
		return true
	}
	segs := strings.Split(path, "/")
	reached := walk(it.RequestBody, segs)
	if isEnumValueRemoved(f.RuleID) {
		return containsValue(reached, args, path)
	}
	return len(reached) > 0 || rulesAddress(it.RequestRules, segs)
}

// containsValue reports whether one of the values is an enum value the
// finding's arguments name (the property path itself excluded).
func containsValue(values []any, args []any, exclude ...string) bool {
	for _, a := range args {
		if len(exclude) > 0 && fmt.Sprint(a) == exclude[0] {
			continue
		}
		for _, v := range values {
			if jsonEqual(v, a) {
				return true
			}
			if arr, ok := v.([]any); ok {
				for _, e := range arr {
					if jsonEqual(e, a) {
						return true
					}
				}
			}
		}
	}
	return false
}

// walk returns the values an oasdiff property path reaches in a JSON value.
func walk(v any, segs []string) []any {
	cur := []any{v}
	for _, s := range segs {
		var next []any
		for _, c := range cur {
			next = append(next, step(c, s)...)
		}
		if len(next) == 0 {
			return nil
		}
		cur = next
	}
	return cur
}

// subschema segments oasdiff adds to a property path that name no key.
var (
	transparent = regexp.MustCompile(`^(allOf|anyOf|oneOf|dependentSchemas|patternProperties)\[.*\]$|^(if|then|else|not|contentSchema|unevaluatedProperties|propertyNames)$`)
	elements    = regexp.MustCompile(`^(prefixItems\[.*\]|contains|unevaluatedItems)$`)
)

func step(v any, seg string) []any {
	switch {
	case transparent.MatchString(seg):
		return []any{v}
	case seg == "items" || elements.MatchString(seg):
		if arr, ok := v.([]any); ok {
			return arr
		}
	case seg == "additionalProperties":
		if m, ok := v.(map[string]any); ok {
			out := make([]any, 0, len(m))
			for _, e := range m {
				out = append(out, e)
			}
			return out
		}
	}
	if m, ok := v.(map[string]any); ok {
		if e, has := m[seg]; has {
			return []any{e}
		}
	}
	return nil
}

// rulesAddress reports whether a matching rule addresses the property or
// something inside it.
func rulesAddress(rules []pact.Path, segs []string) bool {
	var keys []string
	for _, s := range segs {
		if transparent.MatchString(s) {
			continue
		}
		keys = append(keys, s)
	}
	for _, r := range rules {
		tokens := r
		if len(tokens) > 0 && tokens[0].Kind == pact.TokenRoot {
			tokens = tokens[1:]
		}
		if len(tokens) < len(keys) {
			continue
		}
		ok := true
		for i, k := range keys {
			t := tokens[i]
			switch t.Kind {
			case pact.TokenField:
				ok = t.Name == k
			case pact.TokenIndex, pact.TokenStarIndex:
				ok = k == "items" || elements.MatchString(k)
			case pact.TokenStar:
				ok = true
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// statusArg is an HTTP status as oasdiff prints it: "200", "2XX", "default".
var statusArg = regexp.MustCompile(`^([1-5][0-9][0-9]|[1-5]XX|default)$`)

// lastStatus returns the last argument that is a response status.
func lastStatus(args []any) (string, bool) {
	for i := len(args) - 1; i >= 0; i-- {
		if s := fmt.Sprint(args[i]); statusArg.MatchString(s) {
			return s, true
		}
	}
	return "", false
}

func statusMatches(status string, actual int) bool {
	switch {
	case status == "" || status == "default":
		return true
	case strings.HasSuffix(status, "XX"):
		return fmt.Sprint(actual/100) == status[:1]
	}
	return status == fmt.Sprint(actual)
}

// firstMediaType returns the first argument that is a media type.
func firstMediaType(args []any) string {
	for _, a := range args {
		s := fmt.Sprint(a)
		if t, sub, ok := strings.Cut(s, "/"); ok && t != "" && sub != "" && !strings.ContainsAny(s, " {}") && !strings.Contains(sub, "/") {
			return s
		}
	}
	return ""
}

// mediaMatches reports whether an interaction's content type falls under a
// documented media type ("application/json", "application/*", "*/*").
func mediaMatches(documented, actual string) bool {
	documented = pact.MediaType(documented)
	if actual == "" {
		return documented == "application/json" || strings.HasPrefix(documented, "*/")
	}
	if documented == actual || documented == "*/*" {
		return true
	}
	dt, ds, _ := strings.Cut(documented, "/")
	at, _, _ := strings.Cut(actual, "/")
	return ds == "*" && dt == at
}

// matchPath reports whether a concrete request path matches a path
// template, directly or under one of the base paths.
func matchPath(template, actual string, basePaths []string) bool {
	if matchSegments(pathSegments(template), pathSegments(actual)) {
		return true
	}
	for _, b := range basePaths {
		b = strings.TrimSuffix(b, "/")
		if b != "" && strings.HasPrefix(actual, b+"/") && matchSegments(pathSegments(template), pathSegments(strings.TrimPrefix(actual, b))) {
			return true
		}
	}
	return false
}

// stripBase removes the base path a concrete path was matched under.
func stripBase(template, actual string, basePaths []string) string {
	if matchSegments(pathSegments(template), pathSegments(actual)) {
		return actual
	}
	for _, b := range basePaths {
		b = strings.TrimSuffix(b, "/")
		if b != "" && strings.HasPrefix(actual, b+"/") {
			return strings.TrimPrefix(actual, b)
		}
	}
	return actual
}

func pathSegments(p string) []string {
	return strings.Split(strings.Trim(p, "/"), "/")
}

func matchSegments(template, actual []string) bool {
	if len(template) != len(actual) {
		return false
	}
	for i, t := range template {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if actual[i] == "" {
				return false
			}
			continue
		}
		if t != actual[i] {
			return false
		}
	}
	return true
}
