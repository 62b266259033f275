package web_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/web"
)

func mustCompareFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "compare", name))
	require.NoError(tb, err)
	return b
}

// mustProviderContractWorld seeds orders' OpenAPI contract o-1 (self-verified,
// by schemathesis) and AsyncAPI contract o-2 (self-verification not
// reported); web's pact is incompatible with o-1, mobile's compatible;
// notifier's message pact is compatible with o-2.
func mustProviderContractWorld(tb testing.TB) broker.Store {
	tb.Helper()
	s := mustStore(tb)
	mustPublish(tb, s, "web", "1", "main", nil, map[string][]byte{"orders": mustCompareFixture(tb, "orders/pact-broken.json")})
	mustPublish(tb, s, "mobile", "2", "main", nil, map[string][]byte{"orders": bytes.Replace(mustCompareFixture(tb, "orders/pact.json"), []byte(`"consumer": {"name": "web"}`), []byte(`"consumer": {"name": "mobile"}`), 1)})
	mustPublish(tb, s, "notifier", "3", "main", nil, map[string][]byte{"orders": mustCompareFixture(tb, "events/pact.json")})
	yes := true
	svc := broker.NewService(s, broker.DefaultRules())
	_, err := svc.PublishProviderContracts(context.Background(), broker.ProviderContractPublication{Provider: "orders", Version: "o-1", Branch: "main",
		Contracts: []broker.ProviderContract{{Specification: broker.SpecOpenAPI, ContentType: "application/yaml", Content: mustCompareFixture(tb, "orders/openapi.yaml"),
			Self: broker.SelfVerification{Success: &yes, Verifier: "schemathesis", VerifierVersion: "3.19", Content: []byte("12 <tests> passed"), Format: "text"}}}})
	require.NoError(tb, err)
	_, err = svc.PublishProviderContracts(context.Background(), broker.ProviderContractPublication{Provider: "orders", Version: "o-2",
		Contracts: []broker.ProviderContract{{Specification: broker.SpecAsyncAPI, Content: mustCompareFixture(tb, "events/asyncapi.yaml")}}})
	require.NoError(tb, err)
	return s
}

func TestProviderContractPage(t *testing.T) {
	s := mustProviderContractWorld(t)
	srv := mustServe(t, s, web.Options{})

	t.Run("OpenAPI", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/contracts/provider/orders/version/o-1")
		require.Contains(t, html, `OpenAPI provider contract of <a href="/pacticipants/orders/versions/o-1">orders <span class="mono">o-1</span></a>`)
		require.Contains(t, html, `<span class="badge badge-success">passed</span> by schemathesis 3.19`)
		ops := between(t, html, "operations</h2>", "</table>")
		require.Contains(t, rowWith(t, ops, `<span class="kind">GET</span> <span class="mono">/orders/{id}</span>`), `id="operation-`)
		require.Contains(t, ops, `<span class="kind">POST</span> <span class="mono">/orders</span>`)

		web := between(t, html, `href="/pacticipants/web"`, "</article>")
		require.Contains(t, web, `<span class="badge badge-failed">incompatible</span>`)
		require.Contains(t, web, `href="/pacts/provider/orders/consumer/web/version/1"`)
		// Grouped by operation: the documented one links its row, the
		// unknown one says so.
		get := between(t, web, ">GET /orders/{id}</a></h4>", "</table>")
		require.Contains(t, get, "request.authorization.missing")
		require.Contains(t, get, "response.body.incompatible")
		require.NotContains(t, get, "request.path-or-method.unknown")
		require.Contains(t, between(t, web, "<h4>GET /orders (not in the document)</h4>", "</table>"), "request.path-or-method.unknown")

		mobile := between(t, html, `href="/pacticipants/mobile"`, "</article>")
		require.Contains(t, mobile, `<span class="badge badge-success">compatible</span>`)
		require.Contains(t, mobile, "0 errors")
		// Contents are escaped.
		require.Contains(t, html, "12 &lt;tests&gt; passed")
		require.Contains(t, html, `href="/contracts/provider/orders/version/o-1?format=json"`)
	})

	t.Run("AsyncAPI", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/contracts/provider/orders/version/o-2")
		require.Contains(t, html, "AsyncAPI provider contract")
		require.Contains(t, html, `<span class="badge badge-unverified">not reported</span>`)
		row := rowWith(t, between(t, html, "operation", "</table>"), `<td class="mono">publishOrderEvents</td>`)
		require.Contains(t, row, `<span class="kind">send</span>`)
		require.Contains(t, row, `<td class="mono">orders</td>`)
		notifier := between(t, html, `href="/pacticipants/notifier"`, "</article>")
		require.Contains(t, notifier, `<span class="badge badge-success">compatible</span>`)
		require.Contains(t, notifier, "message.matched")
	})

	t.Run("the version page links it", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/pacticipants/orders/versions/o-1")
		require.Contains(t, html, `<a href="/contracts/provider/orders/version/o-1">OpenAPI document and comparisons</a>`)
		require.NotContains(t, mustPage(t, srv.URL+"/pacticipants/web/versions/1"), "Provider contract")
	})

	t.Run("the matrix query links the contract for a bi-directional row", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/matrix?p1=mobile&k1=version&v1=2&p2=orders&k2=version&v2=o-1&latestby=cvpv")
		row := rowWith(t, html, ">o-1<")
		require.Contains(t, row, `href="/contracts/provider/orders/version/o-1"`)
		require.Contains(t, row, "badge-success")
		require.NotContains(t, html, "/verification-results/0")
	})

	t.Run("OpenAPI and AsyncAPI documents of one version", func(t *testing.T) {
		yes, no := true, false
		_, err := broker.NewService(s, broker.DefaultRules()).PublishProviderContracts(context.Background(), broker.ProviderContractPublication{
			Provider: "orders", Version: "o-3", Contracts: []broker.ProviderContract{
				{Specification: broker.SpecAsyncAPI, Content: mustCompareFixture(t, "events/asyncapi.yaml"), Self: broker.SelfVerification{Success: &no}},
				{Specification: broker.SpecOpenAPI, Content: mustCompareFixture(t, "orders/openapi.yaml"), Self: broker.SelfVerification{Success: &yes, Verifier: "dredd"}}}})
		require.NoError(t, err)
		html := mustPage(t, srv.URL+"/contracts/provider/orders/version/o-3")
		require.Contains(t, html, `OpenAPI and AsyncAPI provider contracts of <a href="/pacticipants/orders/versions/o-3">`)
		oas := between(t, html, "OpenAPI document: ", "</table>")
		require.Contains(t, oas, `<span class="badge badge-success">passed</span> by dredd`)
		require.Contains(t, oas, `<span class="kind">POST</span> <span class="mono">/orders</span>`)
		async := between(t, html, "AsyncAPI document: ", "</table>")
		require.Contains(t, async, `<span class="badge badge-failed">failed</span>`)
		row := rowWith(t, async, `<td class="mono">publishOrderEvents</td>`)
		// Operation rows are numbered across both documents.
		id := between(t, row, `id="`, `"`)
		require.NotContains(t, oas, `id="`+id+`"`)
		// A message pact: compared with the AsyncAPI document, its results
		// link the AsyncAPI operation.
		notifier := between(t, html, `href="/pacticipants/notifier"`, "</article>")
		require.Contains(t, notifier, `<span class="badge badge-success">compatible</span>`)
		require.Contains(t, notifier, `<a href="#`+id+`">operation publishOrderEvents</a>`)
		// An HTTP pact: compared with the OpenAPI document.
		mobile := between(t, html, `href="/pacticipants/mobile"`, "</article>")
		require.Contains(t, mobile, `<span class="badge badge-success">compatible</span>`)
		require.Contains(t, html, "The OpenAPI document</summary>")
		require.Contains(t, html, "The AsyncAPI document</summary>")
		require.Contains(t, mustPage(t, srv.URL+"/pacticipants/orders/versions/o-3"),
			`<a href="/contracts/provider/orders/version/o-3">OpenAPI and AsyncAPI documents and comparisons</a>`)
	})

	t.Run("not found", func(t *testing.T) {
		status, body := mustGet(t, srv.URL+"/contracts/provider/orders/version/o-9")
		require.Equal(t, http.StatusNotFound, status)
		require.Contains(t, body, "Orders version &#34;o-9&#34; has no provider contract")
	})
}
