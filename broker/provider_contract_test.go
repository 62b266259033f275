package broker_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
)

// compareFixture reads testdata/compare/<name>.
func compareFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "compare", name))
	require.NoError(tb, err)
	return data
}

func boolPtr(b bool) *bool { return &b }

// mustPublishProviderContract publishes a provider contract through the
// client; self is the self-verification's success (nil: not said).
func mustPublishProviderContract(tb testing.TB, c *api.Client, provider, version, spec, file string, self *bool) []api.Notice {
	tb.Helper()
	notices, err := c.PublishProviderContract(context.Background(), provider, version, "main", "", nil,
		api.ProviderContractInput{Specification: spec, ContentType: "application/yaml", Content: compareFixture(tb, file), SelfSuccess: self})
	require.NoError(tb, err)
	return notices
}

// mustPublishPact publishes one pact file of testdata/compare for consumer.
func mustPublishPact(tb testing.TB, c *api.Client, consumer, version, file string) string {
	tb.Helper()
	resp, err := c.PublishContracts(context.Background(), api.PublishInput{Pacticipant: consumer, Version: version, Branch: "main",
		Contracts: []api.ContractFile{{Consumer: consumer, Provider: "orders", Content: compareFixture(tb, file)}}})
	require.NoError(tb, err)
	require.Len(tb, resp.PactURLs, 1)
	return resp.PactURLs[0]
}

func mustCanIDeploy(tb testing.TB, c *api.Client, pacticipant, version string) *broker.MatrixResult {
	tb.Helper()
	res, err := c.CanIDeploy(context.Background(), api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: pacticipant, Version: version}}})
	require.NoError(tb, err)
	return res
}

func TestPublishProviderContract(t *testing.T) {
	ctx := context.Background()
	b := mustBroker(t, server.Config{})
	c := b.client(t)

	t.Run("OpenAPI with branch, tags and self-verification", func(t *testing.T) {
		mustPublishPact(t, c, "web", "c1", "orders/pact.json")
		notices, err := c.PublishProviderContract(ctx, "orders", "p1", "main", "http://ci/1", []string{"dev", "prod"}, api.ProviderContractInput{
			Specification: broker.SpecOpenAPI, ContentType: "application/yaml", Content: compareFixture(t, "orders/openapi.yaml"),
			SelfSuccess: boolPtr(true), SelfContent: []byte("12 tests passed"), SelfContentType: "text/plain", SelfFormat: "text",
			Verifier: "schemathesis", VerifierVersion: "3.19"})
		require.NoError(t, err)
		require.Len(t, notices, 1)
		require.Equal(t, "success", notices[0].Type)
		require.Contains(t, notices[0].Text, "OpenAPI provider contract of orders version p1")

		v, err := c.DescribeVersion(ctx, "orders", "p1", "")
		require.NoError(t, err)
		require.Equal(t, []string{"main"}, v.Branches)
		require.ElementsMatch(t, []string{"dev", "prod"}, v.Tags)
		require.Equal(t, "http://ci/1", v.BuildURL)

		status, doc, _ := doJSON(t, http.MethodGet, b.srv.URL+"/contracts/provider/orders/version/p1", "")
		require.Equal(t, http.StatusOK, status, doc)
		require.Equal(t, "oas", doc["specification"])
		require.Equal(t, "application/yaml", doc["contentType"])
		require.Equal(t, string(compareFixture(t, "orders/openapi.yaml")), doc["content"])
		self := doc["selfVerificationResults"].(map[string]any)
		require.Equal(t, true, self["success"])
		require.Equal(t, "12 tests passed", self["content"])
		require.Equal(t, "schemathesis", self["verifier"])
		require.Equal(t, "3.19", self["verifierVersion"])
		require.Equal(t, "text", self["format"])
		comparisons := doc["comparisons"].([]any)
		require.Len(t, comparisons, 1)
		cmp := comparisons[0].(map[string]any)
		require.Equal(t, "web", cmp["consumerName"])
		require.Equal(t, "c1", cmp["consumerVersionNumber"])
		require.Equal(t, true, cmp["success"], cmp["results"])
		require.Equal(t, b.srv.URL+"/pacticipants/orders/versions/p1", href(t, doc, "pb:pacticipant-version"))
	})

	t.Run("AsyncAPI", func(t *testing.T) {
		mustPublishPact(t, c, "notifier", "n1", "events/pact-broken.json")
		notices := mustPublishProviderContract(t, c, "orders", "p2", broker.SpecAsyncAPI, "events/asyncapi.yaml", boolPtr(true))
		require.Contains(t, notices[0].Text, "AsyncAPI provider contract of orders version p2")
		status, doc, _ := doJSON(t, http.MethodGet, b.srv.URL+"/contracts/provider/orders/version/p2", "")
		require.Equal(t, http.StatusOK, status, doc)
		require.Equal(t, "asyncapi", doc["specification"])
		var notifier map[string]any
		for _, x := range doc["comparisons"].([]any) {
			if m := x.(map[string]any); m["consumerName"] == "notifier" {
				notifier = m
			}
		}
		require.NotNil(t, notifier, doc["comparisons"])
		require.Equal(t, false, notifier["success"])
		results := notifier["results"].([]any)
		require.NotEmpty(t, results)
		codes := map[string]bool{}
		for _, r := range results {
			codes[r.(map[string]any)["code"].(string)] = true
		}
		require.True(t, codes["message.no.match"] || codes["message.operation.unknown"], "codes %v", codes)
	})

	t.Run("several contracts in one call (pf:publish-provider-contracts)", func(t *testing.T) {
		body, err := json.Marshal(map[string]any{
			"pacticipantVersionNumber": "p3", "tags": []string{"qa"},
			"contracts": []map[string]any{
				{"specification": "asyncapi", "contentType": "application/yaml",
					"content":                 base64.StdEncoding.EncodeToString(compareFixture(t, "events/asyncapi.yaml")),
					"selfVerificationResults": map[string]any{"success": true, "verifier": "specmatic"}},
				{"specification": "oas", "contentType": "application/yaml",
					"content":                 base64.StdEncoding.EncodeToString(compareFixture(t, "orders/openapi31.yaml")),
					"selfVerificationResults": map[string]any{"success": true, "verifier": "dredd"}}},
		})
		require.NoError(t, err)
		status, doc, _ := doJSON(t, http.MethodPost, b.srv.URL+"/provider-contracts/provider/orders/publish-contracts", string(body))
		require.Equal(t, http.StatusOK, status, doc)
		require.Equal(t, "p3", doc["_embedded"].(map[string]any)["version"].(map[string]any)["number"])
		require.Equal(t, b.srv.URL+"/contracts/provider/orders/version/p3", href(t, doc, "pf:provider-contract"))
		notices, _ := json.Marshal(doc["notices"])
		require.Contains(t, string(notices), "Published the AsyncAPI provider contract of orders version p3")
		require.Contains(t, string(notices), "Published the OpenAPI provider contract of orders version p3")
		got, err := b.store.GetProviderContracts(ctx, "orders", "p3")
		require.NoError(t, err)
		require.Len(t, got, 2)
		require.Equal(t, []string{broker.SpecOpenAPI, broker.SpecAsyncAPI}, []string{got[0].Specification, got[1].Specification})
		require.Equal(t, []string{"dredd", "specmatic"}, []string{got[0].Self.Verifier, got[1].Self.Verifier})

		// The resource lists both, OpenAPI first (and at the top level,
		// where clients of one contract read it).
		status, doc, _ = doJSON(t, http.MethodGet, b.srv.URL+"/contracts/provider/orders/version/p3", "")
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, "oas", doc["specification"])
		require.Equal(t, string(compareFixture(t, "orders/openapi31.yaml")), doc["content"])
		contracts := doc["contracts"].([]any)
		require.Len(t, contracts, 2)
		require.Equal(t, "oas", contracts[0].(map[string]any)["specification"])
		require.Equal(t, "asyncapi", contracts[1].(map[string]any)["specification"])
		require.Equal(t, string(compareFixture(t, "events/asyncapi.yaml")), contracts[1].(map[string]any)["content"])
		require.Equal(t, "specmatic", contracts[1].(map[string]any)["selfVerificationResults"].(map[string]any)["verifier"])

		// Publishing one specification again replaces the version's
		// document of that specification (PactFlow's provider contract of a
		// version is replaced by a new publication) and keeps the other.
		notices2 := mustPublishProviderContract(t, c, "orders", "p3", broker.SpecAsyncAPI, "events/asyncapi.yaml", boolPtr(false))
		require.Len(t, notices2, 1)
		got, err = b.store.GetProviderContracts(ctx, "orders", "p3")
		require.NoError(t, err)
		require.Len(t, got, 2)
		require.Equal(t, "dredd", got[0].Self.Verifier)
		require.Equal(t, broker.SpecAsyncAPI, got[1].Specification)
		require.False(t, *got[1].Self.Success)
		require.Empty(t, got[1].Self.Verifier)
	})

	t.Run("the index has PactFlow's relations", func(t *testing.T) {
		status, doc, _ := doJSON(t, http.MethodGet, b.srv.URL+"/", "")
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, b.srv.URL+"/provider-contracts/provider/{provider}/publish", href(t, doc, "pf:publish-provider-contract"))
		require.Equal(t, b.srv.URL+"/provider-contracts/provider/{provider}/publish-contracts", href(t, doc, "pf:publish-provider-contracts"))
	})

	t.Run("a pact published after the contract is compared at once", func(t *testing.T) {
		mustPublishProviderContract(t, c, "orders", "p4", broker.SpecOpenAPI, "orders/openapi.yaml", boolPtr(true))
		contracts, err := b.store.GetProviderContracts(ctx, "orders", "p4")
		require.NoError(t, err)
		mustPublishPact(t, c, "web", "c9", "orders/pact-broken.json")
		p, err := b.store.GetPact(ctx, "web", "orders", "c9")
		require.NoError(t, err)
		cmp, err := b.store.GetComparison(ctx, p.SHA, broker.DocumentsSHA(contracts))
		require.NoError(t, err, "stored by the publication, before any matrix query")
		require.False(t, cmp.Success)
		require.Contains(t, string(cmp.Results), "request.path-or-method.unknown")
	})

	t.Run("a version without a contract is not found", func(t *testing.T) {
		status, _, _ := doJSON(t, http.MethodGet, b.srv.URL+"/contracts/provider/orders/version/nope", "")
		require.Equal(t, http.StatusNotFound, status)
	})
}

func TestPublishProviderContractRefusesBadInput(t *testing.T) {
	b := mustBroker(t, server.Config{})
	good := base64.StdEncoding.EncodeToString(compareFixture(t, "orders/openapi.yaml"))
	cases := []struct {
		name     string
		contract map[string]any
		field    string
	}{
		{"document that does not load", map[string]any{"specification": "oas", "content": base64.StdEncoding.EncodeToString([]byte("openapi: 3.0.3\npaths: [\n"))}, "contract.content"},
		{"OpenAPI that is not a document", map[string]any{"specification": "oas", "content": base64.StdEncoding.EncodeToString([]byte("just: text\n"))}, "contract.content"},
		{"reference to another file", map[string]any{"specification": "oas", "content": base64.StdEncoding.EncodeToString([]byte(
			"openapi: 3.0.3\ninfo: {title: x, version: \"1\"}\npaths:\n  /a:\n    get:\n      responses:\n        \"200\": {$ref: \"other.yaml#/components/responses/ok\"}\n"))}, "contract.content"},
		{"AsyncAPI that does not load", map[string]any{"specification": "asyncapi", "content": good}, "contract.content"},
		{"bad base64", map[string]any{"specification": "oas", "content": "%%% not base64"}, "contract.content"},
		{"bad base64 self-verification", map[string]any{"specification": "oas", "content": good,
			"selfVerificationResults": map[string]any{"success": true, "content": "***"}}, "contract.selfVerificationResults.content"},
		{"unknown specification", map[string]any{"specification": "raml", "content": good}, "contract.specification"},
		{"empty content", map[string]any{"specification": "oas", "content": ""}, "contract.content"},
	}
	before := dumpDB(t, b.dbPath)
	asyncapi := base64.StdEncoding.EncodeToString(compareFixture(t, "events/asyncapi.yaml"))
	for _, tc := range []struct {
		name      string
		contracts []any
		field     string
		message   string
	}{
		{"two contracts of one specification", []any{
			map[string]any{"specification": "oas", "content": good}, map[string]any{"specification": "asyncapi", "content": asyncapi},
			map[string]any{"specification": "oas", "content": good}}, "contracts[2].specification", "contracts[0] is one too"},
		{"one of two documents does not load", []any{
			map[string]any{"specification": "oas", "content": good},
			map[string]any{"specification": "asyncapi", "content": base64.StdEncoding.EncodeToString([]byte("asyncapi: 3.0.0\noperations: [\n"))}},
			"contracts[1].content", "the asyncapi document does not load"},
		{"an unknown specification beside a good one", []any{
			map[string]any{"specification": "oas", "content": good}, map[string]any{"specification": "raml", "content": good}},
			"contracts[1].specification", "raml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, err := json.Marshal(map[string]any{"pacticipantVersionNumber": "1", "branch": "main", "contracts": tc.contracts})
			require.NoError(t, err)
			status, resp, _ := doJSON(t, http.MethodPost, b.srv.URL+"/provider-contracts/provider/orders/publish-contracts", string(body))
			require.Equal(t, http.StatusBadRequest, status, resp)
			msgs := resp["errors"].(map[string]any)[tc.field]
			require.NotNil(t, msgs, "errors name %s: %v", tc.field, resp)
			require.Contains(t, msgs.([]any)[0], tc.message)
			_, err = b.store.GetVersion(context.Background(), "orders", "1")
			require.ErrorIs(t, err, broker.ErrNotFound, "no version is created")
			require.Equal(t, before, dumpDB(t, b.dbPath), "the whole call is refused: nothing is stored")
		})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, err := json.Marshal(map[string]any{"pacticipantVersionNumber": "1", "branch": "main", "tags": []string{"dev"}, "contract": tc.contract})
			require.NoError(t, err)
			status, doc, _ := doJSON(t, http.MethodPost, b.srv.URL+"/provider-contracts/provider/orders/publish", string(body))
			require.Equal(t, http.StatusBadRequest, status, doc)
			raw, err := json.Marshal(doc)
			require.NoError(t, err)
			require.Contains(t, string(raw), tc.field)
			_, err = b.store.GetVersion(context.Background(), "orders", "1")
			require.ErrorIs(t, err, broker.ErrNotFound, "no version is created")
			require.Equal(t, before, dumpDB(t, b.dbPath), "nothing is stored")
		})
	}
}

func TestBiDirectionalCanIDeploy(t *testing.T) {
	ctx := context.Background()
	b := mustBroker(t, server.Config{})
	c := b.client(t)

	kinds := func(res *broker.MatrixResult) []string {
		var out []string
		for _, r := range res.Rows {
			if r.Verification != nil {
				out = append(out, r.Kind)
			}
		}
		return out
	}

	// web c1 is compatible with orders' document, web c2 is not.
	mustPublishPact(t, c, "web", "c1", "orders/pact.json")

	t.Run("no contract and no verification: unknown", func(t *testing.T) {
		_, _, err := b.store.PutVersion(ctx, "orders", "p0", "")
		require.NoError(t, err)
		res := mustCanIDeploy(t, c, "web", "c1")
		require.Equal(t, "unknown", deployable(res), res.Summary.Reason)
		require.Empty(t, kinds(res))
	})

	t.Run("self-verified compatible contract: yes, bi-directional", func(t *testing.T) {
		mustPublishProviderContract(t, c, "orders", "p1", broker.SpecOpenAPI, "orders/openapi.yaml", boolPtr(true))
		res := mustCanIDeploy(t, c, "web", "c1")
		require.Equal(t, "yes", deployable(res), res.Summary.Reason)
		require.Equal(t, []string{broker.KindBiDirectional}, kinds(res))
		require.Equal(t, 1, res.Summary.Success)

		// The provider's side of the same pair.
		res = mustCanIDeploy(t, c, "orders", "p1")
		require.Equal(t, "yes", deployable(res), res.Summary.Reason)
		require.Equal(t, []string{broker.KindBiDirectional}, kinds(res))

		// The matrix JSON says the kind and links the provider contract.
		q := url.Values{"q[][pacticipant]": {"web"}, "q[][version]": {"c1"}, "latest": {"true"}, "latestby": {"cvp"}}
		status, doc, _ := doJSON(t, http.MethodGet, b.srv.URL+"/matrix?"+q.Encode(), "")
		require.Equal(t, http.StatusOK, status, doc)
		rows := doc["matrix"].([]any)
		require.Len(t, rows, 1)
		vr := rows[0].(map[string]any)["verificationResult"].(map[string]any)
		require.Equal(t, "bi-directional", vr["verificationKind"])
		require.Equal(t, true, vr["success"])
		require.Equal(t, b.srv.URL+"/contracts/provider/orders/version/p1", href(t, vr, "self"))
	})

	t.Run("incompatible pact: no", func(t *testing.T) {
		mustPublishPact(t, c, "web", "c2", "orders/pact-broken.json")
		res := mustCanIDeploy(t, c, "web", "c2")
		require.Equal(t, "no", deployable(res), res.Summary.Reason)
		require.Equal(t, []string{broker.KindBiDirectional}, kinds(res))
		require.Equal(t, 1, res.Summary.Failed)
		require.Contains(t, res.Notices[0].Text, "incompatible with the provider contract")
	})

	t.Run("self-verification failed or not said: no", func(t *testing.T) {
		mustPublishProviderContract(t, c, "orders", "p2", broker.SpecOpenAPI, "orders/openapi.yaml", boolPtr(false))
		res := mustCanIDeploy(t, c, "web", "c1")
		require.Equal(t, "no", deployable(res), res.Summary.Reason)
		require.Equal(t, []string{broker.KindBiDirectional}, kinds(res))
		mustPublishProviderContract(t, c, "orders", "p3", broker.SpecOpenAPI, "orders/openapi.yaml", nil)
		res = mustCanIDeploy(t, c, "web", "c1")
		require.Equal(t, "no", deployable(res), res.Summary.Reason)
	})

	t.Run("a pact verification still counts", func(t *testing.T) {
		// p4 has a failing self-verification but verified c1's pact.
		mustPublishProviderContract(t, c, "orders", "p4", broker.SpecOpenAPI, "orders/openapi.yaml", boolPtr(false))
		mustVerify(t, c, b.srv.URL+"/pacts/provider/orders/consumer/web/version/c1", "p4", true)
		res := mustCanIDeploy(t, c, "web", "c1")
		require.Equal(t, "yes", deployable(res), res.Summary.Reason)
		require.Equal(t, []string{""}, kinds(res), "a pact verification")
		q := url.Values{"q[][pacticipant]": {"web"}, "q[][version]": {"c1"}, "latest": {"true"}, "latestby": {"cvp"}}
		status, doc, _ := doJSON(t, http.MethodGet, b.srv.URL+"/matrix?"+q.Encode(), "")
		require.Equal(t, http.StatusOK, status, doc)
		vr := doc["matrix"].([]any)[0].(map[string]any)["verificationResult"].(map[string]any)
		require.Equal(t, "pact", vr["verificationKind"])

		// p5's contract is compatible and self-verified, but its pact
		// verification failed: the pact verification decides.
		mustPublishProviderContract(t, c, "orders", "p5", broker.SpecOpenAPI, "orders/openapi.yaml", boolPtr(true))
		mustVerify(t, c, b.srv.URL+"/pacts/provider/orders/consumer/web/version/c1", "p5", false)
		res = mustCanIDeploy(t, c, "web", "c1")
		require.Equal(t, "no", deployable(res), res.Summary.Reason)
		require.Equal(t, []string{""}, kinds(res))
	})

	t.Run("AsyncAPI: compatible yes, incompatible no", func(t *testing.T) {
		mustPublishPact(t, c, "notifier", "n1", "events/pact.json")
		mustPublishPact(t, c, "notifier", "n2", "events/pact-broken.json")
		mustPublishProviderContract(t, c, "orders", "p6", broker.SpecAsyncAPI, "events/asyncapi.yaml", boolPtr(true))
		res := mustCanIDeploy(t, c, "notifier", "n1")
		require.Equal(t, "yes", deployable(res), res.Summary.Reason)
		require.Equal(t, []string{broker.KindBiDirectional}, kinds(res))
		res = mustCanIDeploy(t, c, "notifier", "n2")
		require.Equal(t, "no", deployable(res), res.Summary.Reason)
	})

	// app's pacts have an HTTP and a message interaction: app a1's are both
	// compatible, a2's message is not.
	mustPublishPact(t, c, "app", "a1", "mixed/pact.json")
	sha1 := mustPactSHA(t, b, "app", "a1")
	mustPublishPact(t, c, "app", "a2", "mixed/pact-broken-message.json")
	sha2 := mustPactSHA(t, b, "app", "a2")
	codes := func(t *testing.T, pactSHA, version string) []string {
		t.Helper()
		docs, err := b.store.GetProviderContracts(ctx, "orders", version)
		require.NoError(t, err)
		cmp, err := b.store.GetComparison(ctx, pactSHA, broker.DocumentsSHA(docs))
		require.NoError(t, err, "compared when published")
		var results []struct{ Type, Code string }
		require.NoError(t, json.Unmarshal(cmp.Results, &results))
		var out []string
		for _, r := range results {
			if r.Type == "error" {
				out = append(out, r.Code)
			}
		}
		return out
	}

	t.Run("OpenAPI and AsyncAPI documents: HTTP against one, messages against the other", func(t *testing.T) {
		// An OpenAPI document only: the messages are not documented.
		mustPublishProviderContract(t, c, "orders", "p8", broker.SpecOpenAPI, "orders/openapi.yaml", boolPtr(true))
		res := mustCanIDeploy(t, c, "app", "a1")
		require.Equal(t, "no", deployable(res), res.Summary.Reason)
		require.Equal(t, []string{"message.spec.missing"}, codes(t, sha2, "p8"), "a2, the latest pact, is compared when the document is published")

		// The AsyncAPI document joins it: the comparisons of the latest
		// pacts are computed again, with both documents.
		mustPublishProviderContract(t, c, "orders", "p8", broker.SpecAsyncAPI, "events/asyncapi.yaml", boolPtr(true))
		require.Equal(t, []string{"message.no.match"}, codes(t, sha2, "p8"))
		res = mustCanIDeploy(t, c, "app", "a1")
		require.Equal(t, "yes", deployable(res), res.Summary.Reason)
		require.Equal(t, []string{broker.KindBiDirectional}, kinds(res))
		require.Empty(t, codes(t, sha1, "p8"))
		res = mustCanIDeploy(t, c, "app", "a2")
		require.Equal(t, "no", deployable(res), res.Summary.Reason)
		require.Contains(t, res.Notices[0].Text, "incompatible with the provider contract")

		// The resource's comparison of app's latest pact covers both.
		status, doc, _ := doJSON(t, http.MethodGet, b.srv.URL+"/contracts/provider/orders/version/p8", "")
		require.Equal(t, http.StatusOK, status)
		require.Len(t, doc["contracts"].([]any), 2)
		var found bool
		for _, cmp := range doc["comparisons"].([]any) {
			m := cmp.(map[string]any)
			if m["consumerName"] == "app" {
				found = true
				require.Equal(t, "a2", m["consumerVersionNumber"])
				require.Equal(t, false, m["success"])
				raw, _ := json.Marshal(m["results"])
				require.Contains(t, string(raw), "message.no.match")
			}
		}
		require.True(t, found)

		// An AsyncAPI document only: the HTTP interaction is not documented.
		mustPublishProviderContract(t, c, "orders", "p9", broker.SpecAsyncAPI, "events/asyncapi.yaml", boolPtr(true))
		res = mustCanIDeploy(t, c, "app", "a1")
		require.Equal(t, "no", deployable(res), res.Summary.Reason)
		require.Equal(t, []string{"request.spec.missing"}, codes(t, sha1, "p9"))
	})

	t.Run("every document's self-verification must succeed", func(t *testing.T) {
		body, err := json.Marshal(map[string]any{"pacticipantVersionNumber": "p10", "contracts": []map[string]any{
			{"specification": "oas", "content": base64.StdEncoding.EncodeToString(compareFixture(t, "orders/openapi.yaml")),
				"selfVerificationResults": map[string]any{"success": true}},
			{"specification": "asyncapi", "content": base64.StdEncoding.EncodeToString(compareFixture(t, "events/asyncapi.yaml")),
				"selfVerificationResults": map[string]any{"success": false}}}})
		require.NoError(t, err)
		status, doc, _ := doJSON(t, http.MethodPost, b.srv.URL+"/provider-contracts/provider/orders/publish-contracts", string(body))
		require.Equal(t, http.StatusOK, status, doc)
		require.Empty(t, codes(t, sha1, "p10"), "the comparison itself is clean")
		res := mustCanIDeploy(t, c, "app", "a1")
		require.Equal(t, "no", deployable(res), res.Summary.Reason)
		require.Equal(t, []string{broker.KindBiDirectional}, kinds(res))
	})
}

func mustPactSHA(tb testing.TB, b *testBroker, consumer, version string) string {
	tb.Helper()
	p, err := b.store.GetPact(context.Background(), consumer, "orders", version)
	require.NoError(tb, err)
	return p.SHA
}

// TestMatrixStoresTheComparisonsItComputes: a pair no publication compared
// (the pact came after a newer provider version without a contract) is
// compared by the matrix, outside its read snapshot, and stored.
func TestMatrixStoresTheComparisonsItComputes(t *testing.T) {
	ctx := context.Background()
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	mustPublishProviderContract(t, c, "orders", "p1", broker.SpecOpenAPI, "orders/openapi.yaml", boolPtr(true))
	_, _, err := b.store.PutVersion(ctx, "orders", "p2", "")
	require.NoError(t, err)
	mustPublishPact(t, c, "web", "c1", "orders/pact.json")
	p, err := b.store.GetPact(ctx, "web", "orders", "c1")
	require.NoError(t, err)
	contracts, err := b.store.GetProviderContracts(ctx, "orders", "p1")
	require.NoError(t, err)
	_, err = b.store.GetComparison(ctx, p.SHA, broker.DocumentsSHA(contracts))
	require.ErrorIs(t, err, broker.ErrNotFound, "p2, the latest version, has no contract")

	res, err := c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{
		{Pacticipant: "web", Version: "c1"}, {Pacticipant: "orders", Version: "p1"}}})
	require.NoError(t, err)
	require.Equal(t, "yes", deployable(res), res.Summary.Reason)
	require.Equal(t, broker.KindBiDirectional, res.Rows[0].Kind)
	require.Equal(t, p.CreatedAt.UTC().Truncate(time.Second), res.Rows[0].Verification.ExecutionDate.UTC(), "verified when both sides existed")
	cmp, err := b.store.GetComparison(ctx, p.SHA, broker.DocumentsSHA(contracts))
	require.NoError(t, err, "stored by the matrix")
	require.True(t, cmp.Success)
}
