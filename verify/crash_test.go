package verify_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/verify"
)

type crashingTransport struct{}

func (crashingTransport) Verify(_ context.Context, call verify.Call) verify.Outcome {
	if call.Interaction.Description == "crashes" {
		var m map[string]int
		//lint:ignore SA5000 the nil-map write is the bug this test injects
		m["boom"]++ // a nil-map write: the kind of bug a panic guard exists for
	}
	return verify.Outcome{}
}

// A panic while verifying one interaction fails that interaction with an
// internal-error failure; the others are still verified.
func TestVerifyContainsAPanicToItsInteraction(t *testing.T) {
	data := `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[
	  {"description":"crashes","request":{"method":"GET","path":"/a"},"response":{"status":200}},
	  {"description":"fine","request":{"method":"GET","path":"/b"},"response":{"status":200}}],
	  "metadata":{"pactSpecification":{"version":"3.0.0"}}}`
	cfg := verify.Config{ProviderBaseURL: "http://127.0.0.1:1", Transports: map[string]verify.Transport{"http": crashingTransport{}}}
	report := mustVerify(t, cfg, []verify.Source{{Name: "crash.json", Data: []byte(data)}})
	require.Equal(t, verify.Counts{Passed: 1, Failed: 1}, report.Counts())
	crashed := byDescription(t, report, "crashes")
	require.True(t, crashed.HasFailure(verify.FailureInternal), "%+v", crashed.Failures)
	require.Contains(t, crashed.Failures[0].Error, "assignment to entry in nil map")
}
