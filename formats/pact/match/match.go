// Package match is the Pact matching engine: it compares actual requests,
// responses and messages with a contract's expectations under the contract's
// matching rules, and returns every mismatch found.
//
// The semantics follow the Pact specification V1-V4 as the reference
// implementations apply them:
//
//   - Rules are looked up by path. Every rule whose path selects a location
//     or one of its ancestors applies; the most specific (highest
//     pact.Path.Weight) wins. A rule inherited from an ancestor "cascades":
//     a type rule on "$.a" makes every value under "$.a" match by type,
//     and an equality rule deeper down resets it. Size limits (min/max)
//     and the structural matchers (values, eachKey, eachValue,
//     arrayContains) apply only at their own path.
//   - Request bodies may not have keys the expectation lacks; response and
//     message bodies may (see Options).
//   - Bodies are compared by the expected content type: JSON, XML, text,
//     form-urlencoded, multipart, or bytes. A body of another type is a
//     KindBodyType mismatch.
//   - Query parameters and headers compare value lists; header values are
//     split on commas (except headers such as Date whose values contain
//     them), and Content-Type / Accept compare media types and parameters.
//     String values coerce to numbers and booleans for the matchers.
//
// Mismatch messages read like the Pact verifier's, because the Pact
// compatibility suite checks them word for word.
package match

import (
	"strings"

	"github.com/contracts-dev/contracts/formats/pact"
)

// Kind is the stable identifier of what a mismatch concerns.
type Kind string

// Mismatch kinds.
const (
	KindMethod   Kind = "method-mismatch"
	KindPath     Kind = "path-mismatch"
	KindQuery    Kind = "query-mismatch"
	KindHeader   Kind = "header-mismatch"
	KindBody     Kind = "body-mismatch"
	KindBodyType Kind = "body-type-mismatch"
	KindStatus   Kind = "status-mismatch"
	KindMetadata Kind = "metadata-mismatch"
	// KindRegexTimeout: a Java-style regex (one the backtracking engine
	// runs) did not finish within its time cap, so the value was neither
	// accepted nor shown to differ. Path locates the value as for the kind
	// it would otherwise have had.
	KindRegexTimeout Kind = "regex-timeout"
)

// markTimeouts gives the mismatches of regexes that timed out their own
// kind, whichever part of the message they were found in.
func markTimeouts(ms []Mismatch) []Mismatch {
	for i := range ms {
		if strings.HasPrefix(ms[i].Message, regexTimeoutPrefix) {
			ms[i].Kind = KindRegexTimeout
		}
	}
	return ms
}

// Mismatch is one difference between an expectation and what was seen.
type Mismatch struct {
	Kind Kind
	// Path locates the mismatch: a JSON path such as "$.items[0].id" for
	// bodies, a header, query or metadata key name otherwise.
	Path     string
	Expected string
	Actual   string
	// Message reads like the Pact verifier's, e.g.
	// "Expected 'abc' (String) to be equal to 'abd' (String)".
	Message string
}

// Options tunes a comparison.
type Options struct {
	// AllowUnexpectedKeys accepts object keys (and XML children, attributes
	// and multipart parts) in the actual body that the expected body does
	// not have. Responses and messages allow them by default; requests do
	// not.
	AllowUnexpectedKeys bool
}

// Request compares an actual request with an expected one, using the
// expected request's matching rules. Unexpected body keys are mismatches.
func Request(expected, actual *pact.Request) []Mismatch {
	return RequestWith(expected, actual, Options{})
}

// RequestWith is Request with options.
func RequestWith(expected, actual *pact.Request, opts Options) []Mismatch {
	if expected == nil || actual == nil {
		return nil
	}
	var out []Mismatch
	out = append(out, matchMethod(expected.Method, actual.Method)...)
	out = append(out, matchPath(expected.Path, actual.Path, newRuleSet(expected.Rules[pact.CategoryPath]))...)
	qrules := newRuleSet(expected.Rules[pact.CategoryQuery])
	out = append(out, matchParams(queryParams, expected.Query, actual.Query, func(name string) *pact.RuleList {
		return qrules.byName(name, false)
	}, nil)...)
	out = append(out, matchHeaders(expected.Headers, actual.Headers, newRuleSet(expected.Rules[pact.CategoryHeader]))...)
	bc := &bodyCmp{rules: newRuleSet(expected.Rules[pact.CategoryBody]), allowUnexpected: opts.AllowUnexpectedKeys}
	out = append(out, bc.compare(expected.Body, actual.Body, contentTypeHeader(expected.Headers), contentTypeHeader(actual.Headers))...)
	return markTimeouts(out)
}

// Response compares an actual response with an expected one, using the
// expected response's matching rules. Unexpected body keys are allowed.
func Response(expected, actual *pact.Response) []Mismatch {
	return ResponseWith(expected, actual, Options{AllowUnexpectedKeys: true})
}

// ResponseWith is Response with options.
func ResponseWith(expected, actual *pact.Response, opts Options) []Mismatch {
	if expected == nil || actual == nil {
		return nil
	}
	var out []Mismatch
	if expected.Status != 0 {
		out = append(out, matchStatus(expected.Status, actual.Status, newRuleSet(expected.Rules[pact.CategoryStatus]))...)
	}
	out = append(out, matchHeaders(expected.Headers, actual.Headers, newRuleSet(expected.Rules[pact.CategoryHeader]))...)
	bc := &bodyCmp{rules: newRuleSet(expected.Rules[pact.CategoryBody]), allowUnexpected: opts.AllowUnexpectedKeys}
	out = append(out, bc.compare(expected.Body, actual.Body, contentTypeHeader(expected.Headers), contentTypeHeader(actual.Headers))...)
	return markTimeouts(out)
}

// Message compares an actual message (contents and metadata) with an
// expected one, using the expected message's matching rules. Contents rules
// come from the "body" and "content" categories; unexpected keys are
// allowed.
func Message(expected, actual *pact.Message) []Mismatch {
	return MessageWith(expected, actual, Options{AllowUnexpectedKeys: true})
}

// MessageWith is Message with options.
func MessageWith(expected, actual *pact.Message, opts Options) []Mismatch {
	if expected == nil || actual == nil {
		return nil
	}
	var out []Mismatch
	bc := &bodyCmp{
		rules:           newRuleSet(expected.Rules[pact.CategoryBody], expected.Rules[pact.CategoryContent]),
		allowUnexpected: opts.AllowUnexpectedKeys,
		message:         true,
	}
	out = append(out, bc.compare(expected.Contents, actual.Contents, metadataContentType(expected.Metadata), metadataContentType(actual.Metadata))...)
	out = append(out, matchMetadata(expected.Metadata, actual.Metadata, actual.Contents.ContentType, newRuleSet(expected.Rules[pact.CategoryMetadata]))...)
	return markTimeouts(out)
}

// Value compares two decoded JSON values (as from encoding/json, numbers as
// json.Number or float64) at the given root path ("$" when empty) under the
// rules of one category of rules.
func Value(expected, actual any, path string, rules pact.MatchingRules, category string, opts Options) []Mismatch {
	loc := rootLoc()
	if path != "" && path != "$" {
		if p, err := pact.ParsePath(path); err == nil {
			if l, err := p.Location(); err == nil {
				loc = append(make([]string, 0, len(l)+32), l...)
			}
		}
	}
	kind := KindBody
	if category == pact.CategoryMetadata {
		kind = KindMetadata
	}
	c := &jsonCmp{rules: newRuleSet(rules[category]), allowUnexpected: opts.AllowUnexpectedKeys, kind: kind}
	c.compare(loc, expected, actual)
	sortMismatches(c.out)
	return markTimeouts(c.out)
}

func contentTypeHeader(h pact.Headers) string {
	v, ok := getHeader(h, "Content-Type")
	if !ok || len(v) == 0 {
		return ""
	}
	return strings.TrimSpace(v[0])
}

func metadataContentType(md map[string]any) string {
	for _, k := range []string{"contentType", "content-type", "Content-Type", "content_type"} {
		if s, ok := md[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}
