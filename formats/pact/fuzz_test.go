package pact_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/contracts-dev/contracts/formats/pact"
)

// FuzzParse checks that Parse never panics and that whatever it accepts
// Write writes and Parse reads again, with the written form stable from
// then on.
func FuzzParse(f *testing.F) {
	for _, file := range pactFixtures(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	invalid, _ := filepath.Glob(filepath.Join(repoRoot(f), "testdata", "pact", "invalid", "*.json"))
	for _, file := range invalid {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	// Small seeds let byte-level mutations stay valid JSON more often.
	for _, s := range []string{
		`{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d","providerState":"s","request":{"method":"GET","path":"/","query":"a=1&a=2","headers":{"A":"b"},"body":"x","matchingRules":{"$.body.a":{"match":"type"}}},"response":{"status":200,"body":{"a":1}}}]}`,
		`{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d","providerStates":[{"name":"s","params":{"a":1}}],"request":{"method":"GET","path":"/","query":{"a":["1"]},"matchingRules":{"body":{"$.a":{"matchers":[{"match":"type"}]}}},"generators":{"path":{"type":"Uuid"}}},"response":{"status":200,"headers":{"Content-Type":"text/plain"},"body":"ok"}}],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`,
		`{"consumer":{"name":"c"},"provider":{"name":"p"},"messages":[{"description":"m","contents":{"a":1},"metaData":{"contentType":"application/json"}}]}`,
		`{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"type":"Synchronous/HTTP","description":"d","request":{"method":"GET","path":"/","body":{"content":"aGk=","encoded":"base64"}},"response":{"status":200,"headers":{"A":["1"]}}},{"type":"Asynchronous/Messages","description":"a","contents":{"content":{"x":1}}},{"type":"Synchronous/Messages","description":"s","request":{"contents":{"content":"q"}},"response":[{"contents":{"content":"r"}}]}],"metadata":{"pactSpecification":{"version":"4.0"}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := pact.Parse(data)
		if err != nil {
			return
		}
		spec := declared(p)
		out, err := pact.Write(p, spec)
		if err != nil {
			t.Fatalf("write a parsed pact at %s: %v", spec, err)
		}
		q, err := pact.Parse(out)
		if err != nil {
			t.Fatalf("re-read what Write wrote: %v\n%s", err, out)
		}
		again, err := pact.Write(q, spec)
		if err != nil {
			t.Fatalf("write again: %v", err)
		}
		if string(again) != string(out) {
			t.Fatalf("written form not stable:\nfirst:\n%s\nsecond:\n%s", out, again)
		}
		// Writing at every other version must not panic either.
		for _, s := range []pact.Spec{pact.V2, pact.V3, pact.V4} {
			if w, err := pact.Write(p, s); err == nil {
				if _, err := pact.Parse(w); err != nil {
					t.Fatalf("re-read the %s conversion: %v\n%s", s, err, w)
				}
			}
		}
		_ = p.Clone()
	})
}
