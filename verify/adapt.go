package verify

import (
	"time"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/generate"
)

func parsePact(data []byte) (*pact.Pact, error) { return pact.Parse(data) }

// providerRequest applies the request's generators in provider mode, with
// the values the state change calls returned. The request is returned even
// with an error (the targets of failed generators keep their example
// values); the error is a warning.
func providerRequest(r *pact.Request, stateValues map[string]any, now time.Time) (*pact.Request, error) {
	if len(r.Gen) == 0 {
		return r, nil
	}
	return generate.Request(r, generate.Context{
		Mode:          generate.Provider,
		ProviderState: stateValues,
		Now:           func() time.Time { return now },
	})
}
