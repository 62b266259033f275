package ci_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/ci"
)

// openapiReport has a breaking finding, an unused one and one outside the
// paths; texts carry characters Markdown and workflow commands must escape.
func openapiReport() *ci.BreakingReport {
	return &ci.BreakingReport{
		ConsumerAware: true, Levels: true, Subject: "OpenAPI document",
		Findings: []ci.BreakingFinding{
			{RuleID: "api-removed-without-deprecation", Level: ci.LevelERR, Operation: "DELETE /orders/{id}", Source: "api/base.yaml:29",
				File: "api/base.yaml", Line: 29, Message: "API removed without deprecation", Breaking: true,
				Breaks: []ci.BreakRef{{Consumer: "mobile", Interaction: "cancel"}, {Consumer: "web", Interaction: "delete an order"}, {Consumer: "web", Interaction: "delete | purge"}}},
			{RuleID: "response-property-type-changed", Level: ci.LevelWARN, Operation: "GET /orders/{id}", Source: "api/revision.yaml:12",
				File: "api/revision.yaml", Line: 12, Message: "the `total` response's property changed <b>\n::error::x"},
			{RuleID: "api-version-changed", Level: ci.LevelINFO, Message: "the API version changed"},
		},
	}
}

func render(t *testing.T, r *ci.BreakingReport, format string) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, ci.WriteBreaking(&b, r, format))
	return b.String()
}

func TestWriteBreakingText(t *testing.T) {
	t.Parallel()
	require.Equal(t, `api/base.yaml:29: ERR api-removed-without-deprecation: DELETE /orders/{id}: API removed without deprecation [breaks consumer mobile: "cancel"] [breaks consumer web: "delete an order", "delete | purge"]
api/revision.yaml:12: WARN response-property-type-changed: GET /orders/{id}: the `+"`total`"+` response's property changed <b>
::error::x [unused by consumers]
INFO api-version-changed: the API version changed [unused by consumers]
`, render(t, openapiReport(), ci.BreakingText))

	// The protobuf form: no level, no operation, no consumers.
	proto := &ci.BreakingReport{Findings: []ci.BreakingFinding{{RuleID: "rpc-deleted", Level: ci.LevelERR, Source: "new.proto:7", Message: "rpc ListOrders was deleted", Breaking: true}}}
	require.Equal(t, "new.proto:7: rpc-deleted: rpc ListOrders was deleted\n", render(t, proto, ci.BreakingText))
}

func TestWriteBreakingJSON(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(render(t, openapiReport(), ci.BreakingJSON)), &doc))
	require.Equal(t, true, doc["consumerAware"])
	require.EqualValues(t, 1, doc["breaking"])
	findings := doc["findings"].([]any)
	require.Len(t, findings, 3)
	first := findings[0].(map[string]any)
	require.Equal(t, "DELETE /orders/{id}", first["operation"])
	require.Equal(t, "api/base.yaml:29", first["source"])
	require.Equal(t, "ERR", first["level"])
	require.Len(t, first["breaks"], 3)
	require.Equal(t, map[string]any{"consumer": "mobile", "interaction": "cancel"}, first["breaks"].([]any)[0])
	// An unused finding has an empty list, not null.
	require.Equal(t, []any{}, findings[1].(map[string]any)["breaks"])
}

func TestWriteBreakingMarkdown(t *testing.T) {
	t.Parallel()
	md := render(t, openapiReport(), ci.BreakingMarkdown)
	require.Contains(t, md, "### ❌ 1 breaking change in the OpenAPI document\n")
	require.Contains(t, md, "| ❌ | ERR | `api-removed-without-deprecation` | DELETE /orders/{id} (api/base.yaml:29) |")
	require.Contains(t, md, `delete \| purge`)
	require.NotContains(t, md, "<b>")
	require.Contains(t, render(t, &ci.BreakingReport{Subject: "protobuf schema"}, ci.BreakingMarkdown), "### ✅ No breaking changes in the protobuf schema\n\nNo changes found.\n")
}

func TestBreakingAnnotations(t *testing.T) {
	t.Parallel()
	out := render(t, openapiReport(), ci.BreakingGitHubActions)
	require.Contains(t, out, "::error file=api/base.yaml,line=29,title=api-removed-without-deprecation DELETE /orders/{id}::API removed without deprecation [breaks consumer mobile: \"cancel\"]")
	// Unused in consumer-aware mode: a notice; the newline and the command in the message are escaped.
	require.Contains(t, out, "::notice file=api/revision.yaml,line=12,title=response-property-type-changed GET /orders/{id}::the `total` response's property changed <b>%0A::error::x [unused by consumers]\n")
	plain := openapiReport()
	plain.ConsumerAware = false
	require.Contains(t, render(t, plain, ci.BreakingGitHubActions), "::warning file=api/revision.yaml,line=12")
}

func TestWriteBreakingJUnit(t *testing.T) {
	t.Parallel()
	var doc struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Type string `xml:"type,attr"`
					Text string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal([]byte(render(t, openapiReport(), ci.BreakingJUnit)), &doc))
	s := doc.Suites[0]
	require.Equal(t, "breaking changes in the OpenAPI document", s.Name)
	require.Equal(t, 3, s.Tests)
	require.Equal(t, 1, s.Failures)
	require.Equal(t, "api-removed-without-deprecation DELETE /orders/{id}", s.Cases[0].Name)
	require.Equal(t, "api-removed-without-deprecation", s.Cases[0].Failure.Type)
	require.Nil(t, s.Cases[1].Failure)
}

func TestWriteBreakingUnknownFormat(t *testing.T) {
	t.Parallel()
	require.ErrorContains(t, ci.WriteBreaking(&bytes.Buffer{}, &ci.BreakingReport{}, "yaml"), `unknown output format "yaml"`)
}
