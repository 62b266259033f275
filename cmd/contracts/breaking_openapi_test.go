package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
)

const openapiCases = "../../testdata/openapi"

func openapiCase(parts ...string) string {
	return filepath.Join(append([]string{openapiCases}, parts...)...)
}

// openapiArgs are the arguments comparing a case's base and revision.
func openapiArgs(dir string, extra ...string) []string {
	return append([]string{"breaking", "--openapi", openapiCase(dir, "base.yaml"), "--against", openapiCase(dir, "revision.yaml")}, extra...)
}

func TestBreakingOpenAPIPlain(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runBreakingCLI(t, openapiArgs("removed")...)
	require.Equal(t, exitNo, code, "stderr: %s", stderr)
	base := openapiCase("removed", "base.yaml")
	require.Contains(t, stdout, base+":5: ERR api-path-removed-without-deprecation: GET /legacy/orders: API path removed without deprecation\n")
	require.Contains(t, stdout, base+":29: ERR api-removed-without-deprecation: DELETE /orders/{id}: API removed without deprecation\n")
	require.NotContains(t, stdout, "INFO")
	require.NotContains(t, stdout, "consumer")
	require.Equal(t, "5 changes, 5 at or above ERR\n", stderr)
}

func TestBreakingOpenAPIConsumerAware(t *testing.T) {
	t.Parallel()
	pacts := func(dir string) []string {
		return []string{"--pact", openapiCase(dir, "web.json"), "--pact", openapiCase(dir, "mobile.json")}
	}

	t.Run("breaks a consumer", func(t *testing.T) {
		t.Parallel()
		code, stdout, stderr := runBreakingCLI(t, openapiArgs("removed", pacts("removed")...)...)
		require.Equal(t, exitNo, code, "stderr: %s", stderr)
		require.Contains(t, stdout, `ERR response-success-status-removed: PUT /orders/{id}: removed the success response with the status `+"`202`"+` [breaks consumer web: "update an order later"]`)
		require.Equal(t, "5 changes, 5 at or above ERR: 5 break consumer interactions, 0 unused by consumers (8 HTTP interactions in 2 pacts)\n", stderr)
	})

	t.Run("changes no interaction reaches pass", func(t *testing.T) {
		t.Parallel()
		code, stdout, stderr := runBreakingCLI(t, openapiArgs("unreached", "--pact", openapiCase("unreached", "web.json"))...)
		require.Equal(t, exitOK, code, "stderr: %s", stderr)
		require.Equal(t, 2, strings.Count(stdout, "[unused by consumers]\n"), stdout)
		// The same pair fails without the pacts.
		code, _, _ = runBreakingCLI(t, openapiArgs("unreached")...)
		require.Equal(t, exitNo, code)
	})

	t.Run("fail-on", func(t *testing.T) {
		t.Parallel()
		// web only uses the removed optional "note", an INFO change.
		args := openapiArgs("response-property", "--pact", openapiCase("response-property", "web.json"))
		code, stdout, stderr := runBreakingCLI(t, args...)
		require.Equal(t, exitOK, code, "stderr: %s", stderr)
		require.NotContains(t, stdout, "INFO")
		code, stdout, stderr = runBreakingCLI(t, append(args, "--fail-on", "INFO")...)
		require.Equal(t, exitNo, code, "stderr: %s", stderr)
		require.Contains(t, stdout, "INFO response-optional-property-removed: GET /orders/{id}: removed the optional property `note` from the response with the `200` status [breaks consumer web: \"get an order with its note\"]")
		require.Contains(t, stderr, "1 break consumer interactions")
	})

	t.Run("json", func(t *testing.T) {
		t.Parallel()
		code, stdout, _ := runBreakingCLI(t, openapiArgs("enum", append(pacts("enum"), "--output", "json")...)...)
		require.Equal(t, exitNo, code)
		var doc struct {
			ConsumerAware bool `json:"consumerAware"`
			Breaking      int  `json:"breaking"`
			Findings      []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Operation string `json:"operation"`
				Source    string `json:"source"`
				Message   string `json:"message"`
				Breaking  bool   `json:"breaking"`
				Breaks    []struct {
					Consumer    string `json:"consumer"`
					Interaction string `json:"interaction"`
				} `json:"breaks"`
			} `json:"findings"`
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
		require.True(t, doc.ConsumerAware)
		require.Equal(t, 2, doc.Breaking)
		require.Len(t, doc.Findings, 2)
		f := doc.Findings[0]
		require.Equal(t, "request-parameter-enum-value-removed", f.RuleID)
		require.Equal(t, "ERR", f.Level)
		require.Equal(t, "GET /orders", f.Operation)
		require.Equal(t, openapiCase("enum", "base.yaml")+":7", f.Source)
		require.True(t, f.Breaking)
		require.Len(t, f.Breaks, 1)
		require.Equal(t, "web", f.Breaks[0].Consumer)
		require.Equal(t, "list cancelled orders", f.Breaks[0].Interaction)
	})

	t.Run("other outputs", func(t *testing.T) {
		t.Parallel()
		args := openapiArgs("unreached", "--pact", openapiCase("unreached", "web.json"))
		_, md, _ := runBreakingCLI(t, append(args, "--output", "markdown")...)
		require.Contains(t, md, "### ✅ No breaking changes in the OpenAPI document")
		require.Contains(t, md, "| ⚪ | ERR | `api-path-removed-without-deprecation` | GET /admin/stats (")

		_, gha, _ := runBreakingCLI(t, append(args, "--output", "githubactions")...)
		require.Contains(t, gha, "::notice file=../../testdata/openapi/unreached/base.yaml,line=5,title=api-path-removed-without-deprecation GET /admin/stats::API path removed without deprecation [unused by consumers]\n")

		code, junit, _ := runBreakingCLI(t, openapiArgs("removed", "--output", "junit")...)
		require.Equal(t, exitNo, code)
		var suites struct {
			Suites []struct {
				Tests    int `xml:"tests,attr"`
				Failures int `xml:"failures,attr"`
			} `xml:"testsuite"`
		}
		require.NoError(t, xml.Unmarshal([]byte(junit), &suites))
		require.Equal(t, 5, suites.Suites[0].Tests)
		require.Equal(t, 5, suites.Suites[0].Failures)
	})
}

// Swagger 2.0 against OpenAPI 3.0 and 3.1, and documents split over files.
func TestBreakingOpenAPIVersionsAndFiles(t *testing.T) {
	t.Parallel()
	load := func(name string) string { return openapiCase("load", name) }
	tests := []struct {
		base, revision string
		code           int
		stdout         string
	}{
		// The converted 2.0 document is compared as OpenAPI 3.0: only the
		// nullable total differs.
		{load("swagger2.yaml"), load("openapi30.json"), exitNo,
			load("openapi30.json") + ":14: ERR response-property-became-nullable: GET /orders/{id}: the response property `total` became nullable for the status `200`\n"},
		{load("openapi30.json"), load("openapi31.yaml"), exitOK, ""},
		{load("openapi31.yaml"), load("swagger2.yaml"), exitOK, ""},
		{load("multi/openapi.yaml"), load("multi/openapi.yaml"), exitOK, ""},
	}
	for _, tt := range tests {
		code, stdout, stderr := runBreakingCLI(t, "breaking", "--openapi", tt.base, "--against", tt.revision)
		require.Equal(t, tt.code, code, "%s against %s\nstdout: %s\nstderr: %s", tt.base, tt.revision, stdout, stderr)
		require.Equal(t, tt.stdout, stdout)
	}
	// Removing a property from a file two $refs away is found there.
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(load("multi"))))
	line := filepath.Join(dir, "schemas", "line.yaml")
	data, err := os.ReadFile(line)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(line, bytes.ReplaceAll(data, []byte("    quantity: {type: integer}\n"), nil), 0o600))
	code, stdout, stderr := runBreakingCLI(t, "breaking", "--openapi", load("multi/openapi.yaml"), "--against", filepath.Join(dir, "openapi.yaml"), "--fail-on", "INFO")
	require.Equal(t, exitNo, code, "stderr: %s", stderr)
	require.Contains(t, stdout, load("multi/schemas/line.yaml")+":5: INFO response-optional-property-removed: GET /orders/{id}: removed the optional property `lines/items/quantity`")
}

func TestBreakingOpenAPICantTell(t *testing.T) {
	t.Parallel()
	bad := openapiCase("load", "bad", "dangling-ref.yaml")
	good := openapiCase("removed", "base.yaml")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"base does not load", []string{"--openapi", bad, "--against", good},
			"--openapi: " + bad + `:14: at #/paths/~1orders~1{id}/get/responses/200/content/application~1json/schema/$ref: $ref "#/components/schemas/Missing"`},
		{"revision does not load", []string{"--openapi", good, "--against", openapiCase("load", "bad", "syntax.yaml")},
			"--against: " + openapiCase("load", "bad", "syntax.yaml") + ":6: not valid YAML or JSON"},
		{"missing file", []string{"--openapi", good, "--against", "nowhere.yaml"}, "nowhere.yaml: cannot read the document"},
		{"not OpenAPI", []string{"--openapi", good, "--against", openapiCase("load", "bad", "no-version.yaml")}, "neither an openapi nor a swagger field"},
		{"bad pact", []string{"--openapi", good, "--against", good, "--pact", bad}, "pact " + bad},
		{"both modes", []string{"--openapi", good, "--proto", "x.proto", "--against", good}, "give --openapi or --proto, not both"},
		{"no revision", []string{"--openapi", good}, "--openapi BASE (or --base-environment) and one --against REVISION are both required"},
		{"bad fail-on", []string{"--openapi", good, "--against", good, "--fail-on", "LOUD"}, `--fail-on "LOUD": want ERR, WARN or INFO`},
		{"bad output", []string{"--openapi", good, "--against", good, "--output", "yaml"}, `--output "yaml": want one of text, json, markdown, githubactions, junit`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runBreakingCLI(t, append([]string{"breaking"}, tt.args...)...)
			require.Equal(t, exitCantTell, code, "stdout: %s\nstderr: %s", stdout, stderr)
			require.Empty(t, stdout)
			require.Contains(t, stderr, tt.want)
		})
	}
}

// TestBreakingOpenAPIFromBroker takes the consumers' pacts from a real
// broker: web 1.0.0, deployed to production, uses everything the revision
// removes; web 2.0.0, its main branch head, no longer does.
func TestBreakingOpenAPIFromBroker(t *testing.T) {
	ctx := context.Background()
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "w-tok"})
	web, err := os.ReadFile(openapiCase("removed", "web.json"))
	require.NoError(t, err)
	mobile, err := os.ReadFile(openapiCase("removed", "mobile.json"))
	require.NoError(t, err)
	mustPublishProtoPact(t, b.Client, "web", "1.0.0", "main", web)
	_, err = b.Client.CreateEnvironment(ctx, broker.Environment{Name: "production", Production: true})
	require.NoError(t, err)
	_, err = b.Client.RecordDeployment(ctx, "web", "1.0.0", "production", "")
	require.NoError(t, err)
	mustPublishProtoPact(t, b.Client, "web", "2.0.0", "main", bytes.ReplaceAll(mobile, []byte(`"name": "mobile"`), []byte(`"name": "web"`)))

	vars := map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": "w-tok"}
	run := func(t *testing.T, want int, extra ...string) (string, string) {
		t.Helper()
		args := openapiArgs("removed", append([]string{"--provider", "orders"}, extra...)...)
		code, stdout, stderr := runCLI(ctx, vars, args...)
		require.Equal(t, want, code, "contracts %v\nstdout:\n%s\nstderr:\n%s", args, stdout, stderr)
		return stdout, strings.ReplaceAll(stderr, b.URL, "BROKER_URL")
	}

	t.Run("default selectors: main branch head and deployed versions", func(t *testing.T) {
		stdout, stderr := run(t, exitNo)
		require.Contains(t, stdout, `DELETE /orders/{id}: API removed without deprecation [breaks consumer web: "delete an order"]`)
		require.Contains(t, stderr, "2 pacts for provider orders from the broker at BROKER_URL\n")
		require.Contains(t, stderr, "  web version 1.0.0 (")
		require.Contains(t, stderr, "5 break consumer interactions, 0 unused by consumers (8 HTTP interactions in 2 pacts)")
	})

	t.Run("main branch only", func(t *testing.T) {
		stdout, stderr := run(t, exitOK, "--consumer-version-selectors", `{"mainBranch":true}`)
		require.Equal(t, 5, strings.Count(stdout, "[unused by consumers]"), stdout)
		require.Contains(t, stderr, "1 pact for provider orders from the broker at BROKER_URL\n  web version 2.0.0")
	})

	t.Run("unknown provider", func(t *testing.T) {
		code, _, stderr := runCLI(ctx, vars, openapiArgs("removed", "--provider", "nobody")...)
		require.Equal(t, exitCantTell, code)
		require.Contains(t, stderr, `has no pacts for provider "nobody"`)
	})
}

// The protobuf mode prints the same report: its JSON has the OpenAPI mode's
// fields, and the other formats work for it too.
func TestBreakingProtoUsesTheSharedReport(t *testing.T) {
	t.Parallel()
	dir := breakingCase("consumer-aware")
	args := []string{"breaking", "--proto", filepath.Join(dir, "old.proto"), "--against", filepath.Join(dir, "new.proto"),
		"--pact", filepath.Join(dir, "web-app.json")}
	code, stdout, stderr := runBreakingCLI(t, append(args, "--output", "json")...)
	require.Equal(t, exitNo, code, "stderr: %s", stderr)
	var doc struct {
		Findings []map[string]any `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
	require.NotEmpty(t, doc.Findings)
	for _, f := range doc.Findings {
		require.Equal(t, "ERR", f["level"])
		require.Equal(t, fmt.Sprintf("%s:%v", f["file"], f["line"]), f["source"])
		require.Contains(t, f, "element")
		require.IsType(t, []any{}, f["breaks"])
	}
	code, junit, _ := runBreakingCLI(t, append(args, "--output", "junit")...)
	require.Equal(t, exitNo, code)
	require.Contains(t, junit, `<testsuite name="breaking changes in the protobuf schema"`)
	code, _, stderr = runBreakingCLI(t, append(args, "--fail-on", "WARN")...)
	require.Equal(t, exitCantTell, code)
	require.Contains(t, stderr, "--fail-on applies to --openapi only")
}

// TestBreakingOpenAPIBaseEnvironment takes BASE from the provider contract
// (bi-directional) of the provider version deployed to production.
func TestBreakingOpenAPIBaseEnvironment(t *testing.T) {
	ctx := context.Background()
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "w-tok"})
	web, err := os.ReadFile(openapiCase("removed", "web.json"))
	require.NoError(t, err)
	mustPublishProtoPact(t, b.Client, "web", "1.0.0", "main", web)
	_, err = b.Client.CreateEnvironment(ctx, broker.Environment{Name: "production", Production: true})
	require.NoError(t, err)
	base, err := os.ReadFile(openapiCase("removed", "base.yaml"))
	require.NoError(t, err)
	yes := true
	_, err = b.Client.PublishProviderContract(ctx, "orders", "7.0.0", "main", "", nil,
		api.ProviderContractInput{Specification: "oas", ContentType: "application/yaml", Content: base, SelfSuccess: &yes})
	require.NoError(t, err)
	vars := map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": "w-tok"}
	args := []string{"breaking", "--base-environment", "production", "--against", openapiCase("removed", "revision.yaml"), "--provider", "orders"}

	code, stdout, stderr := runCLI(ctx, vars, args...)
	require.Equal(t, exitCantTell, code, "stdout: %s", stdout)
	require.Contains(t, stderr, "--base-environment: no version of orders is deployed to production")

	_, err = b.Client.RecordDeployment(ctx, "orders", "7.0.0", "production", "")
	require.NoError(t, err)
	code, stdout, stderr = runCLI(ctx, vars, args...)
	require.Equal(t, exitNo, code, "stdout: %s\nstderr: %s", stdout, stderr)
	require.Contains(t, stderr, "BASE: the OpenAPI provider contract of orders version 7.0.0, deployed to production")
	require.Contains(t, stdout, `DELETE /orders/{id}: API removed without deprecation [breaks consumer web: "delete an order"]`)
	require.Contains(t, stdout, "orders-7.0.0.openapi:", "findings point into the provider contract")

	// A deployed version without a provider contract cannot be a base.
	require.NoError(t, b.Client.EnsureVersionBranch(ctx, "orders", "8.0.0", "main"))
	_, err = b.Client.RecordDeployment(ctx, "orders", "8.0.0", "production", "")
	require.NoError(t, err)
	code, _, stderr = runCLI(ctx, vars, args...)
	require.Equal(t, exitCantTell, code)
	require.Contains(t, stderr, "orders version 8.0.0 (deployed to production)")

	// A version with an AsyncAPI document only has no OpenAPI base; its
	// OpenAPI document, published beside it, is the base.
	async, err := os.ReadFile(filepath.Join(compareDir, "events", "asyncapi.yaml"))
	require.NoError(t, err)
	_, err = b.Client.PublishProviderContract(ctx, "orders", "9.0.0", "main", "", nil,
		api.ProviderContractInput{Specification: "asyncapi", ContentType: "application/yaml", Content: async, SelfSuccess: &yes})
	require.NoError(t, err)
	_, err = b.Client.RecordDeployment(ctx, "orders", "9.0.0", "production", "")
	require.NoError(t, err)
	code, _, stderr = runCLI(ctx, vars, args...)
	require.Equal(t, exitCantTell, code)
	require.Contains(t, stderr, "orders version 9.0.0 (deployed to production) published a asyncapi contract, not OpenAPI")
	_, err = b.Client.PublishProviderContract(ctx, "orders", "9.0.0", "main", "", nil,
		api.ProviderContractInput{Specification: "oas", ContentType: "application/yaml", Content: base, SelfSuccess: &yes})
	require.NoError(t, err)
	code, stdout, stderr = runCLI(ctx, vars, args...)
	require.Equal(t, exitNo, code, "stdout: %s\nstderr: %s", stdout, stderr)
	require.Contains(t, stderr, "BASE: the OpenAPI provider contract of orders version 9.0.0, deployed to production")

	code, _, stderr = runCLI(ctx, vars, "breaking", "--base-environment", "production", "--openapi", openapiCase("removed", "base.yaml"),
		"--against", openapiCase("removed", "revision.yaml"), "--provider", "orders")
	require.Equal(t, exitCantTell, code)
	require.Contains(t, stderr, "give --openapi or --base-environment, not both")
}
