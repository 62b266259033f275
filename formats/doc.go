// Package formats holds what every contract format shares. The formats
// themselves live in subpackages: pact (Pact files V1-V4 with matching rules,
// generators and the matching engine), openapi and proto.
//
// Packages under formats depend on the standard library and their format
// libraries only; they never import verify, broker, ci or cmd.
package formats
