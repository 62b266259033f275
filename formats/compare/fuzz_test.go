package compare_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/contracts-dev/contracts/formats/asyncapi"
	"github.com/contracts-dev/contracts/formats/compare"
	"github.com/contracts-dev/contracts/formats/pact"
)

var fmtSprintf = fmt.Sprintf

func seeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join(repoRoot(f), "testdata", "compare", pattern))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
}

// FuzzParseOpenAPI: the OpenAPI reader and the comparison never panic, and
// a document is either read or refused with an error.
func FuzzParseOpenAPI(f *testing.F) {
	seeds(f, "*/openapi*.yaml")
	pactData, err := os.ReadFile(filepath.Join(repoRoot(f), "testdata", "compare", "orders", "pact-broken.json"))
	if err != nil {
		f.Fatal(err)
	}
	p, err := pact.Parse(pactData)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, ok, err := compare.ParseOpenAPI(data)
		if err != nil || !ok {
			return
		}
		c, err := compare.New(compare.Documents{OpenAPI: doc})
		if err != nil {
			return
		}
		_ = c.Compare(p)
	})
}

// FuzzParseAsyncAPI: the AsyncAPI reader and the comparison never panic.
func FuzzParseAsyncAPI(f *testing.F) {
	seeds(f, "*/asyncapi*.yaml")
	pactData, err := os.ReadFile(filepath.Join(repoRoot(f), "testdata", "compare", "events", "pact-broken.json"))
	if err != nil {
		f.Fatal(err)
	}
	p, err := pact.Parse(pactData)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := asyncapi.Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		c, err := compare.New(compare.Documents{AsyncAPI: doc})
		if err != nil {
			t.Fatalf("a parsed document is refused: %v", err)
		}
		_ = c.Compare(p)
	})
}
