package verify

import (
	"time"

	"github.com/contracts-dev/contracts/formats/pact"
)

// parsePact and providerRequest adapt the pact parser and the generators
// (formats/pact, formats/pact/generate) to this package.
// TODO(verify): switch to pact.Parse and generate.Request once they land.

func parsePact(data []byte) (*pact.Pact, error) { return pact.Parse(data) }

func providerRequest(r *pact.Request, stateValues map[string]any, now time.Time) (*pact.Request, error) {
	return r, nil
}
