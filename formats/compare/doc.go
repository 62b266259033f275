// Package compare checks consumer pacts against a provider's published
// contract, an OpenAPI document for HTTP interactions and an AsyncAPI 3
// document for message interactions, without running the provider: the
// bi-directional contract check.
//
// Each interaction's example request and response (or message) is checked
// against the operation the document defines for it: method and path, path
// and query parameters, headers, security requirements, content types,
// status and bodies. Matching rules do not widen the check: the pact's
// examples are what a consumer sends and expects, and each must be valid.
// Responses (and messages a consumer receives) are strict: a property the
// consumer expects must be documented. Requests follow the schema as
// written.
//
// Results use the shape and codes of PactFlow's comparator, so tools built
// for PactFlow read them:
//
//	c, err := compare.New(compare.Documents{OpenAPI: oas})
//	results := c.Compare(p) // []compare.Result
//	if compare.HasErrors(results) { ... }
package compare
