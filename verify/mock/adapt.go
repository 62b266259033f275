package mock

import (
	"time"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/generate"
)

// consumerResponse applies the response's generators in consumer mode,
// with the mock server's URL for MockServerURL generators. The response is
// returned even with an error (failed generators keep the example values).
func consumerResponse(r *pact.Response, mockServerURL string, now time.Time) (*pact.Response, error) {
	if len(r.Gen) == 0 {
		return r, nil
	}
	return generate.Response(r, generate.Context{
		Mode:          generate.Consumer,
		MockServerURL: mockServerURL,
		Now:           func() time.Time { return now },
	})
}

func writePact(p *pact.Pact, spec pact.Spec) ([]byte, error) { return pact.Write(p, spec) }
