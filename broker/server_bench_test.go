package broker_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
)

// BenchmarkPublish publishes a new consumer version with new content per
// iteration, through the client and the HTTP API.
func BenchmarkPublish(b *testing.B) {
	tb := mustBroker(b, server.Config{})
	c := tb.client(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mustPublish(b, c, "Foo", fmt.Sprint(i), "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", fmt.Sprintf("/p%d", i))})
	}
}

// BenchmarkCanIDeploy asks can-i-deploy to an environment on a broker
// holding 300 verified consumer versions.
func BenchmarkCanIDeploy(b *testing.B) {
	ctx := context.Background()
	tb := mustBroker(b, server.Config{})
	c := tb.client(b)
	_, err := c.CreateEnvironment(ctx, broker.Environment{Name: "prod"})
	require.NoError(b, err)
	for i := 0; i < 300; i++ {
		v := fmt.Sprint(i)
		mustPublish(b, c, "Foo", v, "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", fmt.Sprintf("/p%d", i%20))})
		p, err := c.FetchPact(ctx, "/pacts/provider/Bar/consumer/Foo/version/"+v)
		require.NoError(b, err)
		require.NoError(b, c.PublishVerificationResult(ctx, p.PublishVerificationResultsURL, api.VerificationResult{Success: true, ProviderVersion: "b" + v}))
	}
	_, err = c.RecordDeployment(ctx, "Bar", "b299", "prod", "")
	require.NoError(b, err)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Foo", Version: "299"}}, ToEnvironment: "prod"})
		require.NoError(b, err)
		require.NotNil(b, res.Summary.Deployable)
	}
}
