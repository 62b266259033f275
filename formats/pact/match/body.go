package match

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/contracts-dev/contracts/formats/pact"
)

// bodyCmp holds what a body comparison needs besides the two bodies.
type bodyCmp struct {
	rules           *ruleSet
	allowUnexpected bool
	// message words a content-type mismatch for message contents.
	message bool
}

func isBlank(b pact.Body) bool {
	return b.State == pact.BodyMissing || b.State == pact.BodyNull || b.State == pact.BodyEmpty || len(b.Content) == 0
}

// bodyContentType is the content type of a body: its own, else the one
// from headers or metadata, else detected from its bytes.
func bodyContentType(b pact.Body, declared string) string {
	if b.ContentType != "" {
		return b.ContentType
	}
	if declared != "" {
		return declared
	}
	if len(b.Content) == 0 {
		return ""
	}
	return detectContentType(b.Content)
}

// schemaRegistryType is the Confluent schema registry JSON type, whose
// payloads start with a 5-byte magic/schema-id prefix.
const schemaRegistryType = "application/vnd.schemaregistry.v1+json"

func stripSchemaRegistry(ct string, data []byte) []byte {
	if baseType(ct) == schemaRegistryType && len(data) >= 5 && data[0] == 0 {
		return data[5:]
	}
	return data
}

func (bc *bodyCmp) compare(exp, act pact.Body, expDeclared, actDeclared string) []Mismatch {
	if exp.State == pact.BodyMissing {
		return nil
	}
	if isBlank(exp) {
		if isBlank(act) {
			return nil
		}
		if exp.State == pact.BodyNull && act.State == pact.BodyNull {
			return nil
		}
		return []Mismatch{{Kind: KindBody, Path: "$", Expected: "", Actual: bodyText(act.Content),
			Message: fmt.Sprintf("Expected empty body but received '%s'", bodyText(act.Content))}}
	}
	ect := bodyContentType(exp, expDeclared)
	if isBlank(act) {
		if r := bc.rules.exact([]string{"$"}); r != nil && !isJSONType(ect) && !isXMLType(ect) {
			return bc.rootRules(r, exp.Content, []byte{}, ect, true)
		}
		return []Mismatch{{Kind: KindBody, Path: "$", Expected: bodyText(exp.Content),
			Message: fmt.Sprintf("Expected body %s but was empty", describePresent(ect, exp.Content))}}
	}
	act.ContentType = bodyContentType(act, actDeclared)
	if !compatibleTypes(ect, act.ContentType) {
		msg := fmt.Sprintf("Expected a body of '%s' but the actual content type was '%s'", baseType(ect), baseType(act.ContentType))
		if bc.message {
			msg = fmt.Sprintf("Expected message with content type %s but was %s", baseType(ect), baseType(act.ContentType))
		}
		return []Mismatch{{Kind: KindBodyType, Path: "$", Expected: baseType(ect), Actual: baseType(act.ContentType), Message: msg}}
	}
	if r := bc.rules.exact([]string{"$"}); r != nil && hasMatcher(&r.list, "contentType") != nil && (isJSONType(ect) || isXMLType(ect)) {
		// A contentType rule at the root (pact-jvm writes one for XML
		// bodies) matches the whole body by its detected content type,
		// not the root element's or value's contents.
		return bc.rootRules(r, exp.Content, act.Content, ect, true)
	}
	switch {
	case isJSONType(ect):
		return bc.json(stripSchemaRegistry(ect, exp.Content), stripSchemaRegistry(act.ContentType, act.Content))
	case isXMLType(ect):
		return bc.xml(exp.Content, act.Content)
	case isFormType(ect):
		return bc.form(exp.Content, act.Content)
	case isMultipartType(ect):
		return bc.multipart(withBoundary(ect, expDeclared), withBoundary(act.ContentType, actDeclared), exp.Content, act.Content)
	case isTextType(ect):
		return bc.text(exp.Content, act.Content)
	}
	return bc.binary(ect, act.ContentType, exp.Content, act.Content)
}

// withBoundary returns the content type that carries the multipart
// boundary: the body's own, or else the declared header's.
func withBoundary(ct, declared string) string {
	if mediaParams(ct)["boundary"] == "" && mediaParams(declared)["boundary"] != "" {
		return declared
	}
	return ct
}

// describePresent summarises an expected body as Pact does:
// "Present(28058 bytes, image/jpeg)", without the type for text bodies.
func describePresent(ct string, data []byte) string {
	if ct == "" || isJSONType(ct) || isXMLType(ct) || isTextType(ct) || isFormType(ct) {
		return fmt.Sprintf("Present(%d bytes)", len(data))
	}
	return fmt.Sprintf("Present(%d bytes, %s)", len(data), baseType(ct))
}

// bodyText shows a body in messages: its text when it is UTF-8.
func bodyText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return fmt.Sprintf("%d bytes", len(b))
}

// decodeJSON parses JSON keeping numbers exact (json.Number).
func decodeJSON(data []byte) (any, error) { return parseJSON(data) }

func (bc *bodyCmp) json(expData, actData []byte) []Mismatch {
	return bc.jsonAt(rootLoc(), expData, actData)
}

// jsonAt compares JSON documents found at loc (a multipart part's contents
// sit at "$.<part name>").
func (bc *bodyCmp) jsonAt(loc []string, expData, actData []byte) []Mismatch {
	e, err := decodeJSON(expData)
	if err != nil {
		return []Mismatch{{Kind: KindBody, Path: "$", Expected: bodyText(expData), Actual: bodyText(actData),
			Message: fmt.Sprintf("Failed to parse the expected body: '%v'", err)}}
	}
	a, err := decodeJSON(actData)
	if err != nil {
		return []Mismatch{{Kind: KindBody, Path: "$", Expected: bodyText(expData), Actual: bodyText(actData),
			Message: fmt.Sprintf("Failed to parse the actual body: '%v'", err)}}
	}
	c := &jsonCmp{rules: bc.rules, allowUnexpected: bc.allowUnexpected, kind: KindBody}
	c.compare(loc, e, a)
	sortMismatches(c.out)
	return c.out
}

func (bc *bodyCmp) text(exp, act []byte) []Mismatch {
	if r := bc.rules.exact([]string{"$"}); r != nil {
		return bc.rootRules(r, exp, act, "text/plain", false)
	}
	if !bytes.Equal(exp, act) {
		return []Mismatch{{Kind: KindBody, Path: "$", Expected: string(exp), Actual: string(act),
			Message: fmt.Sprintf("Expected body '%s' to match '%s' using equality but did not match", exp, act)}}
	}
	return nil
}

// rootRules applies the rules at "$" to a whole text or binary body.
func (bc *bodyCmp) rootRules(r *rule, exp, act []byte, ct string, binary bool) []Mismatch {
	var e, a any = string(exp), string(act)
	if binary || !utf8.Valid(act) {
		e, a = exp, act
	}
	var out []Mismatch
	for _, msg := range applyList(&r.list, e, a, false, false) {
		out = append(out, Mismatch{Kind: KindBody, Path: "$", Expected: bodyText(exp), Actual: bodyText(act), Message: msg})
	}
	return out
}

// describeBinary summarises a binary body for messages.
func describeBinary(ct string, data []byte) string {
	head := data
	if len(head) > 32 {
		head = head[:32]
	}
	return fmt.Sprintf("[%s, %d bytes, starting with %s]", baseType(ct), len(data), hex.EncodeToString(head))
}

func (bc *bodyCmp) binary(ect, act string, exp, actData []byte) []Mismatch {
	if r := bc.rules.exact([]string{"$"}); r != nil {
		return bc.rootRules(r, exp, actData, ect, true)
	}
	return binaryEqual("$", ect, act, exp, actData)
}

func binaryEqual(path, ect, act string, exp, actData []byte) []Mismatch {
	if bytes.Equal(exp, actData) {
		return nil
	}
	if ect == "" {
		ect = detectContentType(exp)
	}
	if act == "" {
		act = detectContentType(actData)
	}
	return []Mismatch{{Kind: KindBody, Path: path, Expected: describeBinary(ect, exp), Actual: describeBinary(act, actData),
		Message: fmt.Sprintf("Actual body %s is not equal to the expected body %s", describeBinary(act, actData), describeBinary(ect, exp))}}
}

func (bc *bodyCmp) form(exp, act []byte) []Mismatch {
	ev, err := url.ParseQuery(string(exp))
	if err != nil {
		return []Mismatch{{Kind: KindBody, Path: "$", Message: fmt.Sprintf("Failed to parse the expected body: '%v'", err)}}
	}
	av, err := url.ParseQuery(string(act))
	if err != nil {
		return []Mismatch{{Kind: KindBody, Path: "$", Message: fmt.Sprintf("Failed to parse the actual body: '%v'", err)}}
	}
	lookup := func(name string) *pact.RuleList {
		if _, list, _ := bc.rules.best([]string{"$", name}); list != nil {
			return list
		}
		return bc.rules.byName(name, false)
	}
	lookupAt := func(name string, i int) *pact.RuleList {
		// pact-php writes rules on single values of a field: $['name[]'][0].
		_, list, _ := bc.rules.best([]string{"$", name, strconv.Itoa(i)})
		return list
	}
	out := matchParams(formParams, ev, av, lookup, lookupAt)
	for i := range out {
		out[i].Path = formatPath([]string{"$", out[i].Path})
	}
	return out
}
