package breaking_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/openapi"
	"github.com/contracts-dev/contracts/formats/openapi/breaking"
)

const cases = "../../../testdata/openapi"

func mustCheck(tb testing.TB, dir, level string) []breaking.Finding {
	tb.Helper()
	base, err := openapi.LoadFile(filepath.Join(cases, dir, "base.yaml"), openapi.Options{Origin: true})
	require.NoError(tb, err)
	rev, err := openapi.LoadFile(filepath.Join(cases, dir, "revision.yaml"), openapi.Options{Origin: true})
	require.NoError(tb, err)
	fs, err := breaking.Check(base, rev, breaking.Options{MinLevel: level})
	require.NoError(tb, err)
	return fs
}

func mustUsage(tb testing.TB, dir string) breaking.Usage {
	tb.Helper()
	var u breaking.Usage
	for _, name := range []string{"web.json", "mobile.json"} {
		data, err := os.ReadFile(filepath.Join(cases, dir, name))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(tb, err)
		require.NoError(tb, u.AddPact(data))
	}
	return u
}

type want struct {
	rule, about string // rule ID and a word of its message
	breaks      []string
}

// requireBreaks checks that each finding of rule whose message contains
// about breaks exactly the listed interactions ("consumer: description"),
// and that every finding is listed.
func requireBreaks(t *testing.T, dir, level string, wants []want) {
	t.Helper()
	classified := breaking.Classify(mustCheck(t, dir, level), mustUsage(t, dir), nil)
	matched := map[int]bool{}
	for _, w := range wants {
		found := false
		for i, c := range classified {
			if c.RuleID != w.rule || !strings.Contains(c.Message, w.about) {
				continue
			}
			found = true
			matched[i] = true
			got := []string{}
			for _, b := range c.Breaks {
				got = append(got, b.Consumer+": "+b.Interaction)
			}
			require.Equal(t, append([]string{}, w.breaks...), got, "%s %s (%s)", c.RuleID, c.Operation(), c.Message)
		}
		require.True(t, found, "no %s finding about %q in %s", w.rule, w.about, dir)
	}
	for i, c := range classified {
		require.True(t, matched[i], "unexpected finding %s %s: %s", c.RuleID, c.Operation(), c.Message)
	}
}

// Each kind of change breaks the interactions that use what changed and
// none of those that do not (both directions in each case: every fixture
// has a consumer that uses the changed part and one that does not).
func TestMapping(t *testing.T) {
	t.Parallel()
	version := want{rule: "api-version-changed", about: "version"}
	tests := []struct {
		dir   string
		wants []want
	}{
		{"response-property", []want{
			// Removed: only the interaction whose expected body has it.
			{"response-optional-property-removed", "`note`", []string{"web: get an order with its note"}},
			// Removed inside array items.
			{"response-optional-property-removed", "`lines/items/sku`", []string{"mobile: get an order's lines"}},
			// Retyped: addressed by a matching rule only.
			{"response-property-type-changed", "`total`", []string{"mobile: get an order's total"}},
			// Retyped for status 404: web's 404 expects an empty object.
			{"response-property-type-changed", "`reason`", []string{"mobile: get a missing order's reason"}},
			version,
		}},
		{"request-required", []want{
			// Not sent by mobile; web sends it.
			{"new-required-request-property", "`currency`", []string{"mobile: create an order for delivery"}},
			// Inside an optional object: required only of those that send the object.
			{"new-required-request-property", "`delivery/city`", []string{"mobile: create an order for delivery"}},
			{"new-required-request-parameter", "`tenant`", []string{"mobile: list open orders"}},
			// Header names compare without case (X-Request-Id, sent by web as X-REQUEST-ID).
			{"new-required-request-parameter", "`x-request-id`", []string{"mobile: create an order for delivery"}},
			version,
		}},
		{"enum", []want{
			{"request-property-enum-value-removed", "`high`", []string{"web: create an urgent order"}},
			{"request-parameter-enum-value-removed", "`cancelled`", []string{"web: list cancelled orders"}},
			// INFO: a value removed from a response enum, expected by web only.
			{"response-property-enum-value-removed", "`archived`", []string{"web: list cancelled orders"}},
			version,
		}},
		{"removed", []want{
			{"api-path-removed-without-deprecation", "path", []string{"web: list legacy orders"}},
			{"api-removed-without-deprecation", "API", []string{"web: delete an order"}},
			{"response-success-status-removed", "`202`", []string{"web: update an order later"}},
			{"response-media-type-removed", "`application/pdf`", []string{"web: get a receipt as PDF"}},
			{"request-body-media-type-removed", "`application/xml`", []string{"web: create an order in XML"}},
			version,
		}},
		{"assorted", []want{
			// Parameters: only those who send them.
			{"request-parameter-max-decreased", "`limit`", []string{"web: list orders with a trace"}},
			{"request-parameter-max-length-decreased", "`q`", []string{"mobile: search orders"}},
			{"request-parameter-removed", "`x-trace`", []string{"web: list orders with a trace"}},
			// Response headers: only those who expect them (names without case).
			{"required-response-header-removed", "`x-total`", []string{"web: list orders with a trace"}},
			{"response-header-type-changed", "`x-page`", []string{"mobile: search orders"}},
			// Response properties inside array items.
			{"response-property-became-nullable", "`items/amount`", []string{"web: list orders with a trace"}},
			{"response-property-became-optional", "`items/amount`", []string{"web: list orders with a trace"}},
			{"response-property-pattern-changed", "`items/code`", []string{"web: list orders with a trace"}},
			{"response-property-one-of-removed", "`items/customer`", []string{"web: list orders with a trace"}},
			// The body became required: breaks the interaction that sends none.
			{"request-body-became-required", "required", []string{"mobile: create an empty order"}},
			{"request-property-max-items-decreased", "`items`", []string{"web: create an order"}},
			{"request-property-min-set", "`amount`", []string{"web: create an order"}},
			{"request-property-pattern-added", "`code`", []string{"web: create an order"}},
			// Nobody expects a 400 or calls the deprecated operation.
			{"response-non-success-status-removed", "`400`", nil},
			{"endpoint-deprecated", "deprecated", nil},
			version,
		}},
		{"header-property", []want{
			// A property of an object-valued header: those that send the header.
			{"new-required-request-header-property", "`region`", []string{"web: list a tenant's orders"}},
		}},
		{"unreached", []want{
			{"api-path-removed-without-deprecation", "path", nil},
			{"request-parameter-type-changed", "`expand`", nil},
			{"response-optional-property-removed", "`internalCode`", nil},
			version,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			t.Parallel()
			requireBreaks(t, tt.dir, breaking.LevelINFO, tt.wants)
		})
	}
}

// The breaking check reports WARN and above, as oasdiff breaking does.
func TestCheckDefaultLevel(t *testing.T) {
	t.Parallel()
	for _, f := range mustCheck(t, "response-property", "") {
		require.True(t, breaking.AtLeast(f.Level, breaking.LevelWARN), "%s %s", f.Level, f.RuleID)
	}
	_, err := breaking.Check(nil, nil, breaking.Options{MinLevel: "LOUD"})
	require.ErrorContains(t, err, `unknown level "LOUD"`)
}

// Findings name the files as they were given, with the line.
func TestFindingSource(t *testing.T) {
	t.Parallel()
	fs := mustCheck(t, "removed", breaking.LevelERR)
	require.NotEmpty(t, fs)
	for _, f := range fs {
		require.Contains(t, []string{filepath.Join(cases, "removed", "base.yaml"), filepath.Join(cases, "removed", "revision.yaml")}, f.File)
		require.Positive(t, f.Line)
	}
}

// An interaction is matched to an operation under a server's base path.
func TestClassifyUnderBasePath(t *testing.T) {
	t.Parallel()
	fs := mustCheck(t, "removed", breaking.LevelERR)
	u := breaking.Usage{Interactions: []breaking.Interaction{{Consumer: "web", Description: "delete", Method: "DELETE", Path: "/api/v1/orders/o-9"}}}
	var got []breaking.InteractionRef
	for _, c := range breaking.Classify(fs, u, []string{"/api/v1"}) {
		got = append(got, c.Breaks...)
	}
	require.Equal(t, []breaking.InteractionRef{{Consumer: "web", Interaction: "delete"}}, got)
	for _, c := range breaking.Classify(fs, u, nil) {
		require.Empty(t, c.Breaks)
	}
}

func TestAddPactRefusesBadPacts(t *testing.T) {
	t.Parallel()
	var u breaking.Usage
	require.Error(t, u.AddPact([]byte(`{"consumer": 1}`)))
	require.Error(t, u.AddPact([]byte(`{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"x","request":{"method":"POST","path":"/","headers":{"Content-Type":"application/json"},"body":"{not json"},"response":{"status":200}}],"metadata":{"pactSpecification":{"version":"4.0"}}}`)))
	require.Empty(t, u.Interactions)
}

// V4 pacts (bodies as contents objects, matching rules by category) are read
// the same way; message and gRPC interactions are left out.
func TestUsageOfV4Pact(t *testing.T) {
	t.Parallel()
	pactV4 := `{
	  "consumer": {"name": "kiosk"}, "provider": {"name": "orders"},
	  "interactions": [
	    {"type": "Synchronous/HTTP", "description": "create an urgent order",
	     "request": {"method": "POST", "path": "/orders", "headers": {"Content-Type": ["application/json"]},
	       "body": {"content": {"item": "tea", "priority": "high"}, "contentType": "application/json", "encoded": false}},
	     "response": {"status": 201}},
	    {"type": "Synchronous/HTTP", "description": "list orders",
	     "request": {"method": "GET", "path": "/orders"},
	     "response": {"status": 200, "headers": {"Content-Type": ["application/json"]},
	       "body": {"content": {"orders": []}, "contentType": "application/json", "encoded": false},
	       "matchingRules": {"body": {"$.orders[*].state": {"combine": "AND", "matchers": [{"match": "type"}]}}}}},
	    {"type": "Asynchronous/Messages", "description": "an order event", "contents": {"content": {"state": "archived"}, "contentType": "application/json"}}
	  ],
	  "metadata": {"pactSpecification": {"version": "4.0"}}
	}`
	var u breaking.Usage
	require.NoError(t, u.AddPact([]byte(pactV4)))
	require.Len(t, u.Interactions, 2)
	got := map[string][]breaking.InteractionRef{}
	for _, c := range breaking.Classify(mustCheck(t, "enum", breaking.LevelINFO), u, nil) {
		got[c.RuleID] = c.Breaks
	}
	kiosk := func(d string) []breaking.InteractionRef {
		return []breaking.InteractionRef{{Consumer: "kiosk", Interaction: d}}
	}
	require.Equal(t, kiosk("create an urgent order"), got["request-property-enum-value-removed"])
	// The rule addresses the state of every order, but no example value is
	// "archived": a removed value that is never expected breaks nobody.
	require.Empty(t, got["response-property-enum-value-removed"])
	require.Empty(t, got["request-parameter-enum-value-removed"])
}
