package pact

import "encoding/json"

// Clone returns a deep copy of the pact: changing the copy, including
// matcher and generator attributes and provider state parameters, never
// changes the original.
func (p *Pact) Clone() *Pact {
	if p == nil {
		return nil
	}
	c := *p
	c.Consumer = p.Consumer.clone()
	c.Provider = p.Provider.clone()
	c.Metadata = cloneRawMap(p.Metadata)
	c.Extra = cloneRawMap(p.Extra)
	if p.Interactions != nil {
		c.Interactions = make([]*Interaction, len(p.Interactions))
		for i, in := range p.Interactions {
			c.Interactions[i] = in.Clone()
		}
	}
	return &c
}

func (p Pacticipant) clone() Pacticipant {
	p.Extra = cloneRawMap(p.Extra)
	return p
}

// Clone returns a deep copy of the interaction.
func (in *Interaction) Clone() *Interaction {
	if in == nil {
		return nil
	}
	c := *in
	if in.ProviderStates != nil {
		c.ProviderStates = make([]ProviderState, len(in.ProviderStates))
		for i, s := range in.ProviderStates {
			c.ProviderStates[i] = ProviderState{Name: s.Name, Params: cloneAnyMap(s.Params), Extra: cloneRawMap(s.Extra)}
		}
	}
	c.Comments = cloneRaw(in.Comments)
	c.PluginConfiguration = cloneRawMap(in.PluginConfiguration)
	c.InteractionMarkup = cloneRaw(in.InteractionMarkup)
	c.Request = in.Request.Clone()
	c.Response = in.Response.Clone()
	c.Message = in.Message.Clone()
	c.MessageRequest = in.MessageRequest.Clone()
	if in.MessageResponses != nil {
		c.MessageResponses = make([]*Message, len(in.MessageResponses))
		for i, m := range in.MessageResponses {
			c.MessageResponses[i] = m.Clone()
		}
	}
	c.Extra = cloneRawMap(in.Extra)
	c.Orig = cloneRawMap(in.Orig)
	return &c
}

// Clone returns a deep copy of the request.
func (r *Request) Clone() *Request {
	if r == nil {
		return nil
	}
	c := *r
	c.Query = Query(cloneLists(r.Query))
	c.Headers = Headers(cloneLists(r.Headers))
	c.Body = r.Body.Clone()
	c.Rules = r.Rules.Clone()
	c.Gen = r.Gen.Clone()
	c.Extra = cloneRawMap(r.Extra)
	c.Orig = cloneRawMap(r.Orig)
	return &c
}

// Clone returns a deep copy of the response.
func (r *Response) Clone() *Response {
	if r == nil {
		return nil
	}
	c := *r
	c.Headers = Headers(cloneLists(r.Headers))
	c.Body = r.Body.Clone()
	c.Rules = r.Rules.Clone()
	c.Gen = r.Gen.Clone()
	c.Extra = cloneRawMap(r.Extra)
	c.Orig = cloneRawMap(r.Orig)
	return &c
}

// Clone returns a deep copy of the message.
func (m *Message) Clone() *Message {
	if m == nil {
		return nil
	}
	c := *m
	c.Contents = m.Contents.Clone()
	c.Metadata = cloneAnyMap(m.Metadata)
	c.Rules = m.Rules.Clone()
	c.Gen = m.Gen.Clone()
	c.Extra = cloneRawMap(m.Extra)
	c.Orig = cloneRawMap(m.Orig)
	return &c
}

// Clone returns a deep copy of the body.
func (b Body) Clone() Body {
	if b.Content != nil {
		b.Content = append([]byte{}, b.Content...)
	}
	b.Raw = cloneRaw(b.Raw)
	return b
}

// Clone returns a deep copy of the rules.
func (r MatchingRules) Clone() MatchingRules {
	if r == nil {
		return nil
	}
	c := make(MatchingRules, len(r))
	for cat, byPath := range r {
		if byPath == nil {
			c[cat] = nil
			continue
		}
		cc := make(map[string]RuleList, len(byPath))
		for k, rl := range byPath {
			n := RuleList{Combine: rl.Combine}
			if rl.Matchers != nil {
				n.Matchers = make([]Matcher, len(rl.Matchers))
				for i, m := range rl.Matchers {
					n.Matchers[i] = Matcher{Type: m.Type, Attrs: cloneAnyMap(m.Attrs)}
				}
			}
			cc[k] = n
		}
		c[cat] = cc
	}
	return c
}

// Clone returns a deep copy of the generators.
func (g Generators) Clone() Generators {
	if g == nil {
		return nil
	}
	c := make(Generators, len(g))
	for cat, byPath := range g {
		if byPath == nil {
			c[cat] = nil
			continue
		}
		cc := make(map[string]Generator, len(byPath))
		for k, gen := range byPath {
			cc[k] = Generator{Type: gen.Type, Attrs: cloneAnyMap(gen.Attrs)}
		}
		c[cat] = cc
	}
	return c
}

func cloneLists(m map[string][]string) map[string][]string {
	if m == nil {
		return nil
	}
	c := make(map[string][]string, len(m))
	for k, v := range m {
		if v == nil {
			c[k] = nil
			continue
		}
		c[k] = append([]string{}, v...)
	}
	return c
}

func cloneRaw(r json.RawMessage) json.RawMessage {
	if r == nil {
		return nil
	}
	return append(json.RawMessage{}, r...)
}

func cloneRawMap(m map[string]json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		return nil
	}
	c := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		c[k] = cloneRaw(v)
	}
	return c
}

func cloneAnyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = CloneValue(v)
	}
	return c
}

// CloneValue deep-copies a decoded JSON value (maps, slices and scalars).
func CloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return cloneAnyMap(t)
	case []any:
		if t == nil {
			return t
		}
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = CloneValue(e)
		}
		return c
	case json.RawMessage:
		return cloneRaw(t)
	case []byte:
		return append([]byte(nil), t...)
	default:
		return v
	}
}
