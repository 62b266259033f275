package api_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
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

// TestBase64Content checks the decoding of a published contract's content
// from the JSON bytes: standard and URL-safe base64, padded or not, JSON
// escapes, base64 errors kept for the field, and a non-string refused.
func TestBase64Content(t *testing.T) {
	t.Parallel()
	doc := []byte("\xfb\xff\xbf{}") // base64 with '+' and '/' (std) or '-' and '_' (URL)
	std := base64.StdEncoding.EncodeToString(doc)
	require.Contains(t, std, "/")
	require.Contains(t, std, "+")
	for _, tc := range []struct {
		name, json string
		want       []byte
		wantErr    bool
	}{
		{"standard", `"` + std + `"`, doc, false},
		{"raw standard", `"` + base64.RawStdEncoding.EncodeToString(doc) + `"`, doc, false},
		{"URL-safe", `"` + base64.URLEncoding.EncodeToString(doc) + `"`, doc, false},
		{"raw URL-safe", `"` + base64.RawURLEncoding.EncodeToString(doc) + `"`, doc, false},
		{"escaped slashes", `"` + strings.ReplaceAll(std, "/", `\/`) + `"`, doc, false},
		{"surrounding space", `" ` + std + ` "`, doc, false},
		{"empty", `""`, []byte{}, false},
		{"not base64", `"not base64!"`, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var c api.PublishContract
			require.NoError(t, json.Unmarshal([]byte(`{"content":`+tc.json+`}`), &c))
			if tc.wantErr {
				require.Error(t, c.Content.Err)
				require.Nil(t, c.Content.Data)
				return
			}
			require.NoError(t, c.Content.Err)
			require.Equal(t, tc.want, c.Content.Data)
		})
	}
	t.Run("not a string", func(t *testing.T) {
		t.Parallel()
		var c api.PublishContractsRequest
		err := json.Unmarshal([]byte(`{"contracts":[{"content":5}]}`), &c)
		var te *json.UnmarshalTypeError
		require.ErrorAs(t, err, &te)
		require.Equal(t, "number", te.Value)
		require.Equal(t, "contracts.content", te.Field)
	})
	t.Run("round trip", func(t *testing.T) {
		t.Parallel()
		b, err := json.Marshal(api.PublishContract{Content: api.Base64Content{Data: doc}})
		require.NoError(t, err)
		require.Contains(t, string(b), `"content":"`+std+`"`)
		var c api.PublishContract
		require.NoError(t, json.Unmarshal(b, &c))
		require.Equal(t, doc, c.Content.Data)
	})
}
