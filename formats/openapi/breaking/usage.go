package breaking

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/contracts-dev/contracts/formats/pact"
)

// Usage is what consumers' HTTP interactions send to and expect of a
// provider.
type Usage struct {
	Interactions []Interaction
}

// Interaction is one pact interaction as the mapping reads it.
type Interaction struct {
	Consumer    string
	Description string

	Method string // upper case
	Path   string // as sent, without the query string
	Query  pact.Query
	// RequestHeaders holds the headers sent, Cookie included.
	RequestHeaders pact.Headers
	// RequestBody is the request body: a JSON value (map[string]any,
	// []any, string, json.Number, bool, nil) for a JSON body, else its text.
	// HasRequestBody is false when the interaction sends none.
	RequestBody        any
	HasRequestBody     bool
	RequestContentType string
	// RequestRules are the paths of the request body's matching rules.
	RequestRules []pact.Path

	Status              int
	ResponseHeaders     pact.Headers
	ResponseHeaderRules []string
	ResponseBody        any
	HasResponseBody     bool
	ResponseContentType string
	ResponseRules       []pact.Path
}

// AddPact adds the HTTP interactions of a pact file to u; message and gRPC
// interactions are left out (they do not use the OpenAPI document). A pact
// that cannot be read is refused whole and u is left unchanged.
func (u *Usage) AddPact(data []byte) error {
	p, err := pact.Parse(data)
	if err != nil {
		return err
	}
	var got []Interaction
	for i, in := range p.Interactions {
		if in.Type != pact.HTTP || in.Request == nil || in.Transport != "" && in.Transport != "http" && in.Transport != "https" {
			continue
		}
		it, err := interaction(p.Consumer.Name, in)
		if err != nil {
			return fmt.Errorf("interaction %d %q: %w", i, in.Description, err)
		}
		got = append(got, it)
	}
	u.Interactions = append(u.Interactions, got...)
	return nil
}

func interaction(consumer string, in *pact.Interaction) (Interaction, error) {
	req := in.Request
	it := Interaction{
		Consumer:       consumer,
		Description:    in.Description,
		Method:         strings.ToUpper(req.Method),
		Path:           req.Path,
		Query:          req.Query,
		RequestHeaders: req.Headers,
	}
	if p, q, ok := strings.Cut(it.Path, "?"); ok {
		// A V1 path may carry its query.
		it.Path = p
		if parsed, err := pact.ParseQueryString(q); err == nil {
			if it.Query == nil {
				it.Query = pact.Query{}
			}
			for k, v := range parsed {
				it.Query[k] = append(it.Query[k], v...)
			}
		}
	}
	if unescaped, err := url.PathUnescape(it.Path); err == nil {
		it.Path = unescaped
	}
	var err error
	if it.RequestBody, it.HasRequestBody, err = bodyValue(req.Body); err != nil {
		return it, fmt.Errorf("request body: %w", err)
	}
	it.RequestContentType = contentType(req.Headers, req.Body)
	it.RequestRules = rulePaths(req.Rules)
	if resp := in.Response; resp != nil {
		it.Status = resp.Status
		it.ResponseHeaders = resp.Headers
		for name := range resp.Rules[pact.CategoryHeader] {
			it.ResponseHeaderRules = append(it.ResponseHeaderRules, name)
		}
		if it.ResponseBody, it.HasResponseBody, err = bodyValue(resp.Body); err != nil {
			return it, fmt.Errorf("response body: %w", err)
		}
		it.ResponseContentType = contentType(resp.Headers, resp.Body)
		it.ResponseRules = rulePaths(resp.Rules)
	}
	return it, nil
}

// bodyValue decodes a JSON body; other bodies are kept as text.
func bodyValue(b pact.Body) (any, bool, error) {
	if b.State != pact.BodyPresent {
		return nil, false, nil
	}
	if b.IsJSON() {
		v, err := b.JSON()
		if err != nil {
			return nil, true, err
		}
		return v, true, nil
	}
	return string(b.Content), true, nil
}

func contentType(h pact.Headers, b pact.Body) string {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = b.EffectiveContentType()
	}
	return pact.MediaType(ct)
}

func rulePaths(r pact.MatchingRules) []pact.Path {
	var out []pact.Path
	for expr := range r[pact.CategoryBody] {
		p, err := pact.ParsePath(expr)
		if err != nil {
			continue // an unparseable rule addresses nothing the mapping can name
		}
		out = append(out, p)
	}
	return out
}

// jsonEqual reports whether a pact value equals an enum value oasdiff
// printed (its message arguments are strings or numbers).
func jsonEqual(v any, want any) bool {
	switch x := v.(type) {
	case json.Number:
		return x.String() == fmt.Sprint(want)
	case string:
		return x == fmt.Sprint(want)
	case bool:
		return fmt.Sprint(x) == fmt.Sprint(want)
	case nil:
		return want == nil || fmt.Sprint(want) == "null" || fmt.Sprint(want) == "<nil>"
	}
	return false
}
