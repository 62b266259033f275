package compare

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/contracts-dev/contracts/formats/pact"
)

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// openAPI is an OpenAPI 3 document ready to compare HTTP interactions with.
type openAPI struct {
	doc       map[string]any
	schemas   *schemas
	routes    []*route
	tree      *segNode // routes by their paths' literal segments
	bases     []string // path prefixes from servers' URLs
	secScheme map[string]any
}

type route struct {
	template string   // as in the document: /orders/{id}
	method   string   // lower case
	literal  []string // per segment: its text when it has no parameter
	segs     []*regexp.Regexp
	names    [][]string // parameter names per segment
	params   int
	order    int // position in the document's sorted paths and methods, which breaks ties
	op       map[string]any
	parms    []map[string]any // parameters, dereferenced, operation's first
	security []any
}

func newOpenAPI(doc map[string]any) (*openAPI, error) {
	version, _ := doc["openapi"].(string)
	if !strings.HasPrefix(version, "3.") {
		return nil, fmt.Errorf("not an OpenAPI 3 document (openapi: %q)", version)
	}
	oas30 := strings.HasPrefix(version, "3.0")
	draft := jsonschema.Draft2020
	if oas30 {
		draft = jsonschema.Draft7
	}
	o := &openAPI{doc: doc, tree: &segNode{}, schemas: newSchemas(doc, oas30, draft, func(k string) bool { return k == "schema" })}
	if comps, ok := doc["components"].(map[string]any); ok {
		o.secScheme, _ = comps["securitySchemes"].(map[string]any)
	}
	if servers, ok := doc["servers"].([]any); ok {
		for _, s := range servers {
			sm, _ := s.(map[string]any)
			raw, _ := sm["url"].(string)
			if u, err := url.Parse(raw); err == nil && strings.Trim(u.Path, "/") != "" {
				o.bases = append(o.bases, strings.TrimRight(u.Path, "/"))
			}
		}
	}
	paths, _ := doc["paths"].(map[string]any)
	templates := make([]string, 0, len(paths))
	for p := range paths {
		templates = append(templates, p)
	}
	sort.Strings(templates)
	for _, tmpl := range templates {
		item, _ := deref(paths[tmpl], doc).(map[string]any)
		if item == nil {
			continue
		}
		segs, names, n, err := compileTemplate(tmpl)
		if err != nil {
			return nil, fmt.Errorf("paths.%s: %w", tmpl, err)
		}
		for _, m := range methods {
			op, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			r := &route{template: tmpl, method: m, segs: segs, names: names, params: n, op: op}
			for _, seg := range strings.Split(strings.TrimPrefix(tmpl, "/"), "/") {
				if strings.Contains(seg, "{") {
					seg = "\x00"
				}
				r.literal = append(r.literal, seg)
			}
			seen := map[string]bool{}
			for _, list := range []any{op["parameters"], item["parameters"]} {
				ps, _ := list.([]any)
				for _, p := range ps {
					pm, _ := deref(p, doc).(map[string]any)
					if pm == nil {
						continue
					}
					key := fmt.Sprint(pm["name"], "\x00", pm["in"])
					if seen[key] {
						continue
					}
					seen[key] = true
					r.parms = append(r.parms, pm)
				}
			}
			if sec, ok := op["security"].([]any); ok {
				r.security = sec
			} else if sec, ok := doc["security"].([]any); ok {
				r.security = sec
			}
			r.order = len(o.routes)
			o.routes = append(o.routes, r)
			o.tree.add(r)
		}
	}
	return o, nil
}

// segNode is a node of the route tree: one level per path segment, a
// child per literal segment and one for all segments with parameters.
// Looking a path up visits only the routes whose literal segments match
// it, instead of every route of the document.
type segNode struct {
	literal map[string]*segNode
	param   *segNode
	routes  []*route // routes whose path ends here
}

func (n *segNode) add(r *route) {
	for _, l := range r.literal {
		var next *segNode
		if l == "\x00" {
			if n.param == nil {
				n.param = &segNode{}
			}
			next = n.param
		} else {
			if n.literal == nil {
				n.literal = map[string]*segNode{}
			}
			if next = n.literal[l]; next == nil {
				next = &segNode{}
				n.literal[l] = next
			}
		}
		n = next
	}
	n.routes = append(n.routes, r)
}

// candidates appends the routes whose literal segments are those of parts.
func (n *segNode) candidates(parts []string, into []*route) []*route {
	if n == nil {
		return into
	}
	if len(parts) == 0 {
		return append(into, n.routes...)
	}
	into = n.literal[parts[0]].candidates(parts[1:], into)
	return n.param.candidates(parts[1:], into)
}

var paramInSegment = regexp.MustCompile(`\{[^}]*\}`)

// compileTemplate turns a path template into one pattern per segment; a
// parameter matches a non-empty part of one segment. A segment without
// parameters, or that is one parameter, needs no pattern (nil): route.match
// compares the former and takes the latter whole.
func compileTemplate(tmpl string) ([]*regexp.Regexp, [][]string, int, error) {
	var segs []*regexp.Regexp
	var names [][]string
	n := 0
	for _, seg := range strings.Split(strings.TrimPrefix(tmpl, "/"), "/") {
		locs := paramInSegment.FindAllStringIndex(seg, -1)
		if len(locs) == 0 && !strings.Contains(seg, "{") {
			segs = append(segs, nil)
			names = append(names, nil)
			continue
		}
		if len(locs) == 1 && locs[0][0] == 0 && locs[0][1] == len(seg) {
			segs = append(segs, nil)
			names = append(names, []string{strings.Trim(seg[1:len(seg)-1], ".;*")})
			n++
			continue
		}
		var b strings.Builder
		var ns []string
		b.WriteString("^")
		last := 0
		for _, loc := range locs {
			b.WriteString(regexp.QuoteMeta(seg[last:loc[0]]))
			name := strings.Trim(seg[loc[0]+1:loc[1]-1], ".;*")
			ns = append(ns, name)
			b.WriteString("([^/]+?)")
			last = loc[1]
			n++
		}
		b.WriteString(regexp.QuoteMeta(seg[last:]))
		b.WriteString("$")
		re, err := regexp.Compile(b.String())
		if err != nil {
			return nil, nil, 0, err
		}
		segs = append(segs, re)
		names = append(names, ns)
	}
	return segs, names, n, nil
}

// match returns the route params when the path's segments match r.
func (r *route) match(parts []string) (map[string]string, bool) {
	if len(parts) != len(r.segs) {
		return nil, false
	}
	for i, p := range parts {
		if l := r.literal[i]; l != "\x00" && l != p {
			return nil, false
		}
	}
	params := map[string]string{}
	for i, p := range parts {
		if r.literal[i] != "\x00" {
			continue
		}
		var m []string
		if r.segs[i] == nil {
			// The segment is one parameter: all of it, if not empty.
			if p == "" {
				return nil, false
			}
			m = []string{p, p}
		} else if m = r.segs[i].FindStringSubmatch(p); m == nil {
			return nil, false
		}
		for j, name := range r.names[i] {
			v := m[j+1]
			if u, err := url.PathUnescape(v); err == nil {
				v = u
			}
			params[name] = v
		}
	}
	return params, true
}

// find picks the operation for method and path: static segments win over
// parameters; a path that only matches once a server's base path is taken
// off matches too.
func (o *openAPI) find(method, path string) (*route, map[string]string) {
	method = strings.ToLower(method)
	candidates := []string{path}
	for _, b := range o.bases {
		if rest, ok := strings.CutPrefix(path, b); ok && (rest == "" || strings.HasPrefix(rest, "/")) {
			if rest == "" {
				rest = "/"
			}
			candidates = append(candidates, rest)
		}
	}
	var routes []*route
	for _, p := range candidates {
		var best *route
		var bestParams map[string]string
		parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
		routes = o.tree.candidates(parts, routes[:0])
		// In the document's order, the first route with the fewest
		// parameters wins.
		sort.Slice(routes, func(i, j int) bool { return routes[i].order < routes[j].order })
		for _, r := range routes {
			if r.method != method {
				continue
			}
			if params, ok := r.match(parts); ok && (best == nil || r.params < best.params) {
				best, bestParams = r, params
			}
		}
		if best != nil {
			return best, bestParams
		}
	}
	return nil, nil
}

// compareHTTP checks one HTTP interaction, index i of the pact.
func (o *openAPI) compareHTTP(in *pact.Interaction, i int) []Result {
	req, res := in.Request, in.Response
	loc := fmt.Sprintf("[root].interactions[%d]", i)
	path := req.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	r, params := o.find(req.Method, path)
	if r == nil || strings.Contains(path, "?") {
		return []Result{{
			Type: TypeError, Code: CodeRequestPathOrMethodUnknown,
			Message:     fmt.Sprintf("Path or method not defined in spec file: %s %s", req.Method, req.Path),
			MockDetails: mock(in, loc+".request.path", req.Path),
			SpecDetails: &SpecDetails{Location: "[root].paths"},
		}}
	}
	c := &httpCheck{o: o, r: r, in: in, loc: loc, params: params,
		valid:      res == nil || res.Status < 400,
		reqHeaders: newHeaders(req.Headers)}
	if res != nil {
		c.resHeaders = newHeaders(res.Headers)
	}
	if out := c.path(); len(out) > 0 {
		return out
	}
	c.security()
	contentTypeOK := c.requestHeaders()
	c.query()
	if contentTypeOK {
		c.requestBody()
	}
	if res != nil {
		if c.responseHeaders() {
			c.responseBody()
		}
	}
	return c.out
}

type httpCheck struct {
	o          *openAPI
	r          *route
	in         *pact.Interaction
	loc        string
	params     map[string]string
	valid      bool // the interaction expects success (< 400): its request must be valid
	reqHeaders headers
	resHeaders headers
	out        []Result
}

func (c *httpCheck) spec(location string, value any) *SpecDetails {
	m, p := c.r.method, c.r.template
	return &SpecDetails{Location: location, PathMethod: &m, PathName: &p, Value: value}
}

func (c *httpCheck) opLoc() string {
	return fmt.Sprintf("[root].paths.%s.%s", c.r.template, c.r.method)
}

func (c *httpCheck) add(typ, code, msg string, md *MockDetails, sd *SpecDetails) {
	c.out = append(c.out, Result{Type: typ, Code: code, Message: msg, MockDetails: md, SpecDetails: sd})
}

// paramSchema is a parameter's schema, dereferenced.
func (c *httpCheck) paramSchema(p map[string]any) map[string]any {
	s, _ := deref(p["schema"], c.o.doc).(map[string]any)
	return s
}

func schemaType(s map[string]any) string {
	t, _ := s["type"].(string)
	return t
}

// stringish reports whether a parameter's schema takes the raw string.
func stringish(s map[string]any, doc map[string]any) bool {
	if schemaType(s) == "string" {
		return true
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		list, _ := s[k].([]any)
		for _, e := range list {
			if em, ok := deref(e, doc).(map[string]any); ok && schemaType(em) == "string" {
				return true
			}
		}
	}
	return false
}

func (c *httpCheck) path() []Result {
	var out []Result
	for idx, p := range c.r.parms {
		if p["in"] != "path" {
			continue
		}
		name, _ := p["name"].(string)
		raw, ok := c.params[name]
		if !ok {
			continue
		}
		s := c.paramSchema(p)
		if s == nil {
			continue
		}
		var v any = raw
		if schemaType(s) == "array" {
			sep := ","
			style, _ := p["style"].(string)
			explode, _ := p["explode"].(bool)
			switch {
			case strings.EqualFold(style, "label") && explode:
				sep = "."
			case strings.EqualFold(style, "matrix") && explode:
				sep = ";"
			}
			v = toList(strings.Split(raw, sep))
		} else if schemaType(s) != "string" {
			v = parseParam(raw)
		}
		id := fmt.Sprintf("%s.parameters[%d]", c.opLoc(), idx)
		for range c.check(id, p["schema"], useSent, coerce(v, s, c.o.doc)) {
			out = append(out, Result{
				Type: TypeError, Code: CodeRequestPathOrMethodUnknown,
				Message:     fmt.Sprintf("Path or method not defined in spec file: %s %s", strings.ToUpper(c.r.method), c.in.Request.Path),
				MockDetails: mock(c.in, c.loc+".request.path", c.in.Request.Path),
				SpecDetails: &SpecDetails{Location: "[root].paths", Value: nil},
			})
		}
	}
	return out
}

// check validates v against the schema at id and returns the violations;
// a schema that does not compile is one violation naming the problem.
func (c *httpCheck) check(id string, schema any, u use, v any) []violation {
	sch, err := c.o.schemas.compile(id, schema, u)
	if err != nil {
		return []violation{{message: err.Error()}}
	}
	return validate(sch, v)
}

func toList(parts []string) []any {
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out
}

func (c *httpCheck) security() {
	if !c.valid || len(c.r.security) == 0 {
		return
	}
	query := c.in.Request.Query
	secured := false
	var maybe []Result
	missing := func(where string) {
		loc := c.loc + ".request.headers"
		var val any = c.in.Request.Headers
		if where == "query" {
			loc = c.loc + ".request.query"
			val = c.in.Request.Query
		}
		maybe = append(maybe, Result{Type: TypeError, Code: CodeRequestAuthorizationMissing,
			Message:     fmt.Sprintf("Request authorization %s is missing but the spec requires it", where),
			MockDetails: mock(c.in, loc, val), SpecDetails: c.spec(c.opLoc(), nil)})
	}
	auth, _ := c.reqHeaders.get("authorization")
	for _, req := range c.r.security {
		rm, _ := req.(map[string]any)
		if len(rm) == 0 {
			secured = true
			break
		}
		names := make([]string, 0, len(rm))
		for n := range rm {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			scheme, _ := deref(c.o.secScheme[n], c.o.doc).(map[string]any)
			typ, _ := scheme["type"].(string)
			switch strings.ToLower(typ) {
			case "apikey":
				name, _ := scheme["name"].(string)
				in, _ := scheme["in"].(string)
				switch strings.ToLower(in) {
				case "header":
					if _, ok := c.reqHeaders.get(name); ok {
						secured = true
					} else {
						missing("header")
					}
					c.reqHeaders.del(name)
				case "query":
					if _, ok := query[name]; ok {
						secured = true
					} else {
						missing("query")
					}
				case "cookie":
					secured = true
				}
			case "http":
				sch, _ := scheme["scheme"].(string)
				lower := strings.ToLower(auth)
				ok := false
				switch strings.ToLower(sch) {
				case "basic":
					ok = strings.HasPrefix(lower, "basic ")
				case "bearer":
					ok = strings.HasPrefix(lower, "bearer ")
				}
				if ok {
					secured = true
				} else {
					missing("header")
				}
			case "oauth2", "openidconnect", "mutualtls":
				secured = true
			}
		}
	}
	if !secured {
		c.out = append(c.out, maybe...)
	}
}

// requestContentTypes are the media types the operation accepts.
func (c *httpCheck) requestContentTypes() []string {
	rb, _ := deref(c.r.op["requestBody"], c.o.doc).(map[string]any)
	return keysOf(rb["content"])
}

func (c *httpCheck) responseObject(status int) (resp map[string]any, exact bool) {
	responses, _ := c.r.op["responses"].(map[string]any)
	s := strconv.Itoa(status)
	if r, ok := responses[s]; ok {
		m, _ := deref(r, c.o.doc).(map[string]any)
		return m, true
	}
	for _, k := range []string{s[:1] + "XX", s[:1] + "xx"} {
		if r, ok := responses[k]; ok {
			m, _ := deref(r, c.o.doc).(map[string]any)
			return m, true
		}
	}
	if r, ok := responses["default"]; ok {
		m, _ := deref(r, c.o.doc).(map[string]any)
		return m, false
	}
	return nil, false
}

func keysOf(v any) []string {
	m, _ := v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// requestHeaders checks Accept, Content-Type and header parameters; it
// reports false when the Content-Type is incompatible (the body is then
// not checked).
func (c *httpCheck) requestHeaders() bool {
	var allResponseTypes []string
	responses, _ := c.r.op["responses"].(map[string]any)
	for _, k := range keysOf(responses) {
		rm, _ := deref(responses[k], c.o.doc).(map[string]any)
		allResponseTypes = append(allResponseTypes, keysOf(rm["content"])...)
	}
	var statusTypes []string
	if c.in.Response != nil {
		responses, _ := c.r.op["responses"].(map[string]any)
		if r, ok := responses[strconv.Itoa(c.in.Response.Status)]; ok {
			rm, _ := deref(r, c.o.doc).(map[string]any)
			statusTypes = keysOf(rm["content"])
		}
	}
	accept, hasAccept := c.reqHeaders.get("accept")
	accept, _, _ = strings.Cut(accept, ";")
	if hasAccept && accept != "" {
		if len(allResponseTypes) == 0 {
			c.add(TypeWarning, CodeRequestAcceptUnknown, "Request Accept header is set but the spec defines no response media types",
				mock(c.in, c.loc+".request.headers.accept", accept), c.spec(c.opLoc(), nil))
		} else if len(statusTypes) > 0 {
			if _, ok := matchMediaType(accept, allResponseTypes); !ok {
				c.add(TypeError, CodeRequestAcceptIncompatible, "Request Accept header matches none of the media types the spec produces",
					mock(c.in, c.loc+".request.headers.accept", accept), c.spec(c.opLoc(), statusTypes))
			}
		}
	}
	ok := true
	reqTypes := c.requestContentTypes()
	ct, hasCT := c.reqHeaders.get("content-type")
	ct, _, _ = strings.Cut(ct, ";")
	switch {
	case hasCT && ct != "" && len(reqTypes) == 0:
		c.add(TypeWarning, CodeRequestContentTypeUnknown, "Request Content-Type header is set but the spec defines no request media types",
			mock(c.in, c.loc+".request.headers.content-type", ct), c.spec(c.opLoc(), nil))
	case hasCT && ct != "":
		if _, m := matchMediaType(ct, reqTypes); !m {
			ok = false
			c.add(TypeError, CodeRequestContentTypeIncompatible, "Request Content-Type header matches none of the media types the spec consumes",
				mock(c.in, c.loc+".request.headers.content-type", ct), c.spec(c.opLoc()+".requestBody.content", reqTypes))
		}
	case len(reqTypes) > 0 && truthy(c.requestBodyValue()):
		c.add(TypeWarning, CodeRequestContentTypeMissing, "Request has a body but no Content-Type header, and the spec defines request media types",
			mock(c.in, c.loc+".request.headers.content-type", nil), c.spec(c.opLoc(), nil))
	}
	var securityHeaders []string
	if c.valid {
		for _, req := range c.r.security {
			rm, _ := req.(map[string]any)
			for n := range rm {
				scheme, _ := deref(c.o.secScheme[n], c.o.doc).(map[string]any)
				if scheme["type"] == "apiKey" && scheme["in"] == "header" {
					name, _ := scheme["name"].(string)
					securityHeaders = append(securityHeaders, strings.ToLower(name))
				}
			}
		}
	}
	defined := map[string]bool{}
	for idx, p := range c.r.parms {
		if p["in"] != "header" {
			continue
		}
		name, _ := p["name"].(string)
		defined[strings.ToLower(name)] = true
		s := c.paramSchema(p)
		raw, present := c.reqHeaders.get(name)
		id := fmt.Sprintf("%s.parameters[%d]", c.opLoc(), idx)
		if present && s != nil && c.valid {
			var v any = raw
			if !stringish(s, c.o.doc) {
				v = parseParam(raw)
			}
			v = coerce(v, s, c.o.doc)
			for _, e := range c.check(id, p["schema"], useSent, v) {
				c.add(TypeError, CodeRequestHeaderIncompatible, "Request header value does not match its schema in the spec: "+e.message,
					mock(c.in, c.loc+".request.headers."+name+instancePath(e.instance), valueAt(v, e.instance)), c.spec(id+".schema."+e.keyword, nil))
			}
		}
		if !present && required(p) && c.valid {
			c.add(TypeError, CodeRequestHeaderIncompatible, fmt.Sprintf("Request header %s is required by the spec but missing", name),
				mock(c.in, c.loc+".request.headers."+name, nil), c.spec(id, p))
		}
		c.reqHeaders.del(name)
	}
	for _, h := range standardRequestHeaders {
		if !defined[h] {
			c.reqHeaders.del(h)
		}
	}
	if c.valid {
		for _, h := range c.reqHeaders {
			if contains(securityHeaders, h.name) {
				continue
			}
			c.add(TypeWarning, CodeRequestHeaderUnknown, "Request header is not defined in the spec: "+h.name,
				mock(c.in, c.loc+".request.headers."+h.name, h.value), c.spec(c.opLoc(), nil))
		}
	}
	return ok
}

func required(p map[string]any) bool { r, _ := p["required"].(bool); return r }

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func (c *httpCheck) query() {
	q := c.in.Request.Query
	remaining := map[string]bool{}
	for k := range q {
		remaining[k] = true
	}
	for idx, p := range c.r.parms {
		if p["in"] != "query" {
			continue
		}
		name, _ := p["name"].(string)
		delete(remaining, name)
		s := c.paramSchema(p)
		values, present := q[name]
		if s == nil || !c.valid || (!present && !required(p)) {
			continue
		}
		id := fmt.Sprintf("%s.parameters[%d]", c.opLoc(), idx)
		var v any
		if present {
			joined := strings.Join(values, ",")
			switch {
			case schemaType(s) == "string":
				v = joined
			case schemaType(s) == "array":
				v = toList(strings.Split(joined, ","))
			default:
				v = parseParam(joined)
			}
			v = coerce(v, s, c.o.doc)
		}
		if !present {
			c.add(TypeError, CodeRequestQueryIncompatible, fmt.Sprintf("Query parameter %s is required by the spec but missing", name),
				mock(c.in, c.loc+".request.query."+name, nil), c.spec(id, p))
			continue
		}
		for _, e := range c.check(id, p["schema"], useSent, v) {
			c.add(TypeError, CodeRequestQueryIncompatible, "Query parameter value does not match its schema in the spec: "+e.message,
				mock(c.in, c.loc+".request.query."+name+instancePath(e.instance), valueAt(v, e.instance)), c.spec(id+".schema."+e.keyword, nil))
		}
	}
	if !c.valid {
		return
	}
	var securityQueries []string
	for _, req := range c.r.security {
		rm, _ := req.(map[string]any)
		for n := range rm {
			scheme, _ := deref(c.o.secScheme[n], c.o.doc).(map[string]any)
			if scheme["type"] == "apiKey" && scheme["in"] == "query" {
				name, _ := scheme["name"].(string)
				securityQueries = append(securityQueries, name)
			}
		}
	}
	names := make([]string, 0, len(remaining))
	for k := range remaining {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if contains(securityQueries, k) {
			continue
		}
		c.add(TypeWarning, CodeRequestQueryUnknown, "Query parameter is not defined in the spec: "+k,
			mock(c.in, c.loc+".request.query."+k, strings.Join(q[k], ",")), c.spec(c.opLoc(), nil))
	}
}

func (c *httpCheck) requestBodyValue() body {
	ct, _ := c.reqHeaders.get("content-type")
	return newBody(c.in.Request.Body, ct)
}

func (c *httpCheck) requestBody() {
	rb, _ := deref(c.r.op["requestBody"], c.o.doc).(map[string]any)
	content, _ := rb["content"].(map[string]any)
	available := keysOf(content)
	rawCT, _ := c.reqHeaders.get("content-type")
	if rawCT == "" {
		rawCT, _ = headers(newHeaders(c.in.Request.Headers)).get("content-type")
	}
	contentType := "application/json"
	if rawCT != "" {
		contentType = rawCT
		if m, ok := matchMediaType(rawCT, available); ok {
			contentType = m
		}
	}
	var schema any
	if m, ok := matchMediaType(contentType, available); ok {
		mt, _ := content[m].(map[string]any)
		schema = mt["schema"]
	}
	b := c.requestBodyValue()
	if !required(rb) && !b.present {
		return
	}
	id := fmt.Sprintf("%s.requestBody.content.%s", c.opLoc(), contentType)
	switch bodyStatus(contentType, b.present) {
	case bodySkip:
		return
	case bodyWarn:
		if c.valid {
			c.add(TypeWarning, CodeRequestBodyUnvalidatable, fmt.Sprintf("Request body of media type %s cannot be checked against a schema", contentType),
				mock(c.in, c.loc+".request.body", b.value), c.spec(c.opLoc()+".requestBody.content", nil))
		}
		return
	}
	if schema != nil && c.valid {
		var v any
		if b.present {
			v = formBody(b.value, rawCT)
		}
		for _, e := range c.check(id, schema, useSent, v) {
			c.add(TypeError, CodeRequestBodyIncompatible, "Request body does not match the spec's request schema: "+e.message,
				mock(c.in, c.loc+".request.body"+instancePath(e.instance), valueAt(v, e.instance)), c.spec(id+".schema."+e.keyword, nil))
		}
	}
	if truthy(b) && schema == nil && c.valid {
		c.add(TypeWarning, CodeRequestBodyUnknown, "The spec defines no schema for this request body",
			mock(c.in, c.loc+".request.body", b.value), c.spec(c.opLoc()+".requestBody.content", nil))
	}
}

// responseHeaders checks the response's Content-Type and headers; it
// reports false when the Content-Type is incompatible.
func (c *httpCheck) responseHeaders() bool {
	status := c.in.Response.Status
	resp, _ := c.responseObject(status)
	if resp == nil {
		return true
	}
	available := keysOf(resp["content"])
	ok := true
	ct, has := c.resHeaders.get("content-type")
	ct, _, _ = strings.Cut(ct, ";")
	if has && ct != "" {
		if len(available) == 0 {
			c.add(TypeWarning, CodeResponseContentTypeUnknown, "Response Content-Type header is set but the spec defines no response media types",
				mock(c.in, c.loc+".response.headers.content-type", ct), c.spec(c.opLoc(), nil))
		} else if _, m := matchMediaType(ct, available); !m {
			ok = false
			c.add(TypeError, CodeResponseContentTypeIncompatible, "Response Content-Type header matches none of the media types the spec produces",
				mock(c.in, c.loc+".response.headers.content-type", ct), c.spec(fmt.Sprintf("%s.responses.%d.content", c.opLoc(), status), available))
		}
	}
	c.resHeaders.del("content-type")
	hdrs, _ := resp["headers"].(map[string]any)
	for _, name := range keysOf(hdrs) {
		h, _ := deref(hdrs[name], c.o.doc).(map[string]any)
		raw, present := c.resHeaders.get(name)
		if present && h != nil && h["schema"] != nil {
			s, _ := deref(h["schema"], c.o.doc).(map[string]any)
			v := coerce(any(raw), s, c.o.doc)
			id := fmt.Sprintf("%s.responses.%d.headers.%s", c.opLoc(), status, name)
			for _, e := range c.check(id, h["schema"], useSent, v) {
				c.add(TypeError, CodeResponseHeaderIncompatible, "Response header value does not match its schema in the spec: "+e.message,
					mock(c.in, c.loc+".response.headers."+name+instancePath(e.instance), valueAt(v, e.instance)), c.spec(id+".schema."+e.keyword, nil))
			}
		}
		c.resHeaders.del(name)
	}
	for _, h := range standardResponseHeaders {
		if v, ok := c.resHeaders.get(h); ok {
			c.add(TypeWarning, CodeResponseHeaderUndefined, "Standard response header is not defined in the spec: "+h,
				mock(c.in, c.loc+".response.headers."+h, v), c.spec(c.opLoc(), nil))
			c.resHeaders.del(h)
		}
	}
	for _, h := range c.resHeaders {
		c.add(TypeError, CodeResponseHeaderUnknown, "Response header is not defined in the spec: "+h.name,
			mock(c.in, c.loc+".response.headers."+h.name, h.value), c.spec(fmt.Sprintf("%s.responses.%d.headers", c.opLoc(), status), nil))
	}
	return ok
}

func (c *httpCheck) responseBody() {
	status := c.in.Response.Status
	resp, exact := c.responseObject(status)
	statusLoc := c.loc + ".response.status"
	if resp == nil {
		c.add(TypeError, CodeResponseStatusUnknown, fmt.Sprintf("Response status %d is not defined in the spec", status),
			mock(c.in, statusLoc, status), c.spec(c.opLoc()+".responses", nil))
		return
	}
	content, _ := resp["content"].(map[string]any)
	available := keysOf(content)
	accept, _ := newHeaders(c.in.Request.Headers).get("accept")
	if accept == "" {
		accept = "application/json"
	}
	contentType, ok := matchMediaType(accept, available)
	if !ok {
		contentType = "application/json"
		if len(available) > 0 {
			contentType = available[0]
		}
	}
	var schema any
	if m, ok := matchMediaType(contentType, available); ok {
		mt, _ := content[m].(map[string]any)
		schema = mt["schema"]
	}
	if !exact {
		c.add(TypeWarning, CodeResponseStatusDefault, fmt.Sprintf("Response status %d matched the spec's default response", status),
			mock(c.in, statusLoc, status), c.spec(c.opLoc()+".responses", nil))
	}
	resCT, _ := newHeaders(c.in.Response.Headers).get("content-type")
	b := newBody(c.in.Response.Body, resCT)
	contentLoc := fmt.Sprintf("%s.responses.%d.content", c.opLoc(), status)
	switch bodyStatus(contentType, b.present) {
	case bodyWarn:
		c.add(TypeWarning, CodeResponseBodyUnvalidatable, fmt.Sprintf("Response body of media type %s cannot be checked against a schema", contentType),
			mock(c.in, c.loc+".response.body", b.value), c.spec(contentLoc, nil))
	case bodyValidate:
		if truthy(b) && schema == nil {
			c.add(TypeError, CodeResponseBodyUnknown, "The spec defines no schema for this response body",
				mock(c.in, c.loc+".response.body", b.value), c.spec(contentLoc, nil))
		}
		if truthy(b) && schema != nil {
			id := fmt.Sprintf("%s.%s", contentLoc, contentType)
			for _, e := range c.check(id, schema, useReceived, b.value) {
				c.add(TypeError, CodeResponseBodyIncompatible, "Response body does not match the spec's response schema: "+e.message,
					mock(c.in, c.loc+".response.body"+instancePath(e.instance), valueAt(b.value, e.instance)), c.spec(id+".schema."+e.keyword, nil))
			}
		}
	}
}

var standardRequestHeaders = []string{"accept", "accept-charset", "accept-datetime", "accept-encoding", "accept-language",
	"authorization", "cache-control", "connection", "content-length", "content-md5", "content-type", "cookie", "date",
	"expect", "forwarded", "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range",
	"if-unmodified-since", "max-forwards", "origin", "pragma", "proxy-authorization", "range", "referer", "te",
	"upgrade", "user-agent", "via", "warning"}

var standardResponseHeaders = []string{"access-control-allow-origin", "accept-patch", "accept-ranges", "age", "allow",
	"alt-svc", "cache-control", "connection", "content-disposition", "content-encoding", "content-language",
	"content-length", "content-location", "content-md5", "content-range", "date", "etag", "expires", "last-modified",
	"link", "location", "p3p", "pragma", "proxy-authenticate", "public-key-pins", "refresh", "retry-after", "server",
	"set-cookie", "status", "strict-transport-security", "trailer", "transfer-encoding", "tsv", "upgrade", "vary",
	"via", "warning", "www-authenticate", "x-frame-options"}
