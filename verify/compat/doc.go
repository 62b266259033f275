// Package compat runs the Pact project's cross-implementation compatibility
// suite (features V1-V4 and their fixtures, from the shared
// pact-compatibility-suite folder) against this module's pact model, matching
// engine, generators, mock server and verifier.
//
// The package has no code of its own: the step definitions live in its test
// files, one file per area (HTTP consumer, HTTP provider, pact writing,
// matching, generators, the in-test broker). Run it with
//
//	go test ./verify/compat/ -run 'TestCompatibility/V1/http_consumer'
//
// Each feature file is a subtest (TestCompatibility/V1/http_consumer) and
// each scenario a subtest of it; undefined and pending steps fail.
package compat
