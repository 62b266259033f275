package pact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
)

// Write encodes the pact as a pact file of the given version (V1, V1.1 and
// V2 share the V2 layout), indented with two spaces.
//
// Written at the layout it was read with, a parsed pact comes back equal as
// JSON to the input: unknown fields (Extra), key spellings and values kept
// in Orig, and body Raw forms are reused while they still read back to the
// model's current values. Written at another version it is converted: V2
// rule keys become categories, providerState becomes providerStates, bodies
// take the V4 form and headers become arrays in V4. A V2 file cannot hold
// message interactions, nor V3 synchronous messages or a mix of HTTP and
// messages; Write returns an error for those.
func Write(p *Pact, spec Spec) ([]byte, error) {
	switch spec {
	case V1, V1_1, V2, V3, V4:
	default:
		return nil, fmt.Errorf("write pact: unsupported specification version %d", spec)
	}
	w := writer{layout: family(spec), same: family(spec) == p.Layout}
	top := fromExtra(p.Extra)
	top["consumer"] = pacticipantJSON(p.Consumer)
	top["provider"] = pacticipantJSON(p.Provider)
	if meta := w.metadata(p, spec); meta != nil {
		top["metadata"] = meta
	}
	messages := p.Messages && len(p.Interactions) == 0
	for _, in := range p.Interactions {
		if in.Type == AsyncMessage {
			messages = true
		}
	}
	items := make([]any, 0, len(p.Interactions))
	for i, in := range p.Interactions {
		if err := w.check(in, messages, p.Interactions); err != nil {
			return nil, fmt.Errorf("write pact: interaction %d (%q): %w", i, in.Description, err)
		}
		v, err := w.interaction(in)
		if err != nil {
			return nil, fmt.Errorf("write pact: interaction %d (%q): %w", i, in.Description, err)
		}
		items = append(items, v)
	}
	key, other := "interactions", "messages"
	if messages && w.layout == V3 {
		key, other = other, key
	}
	top[key] = items
	if !w.same {
		// An empty array of the other kind, kept from the input, only
		// survives writing in the same layout.
		delete(top, other)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(top); err != nil {
		return nil, fmt.Errorf("write pact: %w", err)
	}
	return buf.Bytes(), nil
}

type writer struct {
	layout Spec // V2, V3 or V4
	same   bool // writing in the layout the pact was read with
}

func (w writer) check(in *Interaction, messages bool, all []*Interaction) error {
	switch w.layout {
	case V2:
		if in.Type != HTTP {
			return fmt.Errorf("a %s interaction cannot be written as V2", in.Type)
		}
	case V3:
		if in.Type == SyncMessage {
			return fmt.Errorf("a %s interaction cannot be written as V3", in.Type)
		}
		if messages && in.Type == HTTP {
			return fmt.Errorf("V3 cannot hold HTTP and message interactions in one file")
		}
	}
	switch in.Type {
	case HTTP:
		if in.Request == nil || in.Response == nil {
			return fmt.Errorf("an HTTP interaction needs a request and a response")
		}
		if w.layout == V2 {
			for _, rules := range []MatchingRules{in.Request.Rules, in.Response.Rules} {
				for cat, byPath := range rules {
					if !v2Categories[cat] {
						return fmt.Errorf("matching rules of category %q cannot be written as V2", cat)
					}
					for sub := range byPath {
						if c, s := splitV2Key(v2Key(cat, sub)); c != cat || s != sub && !(cat == CategoryBody && sub == "" && s == "$") {
							return fmt.Errorf("the %s rule path %q has no V2 form", cat, sub)
						}
					}
				}
			}
		}
	case AsyncMessage:
		if in.Message == nil {
			return fmt.Errorf("an asynchronous message interaction needs a message")
		}
	case SyncMessage:
		if in.MessageRequest == nil {
			return fmt.Errorf("a synchronous message interaction needs a request message")
		}
	default:
		return fmt.Errorf("unknown interaction type %q", in.Type)
	}
	return nil
}

func fromExtra(extra map[string]json.RawMessage) map[string]any {
	out := make(map[string]any, len(extra)+8)
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func pacticipantJSON(p Pacticipant) map[string]any {
	out := fromExtra(p.Extra)
	out["name"] = p.Name
	return out
}

// metadata keeps the metadata whole when it declares the version written,
// and otherwise sets pactSpecification.version.
func (w writer) metadata(p *Pact, spec Spec) any {
	if p.Spec == SpecUnknown && w.same && spec == p.Layout {
		if p.Metadata == nil {
			return nil
		}
		return p.Metadata
	}
	if declared, err := declaredSpec(p.Metadata); err == nil && declared == spec {
		return p.Metadata
	}
	out := fromExtra(p.Metadata)
	delete(out, "pact-specification")
	delete(out, "pactSpecificationVersion")
	ps := map[string]any{}
	if raw, ok := p.Metadata["pactSpecification"]; ok {
		var old map[string]json.RawMessage
		if json.Unmarshal(raw, &old) == nil {
			ps = fromExtra(old)
		}
	}
	ps["version"] = spec.String()
	out["pactSpecification"] = ps
	return out
}

// obj builds one JSON object, reusing original JSON where it still holds.
type obj struct {
	m    map[string]any
	orig map[string]json.RawMessage
	same bool
}

func (w writer) obj(extra, orig map[string]json.RawMessage) *obj {
	return &obj{m: fromExtra(extra), orig: orig, same: w.same}
}

// had reports whether the original had key k (and is usable).
func (o *obj) had(k string) bool {
	if !o.same {
		return false
	}
	_, ok := o.orig[k]
	return ok
}

// absent reports whether the value was read from a file in this layout
// (its Orig is not nil) without key k: a default value is then left out
// again. Values built in code always get their fields written.
func (o *obj) absent(k string) bool {
	if !o.same || o.orig == nil {
		return false
	}
	_, ok := o.orig[k]
	return !ok
}

// keep writes the original JSON of k when it reads back to want. It only
// applies when writing in the layout the value was read with, so the
// original form is always one that layout allows.
func (o *obj) keep(k string, want any, read func(json.RawMessage) (any, error)) bool {
	if !o.had(k) {
		return false
	}
	raw := o.orig[k]
	got, err := read(raw)
	if err != nil || !reflect.DeepEqual(got, want) {
		return false
	}
	o.m[k] = raw
	return true
}

func readString(raw json.RawMessage) (any, error) { return asString("", raw) }

// readStatus reads a status as written, including the 0 the Pact FFI
// writes when a matcher or generator decides the status.
func readStatus(raw json.RawMessage) (any, error) {
	if string(bytes.TrimSpace(raw)) == "0" {
		return 0, nil
	}
	return parseStatus("", raw)
}

func (w writer) interaction(in *Interaction) (any, error) {
	o := w.obj(in.Extra, in.Orig)
	if !o.keep("description", in.Description, readString) && (in.Description != "" || !o.absent("description")) {
		o.m["description"] = in.Description
	}
	w.states(o, in.ProviderStates)
	if w.layout == V4 {
		w.v4Fields(o, in)
	}
	switch in.Type {
	case HTTP:
		rq, err := w.request(in.Request)
		if err != nil {
			return nil, err
		}
		o.m["request"] = rq
		rs, err := w.response(in.Response)
		if err != nil {
			return nil, err
		}
		o.m["response"] = rs
	case AsyncMessage:
		mo := w.obj(nil, in.Message.Orig)
		w.messageFields(mo, in.Message)
		for k, v := range in.Message.Extra {
			o.m[k] = v
		}
		for k, v := range mo.m {
			o.m[k] = v
		}
	case SyncMessage:
		rq := w.obj(in.MessageRequest.Extra, in.MessageRequest.Orig)
		w.messageFields(rq, in.MessageRequest)
		o.m["request"] = rq.m
		if in.MessageResponses == nil {
			// No "response" was read; an empty list is written as [].
			break
		}
		rs := make([]any, 0, len(in.MessageResponses))
		for _, m := range in.MessageResponses {
			mo := w.obj(m.Extra, m.Orig)
			w.messageFields(mo, m)
			rs = append(rs, mo.m)
		}
		o.m["response"] = rs
	}
	return o.m, nil
}

func readStates(raw json.RawMessage, k string) (any, error) {
	return parseStates("", map[string]json.RawMessage{k: raw})
}

func (w writer) states(o *obj, states []ProviderState) {
	if len(states) == 0 {
		states = nil
	}
	for _, k := range []string{"providerStates", "providerState", "provider_state"} {
		if o.keep(k, states, func(raw json.RawMessage) (any, error) { return readStates(raw, k) }) {
			return
		}
	}
	if w.layout == V2 {
		if len(states) == 0 {
			return
		}
		k := "providerState"
		if o.had("provider_state") {
			k = "provider_state"
		}
		o.m[k] = states[0].Name
		return
	}
	if len(states) == 0 && !o.had("providerStates") {
		return
	}
	out := make([]any, 0, len(states))
	for _, s := range states {
		so := fromExtra(s.Extra)
		so["name"] = s.Name
		if s.Params != nil {
			so["params"] = s.Params
		}
		out = append(out, so)
	}
	o.m["providerStates"] = out
}

func (w writer) v4Fields(o *obj, in *Interaction) {
	o.m["type"] = string(in.Type)
	if !o.keep("key", in.Key, readString) && (in.Key != "" || o.had("key")) {
		o.m["key"] = in.Key
	}
	if !o.keep("pending", in.Pending, func(raw json.RawMessage) (any, error) { return asBool("", raw) }) &&
		(in.Pending || !o.absent("pending")) {
		o.m["pending"] = in.Pending
	}
	if !o.keep("transport", in.Transport, readString) && (in.Transport != "" || o.had("transport")) {
		o.m["transport"] = in.Transport
	}
	if in.Comments != nil {
		o.m["comments"] = in.Comments
	}
	if in.InteractionMarkup != nil {
		o.m["interactionMarkup"] = in.InteractionMarkup
	}
	if in.PluginConfiguration != nil {
		o.m["pluginConfiguration"] = in.PluginConfiguration
	}
}

func (w writer) request(r *Request) (any, error) {
	o := w.obj(r.Extra, r.Orig)
	if !o.keep("method", r.Method, readString) && (r.Method != "GET" || !o.absent("method")) {
		o.m["method"] = r.Method
	}
	if !o.keep("path", r.Path, readString) && (r.Path != "/" || !o.absent("path")) {
		o.m["path"] = r.Path
	}
	if !o.keep("query", r.Query, func(raw json.RawMessage) (any, error) { return parseQuery("", raw) }) &&
		(len(r.Query) > 0 || o.had("query")) {
		if w.layout == V2 {
			o.m["query"] = r.Query.String()
		} else {
			o.m["query"] = queryJSON(r.Query)
		}
	}
	w.headers(o, r.Headers)
	w.body(o, "body", r.Body, r.Headers.Get("Content-Type"))
	w.rules(o, r.Rules)
	w.generators(o, r.Gen)
	return o.m, nil
}

func (w writer) response(r *Response) (any, error) {
	o := w.obj(r.Extra, r.Orig)
	if r.Status != 0 && (r.Status < 100 || r.Status > 999) {
		return nil, fmt.Errorf("response status %d is not an HTTP status code", r.Status)
	}
	// A zero status is unset: it is left out, which readers take as 200.
	if !o.keep("status", r.Status, readStatus) &&
		r.Status != 0 && (r.Status != 200 || !o.absent("status")) {
		o.m["status"] = r.Status
	}
	w.headers(o, r.Headers)
	w.body(o, "body", r.Body, r.Headers.Get("Content-Type"))
	w.rules(o, r.Rules)
	w.generators(o, r.Gen)
	return o.m, nil
}

func queryJSON(q Query) map[string]any {
	out := make(map[string]any, len(q))
	for k, v := range q {
		out[k] = v
	}
	return out
}

func (w writer) headers(o *obj, h Headers) {
	if o.keep("headers", h, func(raw json.RawMessage) (any, error) { return parseHeaders("", raw) }) {
		return
	}
	if len(h) == 0 && !o.had("headers") {
		return
	}
	out := make(map[string]any, len(h))
	for k, v := range h {
		if w.layout == V4 {
			out[k] = v
			continue
		}
		if len(v) == 1 {
			out[k] = v[0]
		} else {
			out[k] = joinValues(v)
		}
	}
	o.m["headers"] = out
}

func joinValues(v []string) string {
	var b bytes.Buffer
	for i, s := range v {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s)
	}
	return b.String()
}

// body writes a body under key k. ct is the content type V1-V3 bodies take
// from their headers or metadata.
func (w writer) body(o *obj, k string, b Body, ct string) {
	if w.same && b.Raw != nil {
		again, err := parseContents("", b.Raw, w.layout, ct)
		if err == nil && sameBody(again, b, w.layout == V4) {
			o.m[k] = b.Raw
			return
		}
	}
	var v any
	var ok bool
	if w.layout == V4 {
		v, ok = writeBodyV4(b)
	} else {
		v, ok = writeBodyV3(b, ct)
	}
	if ok {
		o.m[k] = v
	}
}

func (w writer) rules(o *obj, rules MatchingRules) {
	if o.keep("matchingRules", rules, func(raw json.RawMessage) (any, error) { return parseRules("", raw) }) {
		return
	}
	if len(rules) == 0 && !o.had("matchingRules") {
		return
	}
	if w.layout == V2 {
		o.m["matchingRules"] = writeRulesV2(rules)
	} else {
		o.m["matchingRules"] = writeRulesV3(rules)
	}
}

func (w writer) generators(o *obj, gens Generators) {
	if o.keep("generators", gens, func(raw json.RawMessage) (any, error) { return parseGenerators("", raw) }) {
		return
	}
	if len(gens) == 0 && !o.had("generators") {
		return
	}
	o.m["generators"] = writeGenerators(gens)
}

func (w writer) messageFields(o *obj, m *Message) {
	w.body(o, "contents", m.Contents, m.MetadataContentType())
	key := "metadata"
	if o.had("metaData") && !o.had("metadata") {
		key = "metaData"
	}
	if !o.keep(key, m.Metadata, func(raw json.RawMessage) (any, error) {
		if isNull(raw) {
			return map[string]any(nil), nil
		}
		return asAnyMap("", raw)
	}) && (len(m.Metadata) > 0 || o.had(key)) {
		if m.Metadata == nil {
			o.m[key] = map[string]any{}
		} else {
			o.m[key] = m.Metadata
		}
	}
	w.rules(o, m.Rules)
	w.generators(o, m.Gen)
}
