package pact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

var (
	topKnown         = set("consumer", "provider", "interactions", "messages", "metadata")
	interactionKnown = set("description", "providerState", "provider_state", "providerStates")
	v4Known          = set("type", "key", "pending", "comments", "transport", "pluginConfiguration", "interactionMarkup")
	messageKnown     = set("contents", "metadata", "metaData", "matchingRules", "generators")
	requestKnown     = set("method", "path", "query", "headers", "body", "matchingRules", "generators")
	responseKnown    = set("status", "headers", "body", "matchingRules", "generators")
)

// Parse reads a pact file of any specification version, V1 to V4. A file
// that is not a pact (no consumer or provider name, no interactions or
// messages array) or holds a malformed value is refused whole with a
// *ParseError naming the JSON path of the problem.
func Parse(data []byte) (*Pact, error) {
	var probe json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
			return nil, perr("$", "invalid JSON at line %d (byte %d): %v", line, se.Offset, err)
		}
		return nil, perr("$", "invalid JSON: %v", err)
	}
	top, err := asObject("$", probe)
	if err != nil {
		return nil, err
	}
	p := &Pact{Extra: extra(top, topKnown)}
	if p.Consumer, err = parsePacticipant("$.consumer", top["consumer"]); err != nil {
		return nil, err
	}
	if p.Provider, err = parsePacticipant("$.provider", top["provider"]); err != nil {
		return nil, err
	}
	if raw, ok := top["metadata"]; ok && !isNull(raw) {
		if p.Metadata, err = asObject("$.metadata", raw); err != nil {
			return nil, err
		}
	} else if ok {
		p.Extra = withExtra(p.Extra, "metadata", raw)
	}
	if p.Spec, err = declaredSpec(p.Metadata); err != nil {
		return nil, err
	}

	ints, hasInts := top["interactions"]
	msgs, hasMsgs := top["messages"]
	if !hasInts && !hasMsgs {
		return nil, perr("$", `not a pact file: expected an "interactions" or "messages" array`)
	}
	var intItems, msgItems []json.RawMessage
	if hasInts {
		if intItems, err = asArray("$.interactions", ints); err != nil {
			return nil, err
		}
	}
	if hasMsgs {
		if msgItems, err = asArray("$.messages", msgs); err != nil {
			return nil, err
		}
	}
	if hasInts && hasMsgs {
		if len(intItems) > 0 && len(msgItems) > 0 {
			return nil, perr("$", `expected either "interactions" or "messages", got both`)
		}
		// Keep the empty one as an unknown field so it is written back.
		if len(intItems) == 0 {
			p.Extra = withExtra(p.Extra, "interactions", ints)
			hasInts = false
		} else {
			p.Extra = withExtra(p.Extra, "messages", msgs)
			hasMsgs = false
		}
	}
	p.Layout = layoutOf(p.Spec, hasMsgs, intItems)
	if hasMsgs {
		p.Messages = true
		p.Interactions = make([]*Interaction, 0, len(msgItems))
		for i, raw := range msgItems {
			in, err := parseMessageInteraction(indexPath("$.messages", i), raw, p.Layout)
			if err != nil {
				return nil, err
			}
			p.Interactions = append(p.Interactions, in)
		}
		return p, nil
	}
	p.Interactions = make([]*Interaction, 0, len(intItems))
	for i, raw := range intItems {
		in, err := parseInteraction(indexPath("$.interactions", i), raw, p.Layout)
		if err != nil {
			return nil, err
		}
		p.Interactions = append(p.Interactions, in)
	}
	return p, nil
}

func withExtra(m map[string]json.RawMessage, k string, v json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	m[k] = v
	return m
}

func parsePacticipant(path string, raw json.RawMessage) (Pacticipant, error) {
	if raw == nil {
		return Pacticipant{}, perr(path, "missing: not a pact file")
	}
	o, err := asObject(path, raw)
	if err != nil {
		return Pacticipant{}, err
	}
	n, ok := o["name"]
	if !ok {
		return Pacticipant{}, perr(childPath(path, "name"), "missing: not a pact file")
	}
	name, err := asString(childPath(path, "name"), n)
	if err != nil {
		return Pacticipant{}, err
	}
	if strings.TrimSpace(name) == "" {
		return Pacticipant{}, perr(childPath(path, "name"), "expected a name, got an empty string")
	}
	return Pacticipant{Name: name, Extra: extra(o, set("name"))}, nil
}

// declaredSpec reads the specification version from the metadata:
// pactSpecification.version, pact-specification.version or
// pactSpecificationVersion.
func declaredSpec(meta map[string]json.RawMessage) (Spec, error) {
	for _, k := range []string{"pactSpecification", "pact-specification"} {
		raw, ok := meta[k]
		if !ok || isNull(raw) {
			continue
		}
		path := childPath("$.metadata", k)
		if jsonKind(raw) == "string" {
			// A bare version string: "pact-specification": "2.0.0".
			return parseSpecVersion(path, raw)
		}
		o, err := asObject(path, raw)
		if err != nil {
			return SpecUnknown, err
		}
		v, ok := o["version"]
		if !ok || isNull(v) {
			// pact-jvm writes "version": null and reads it as no version.
			continue
		}
		return parseSpecVersion(childPath(path, "version"), v)
	}
	if raw, ok := meta["pactSpecificationVersion"]; ok && !isNull(raw) {
		return parseSpecVersion("$.metadata.pactSpecificationVersion", raw)
	}
	return SpecUnknown, nil
}

func parseSpecVersion(path string, raw json.RawMessage) (Spec, error) {
	var s string
	switch jsonKind(raw) {
	case "string":
		s, _ = asString(path, raw)
	case "number":
		s = string(raw)
	default:
		return SpecUnknown, expected(path, "a version string", raw)
	}
	spec, err := ParseSpec(s)
	if err != nil {
		return SpecUnknown, perr(path, "%v", err)
	}
	return spec, nil
}

// ParseSpec reads a specification version such as "1.0.0", "1.1", "2.0.0",
// "3", "v4" or "4.0".
func ParseSpec(s string) (Spec, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "v"), "V")
	major, rest, _ := strings.Cut(t, ".")
	minor, _, _ := strings.Cut(rest, ".")
	switch major {
	case "1":
		if minor != "" && minor != "0" {
			return V1_1, nil
		}
		return V1, nil
	case "2":
		return V2, nil
	case "3":
		return V3, nil
	case "4":
		return V4, nil
	}
	return SpecUnknown, fmt.Errorf("unsupported pact specification version %q", s)
}

// String returns the version as written in pact metadata ("2.0.0", "4.0").
func (s Spec) String() string {
	switch s {
	case V1:
		return "1.0.0"
	case V1_1:
		return "1.1.0"
	case V2:
		return "2.0.0"
	case V3:
		return "3.0.0"
	case V4:
		return "4.0"
	}
	return "unknown"
}

// family maps a version to the JSON layout it uses: V1 and V1.1 files are
// laid out like V2.
func family(s Spec) Spec {
	if s == V1 || s == V1_1 {
		return V2
	}
	return s
}

// layoutOf decides which layout to read a file with: the declared version,
// or one inferred from the content when none is declared.
func layoutOf(spec Spec, messages bool, items []json.RawMessage) Spec {
	if spec != SpecUnknown {
		return family(spec)
	}
	if messages {
		return V3
	}
	layout := V2
	for _, raw := range items {
		var o map[string]json.RawMessage
		if json.Unmarshal(raw, &o) != nil {
			continue
		}
		if _, ok := o["type"]; ok {
			return V4
		}
		if _, ok := o["providerStates"]; ok {
			layout = V3
		}
		for _, part := range []string{"request", "response"} {
			var r map[string]json.RawMessage
			if json.Unmarshal(o[part], &r) != nil {
				continue
			}
			var rules map[string]json.RawMessage
			if json.Unmarshal(r["matchingRules"], &rules) == nil {
				for k := range rules {
					if !strings.HasPrefix(k, "$") {
						layout = V3
					}
				}
			}
			if jsonKind(r["query"]) == "object" {
				layout = V3
			}
		}
	}
	return layout
}

// parseStates reads providerStates, or the V1/V2 providerState or
// provider_state string.
func parseStates(path string, o map[string]json.RawMessage) ([]ProviderState, error) {
	if raw, ok := o["providerStates"]; ok && !isNull(raw) {
		sp := childPath(path, "providerStates")
		if jsonKind(raw) == "string" {
			// Older tools wrote one state as a plain string.
			name, err := asString(sp, raw)
			if err != nil || name == "" {
				return nil, err
			}
			return []ProviderState{{Name: name}}, nil
		}
		items, err := asArray(sp, raw)
		if err != nil {
			return nil, err
		}
		states := make([]ProviderState, 0, len(items))
		for i, it := range items {
			ip := indexPath(sp, i)
			so, err := asObject(ip, it)
			if err != nil {
				return nil, err
			}
			n, ok := so["name"]
			if !ok {
				return nil, perr(childPath(ip, "name"), "missing: a provider state needs a name")
			}
			st := ProviderState{Extra: extra(so, set("name", "params"))}
			if st.Name, err = asString(childPath(ip, "name"), n); err != nil {
				return nil, err
			}
			if pr, ok := so["params"]; ok && !isNull(pr) {
				if st.Params, err = asAnyMap(childPath(ip, "params"), pr); err != nil {
					return nil, err
				}
			}
			states = append(states, st)
		}
		return states, nil
	}
	for _, k := range []string{"providerState", "provider_state"} {
		raw, ok := o[k]
		if !ok || isNull(raw) {
			continue
		}
		name, err := asString(childPath(path, k), raw)
		if err != nil {
			return nil, err
		}
		if name == "" {
			return nil, nil
		}
		return []ProviderState{{Name: name}}, nil
	}
	return nil, nil
}

// parseCommon reads the fields every interaction has.
func parseCommon(path string, o map[string]json.RawMessage, in *Interaction, layout Spec) error {
	var err error
	if raw, ok := o["description"]; ok {
		if in.Description, err = asString(childPath(path, "description"), raw); err != nil {
			return err
		}
	}
	if in.ProviderStates, err = parseStates(path, o); err != nil {
		return err
	}
	if layout != V4 {
		return nil
	}
	if raw, ok := o["key"]; ok && !isNull(raw) {
		if in.Key, err = asString(childPath(path, "key"), raw); err != nil {
			return err
		}
	}
	if raw, ok := o["pending"]; ok && !isNull(raw) {
		if in.Pending, err = asBool(childPath(path, "pending"), raw); err != nil {
			return err
		}
	}
	if raw, ok := o["transport"]; ok && !isNull(raw) {
		if in.Transport, err = asString(childPath(path, "transport"), raw); err != nil {
			return err
		}
	}
	if raw, ok := o["comments"]; ok && !isNull(raw) {
		if _, err := asObject(childPath(path, "comments"), raw); err != nil {
			return err
		}
		in.Comments = raw
	}
	if raw, ok := o["interactionMarkup"]; ok && !isNull(raw) {
		if _, err := asObject(childPath(path, "interactionMarkup"), raw); err != nil {
			return err
		}
		in.InteractionMarkup = raw
	}
	if raw, ok := o["pluginConfiguration"]; ok && !isNull(raw) {
		if in.PluginConfiguration, err = asObject(childPath(path, "pluginConfiguration"), raw); err != nil {
			return err
		}
	}
	return nil
}

// parseInteraction reads one entry of "interactions".
func parseInteraction(path string, raw json.RawMessage, layout Spec) (*Interaction, error) {
	o, err := asObject(path, raw)
	if err != nil {
		return nil, err
	}
	known := interactionKnown
	if layout == V4 {
		known = union(interactionKnown, v4Known)
	}
	in := &Interaction{Type: HTTP}
	if err := parseCommon(path, o, in, layout); err != nil {
		return nil, err
	}
	if layout == V4 {
		if t, ok := o["type"]; ok {
			s, err := asString(childPath(path, "type"), t)
			if err != nil {
				return nil, err
			}
			switch InteractionType(s) {
			case HTTP, AsyncMessage, SyncMessage:
				in.Type = InteractionType(s)
			default:
				return nil, perr(childPath(path, "type"), "expected %q, %q or %q, got %q", HTTP, AsyncMessage, SyncMessage, s)
			}
		} else {
			switch {
			case jsonKind(o["response"]) == "array":
				in.Type = SyncMessage
			case o["request"] == nil && o["contents"] != nil:
				in.Type = AsyncMessage
			}
		}
	}
	switch in.Type {
	case AsyncMessage:
		known = union(known, messageKnown)
		if in.Message, err = parseMessage(path, o, layout, ""); err != nil {
			return nil, err
		}
		// The message fields are the interaction's own fields; their
		// originals stay on the message.
	case SyncMessage:
		known = union(known, set("request", "response"))
		rq, ok := o["request"]
		if !ok {
			return nil, perr(childPath(path, "request"), "missing: a synchronous message needs a request")
		}
		rp := childPath(path, "request")
		ro, err := asObject(rp, rq)
		if err != nil {
			return nil, err
		}
		if in.MessageRequest, err = parseMessage(rp, ro, layout, "request"); err != nil {
			return nil, err
		}
		if rs, ok := o["response"]; ok && !isNull(rs) {
			sp := childPath(path, "response")
			items, err := asArray(sp, rs)
			if err != nil {
				return nil, err
			}
			in.MessageResponses = make([]*Message, 0, len(items))
			for i, it := range items {
				ip := indexPath(sp, i)
				io, err := asObject(ip, it)
				if err != nil {
					return nil, err
				}
				m, err := parseMessage(ip, io, layout, "response")
				if err != nil {
					return nil, err
				}
				in.MessageResponses = append(in.MessageResponses, m)
			}
		}
	default:
		known = union(known, set("request", "response"))
		rq, ok := o["request"]
		if !ok {
			return nil, perr(childPath(path, "request"), "missing: an HTTP interaction needs a request")
		}
		if in.Request, err = parseRequest(childPath(path, "request"), rq, layout); err != nil {
			return nil, err
		}
		rs, ok := o["response"]
		if !ok {
			return nil, perr(childPath(path, "response"), "missing: an HTTP interaction needs a response")
		}
		if in.Response, err = parseResponse(childPath(path, "response"), rs, layout); err != nil {
			return nil, err
		}
	}
	origKnown := union(interactionKnown, v4Known)
	if in.Type == AsyncMessage {
		// Message fields are kept in Message.Orig.
		in.Orig = orig(o, origKnown)
	} else {
		in.Orig = orig(o, union(origKnown, set("request", "response")))
		delete(in.Orig, "request")
		delete(in.Orig, "response")
	}
	in.Extra = extra(o, known)
	return in, nil
}

// parseMessageInteraction reads one entry of a V3 "messages" array.
func parseMessageInteraction(path string, raw json.RawMessage, layout Spec) (*Interaction, error) {
	o, err := asObject(path, raw)
	if err != nil {
		return nil, err
	}
	in := &Interaction{Type: AsyncMessage}
	if err := parseCommon(path, o, in, layout); err != nil {
		return nil, err
	}
	known := union(interactionKnown, messageKnown)
	if layout == V4 {
		known = union(known, v4Known)
	}
	if in.Message, err = parseMessage(path, o, layout, ""); err != nil {
		return nil, err
	}
	in.Orig = orig(o, known)
	for k := range messageKnown {
		delete(in.Orig, k)
	}
	in.Extra = extra(o, known)
	return in, nil
}

// parseMessage reads message fields from o. For a flattened message (part
// == "") unknown fields belong to the interaction; for a synchronous
// message's request or response they belong to the message.
func parseMessage(path string, o map[string]json.RawMessage, layout Spec, part string) (*Message, error) {
	m := &Message{Orig: orig(o, messageKnown)}
	var err error
	for _, k := range []string{"metadata", "metaData"} {
		if raw, ok := o[k]; ok && !isNull(raw) {
			if m.Metadata, err = asAnyMap(childPath(path, k), raw); err != nil {
				return nil, err
			}
			break
		}
	}
	if err := parsePayload(o, path, layout, "contents", metadataContentType(m.Metadata), &m.Rules, &m.Gen, &m.Contents); err != nil {
		return nil, err
	}
	if part != "" {
		m.Extra = extra(o, messageKnown)
	}
	return m, nil
}

// optional parses member key of o, when there is one, into *dst.
func optional[T any](o map[string]json.RawMessage, path, key string, dst *T, parse func(path string, raw json.RawMessage) (T, error)) error {
	raw, ok := o[key]
	if !ok {
		return nil
	}
	var err error
	*dst, err = parse(childPath(path, key), raw)
	return err
}

// parsePayload reads what requests, responses and messages have in common:
// matching rules, generators and the body, member bodyKey, whose content
// type (for V2/V3 layouts) is ct.
func parsePayload(o map[string]json.RawMessage, path string, layout Spec, bodyKey, ct string, rules *MatchingRules, gen *Generators, body *Body) error {
	if err := optional(o, path, "matchingRules", rules, parseRules); err != nil {
		return err
	}
	if err := optional(o, path, "generators", gen, parseGenerators); err != nil {
		return err
	}
	return optional(o, path, bodyKey, body, func(path string, raw json.RawMessage) (Body, error) {
		return parseContents(path, raw, layout, ct)
	})
}

func parseContents(path string, raw json.RawMessage, layout Spec, ct string) (Body, error) {
	if layout == V4 {
		return parseBodyV4(path, raw, ct)
	}
	return parseBodyV3(path, raw, ct)
}

// metadataContentType returns the content type a message's metadata
// declares (contentType, content-type or Content-Type), or "".
func metadataContentType(meta map[string]any) string {
	for _, k := range slices.Sorted(maps.Keys(meta)) {
		switch strings.ToLower(k) {
		case "contenttype", "content-type", "content_type":
			if s, ok := meta[k].(string); ok {
				return s
			}
		}
	}
	return ""
}

// MetadataContentType returns the content type a message declares in its
// metadata (contentType, content-type or Content-Type), or "".
func (m *Message) MetadataContentType() string { return metadataContentType(m.Metadata) }

func parseRequest(path string, raw json.RawMessage, layout Spec) (*Request, error) {
	o, err := asObject(path, raw)
	if err != nil {
		return nil, err
	}
	r := &Request{Method: "GET", Path: "/", Orig: orig(o, requestKnown), Extra: extra(o, requestKnown)}
	if err := optional(o, path, "method", &r.Method, asString); err != nil {
		return nil, err
	}
	var pathRules MatchingRules
	if err := optional(o, path, "path", &r.Path, func(p string, raw json.RawMessage) (string, error) {
		return parseRequestPath(p, raw, &pathRules)
	}); err != nil {
		return nil, err
	}
	if err := optional(o, path, "query", &r.Query, parseQuery); err != nil {
		return nil, err
	}
	terms, err := headersWithTerms(o, path, &r.Headers)
	if err != nil {
		return nil, err
	}
	if err := parsePayload(o, path, layout, "body", r.Headers.Get("Content-Type"), &r.Rules, &r.Gen, &r.Body); err != nil {
		return nil, err
	}
	addTermRules(&r.Rules, terms)
	if pr := pathRules[CategoryPath]; pr != nil && r.Rules[CategoryPath] == nil {
		if r.Rules == nil {
			r.Rules = MatchingRules{}
		}
		r.Rules[CategoryPath] = pr
	}
	if layout != V4 {
		if err := convertRubyBody(childPath(path, "body"), &r.Body, &r.Rules); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// headersWithTerms reads member "headers" of o, if any, into *h and
// returns the regexes of its Pact::Term values.
func headersWithTerms(o map[string]json.RawMessage, path string, h *Headers) (map[string]string, error) {
	raw, ok := o["headers"]
	if !ok {
		return nil, nil
	}
	var terms map[string]string
	var err error
	*h, terms, err = parseHeaderTerms(childPath(path, "headers"), raw)
	return terms, err
}

func parseResponse(path string, raw json.RawMessage, layout Spec) (*Response, error) {
	o, err := asObject(path, raw)
	if err != nil {
		return nil, err
	}
	r := &Response{Status: 200, Orig: orig(o, responseKnown), Extra: extra(o, responseKnown)}
	terms, err := headersWithTerms(o, path, &r.Headers)
	if err != nil {
		return nil, err
	}
	if err := parsePayload(o, path, layout, "body", r.Headers.Get("Content-Type"), &r.Rules, &r.Gen, &r.Body); err != nil {
		return nil, err
	}
	addTermRules(&r.Rules, terms)
	if layout != V4 {
		if err := convertRubyBody(childPath(path, "body"), &r.Body, &r.Rules); err != nil {
			return nil, err
		}
	}
	if raw, ok := o["status"]; ok && string(bytes.TrimSpace(raw)) == "0" && (len(r.Rules[CategoryStatus]) > 0 || len(r.Gen[CategoryStatus]) > 0) {
		// The Pact FFI (0.4.x) writes status 0 when a statusCode matcher or
		// a status generator decides the status: 0 is "unset" here too.
		r.Status = 0
		return r, nil
	}
	if err := optional(o, path, "status", &r.Status, parseStatus); err != nil {
		return nil, err
	}
	return r, nil
}

func parseStatus(path string, raw json.RawMessage) (int, error) {
	if jsonKind(raw) != "number" {
		return 0, expected(path, "an integer status code", raw)
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil || n < 100 || n > 999 {
		return 0, perr(path, "expected an HTTP status code (100-999), got %s", truncate(string(raw)))
	}
	return n, nil
}

func union(sets ...map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, s := range sets {
		for k := range s {
			out[k] = true
		}
	}
	return out
}
