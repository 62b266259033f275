// Package pact reads and writes Pact contract files, specification V1 to
// V4, and holds the path expressions used by matching rules and generators.
//
// Parse accepts any version and refuses malformed input whole with a
// *ParseError naming the JSON path; Write writes V2, V3 or V4. Reading a
// file and writing it at the version it declares gives back equal JSON:
//
//	p, err := pact.Parse(data)
//	if err != nil {
//		return fmt.Errorf("read pact %s: %w", name, err)
//	}
//	out, err := pact.Write(p, pact.V4) // converts a V2 or V3 pact
//
// The matching engine is in the match subpackage, generators in generate.
package pact
