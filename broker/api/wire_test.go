package api_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// TestLinksTakeTheFirstOfAList checks that a relation another broker
// sends as a list still decodes into a single-link document.
func TestLinksTakeTheFirstOfAList(t *testing.T) {
	var d api.DeployedVersion
	require.NoError(t, json.Unmarshal([]byte(`{"uuid":"u","_links":{"self":[{"href":"/a"},{"href":"/b"}],"pb:version":{"href":"/v"},"pb:empty":[]}}`), &d))
	require.Equal(t, api.Links{"self": {Href: "/a"}, "pb:version": {Href: "/v"}}, d.Links)
}

// TestMatrixRoundTrip checks that a matrix result survives the wire
// document both ways, and that optional fields stay out of it.
func TestMatrixRoundTrip(t *testing.T) {
	yes, one := true, 1
	res := &broker.MatrixResult{
		Summary: broker.MatrixSummary{Deployable: &yes, Reason: "ok", Success: 1, Ignored: &one},
		Notices: []broker.Notice{{Type: "success", Text: "fine"}},
		Rows: []broker.MatrixRow{{
			Consumer: "Web", ConsumerVersion: broker.MatrixVersion{Number: "1", Branches: []string{"main"}, Tags: []string{"prod"}},
			Provider: "API", ProviderVersion: &broker.MatrixVersion{Number: "10", Environments: []string{"production"}},
			Verification: &broker.Verification{Consumer: "Web", Provider: "API", ProviderVersion: "10", Success: true},
		}},
	}
	b, err := json.Marshal(api.MatrixOf(res, true))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	row := doc["matrix"].([]any)[0].(map[string]any)
	require.Equal(t, false, row["ignored"])
	require.Equal(t, "main", row["consumer"].(map[string]any)["version"].(map[string]any)["branch"])
	require.NotContains(t, row["consumer"].(map[string]any), "_links")

	var m api.Matrix
	require.NoError(t, json.Unmarshal(b, &m))
	got := m.Result()
	require.Equal(t, res.Summary, got.Summary)
	require.Equal(t, res.Notices, got.Notices)
	require.Equal(t, res.Rows[0].ConsumerVersion, got.Rows[0].ConsumerVersion)
	require.Equal(t, res.Rows[0].ProviderVersion, got.Rows[0].ProviderVersion)
	require.Equal(t, res.Rows[0].Verification.Success, got.Rows[0].Verification.Success)
}
