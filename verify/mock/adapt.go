package mock

import (
	"time"

	"github.com/contracts-dev/contracts/formats/pact"
)

// consumerResponse and writePact adapt the generators and the pact writer
// (formats/pact/generate, formats/pact) to this package.
// TODO(mock): switch to generate.Response and pact.Write once they land.

func consumerResponse(r *pact.Response, mockServerURL string, now time.Time) (*pact.Response, error) {
	return r, nil
}

func writePact(p *pact.Pact, spec pact.Spec) ([]byte, error) { return pact.Write(p, spec) }
