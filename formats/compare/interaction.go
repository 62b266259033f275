package compare

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"mime/multipart"
	"net/url"
	"sort"
	"strings"

	"github.com/contracts-dev/contracts/formats/pact"
)

// header is one header of an example request or response, its name in
// lower case and its values joined with commas.
type header struct{ name, value string }

type headers []header

func newHeaders(h pact.Headers) headers {
	var out headers
	for name, values := range h {
		out = append(out, header{strings.ToLower(name), strings.Join(values, ",")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (h headers) get(name string) (string, bool) {
	name = strings.ToLower(name)
	for _, e := range h {
		if e.name == name {
			return e.value, true
		}
	}
	return "", false
}

func (h *headers) del(name string) {
	name = strings.ToLower(name)
	out := (*h)[:0]
	for _, e := range *h {
		if e.name != name {
			out = append(out, e)
		}
	}
	*h = out
}

// body is an example body as a JSON-like value: the decoded JSON for JSON
// content, else the text.
type body struct {
	present bool
	value   any
}

func newBody(b pact.Body, contentType string) body {
	if b.State == pact.BodyMissing || b.State == pact.BodyNull {
		return body{}
	}
	if b.State == pact.BodyEmpty {
		return body{present: true, value: ""}
	}
	ct := b.ContentType
	if ct == "" {
		ct = contentType
	}
	if ct == "" || isJSONType(ct) {
		if v, err := decodeJSON(b.Content); err == nil {
			return body{present: true, value: v}
		}
	}
	return body{present: true, value: string(b.Content)}
}

func isJSONType(ct string) bool {
	t, _, _ := strings.Cut(strings.ToLower(ct), ";")
	t = strings.TrimSpace(t)
	return t == "application/json" || strings.HasSuffix(t, "+json")
}

func decodeJSON(b []byte) (any, error) {
	if v, ok := decodeJSONFast(b); ok {
		return v, nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("trailing data")
	}
	return v, nil
}

// truthy is JavaScript's truthiness, which decides in PactFlow's comparator
// whether a body "is there": an empty string, 0, false and null are not.
func truthy(b body) bool {
	if !b.present {
		return false
	}
	switch v := b.value.(type) {
	case nil:
		return false
	case string:
		return v != ""
	case bool:
		return v
	case json.Number:
		f, err := v.Float64()
		return err != nil || f != 0
	}
	return true
}

// formBody reads an application/x-www-form-urlencoded or multipart body as
// an object of fields, as servers see it.
func formBody(v any, contentType string) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	mt, params, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(s)
		if err != nil {
			return v
		}
		out := map[string]any{}
		for k, vs := range vals {
			if len(vs) == 1 {
				out[k] = vs[0]
			} else {
				arr := make([]any, len(vs))
				for i, e := range vs {
					arr[i] = e
				}
				out[k] = arr
			}
		}
		return out
	case "multipart/form-data":
		r := multipart.NewReader(strings.NewReader(s), params["boundary"])
		out := map[string]any{}
		for {
			p, err := r.NextPart()
			if err != nil {
				break
			}
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(p)
			out[p.FormName()] = buf.String()
		}
		return out
	}
	return v
}

// parseParam reads a header or query value the way PactFlow's comparator
// does for schemas that are not plain strings: "a=1,b=2" as an object,
// "1,2" as a list, else the string.
func parseParam(s string) any {
	switch {
	case strings.Contains(s, "="):
		out := map[string]any{}
		for _, kv := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '&' }) {
			k, v, _ := strings.Cut(kv, "=")
			out[k] = v
		}
		return out
	case strings.Contains(s, ","):
		parts := strings.Split(s, ",")
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out
	}
	return s
}

func stateOf(i *pact.Interaction) string {
	if len(i.ProviderStates) > 0 && i.ProviderStates[0].Name != "" {
		return i.ProviderStates[0].Name
	}
	return "[none]"
}

func mock(i *pact.Interaction, location string, value any) *MockDetails {
	return &MockDetails{InteractionDescription: i.Description, InteractionState: stateOf(i), Location: location, Value: value}
}
