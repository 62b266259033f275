package match_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

// FuzzMatchJSON checks that matching never panics, whatever the bodies and
// rules, and that a valid JSON body always matches itself without rules.
func FuzzMatchJSON(f *testing.F) {
	dir := filepath.Join(suiteDir(f), "fixtures")
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	var bodies, rules [][]byte
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), "pact-broker") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		if strings.Contains(e.Name(), "matcher") {
			rules = append(rules, data)
		} else {
			bodies = append(bodies, data)
		}
	}
	for i, b := range bodies {
		f.Add(b, bodies[(i+1)%len(bodies)], rules[i%len(rules)])
	}
	f.Add([]byte(`{"a":[1,2,{"b":null}]}`), []byte(`{"a":[1.5,"x",{"b":{}}],"c":true}`), []byte(`{"body":{"$.a[*]":{"matchers":[{"match":"type","min":"x"}]}}}`))
	f.Add([]byte(`[]`), []byte(`{}`), []byte(`{"body":{"$":{"matchers":[{"match":"arrayContains","variants":[{"index":7,"rules":{"$":5}}]}]}}}`))
	f.Fuzz(func(t *testing.T, expected, actual, ruleData []byte) {
		rules, _ := rulesFromJSON(ruleData)
		body := func(b []byte) pact.Body {
			return pact.Body{State: pact.BodyPresent, Content: b, ContentType: "application/json"}
		}
		exp := &pact.Request{Method: "POST", Path: "/", Body: body(expected), Rules: rules}
		act := &pact.Request{Method: "POST", Path: "/", Body: body(actual)}
		_ = match.Request(exp, act)
		_ = match.Response(&pact.Response{Status: 200, Body: body(expected), Rules: rules}, &pact.Response{Status: 200, Body: body(actual)})
		_ = match.Message(&pact.Message{Contents: body(expected), Rules: rules}, &pact.Message{Contents: body(actual)})

		if json.Valid(expected) {
			self := &pact.Request{Method: "POST", Path: "/", Body: body(expected)}
			if got := match.Request(self, self); len(got) > 0 {
				t.Fatalf("body %q does not match itself:\n%s", expected, dump(got))
			}
		}
	})
}

// FuzzMatchBodies checks that XML, form, multipart and text bodies never
// make the engine panic, and that any body matches itself.
func FuzzMatchBodies(f *testing.F) {
	for _, name := range []string{"xml-body.xml", "xml2-body.xml", "form-post-body.xml", "multipart-body.xml", "multipart2-body.xml", "text-body.xml"} {
		b := suiteBody(f, name)
		f.Add(b.ContentType, b.Content, b.Content)
	}
	f.Add("application/xml", []byte(`<a x="1"><b>t</b><b/></a>`), []byte(`<a><c/></a>`))
	f.Fuzz(func(t *testing.T, ct string, expected, actual []byte) {
		body := func(b []byte) pact.Body { return pact.Body{State: pact.BodyPresent, Content: b, ContentType: ct} }
		exp := &pact.Request{Method: "PUT", Path: "/", Body: body(expected)}
		_ = match.Request(exp, &pact.Request{Method: "PUT", Path: "/", Body: body(actual)})
		_ = match.Response(&pact.Response{Status: 200, Body: body(expected)}, &pact.Response{Status: 200, Body: body(actual)})
		got := match.Request(exp, exp)
		for _, m := range got {
			if !strings.HasPrefix(m.Message, "Failed to parse") {
				t.Fatalf("%s body %q does not match itself:\n%s", ct, expected, dump(got))
			}
		}
	})
}
