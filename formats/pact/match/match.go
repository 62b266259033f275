// Package match is the Pact matching engine: it compares actual requests,
// responses and messages with a contract's expectations under the contract's
// matching rules, and returns every mismatch found.
package match

import "github.com/contracts-dev/contracts/formats/pact"

// Kind is the stable identifier of what a mismatch concerns.
type Kind string

// Mismatch kinds.
const (
	KindMethod   Kind = "method-mismatch"
	KindPath     Kind = "path-mismatch"
	KindQuery    Kind = "query-mismatch"
	KindHeader   Kind = "header-mismatch"
	KindBody     Kind = "body-mismatch"
	KindBodyType Kind = "body-type-mismatch"
	KindStatus   Kind = "status-mismatch"
	KindMetadata Kind = "metadata-mismatch"
)

// Mismatch is one difference between an expectation and what was seen.
type Mismatch struct {
	Kind Kind
	// Path locates the mismatch: a JSON path such as "$.items[0].id" for
	// bodies, a header, query or metadata key name otherwise.
	Path     string
	Expected string
	Actual   string
	// Message reads like the Pact verifier's, e.g.
	// "Expected 'abc' (String) to be equal to 'abd' (String)".
	Message string
}

// Request compares an actual request with an expected one, using the
// expected request's matching rules.
func Request(expected, actual *pact.Request) []Mismatch {
	return nil // TODO(match helper): implemented in this package
}

// Response compares an actual response with an expected one, using the
// expected response's matching rules.
func Response(expected, actual *pact.Response) []Mismatch {
	return nil // TODO(match helper): implemented in this package
}

// Message compares an actual message (contents and metadata) with an
// expected one, using the expected message's matching rules.
func Message(expected, actual *pact.Message) []Mismatch {
	return nil // TODO(match helper): implemented in this package
}
