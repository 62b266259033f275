package compare

import (
	"fmt"
	"strings"

	"github.com/contracts-dev/contracts/formats/asyncapi"
	"github.com/contracts-dev/contracts/formats/pact"
)

// Documents are a provider's published contracts; either may be nil.
type Documents struct {
	// OpenAPI is an OpenAPI 3.x document as JSON values (a Swagger 2.0
	// document converted to 3.0 first), with external references
	// already brought in; local "#/..." references are resolved here.
	OpenAPI  map[string]any
	AsyncAPI *asyncapi.Document
	// ReportMissing makes an interaction whose kind of document is nil an
	// error (request.spec.missing, message.spec.missing: PactFlow's
	// comparator's results for a missing document) instead of skipping it.
	// A broker sets it: a provider version that published only one kind of
	// document has not documented what a consumer expects of the other.
	ReportMissing bool
}

// Comparator compares pacts with a provider's documents. Compiled schemas
// are cached, so one Comparator should serve every pact of a provider. It
// is safe for concurrent use.
type Comparator struct {
	oas     *openAPI
	async   *asyncAPI
	missing bool
}

// New prepares docs for comparisons. It fails when neither document is
// given, or the OpenAPI document is not OpenAPI 3.
func New(docs Documents) (*Comparator, error) {
	if docs.OpenAPI == nil && docs.AsyncAPI == nil {
		return nil, fmt.Errorf("compare: no OpenAPI or AsyncAPI document")
	}
	c := &Comparator{missing: docs.ReportMissing}
	if docs.OpenAPI != nil {
		o, err := newOpenAPI(docs.OpenAPI)
		if err != nil {
			return nil, err
		}
		c.oas = o
	}
	if docs.AsyncAPI != nil {
		c.async = newAsyncAPI(docs.AsyncAPI)
	}
	return c, nil
}

// Compare checks every interaction of p. HTTP interactions are checked
// against the OpenAPI document and message interactions against the
// AsyncAPI document; with only one of them given, the other kind of
// interaction is not checked (as PactFlow's comparator does: a provider
// may publish one document per kind), unless Documents.ReportMissing.
func (c *Comparator) Compare(p *pact.Pact) []Result {
	var out []Result
	for i, in := range p.Interactions {
		from := len(out)
		switch in.Type {
		case pact.HTTP:
			if in.Request == nil {
				continue
			}
			if c.oas == nil {
				if !c.missing {
					continue
				}
				out = append(out, missingOpenAPI(in, i))
				break
			}
			out = append(out, c.oas.compareHTTP(in, i)...)
		case pact.AsyncMessage:
			if c.async == nil && !c.missing {
				continue
			}
			// A nil c.async gives message.spec.missing.
			out = append(out, c.async.compareAsync(in, i)...)
		case pact.SyncMessage:
			if in.Transport != "" && in.Transport != "http" && in.Transport != "message" {
				// gRPC and other plugin transports have their own checks.
				continue
			}
			if c.async == nil && !c.missing {
				continue
			}
			out = append(out, c.async.compareSync(in, i)...)
		}
		label(out[from:], in, i)
	}
	return out
}

// label sets Operation and Interaction on the results of interaction i.
func label(rs []Result, in *pact.Interaction, i int) {
	for k := range rs {
		r := &rs[k]
		r.Interaction = i
		switch {
		case r.SpecDetails != nil && r.SpecDetails.PathMethod != nil && r.SpecDetails.PathName != nil:
			r.Operation = strings.ToUpper(*r.SpecDetails.PathMethod) + " " + *r.SpecDetails.PathName
		case in.Request != nil:
			r.Operation = strings.ToUpper(in.Request.Method) + " " + in.Request.Path + " (not in the document)"
		default:
			if _, id := operationID(in); id != "" {
				r.Operation = "operation " + id
			} else {
				r.Operation = "message " + in.Description
			}
		}
	}
}
