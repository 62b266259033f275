package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/ci"
	"github.com/contracts-dev/contracts/formats/asyncapi"
	"github.com/contracts-dev/contracts/formats/compare"
	"github.com/contracts-dev/contracts/formats/openapi"
	"github.com/contracts-dev/contracts/formats/pact"
)

// Flag names of the compare command.
const (
	flagCompareOAS      = "oas"
	flagCompareAsyncAPI = "asyncapi"
	flagCompareOutput   = "output"
)

type compareFlags struct {
	oas, asyncapi string
	output        string
	ci            ciOutputFlags
}

func init() { register(newCompareCmd) }

func newCompareCmd(e *env) *cobra.Command {
	f := &compareFlags{}
	cmd := &cobra.Command{
		Use:   "compare --oas SPEC [--asyncapi SPEC] PACT...",
		Short: "Check consumer pacts against a provider's OpenAPI or AsyncAPI document (bi-directional)",
		Long: `Compare checks each interaction of the pacts against the provider's published
document, without running the provider: HTTP interactions against the
OpenAPI document (Swagger 2.0, OpenAPI 3.0 or 3.1; YAML or JSON), message
interactions against the AsyncAPI 3 document, each found by the operationId
in the interaction's comments.references.AsyncAPI.

The pact's example requests must be valid for the operation (path, query,
headers, security, content type, body) and its expected responses and
messages must be documented (status, headers, content type, body; a
property the consumer expects that the document does not define is an
error). Results carry PactFlow's codes (request.body.incompatible,
response.status.unknown, message.no.match, ...).

--output text groups the results by operation; --output json prints one line
per pact: the JSON array of its results.

Exit status: 0 no result is an error; 1 some result is an error; 2 a document
or pact could not be read.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.ci.resolve(cmd, e); err != nil {
				return failWith(exitCantTell, err)
			}
			return runCompare(e, f, args)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.oas, flagCompareOAS, "", "the provider's OpenAPI document (Swagger 2.0, OpenAPI 3.0 or 3.1)")
	fs.StringVar(&f.asyncapi, flagCompareAsyncAPI, "", "the provider's AsyncAPI 3 document")
	fs.StringVarP(&f.output, flagCompareOutput, "o", "text", "text or json")
	f.ci.add(fs)
	return cmd
}

func runCompare(e *env, f *compareFlags, args []string) error {
	if f.oas == "" && f.asyncapi == "" {
		return failWith(exitCantTell, fmt.Errorf("--%s or --%s is required", flagCompareOAS, flagCompareAsyncAPI))
	}
	if f.output != "text" && f.output != "json" {
		return failWith(exitCantTell, fmt.Errorf("--%s: %q is not text or json", flagCompareOutput, f.output))
	}
	var docs compare.Documents
	if f.oas != "" {
		m, err := loadOpenAPIForCompare(f.oas)
		if err != nil {
			return failWith(exitCantTell, err)
		}
		docs.OpenAPI = m
	}
	if f.asyncapi != "" {
		data, err := os.ReadFile(f.asyncapi)
		if err != nil {
			return failWith(exitCantTell, fmt.Errorf("--%s: %w", flagCompareAsyncAPI, err))
		}
		doc, err := asyncapi.Parse(data, f.asyncapi)
		if err != nil {
			return failWith(exitCantTell, err)
		}
		docs.AsyncAPI = doc
	}
	cmp, err := compare.New(docs)
	if err != nil {
		return failWith(exitCantTell, err)
	}
	// The pacts are read and compared on every core (the Comparator is
	// safe for concurrent use); results keep the order of the arguments,
	// and the first pact that cannot be read, in that order, is the error.
	pacts := make([]ci.ComparedPact, len(args))
	errs := make([]error, len(args))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(args)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(args); i = int(next.Add(1) - 1) {
				pacts[i], errs[i] = comparePactFile(cmp, args[i])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return failWith(exitCantTell, err)
		}
	}
	failed := false
	for _, p := range pacts {
		if compare.HasErrors(p.Results) {
			failed = true
		}
	}
	switch f.output {
	case "json":
		for _, p := range pacts {
			results := p.Results
			if results == nil {
				results = []compare.Result{}
			}
			b, err := json.Marshal(results)
			if err != nil {
				return failWith(exitCantTell, err)
			}
			fmt.Fprintf(e.stdout, "%s\n", b)
		}
	default:
		if err := ci.WriteCompareText(e.stdout, pacts); err != nil {
			return failWith(exitCantTell, err)
		}
	}
	if err := f.ci.write(e.stdout,
		func(w io.Writer) error { return ci.WriteCompareAnnotations(w, pacts) },
		func(w io.Writer) error { return ci.WriteCompareMarkdown(w, pacts) }); err != nil {
		return failWith(exitCantTell, err)
	}
	if failed {
		return failWith(exitNo, nil)
	}
	return nil
}

// comparePactFile reads the pact at path and compares it.
func comparePactFile(cmp *compare.Comparator, path string) (ci.ComparedPact, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return ci.ComparedPact{}, fmt.Errorf("read pact: %w", err)
	}
	p, err := pact.Parse(data)
	if err != nil {
		return ci.ComparedPact{}, fmt.Errorf("pact %s: %w", path, err)
	}
	return ci.ComparedPact{File: path, Consumer: p.Consumer.Name, Provider: p.Provider.Name, Results: cmp.Compare(p)}, nil
}

// loadOpenAPIForCompare loads an OpenAPI document (a Swagger 2.0 one
// converted to 3.0) with its references to other files.
func loadOpenAPIForCompare(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flagCompareOAS, err)
	}
	if doc, ok, err := compare.ParseOpenAPI(data); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	} else if ok {
		return doc, nil
	}
	// Swagger 2.0, or references to other files: formats/openapi loads it.
	doc, err := openapi.LoadFile(path, openapi.Options{})
	if err != nil {
		return nil, err
	}
	return compare.OpenAPIDocument(doc.Spec)
}
