package compare

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// A schema's use decides how it is read before validation.
type use int

const (
	// useSent: what a consumer sends (requests, parameters): the schema as
	// written, with OpenAPI 3.0 idioms turned into JSON Schema.
	useSent use = iota
	// useReceived: what a consumer receives (responses, messages): every
	// plain object schema that does not say otherwise allows no
	// undocumented property, and "required" is dropped, since a consumer
	// may rely on fewer properties than the provider always sends.
	useReceived
)

// schemas compiles and caches the schemas of one document. For each use,
// one compiler serves the document's schemas as resources, one per schema
// position (each component schema is one), each transformed for the use
// (see transform) when the compiler first loads it: a component
// referenced by many operations is compiled once, and a schema no
// compared interaction needs is never transformed or compiled. A schema
// is compiled at its JSON pointer, and schemas with the same content
// share one compiled validator (content decides the result: references
// are JSON pointers into the same document).
type schemas struct {
	doc   map[string]any
	oas30 bool // OpenAPI 3.0 (or converted 2.0): nullable, boolean exclusive bounds
	draft *jsonschema.Draft
	// roots says which keys hold schemas in this kind of document.
	roots func(key string) bool

	mu        sync.Mutex
	regexps   map[string]*regexp.Regexp // compiled patterns, by source
	index     map[uintptr]string        // schema object of doc -> its JSON pointer, built on first use
	compilers map[use]*jsonschema.Compiler
	loaders   map[use]*docLoader
	cache     map[cacheKey]*jsonschema.Schema // by use and pointer (or id)
	byContent map[cacheKey]*jsonschema.Schema // by use and canonical JSON
	n         int

	byMap sync.Map // mapKey -> *jsonschema.Schema: the document's schema objects compiled
}

type mapKey struct {
	u use
	m uintptr // address of a schema object of the document
}

type cacheKey struct {
	u       use
	indexed bool
	s       string
}

func newSchemas(doc map[string]any, oas30 bool, draft *jsonschema.Draft, roots func(string) bool) *schemas {
	return &schemas{doc: doc, oas30: oas30, draft: draft, roots: roots,
		regexps: map[string]*regexp.Regexp{}, compilers: map[use]*jsonschema.Compiler{}, loaders: map[use]*docLoader{},
		cache: map[cacheKey]*jsonschema.Schema{}, byContent: map[cacheKey]*jsonschema.Schema{}}
}

// indexMaps records the JSON pointer of every object in v.
func indexMaps(v any, ptr string, into map[uintptr]string) {
	switch t := v.(type) {
	case map[string]any:
		id := reflect.ValueOf(t).Pointer()
		if _, seen := into[id]; !seen {
			into[id] = ptr
		}
		for k, e := range t {
			switch e.(type) {
			case map[string]any, []any:
				indexMaps(e, ptr+"/"+escapePointer(k), into)
			}
		}
	case []any:
		for i, e := range t {
			switch e.(type) {
			case map[string]any, []any:
				indexMaps(e, ptr+"/"+strconv.Itoa(i), into)
			}
		}
	}
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// compile returns the validator of schema (found in the document at id,
// which names it in results) for use u.
func (s *schemas) compile(id string, schema any, u use) (*jsonschema.Schema, error) {
	m, isMap := schema.(map[string]any)
	var mk mapKey
	if isMap {
		// Comparisons running in parallel find compiled schemas here
		// without waiting for one another's compilations.
		mk = mapKey{u: u, m: reflect.ValueOf(m).Pointer()}
		if v, ok := s.byMap.Load(mk); ok {
			return v.(*jsonschema.Schema), nil
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index == nil {
		s.index = map[uintptr]string{}
		indexMaps(s.doc, "", s.index)
	}
	ptr, indexed := "", false
	if isMap {
		ptr, indexed = s.index[mk.m]
	}
	if indexed {
		// A schema object of the document lives as long as s, so its
		// address names it.
		defer func() {
			if v, ok := s.cache[cacheKey{u: u, indexed: true, s: ptr}]; ok {
				s.byMap.Store(mk, v)
			}
		}()
	}
	key := cacheKey{u: u, s: id}
	if indexed {
		key = cacheKey{u: u, indexed: true, s: ptr}
	}
	if v, ok := s.cache[key]; ok {
		return v, nil
	}
	var v *jsonschema.Schema
	var err error
	if indexed {
		var content cacheKey
		if b, merr := json.Marshal(m); merr == nil {
			content = cacheKey{u: u, indexed: true, s: string(b)}
			if v, ok := s.byContent[content]; ok {
				s.cache[key] = v
				return v, nil
			}
		}
		c := s.compiler(u)
		var at string
		if ref, ok := m["$ref"].(string); ok && len(m) == 1 && strings.HasPrefix(ref, "#/") {
			// A schema that only refers to another one validates as its
			// target: compile the target's resource, one resource fewer
			// per such schema (most response bodies).
			if target, found := lookup(s.doc, ref); found {
				if _, isObj := target.(map[string]any); isObj {
					at = s.loaders[u].refURL(ref)
				}
			}
		}
		if at == "" {
			at = s.loaders[u].url(ptr)
		}
		v, err = c.Compile(at)
		if err == nil && content.s != "" {
			s.byContent[content] = v
		}
	} else {
		v, err = s.compileAlone(schema, u)
	}
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", id, err)
	}
	s.cache[key] = v
	return v, nil
}

func (s *schemas) newCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(s.regexp)
	c.DefaultDraft(s.draft)
	c.AssertFormat()
	for _, f := range extraFormats {
		c.RegisterFormat(f)
	}
	return c
}

// regexp is the compilers' regular expression engine: Go's, with each
// pattern compiled once (the compiler compiles a pattern once to check the
// schema and again for the schema's validator, in each resource that has
// it: documents repeat their patterns). It runs under s.mu, which every
// compilation holds.
func (s *schemas) regexp(pattern string) (jsonschema.Regexp, error) {
	if re, ok := s.regexps[pattern]; ok {
		return re, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	s.regexps[pattern] = re
	return re, nil
}

// compiler returns the compiler of use u. Its loader serves the schemas
// of the document, each transformed for u when loaded, one resource per
// schema position (each component schema is one), with references
// rewritten to those resources: a component referenced by many
// operations is compiled once, and no resource is large (the validator's
// cost grows with its resource's size on every compile).
func (s *schemas) compiler(u use) *jsonschema.Compiler {
	if c, ok := s.compilers[u]; ok {
		return c
	}
	c := s.newCompiler()
	l := &docLoader{doc: s.doc, transform: func(v any) any { return s.transformLoaded(v, u) },
		urls: map[string]string{}, ptrs: map[string]string{}, prefix: fmt.Sprintf("mem:///use%d/", u)}
	c.UseLoader(l)
	s.compilers[u] = c
	s.loaders[u] = l
	return c
}

// docLoader serves parts of a document as schema resources, each a
// transformed copy.
type docLoader struct {
	doc       map[string]any
	transform func(any) any     // returns a transformed copy
	urls      map[string]string // JSON pointer -> resource URL
	ptrs      map[string]string // resource URL -> JSON pointer
	prefix    string
}

func (l *docLoader) url(ptr string) string {
	if u, ok := l.urls[ptr]; ok {
		return u
	}
	u := fmt.Sprintf("%s%d.json", l.prefix, len(l.urls))
	l.urls[ptr], l.ptrs[u] = u, ptr
	return u
}

// Load implements jsonschema.URLLoader.
func (l *docLoader) Load(u string) (any, error) {
	ptr, ok := l.ptrs[u]
	if !ok {
		return nil, fmt.Errorf("no schema at %s", u)
	}
	v, ok := lookup(l.doc, "#"+ptr)
	if !ok {
		return nil, fmt.Errorf("nothing at #%s", ptr)
	}
	return l.rewrite(l.transform(v)), nil
}

// rewrite turns the local references of v into resource URLs: a reference
// into a component schema becomes that schema's resource with the rest as
// fragment; any other one the resource of its target.
func (l *docLoader) rewrite(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if ref, ok := e.(string); ok && k == "$ref" && strings.HasPrefix(ref, "#/") {
				t[k] = l.refURL(ref)
				continue
			}
			t[k] = l.rewrite(e)
		}
	case []any:
		for i, e := range t {
			t[i] = l.rewrite(e)
		}
	}
	return v
}

func (l *docLoader) refURL(ref string) string {
	toks := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
	if len(toks) >= 3 && toks[0] == "components" && toks[1] == "schemas" {
		u := l.url("/" + strings.Join(toks[:3], "/"))
		if len(toks) > 3 {
			return u + "#/" + strings.Join(toks[3:], "/")
		}
		return u
	}
	return l.url(strings.TrimPrefix(ref, "#"))
}

// transformLoaded returns a copy of v, a schema of the document, with
// OpenAPI 3.0's idioms as JSON Schema, discriminators' properties
// required, allOf flattened (branches that are references read the same
// way) and, for useReceived, plain objects closed (see strictReceived).
func (s *schemas) transformLoaded(v any, u use) any {
	m, ok := v.(map[string]any)
	if !ok {
		return deepCopy(v)
	}
	m = s.prepared(m)
	m = flatten(m, s.preparedAt, map[string]bool{}).(map[string]any)
	if u == useReceived {
		walkSchema(m, strictReceived)
	}
	return m
}

// prepared returns a copy of sch with OpenAPI 3.0's idioms rewritten and
// discriminators' properties required.
func (s *schemas) prepared(sch map[string]any) map[string]any {
	m := deepCopy(sch).(map[string]any)
	walkSchema(m, func(sch map[string]any) {
		if s.oas30 {
			openAPI30ToJSONSchema(sch, s.doc)
		}
		discriminatorRequired(sch)
	})
	return m
}

// preparedAt resolves a local reference to a prepared copy of its target.
func (s *schemas) preparedAt(ref string) (any, bool) {
	target, found := lookup(s.doc, ref)
	if !found {
		return nil, false
	}
	if m, ok := target.(map[string]any); ok {
		return s.prepared(m), true
	}
	return deepCopy(target), true
}

// compileAlone compiles a schema that is not part of the document.
func (s *schemas) compileAlone(schema any, u use) (*jsonschema.Schema, error) {
	c := s.newCompiler()
	s.n++
	loc := fmt.Sprintf("mem:///schema%d.json", s.n)
	if err := c.AddResource(loc, s.resource(schema, u)); err != nil {
		return nil, err
	}
	return c.Compile(loc)
}

// resource builds a self-contained JSON Schema resource from schema: a
// transformed copy, with every component it references (transitively)
// copied in at the same JSON pointer, so that "#/components/..." references
// resolve inside it.
func (s *schemas) resource(schema any, u use) any {
	root := s.transform(deepCopy(schema), u)
	rootMap, isMap := root.(map[string]any)
	if !isMap {
		return root
	}
	done := map[string]bool{}
	todo := collectRefs(root, nil)
	for len(todo) > 0 {
		ref := todo[0]
		todo = todo[1:]
		if done[ref] {
			continue
		}
		done[ref] = true
		target, ok := lookup(s.doc, ref)
		if !ok {
			continue
		}
		sub := s.transform(deepCopy(target), u)
		todo = collectRefs(sub, todo)
		setPointer(rootMap, ref, sub)
	}
	return rootMap
}

func (s *schemas) transform(v any, u use) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	walkSchema(m, func(sch map[string]any) {
		if s.oas30 {
			openAPI30ToJSONSchema(sch, s.doc)
		}
		discriminatorRequired(sch)
	})
	m = flattenAllOf(m, s.doc).(map[string]any)
	if u == useReceived {
		walkSchema(m, strictReceived)
	}
	return m
}

// walkSchema calls fn on sch and every subschema below it, children first.
func walkSchema(sch map[string]any, fn func(map[string]any)) {
	for _, k := range []string{"allOf", "oneOf", "anyOf", "prefixItems"} {
		if list, ok := sch[k].([]any); ok {
			for _, e := range list {
				if m, ok := e.(map[string]any); ok {
					walkSchema(m, fn)
				}
			}
		}
	}
	for _, k := range []string{"properties", "patternProperties", "$defs", "definitions"} {
		if props, ok := sch[k].(map[string]any); ok {
			for _, e := range props {
				if m, ok := e.(map[string]any); ok {
					walkSchema(m, fn)
				}
			}
		}
	}
	for _, k := range []string{"not", "items", "additionalProperties", "contains", "if", "then", "else"} {
		if m, ok := sch[k].(map[string]any); ok {
			walkSchema(m, fn)
		}
	}
	fn(sch)
}

// openAPI30ToJSONSchema rewrites OpenAPI 3.0's schema idioms as JSON Schema:
// nullable as a null type, boolean exclusive bounds as numeric ones.
func openAPI30ToJSONSchema(sch map[string]any, doc map[string]any) {
	if n, _ := sch["nullable"].(bool); n {
		if ref, ok := sch["$ref"].(string); ok {
			// A nullable reference: the referenced schema or null.
			delete(sch, "$ref")
			delete(sch, "nullable")
			sch["anyOf"] = []any{map[string]any{"$ref": ref}, map[string]any{"type": "null"}}
		} else {
			switch t := sch["type"].(type) {
			case nil:
				sch["type"] = []any{"object", "null"}
			case string:
				sch["type"] = []any{t, "null"}
			}
			if enum, ok := sch["enum"].([]any); ok {
				sch["enum"] = append(enum, nil)
			}
			delete(sch, "nullable")
		}
	}
	for _, b := range [][2]string{{"exclusiveMaximum", "maximum"}, {"exclusiveMinimum", "minimum"}} {
		switch ex := sch[b[0]].(type) {
		case bool:
			if ex {
				sch[b[0]] = sch[b[1]]
				delete(sch, b[1])
			} else {
				delete(sch, b[0])
			}
		}
	}
}

// discriminatorRequired makes a oneOf discriminator's property required;
// a discriminator without oneOf has no meaning here and is dropped.
func discriminatorRequired(sch map[string]any) {
	d, ok := sch["discriminator"].(map[string]any)
	if !ok {
		return
	}
	if _, hasOneOf := sch["oneOf"]; !hasOneOf {
		delete(sch, "discriminator")
		return
	}
	name, _ := d["propertyName"].(string)
	if name == "" {
		return
	}
	req, _ := sch["required"].([]any)
	for _, r := range req {
		if r == name {
			return
		}
	}
	sch["required"] = append(req, name)
}

// flattenAllOf merges allOf branches into their parent: OpenAPI documents
// use allOf for composition (a Pet is a Base plus its own properties),
// which JSON Schema's allOf reads as "each branch alone", so a strict
// branch would refuse the other branches' properties.
func flattenAllOf(v any, doc map[string]any) any {
	return flatten(v, func(ref string) (any, bool) {
		target, found := lookup(doc, ref)
		return deepCopy(target), found
	}, map[string]bool{})
}

// flatten flattens v's allOf; resolve returns a copy of a reference's
// target that flatten may change.
func flatten(v any, resolve func(ref string) (any, bool), seen map[string]bool) any {
	sch, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if branches, ok := sch["allOf"].([]any); ok {
		merged := map[string]any{}
		for k, e := range sch {
			if k != "allOf" {
				merged[k] = e
			}
		}
		for _, b := range branches {
			bm, ok := b.(map[string]any)
			if !ok {
				continue
			}
			if ref, ok := bm["$ref"].(string); ok {
				if seen[ref] {
					continue
				}
				target, found := resolve(ref)
				if !found {
					continue
				}
				seen2 := copySeen(seen, ref)
				tm, ok := flatten(target, resolve, seen2).(map[string]any)
				if !ok {
					// A branch that is not an object (a boolean schema)
					// adds no keyword to merge.
					continue
				}
				bm = tm
			} else {
				bm = flatten(bm, resolve, seen).(map[string]any)
			}
			mergeSchema(merged, bm)
		}
		sch = merged
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		if list, ok := sch[k].([]any); ok {
			for i, e := range list {
				list[i] = flatten(e, resolve, seen)
			}
		}
	}
	if props, ok := sch["properties"].(map[string]any); ok {
		for k, e := range props {
			props[k] = flatten(e, resolve, seen)
		}
	}
	for _, k := range []string{"not", "items", "additionalProperties"} {
		if e, ok := sch[k].(map[string]any); ok {
			sch[k] = flatten(e, resolve, seen)
		}
	}
	return sch
}

func copySeen(seen map[string]bool, add string) map[string]bool {
	out := make(map[string]bool, len(seen)+1)
	for k := range seen {
		out[k] = true
	}
	out[add] = true
	return out
}

// mergeSchema merges src into dst: properties by name (recursively),
// required as a union, any other keyword from src.
func mergeSchema(dst, src map[string]any) {
	for k, v := range src {
		switch k {
		case "properties":
			dp, _ := dst[k].(map[string]any)
			if dp == nil {
				dp = map[string]any{}
			}
			for name, ps := range v.(map[string]any) {
				if existing, ok := dp[name].(map[string]any); ok {
					if psm, ok := ps.(map[string]any); ok {
						mergeSchema(existing, psm)
						continue
					}
				}
				dp[name] = ps
			}
			dst[k] = dp
		case "required":
			have := map[any]bool{}
			dr, _ := dst[k].([]any)
			for _, r := range dr {
				have[r] = true
			}
			sr, _ := v.([]any)
			for _, r := range sr {
				if !have[r] {
					dr = append(dr, r)
					have[r] = true
				}
			}
			dst[k] = dr
		default:
			dst[k] = v
		}
	}
}

// strictReceived closes plain object schemas and drops required, except
// under oneOf, where required tells the branches apart.
func strictReceived(sch map[string]any) {
	_, one := sch["oneOf"]
	_, any_ := sch["anyOf"]
	_, all := sch["allOf"]
	if t, _ := sch["type"].(string); t == "object" && !one && !any_ && !all {
		if ap, ok := sch["additionalProperties"]; !ok || ap == true {
			sch["additionalProperties"] = false
		}
	}
	if !one {
		delete(sch, "required")
	}
}

func collectRefs(v any, into []string) []string {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if k == "$ref" {
				if s, ok := e.(string); ok && strings.HasPrefix(s, "#/") {
					into = append(into, s)
				}
				continue
			}
			into = collectRefs(e, into)
		}
	case []any:
		for _, e := range t {
			into = collectRefs(e, into)
		}
	}
	return into
}

// splitPointer splits a local reference "#/a/b~1c" into its unescaped tokens.
func splitPointer(ref string) []string {
	p := strings.TrimPrefix(strings.TrimPrefix(ref, "#"), "/")
	if p == "" {
		return nil
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
		parts[i] = s
	}
	return parts
}

// lookup resolves a local reference in doc.
func lookup(doc any, ref string) (any, bool) {
	cur := doc
	for _, tok := range splitPointer(ref) {
		switch t := cur.(type) {
		case map[string]any:
			v, ok := t[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			cur = t[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// deref follows a chain of $ref objects in doc; v itself when it is no
// reference or the reference does not resolve.
func deref(v any, doc map[string]any) any {
	seen := map[string]bool{}
	for {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok || seen[ref] {
			return v
		}
		seen[ref] = true
		t, found := lookup(doc, ref)
		if !found {
			return v
		}
		v = t
	}
}

func setPointer(root map[string]any, ref string, v any) {
	toks := splitPointer(ref)
	if len(toks) == 0 {
		return
	}
	cur := root
	for _, tok := range toks[:len(toks)-1] {
		next, ok := cur[tok].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[tok] = next
		}
		cur = next
	}
	cur[toks[len(toks)-1]] = v
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	default:
		return v
	}
}

// violation is one leaf of a failed validation.
type violation struct {
	instance []string // path into the value
	keyword  string   // path into the schema, dotted
	message  string
}

// validate checks v against sch and returns one violation per failed
// keyword (the leaves of the error tree).
func validate(sch *jsonschema.Schema, v any) []violation {
	err := sch.Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []violation{{message: err.Error()}}
	}
	var out []violation
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		switch e.ErrorKind.(type) {
		case *kind.Group, *kind.Reference:
			return
		}
		kw := ""
		if _, frag, ok := strings.Cut(e.SchemaURL, "#"); ok {
			kw = strings.ReplaceAll(strings.TrimPrefix(frag, "/"), "/", ".")
		}
		if kp := e.ErrorKind.KeywordPath(); len(kp) > 0 {
			if kw != "" {
				kw += "."
			}
			kw += strings.Join(kp, ".")
		}
		out = append(out, violation{instance: e.InstanceLocation, keyword: kw, message: e.ErrorKind.LocalizedString(printer)})
	}
	walk(ve)
	// The validator visits an object's properties in map order: sort the
	// leaves so that results come out in the same order on every run.
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		for k := 0; k < len(a.instance) && k < len(b.instance); k++ {
			if a.instance[k] != b.instance[k] {
				return a.instance[k] < b.instance[k]
			}
		}
		if len(a.instance) != len(b.instance) {
			return len(a.instance) < len(b.instance)
		}
		if a.keyword != b.keyword {
			return a.keyword < b.keyword
		}
		return a.message < b.message
	})
	if len(out) == 0 {
		out = append(out, violation{message: ve.ErrorKind.LocalizedString(printer)})
	}
	return out
}

func instancePath(p []string) string {
	if len(p) == 0 {
		return ""
	}
	return "." + strings.Join(p, ".")
}

// valueAt returns the part of v at the instance path p.
func valueAt(v any, p []string) any {
	for _, tok := range p {
		switch t := v.(type) {
		case map[string]any:
			v = t[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

// extraFormats are OpenAPI's formats that JSON Schema does not define.
var extraFormats = []*jsonschema.Format{
	{Name: "int32", Validate: intRange(math.MinInt32, math.MaxInt32)},
	{Name: "int64", Validate: intRange(math.MinInt64, math.MaxInt64)},
	{Name: "float", Validate: func(any) error { return nil }},
	{Name: "double", Validate: func(any) error { return nil }},
	{Name: "password", Validate: func(any) error { return nil }},
	{Name: "binary", Validate: func(any) error { return nil }},
	{Name: "byte", Validate: func(v any) error {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return fmt.Errorf("not base64")
		}
		return nil
	}},
}

func intRange(lo, hi float64) func(any) error {
	return func(v any) error {
		var f float64
		switch n := v.(type) {
		case json.Number:
			x, err := n.Float64()
			if err != nil {
				return nil
			}
			f = x
		case float64:
			f = n
		case int:
			f = float64(n)
		default:
			return nil
		}
		if f < lo || f > hi {
			return fmt.Errorf("out of range")
		}
		return nil
	}
}
