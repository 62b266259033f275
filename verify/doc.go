// Package verify replays contracts against a running provider and reports
// what the provider did differently.
//
// A verification reads pacts (Sources), calls the provider-state change URL
// around each interaction, sends each HTTP interaction's request to the
// provider, compares the response with the contract using the Pact matching
// engine, and returns a Report. Contract failures are findings in the
// Report; Verify returns an error only when it could not run.
//
//	sources, err := verify.LoadPath("./pacts")
//	report, err := verify.Verify(ctx, verify.Config{ProviderBaseURL: "http://localhost:8080"}, sources)
//	verify.WriteText(os.Stdout, report)
//
// Interaction kinds other than HTTP are replayed by a Transport registered in
// Config.Transports; without one they are reported as skipped.
package verify
