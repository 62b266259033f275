package generate

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/contracts-dev/contracts/formats/pact"
)

// Request returns a copy of r with its generators applied: the path, header
// and query values, and JSON body values at the generators' paths. r is
// not changed.
//
// The copy is always returned. When some generators could not produce a
// value (a missing provider state value, a malformed attribute) their
// targets keep the original values and err joins one *Error per failure;
// generators that do not apply in the mode are skipped silently.
func Request(r *pact.Request, ctx Context) (*pact.Request, error) {
	if r == nil {
		return nil, nil
	}
	out := r.Clone()
	return out, applyEach(r.Gen, func(cat, key string, g pact.Generator) error {
		switch cat {
		case pact.CategoryPath:
			return applyString(g, &ctx, out.Path, func(s string) { out.Path = s })
		case pact.CategoryMethod:
			return applyString(g, &ctx, out.Method, func(s string) { out.Method = s })
		case pact.CategoryHeader:
			return applyHeader(out.Headers, key, g, &ctx, func(h pact.Headers) { out.Headers = h })
		case pact.CategoryQuery:
			if out.Query == nil {
				out.Query = pact.Query{}
			}
			return applyList(g, &ctx, out.Query[key], func(v []string) { out.Query[key] = v })
		case pact.CategoryBody, pact.CategoryContent:
			return applyBody(&out.Body, key, g, &ctx)
		}
		return nil
	})
}

// Response returns a copy of r with its generators applied: the status,
// header values and JSON body values. See Request for errors.
func Response(r *pact.Response, ctx Context) (*pact.Response, error) {
	if r == nil {
		return nil, nil
	}
	out := r.Clone()
	return out, applyEach(r.Gen, func(cat, key string, g pact.Generator) error {
		switch cat {
		case pact.CategoryStatus:
			return applyStatus(g, &ctx, out)
		case pact.CategoryHeader:
			return applyHeader(out.Headers, key, g, &ctx, func(h pact.Headers) { out.Headers = h })
		case pact.CategoryBody, pact.CategoryContent:
			return applyBody(&out.Body, key, g, &ctx)
		}
		return nil
	})
}

// Message returns a copy of m with its generators applied to the contents
// (JSON values at the generators' paths) and metadata values. See Request
// for errors.
func Message(m *pact.Message, ctx Context) (*pact.Message, error) {
	if m == nil {
		return nil, nil
	}
	out := m.Clone()
	return out, applyEach(m.Gen, func(cat, key string, g pact.Generator) error {
		switch cat {
		case pact.CategoryBody, pact.CategoryContent:
			return applyBody(&out.Contents, key, g, &ctx)
		case pact.CategoryMetadata:
			v, err := value(g, out.Metadata[key], &ctx)
			if err != nil {
				return err
			}
			if out.Metadata == nil {
				out.Metadata = map[string]any{}
			}
			out.Metadata[key] = v
		}
		return nil
	})
}

// applyEach calls apply for each generator of gen, by category then key,
// and joins one *Error per failure other than ErrNotApplicable.
func applyEach(gen pact.Generators, apply func(cat, key string, g pact.Generator) error) error {
	var errs []error
	for _, cat := range slices.Sorted(maps.Keys(gen)) {
		for _, key := range slices.Sorted(maps.Keys(gen[cat])) {
			g := gen[cat][key]
			if err := apply(cat, key, g); err != nil && !errors.Is(err, ErrNotApplicable) {
				errs = append(errs, &Error{Category: cat, Key: key, Type: g.Type, Err: err})
			}
		}
	}
	return errors.Join(errs...)
}

func applyString(g pact.Generator, ctx *Context, current string, set func(string)) error {
	v, err := value(g, current, ctx)
	if err != nil {
		return err
	}
	set(text(v))
	return nil
}

// applyList replaces every value of a header or query parameter with a
// generated one (one value when there were none).
func applyList(g pact.Generator, ctx *Context, current []string, set func([]string)) error {
	n := max(len(current), 1)
	out := make([]string, n)
	for i := range out {
		var cur any
		if i < len(current) {
			cur = current[i]
		}
		v, err := value(g, cur, ctx)
		if err != nil {
			return err
		}
		out[i] = text(v)
	}
	set(out)
	return nil
}

func applyHeader(h pact.Headers, name string, g pact.Generator, ctx *Context, set func(pact.Headers)) error {
	if h == nil {
		h = pact.Headers{}
	}
	key := name
	for k := range h {
		if equalFold(k, name) {
			key = k
			break
		}
	}
	return applyList(g, ctx, h[key], func(v []string) {
		h[key] = v
		set(h)
	})
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func applyStatus(g pact.Generator, ctx *Context, r *pact.Response) error {
	v, err := value(g, r.Status, ctx)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(text(v))
	if err != nil || n < 100 || n > 999 {
		return fmt.Errorf("generated status %q is not an HTTP status code", text(v))
	}
	r.Status = n
	return nil
}

// applyBody sets the values at the path expression key in a JSON, form
// (application/x-www-form-urlencoded) or XML body. Other bodies are left
// unchanged, as is a path that selects nothing.
func applyBody(b *pact.Body, key string, g pact.Generator, ctx *Context) error {
	if b.State != pact.BodyPresent {
		return nil
	}
	p, err := pact.ParsePath(key)
	if key == "" {
		p, err = pact.Path{pact.Root()}, nil
	}
	if !b.IsJSON() {
		apply := applyForm
		switch ct := b.EffectiveContentType(); {
		case pact.MediaType(ct) == "application/x-www-form-urlencoded":
		case pact.IsXMLType(ct):
			apply = applyXML
		default:
			return nil
		}
		if err != nil {
			return err
		}
		return apply(b, p, g, ctx)
	}
	doc, jerr := b.JSON()
	if jerr != nil {
		return nil
	}
	if err != nil {
		return err
	}
	changed := false
	var walkErr error
	doc = walk(doc, []string{"$"}, func(loc []string, cur any) (any, bool) {
		if walkErr != nil || !p.Matches(loc) {
			return cur, false
		}
		v, err := value(g, cur, ctx)
		if err != nil {
			walkErr = err
			return cur, false
		}
		changed = true
		return v, true
	})
	if walkErr != nil {
		return walkErr
	}
	if !changed {
		return nil
	}
	return b.SetJSON(doc)
}

// walk visits v and its descendants in document order, replacing a value
// when visit says so (its children are then not visited).
func walk(v any, loc []string, visit func([]string, any) (any, bool)) any {
	if nv, done := visit(loc, v); done {
		return nv
	}
	switch t := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			t[k] = walk(t[k], append(loc[:len(loc):len(loc)], k), visit)
		}
	case []any:
		for i := range t {
			t[i] = walk(t[i], append(loc[:len(loc):len(loc)], strconv.Itoa(i)), visit)
		}
	}
	return v
}
