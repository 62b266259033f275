package compat_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/generate"
)

// generatorState is a request or response configured with generators and
// then prepared for use (generators applied).
type generatorState struct {
	req      *pact.Request
	resp     *pact.Response
	ctx      generate.Context
	modeSet  bool
	prepReq  *pact.Request
	prepResp *pact.Response
}

func (w *world) generatorSteps(sc *godog.ScenarioContext) {
	sc.Step(`^a request configured with the following generators:$`, w.requestGenerators)
	sc.Step(`^a response configured with the following generators:$`, w.responseGenerators)
	sc.Step(`^the generator test mode is set as "([^"]*)"$`, w.generatorMode)
	sc.Step(`^the request is prepared for use$`, func() error { return w.prepareRequest("", nil) })
	sc.Step(`^the request is prepared for use with a "([^"]*)" context:$`, w.prepareRequest)
	sc.Step(`^the response is prepared for use$`, w.prepareResponse)
	sc.Step(`^the body value for "([^"]*)" will have been replaced with an? "([^"]*)"$`, w.bodyReplacedWithKind)
	sc.Step(`^the body value for "([^"]*)" will have been replaced with "([^"]*)"$`, w.bodyReplacedWithValue)
	sc.Step(`^the request "([^"]*)" will be set as "([^"]*)"$`, w.requestPartIs)
	sc.Step(`^the request "([^"]*)" will match "([^"]*)"$`, w.requestPartMatches)
	sc.Step(`^the response "([^"]*)" will not be "([^"]*)"$`, w.responsePartIsNot)
	sc.Step(`^the response "([^"]*)" will match "([^"]*)"$`, w.responsePartMatches)
}

// generatorRow reads the one row of a generators table: an optional body
// and the generators (a fixture name or "JSON: ...").
func (w *world) generatorRow(t *godog.Table) (pact.Body, pact.Generators, error) {
	rows := table(t)
	if len(rows) != 1 {
		return pact.Body{}, nil, fmt.Errorf("want one row, got %d", len(rows))
	}
	var body pact.Body
	if cell := rows[0]["body"]; cell != "" {
		b, err := w.body(cell, "", "")
		if err != nil {
			return pact.Body{}, nil, err
		}
		body = b
	}
	data, err := w.jsonCell(rows[0]["generators"])
	if err != nil {
		return pact.Body{}, nil, err
	}
	gens, err := pact.ParseGenerators(data)
	if err != nil {
		return pact.Body{}, nil, fmt.Errorf("generators %s: %w", rows[0]["generators"], err)
	}
	return body, gens, nil
}

func (w *world) requestGenerators(t *godog.Table) error {
	body, gens, err := w.generatorRow(t)
	if err != nil {
		return err
	}
	req := newRequest()
	req.Body, req.Gen = body, gens
	w.gen.req = req
	return nil
}

func (w *world) responseGenerators(t *godog.Table) error {
	body, gens, err := w.generatorRow(t)
	if err != nil {
		return err
	}
	w.gen.resp = &pact.Response{Status: 200, Headers: pact.Headers{}, Body: body, Gen: gens}
	return nil
}

func (w *world) generatorMode(mode string) error {
	switch mode {
	case "Provider":
		w.gen.ctx.Mode = generate.Provider
	case "Consumer":
		w.gen.ctx.Mode = generate.Consumer
	default:
		return fmt.Errorf("generator test mode %q not understood", mode)
	}
	w.gen.modeSet = true
	return nil
}

// genContext returns the generator context; the mode defaults to Provider
// (as the Pact implementations' suites do).
func (w *world) genContext() generate.Context {
	ctx := w.gen.ctx
	if !w.gen.modeSet {
		ctx.Mode = generate.Provider
	}
	return ctx
}

// prepareRequest applies the request's generators, with a context read
// from the one-cell table: "providerState" values or a "mockServer"
// {"href": ...}.
func (w *world) prepareRequest(kind string, t *godog.Table) error {
	if w.gen.req == nil {
		return errors.New("no request configured")
	}
	ctx := w.genContext()
	if t != nil {
		if len(t.Rows) != 1 || len(t.Rows[0].Cells) != 1 {
			return errors.New("want a context table of one cell")
		}
		var v map[string]any
		d := json.NewDecoder(strings.NewReader(t.Rows[0].Cells[0].Value))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return fmt.Errorf("context %s: %w", t.Rows[0].Cells[0].Value, err)
		}
		switch kind {
		case "providerState":
			ctx.ProviderState = v
		case "mockServer":
			href, _ := v["href"].(string)
			if href == "" {
				return fmt.Errorf("mockServer context %v has no href", v)
			}
			ctx.MockServerURL = href
		default:
			return fmt.Errorf("context %q not understood", kind)
		}
	}
	out, err := generate.Request(w.gen.req, ctx)
	if err != nil {
		return fmt.Errorf("prepare request: %w", err)
	}
	w.gen.prepReq = out
	return nil
}

func (w *world) prepareResponse() error {
	if w.gen.resp == nil {
		return errors.New("no response configured")
	}
	out, err := generate.Response(w.gen.resp, w.genContext())
	if err != nil {
		return fmt.Errorf("prepare response: %w", err)
	}
	w.gen.prepResp = out
	return nil
}

// preparedBody returns the body prepared last (request or response) and
// the generators that were applied to it.
func (w *world) preparedBody() (pact.Body, pact.Generators, error) {
	switch {
	case w.gen.prepReq != nil:
		return w.gen.prepReq.Body, w.gen.req.Gen, nil
	case w.gen.prepResp != nil:
		return w.gen.prepResp.Body, w.gen.resp.Gen, nil
	}
	return pact.Body{}, nil, errors.New("nothing was prepared")
}

// bodyValue returns the JSON value at a simple path ("$.one") of the
// prepared body, decoded with numbers as json.Number.
func (w *world) bodyValue(path string) (any, pact.Generator, error) {
	body, gens, err := w.preparedBody()
	if err != nil {
		return nil, pact.Generator{}, err
	}
	v, err := body.JSON()
	if err != nil {
		return nil, pact.Generator{}, fmt.Errorf("prepared body %s: %w", body.Content, err)
	}
	p, err := pact.ParsePath(path)
	if err != nil {
		return nil, pact.Generator{}, err
	}
	loc, err := p.Location()
	if err != nil {
		return nil, pact.Generator{}, err
	}
	for _, k := range loc[1:] {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, pact.Generator{}, fmt.Errorf("no %s in prepared body %s", path, body.Content)
		}
		if v, ok = m[k]; !ok {
			return nil, pact.Generator{}, fmt.Errorf("no %s in prepared body %s", path, body.Content)
		}
	}
	return v, gens[pact.CategoryBody][path], nil
}

var (
	hexPattern       = regexp.MustCompile(`^[0-9a-fA-F]+$`)
	uuidLower        = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	uuidUpper        = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`)
	uuidSimple       = regexp.MustCompile(`^[0-9a-f]{32}$`)
	uuidURN          = regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	integerPattern   = regexp.MustCompile(`^-?\d+$`)
	decimalPattern   = regexp.MustCompile(`^-?\d+\.\d+$`)
	dateTimeNoOffset = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}`)
)

// attrInt reads an integer attribute of a generator.
func attrInt(g pact.Generator, name string) (int, bool) {
	v, ok := g.Attrs[name]
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(fmt.Sprint(v))
	return n, err == nil
}

// bodyReplacedWithKind checks the generated value's type and form, and the
// generator's attributes (range, digits, size, regex) where it has them.
func (w *world) bodyReplacedWithKind(path, kind string) error {
	v, g, err := w.bodyValue(path)
	if err != nil {
		return err
	}
	s, isString := v.(string)
	num, isNumber := v.(json.Number)
	bad := func(why string) error {
		return fmt.Errorf("%s = %#v (%T) is not a %s: %s", path, v, v, kind, why)
	}
	switch kind {
	case "integer":
		if !isNumber || !integerPattern.MatchString(num.String()) {
			return bad("want a JSON integer")
		}
		n, _ := strconv.Atoi(num.String())
		if lo, ok := attrInt(g, "min"); ok && n < lo {
			return bad("below min")
		}
		if hi, ok := attrInt(g, "max"); ok && n > hi {
			return bad("above max")
		}
	case "decimal number":
		if !isNumber || !decimalPattern.MatchString(num.String()) {
			return bad("want a JSON number with a fraction")
		}
		if d, ok := attrInt(g, "digits"); ok && len(strings.NewReplacer("-", "", ".", "").Replace(num.String())) != d {
			return bad(fmt.Sprintf("want %d digits", d))
		}
	case "hexadecimal number":
		if !isString || !hexPattern.MatchString(s) {
			return bad("want a string of hexadecimal digits")
		}
		if d, ok := attrInt(g, "digits"); ok && len(s) != d {
			return bad(fmt.Sprintf("want %d digits", d))
		}
	case "random string":
		if !isString {
			return bad("want a string")
		}
		if n, ok := attrInt(g, "size"); ok && len([]rune(s)) != n {
			return bad(fmt.Sprintf("want %d characters", n))
		}
	case "string from the regex":
		re, _ := g.Attrs["regex"].(string)
		if !isString || re == "" || !regexp.MustCompile(`^(?:`+re+`)$`).MatchString(s) {
			return bad(fmt.Sprintf("want a string matching %q", re))
		}
	case "date":
		if _, err := time.Parse("2006-01-02", s); !isString || err != nil {
			return bad("want yyyy-MM-dd")
		}
	case "time":
		if _, err := time.Parse("15:04:05", s); !isString || err != nil {
			return bad("want HH:mm:ss")
		}
	case "date-time":
		if !isString || !dateTimeNoOffset.MatchString(s) {
			return bad("want yyyy-MM-ddTHH:mm:ss with an offset")
		}
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			if _, err2 := time.Parse("2006-01-02T15:04:05-0700", s); err2 != nil {
				return bad("want yyyy-MM-dd'T'HH:mm:ssXXX")
			}
		}
	case "UUID", "lower-case-hyphenated UUID":
		if !isString || !uuidLower.MatchString(s) {
			return bad("want a lower-case hyphenated UUID")
		}
	case "upper-case-hyphenated UUID":
		if !isString || !uuidUpper.MatchString(s) {
			return bad("want an upper-case hyphenated UUID")
		}
	case "simple UUID":
		if !isString || !uuidSimple.MatchString(s) {
			return bad("want 32 lower-case hex digits")
		}
	case "URN UUID":
		if !isString || !uuidURN.MatchString(s) {
			return bad("want urn:uuid:<lower-case hyphenated UUID>")
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return bad("want a JSON boolean")
		}
	default:
		return fmt.Errorf("value kind %q not understood", kind)
	}
	return nil
}

func (w *world) bodyReplacedWithValue(path, want string) error {
	v, _, err := w.bodyValue(path)
	if err != nil {
		return err
	}
	var got string
	switch v := v.(type) {
	case string:
		got = v
	case json.Number:
		got = v.String()
	default:
		return fmt.Errorf("%s = %#v (%T), want %q", path, v, v, want)
	}
	if got != want {
		return fmt.Errorf("%s = %q, want %q", path, got, want)
	}
	return nil
}

var partPattern = regexp.MustCompile(`^(\w+)(?:\[([^\]]+)\])?$`)

// requestPart reads "path", "header[NAME]" or "queryParameter[NAME]" of the
// prepared request.
func (w *world) requestPart(part string) (string, error) {
	r := w.gen.prepReq
	if r == nil {
		return "", errors.New("no request was prepared")
	}
	m := partPattern.FindStringSubmatch(part)
	if m == nil {
		return "", fmt.Errorf("request part %q not understood", part)
	}
	switch m[1] {
	case "path":
		return r.Path, nil
	case "method":
		return r.Method, nil
	case "header":
		vs := r.Headers.Values(m[2])
		if len(vs) != 1 {
			return "", fmt.Errorf("request header %s has values %q, want one", m[2], vs)
		}
		return vs[0], nil
	case "queryParameter":
		vs := r.Query[m[2]]
		if len(vs) != 1 {
			return "", fmt.Errorf("request query parameter %s has values %q, want one", m[2], vs)
		}
		return vs[0], nil
	}
	return "", fmt.Errorf("request part %q not understood", part)
}

func (w *world) responsePart(part string) (string, error) {
	r := w.gen.prepResp
	if r == nil {
		return "", errors.New("no response was prepared")
	}
	m := partPattern.FindStringSubmatch(part)
	if m == nil {
		return "", fmt.Errorf("response part %q not understood", part)
	}
	switch m[1] {
	case "status":
		return strconv.Itoa(r.Status), nil
	case "header":
		vs := r.Headers.Values(m[2])
		if len(vs) != 1 {
			return "", fmt.Errorf("response header %s has values %q, want one", m[2], vs)
		}
		return vs[0], nil
	}
	return "", fmt.Errorf("response part %q not understood", part)
}

func (w *world) requestPartIs(part, want string) error {
	got, err := w.requestPart(part)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("request %s = %q, want %q", part, got, want)
	}
	return nil
}

func fullMatch(pattern, s string) (bool, error) {
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return false, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	return re.MatchString(s), nil
}

func (w *world) requestPartMatches(part, pattern string) error {
	got, err := w.requestPart(part)
	if err != nil {
		return err
	}
	ok, err := fullMatch(pattern, got)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("request %s = %q does not match %q", part, got, pattern)
	}
	return nil
}

func (w *world) responsePartIsNot(part, notWant string) error {
	got, err := w.responsePart(part)
	if err != nil {
		return err
	}
	if got == notWant {
		return fmt.Errorf("response %s = %q, want another value", part, got)
	}
	return nil
}

func (w *world) responsePartMatches(part, pattern string) error {
	got, err := w.responsePart(part)
	if err != nil {
		return err
	}
	ok, err := fullMatch(pattern, got)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("response %s = %q does not match %q", part, got, pattern)
	}
	return nil
}
