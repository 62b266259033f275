package web_test

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/contracts-dev/contracts/broker/web"
	"github.com/stretchr/testify/require"
)

var timeElement = regexp.MustCompile(`<time datetime="[^"]*" title="[^"]*">[^<]*</time>`)

// section returns the HTML of the interaction whose description is given.
func section(tb testing.TB, html, description string) string {
	tb.Helper()
	for _, part := range strings.Split(html, `<article class="card interaction"`)[1:] {
		part, _, _ = strings.Cut(part, "</article>")
		if strings.Contains(part, ">"+description+"</a></h2>") {
			return part
		}
	}
	require.Failf(tb, "no interaction", "no interaction %q on the page", description)
	return ""
}

func TestContractPage(t *testing.T) {
	srv := mustServe(t, mustWorld(t), web.Options{})
	html := mustPage(t, srv.URL+"/pacts/provider/Orders/consumer/Web/version/1.0.0")

	t.Run("golden", func(t *testing.T) {
		// The store stamps records from its own clock; how many readings
		// seeding takes is the store's business, so times are masked.
		got := timeElement.ReplaceAllString(html, `<time>(masked)</time>`)
		got = strings.ReplaceAll(got, srv.URL, "http://broker.test")
		golden := testdata("contract-web-orders.golden.html")
		if *update {
			require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
		}
		want, err := os.ReadFile(golden)
		require.NoError(t, err)
		require.Equal(t, string(want), got, "rendered contract differs from %s (run go test ./broker/web -update and review the diff)", golden)
	})

	t.Run("header", func(t *testing.T) {
		require.Regexp(t, `<dt>Published</dt><dd><time datetime="2026-03-01T00:\d\d:00Z" title="2026-03-01 00:\d\d:00 UTC">1 day ago</time>`, html)
		require.Contains(t, html, `Pact between <a href="/pacticipants/Web">Web</a> and <a href="/pacticipants/Orders">Orders</a>`)
		require.Contains(t, html, `<dd class="mono">1.0.0</dd>`)
		require.Contains(t, html, "<dd>4.0</dd>")
		require.Contains(t, html, "badge-failed", "latest verification (o-101) failed")
		require.Contains(t, html, "5 interactions")
	})

	t.Run("http interaction", func(t *testing.T) {
		ix := section(t, html, "get order 42")
		for _, want := range []string{
			`<span class="kind kind-http">HTTP</span>`,
			`<span class="given">Given</span> order 42 exists`,
			`<span class="mono">id</span>: <span class="mono">42</span>`,
			`<span class="mono">status</span>: <span class="mono">open</span>`,
			"OrdersClientTest.getOrder", "The web shop shows one order.",
			`<span class="method method-GET">GET</span> <span class="mono path">/orders/42</span>`,
			"matches regex ^/orders/[0-9]&#43;$",
			`<th class="mono">expand</th><td class="mono">items</td>`,
			"equal to the example",
			`<th class="mono">X-Request-Id</th><td class="mono">abc-123</td><td class="rule-cell"><span class="note">matches regex [a-z0-9-]&#43;</span>`,
			`<span class="status status-200">200</span> <span class="muted">OK</span>`,
			"status 2xx (success)",
			`&#34;name&#34;: &#34;Desk lamp&#34;`,
			`<span class="mono field">$.id</span>: integer`,
			`<span class="mono field">$.name</span>: matches regex ^[A-Z][a-z ]&#43;$`,
			`<span class="mono field">$.total</span>: decimal number`,
			`<span class="mono field">$.createdAt</span>: date-time in format yyyy-MM-dd&#39;T&#39;HH:mm:ssXXX`,
			`<span class="mono field">$.items</span>: an array of at least 1 item, each item like the example`,
			`<span class="mono field">$.tags</span>: an object whose values match by type (keys not checked)`,
			`<span class="mono field">$.id</span>: generated: random integer from 1 to 1000`,
		} {
			require.Contains(t, ix, want)
		}
		// JSON bodies are indented, keeping the pact's key order.
		require.Contains(t, ix, "{\n  &#34;id&#34;: 42,\n  &#34;name&#34;: &#34;Desk lamp&#34;,")
	})

	t.Run("escaping", func(t *testing.T) {
		require.NotContains(t, html, "<script>")
		require.NotContains(t, html, "<b>fragile</b>")
		ix := section(t, html, `create an order for &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`)
		require.Contains(t, ix, `&lt;b&gt;fragile&lt;/b&gt;`)
		require.Contains(t, ix, "generated: the mock server&#39;s URL (like http://localhost/orders/43)")
		require.Contains(t, ix, `<span class="status status-201">201</span>`)
	})

	t.Run("async message", func(t *testing.T) {
		ix := section(t, html, "an order shipped event")
		require.Contains(t, ix, `<span class="kind kind-message">Message</span>`)
		require.Contains(t, ix, "order 42 was shipped")
		require.Contains(t, ix, "&#34;orderId&#34;: 42")
		require.Contains(t, ix, `<span class="mono field">$.shippedAt</span>: date in format yyyy-MM-dd`)
		require.Contains(t, ix, `<th class="mono">topic</th><td class="mono">orders.shipped</td><td class="rule-cell"><span class="note">matches regex orders\..&#43;</span>`)
	})

	t.Run("sync message", func(t *testing.T) {
		ix := section(t, html, "price quote request")
		require.Contains(t, ix, `<span class="kind kind-sync">Synchronous message</span>`)
		require.Contains(t, ix, "<h3>Request</h3>")
		require.Contains(t, ix, "<h3>Response</h3>")
		require.Contains(t, ix, `<th class="mono">replyTo</th><td class="mono">quotes</td>`)
		require.Contains(t, ix, `<span class="mono field">$.price</span>: decimal number or integer`)
	})

	t.Run("grpc", func(t *testing.T) {
		ix := section(t, html, "calculate a rectangle area")
		require.Contains(t, ix, `<span class="kind kind-grpc">gRPC</span>`)
		require.Contains(t, ix, `service <span class="mono strong">Calculator</span>, method <span class="mono strong">calculateOne</span>`)
		require.Contains(t, ix, "protobuf message ShapeMessage, decoded with the pact&#39;s descriptors")
		require.Contains(t, ix, "protobuf message AreaResponse, decoded with the pact&#39;s descriptors")
		require.Contains(t, ix, "{\n  &#34;value&#34;: [\n    12\n  ]\n}</pre>")
		require.Contains(t, ix, `<pre class="code" data-lang="json">{
  &#34;rectangle&#34;: {
    &#34;length&#34;: 3,`)
		require.Contains(t, ix, `<span class="mono field">$.rectangle.length</span>: number`)
	})

	t.Run("plugin configuration is not shown", func(t *testing.T) {
		require.NotContains(t, html, "CqIFCgpzaG9wLnByb3Rv", "descriptors")
		require.NotContains(t, html, "package shop", "proto source")
		require.NotContains(t, html, "0123abcd")
	})
}

func TestContractRoutes(t *testing.T) {
	s := mustWorld(t)
	srv := mustServe(t, s, web.Options{})
	latest := mustPage(t, srv.URL+"/pacts/provider/Orders/consumer/Web/latest")
	require.Contains(t, latest, `<dd class="mono">1.1.0</dd>`)
	require.Contains(t, latest, "get order 42")

	tagged := mustPage(t, srv.URL+"/pacts/provider/Orders/consumer/Web/latest/prod")
	require.Contains(t, tagged, `<dd class="mono">1.0.0</dd>`)
	branch := mustPage(t, srv.URL+"/pacts/provider/Orders/consumer/Web/branch/feat%2Fsearch/latest")
	require.Contains(t, branch, `<dd class="mono">1.1.0</dd>`)
	status, _ := mustGet(t, srv.URL+"/pacts/provider/Orders/consumer/Web/latest/nope")
	require.Equal(t, http.StatusNotFound, status)

	v1 := mustPage(t, srv.URL+"/pacts/provider/Orders/consumer/Web/version/1.0.0")
	sha := between(t, v1, `<dd class="mono" title="`, `"`)
	bySHA := mustPage(t, srv.URL+"/pacts/provider/Orders/consumer/Web/pact-version/"+sha)
	require.Contains(t, bySHA, "calculate a rectangle area")

	// A V2 pact: "$.body" rule keys are shown relative to the body.
	mobile := mustPage(t, srv.URL+"/pacts/provider/Orders/consumer/Mobile/version/2.0.0")
	ix := section(t, mobile, "list orders")
	require.Contains(t, ix, `<span class="given">Given</span> orders exist`)
	require.Contains(t, ix, `<th class="mono">page</th><td class="mono">1</td>`)
	require.Contains(t, ix, `<span class="mono field">$</span>: an array of at least 1 item, each item like the example`)
	require.Contains(t, ix, `<span class="mono field">$[*].id</span>: same type as the example`)
	require.Contains(t, mobile, "<dd>2.0</dd>")
	require.Contains(t, mobile, "badge-unverified")

	// A text body is shown as is.
	billing := mustPage(t, srv.URL+"/pacts/provider/Billing/consumer/Web/version/1.0.0")
	require.Contains(t, section(t, billing, "get an invoice"), `<pre class="code">invoice 7</pre>`)
}

func between(tb testing.TB, s, start, end string) string {
	tb.Helper()
	_, rest, ok := strings.Cut(s, start)
	require.True(tb, ok, "no %q", start)
	v, _, ok := strings.Cut(rest, end)
	require.True(tb, ok)
	return v
}

func TestContractWithUnreadableDescriptors(t *testing.T) {
	s := mustStore(t)
	content := []byte(`{"consumer": {"name": "App"}, "provider": {"name": "Calc"},
		"interactions": [{"type": "Synchronous/Messages", "description": "add", "transport": "grpc",
			"pluginConfiguration": {"protobuf": {"descriptorKey": "k1", "service": "Calc/Add"}},
			"request": {"contents": {"content": "CAE=", "contentType": "application/protobuf; message=AddRequest", "encoded": "base64"}},
			"response": [{"contents": {"content": "CAI=", "contentType": "application/protobuf; message=AddResponse", "encoded": "base64"}}]}],
		"metadata": {"pactSpecification": {"version": "4.0"},
			"plugins": [{"name": "protobuf", "version": "0.3.0", "configuration": {"k1": {"protoDescriptors": "not base64!"}}}]}}`)
	mustPublish(t, s, "App", "1", "", nil, map[string][]byte{"Calc": content})
	html := mustPage(t, mustServe(t, s, web.Options{}).URL+"/pacts/provider/Calc/consumer/App/version/1")
	ix := section(t, html, "add")
	require.Contains(t, ix, `service <span class="mono strong">Calc</span>, method <span class="mono strong">Add</span>`)
	require.Contains(t, ix, "2 bytes of application/protobuf; message=AddRequest (the pact&#39;s protobuf descriptors are unreadable: ")
}

func TestRuleNotes(t *testing.T) {
	s := mustStore(t)
	mustPublish(t, s, "Catalogue", "1", "", nil, map[string][]byte{"Orders": mustReadPact(t, "rules-catalogue.json")})
	html := mustPage(t, mustServe(t, s, web.Options{}).URL+"/pacts/provider/Orders/consumer/Catalogue/version/1")
	ix := section(t, html, "every kind of matching rule")
	require.Contains(t, ix, "<li>status one of 200, 201</li>")
	for _, tc := range []struct{ field, text string }{
		{"$.include", "includes &#34;needle&#34;"},
		{"$.flag", "boolean"},
		{"$.nothing", "null"},
		{"$.number", "number"},
		{"$.at", "date-time in format yyyy-MM-dd HH:mm"},
		{"$.clock", "time in format HH:mm"},
		{"$.day", "date (ISO 8601)"},
		{"$.blob", "content of type image/png"},
		{"$.keys", "each key matches regex ^[a-z]&#43;$"},
		{"$.values", "each value same type as the example"},
		{"$.contains", "an array containing items like each of 2 variants"},
		{"$.one", "an array containing an item like variant 1"},
		{"$.filled", "not empty, same type as the example"},
		{"$.version", "a semantic version"},
		{"$.few", "an array of at most 3 items, each item like the example"},
		{"$.some", "an array of 2 to 4 items, each item like the example"},
		{"$.either", "integer or null"},
		{"$.both", "an array of at least 1 item, each item like the example and not empty, same type as the example"},
		{"$.uuid", "generated: random UUID"},
		{"$.hex", "generated: random hexadecimal of 8 digits"},
		{"$.str", "generated: random string of 12 characters"},
		{"$.dec", "generated: random decimal of 4 digits"},
		{"$.bool", "generated: random boolean"},
		{"$.re", "generated: string matching regex [A-Z]{3}"},
		{"$.when", "generated: date-time in format yyyy-MM-dd&#39;T&#39;HH:mm, &#43; 1 day"},
		{"$.fromState", "generated: from provider state expression ${orderId}"},
	} {
		require.Contains(t, ix, `<span class="mono field">`+tc.field+`</span>: `+tc.text+"</li>", tc.field)
	}
}

func TestV3MessagePact(t *testing.T) {
	s := mustStore(t)
	content := []byte(`{"consumer": {"name": "Mailer"}, "provider": {"name": "Orders"},
		"messages": [{"description": "an order placed event",
			"providerStates": [{"name": "an order", "params": {"id": 7}}],
			"contents": {"orderId": 7, "lines": [{"sku": "A"}]},
			"metaData": {"contentType": "application/json", "queue": "orders"},
			"matchingRules": {"body": {"$.orderId": {"matchers": [{"match": "integer"}]}, "$.lines": {"matchers": [{"match": "type", "min": 1}]}}}}],
		"metadata": {"pactSpecification": {"version": "3.0.0"}}}`)
	mustPublish(t, s, "Mailer", "3", "", nil, map[string][]byte{"Orders": content})
	html := mustPage(t, mustServe(t, s, web.Options{}).URL+"/pacts/provider/Orders/consumer/Mailer/version/3")
	require.Contains(t, html, "<dd>3.0</dd>")
	ix := section(t, html, "an order placed event")
	require.Contains(t, ix, `<span class="kind kind-message">Message</span>`)
	require.Contains(t, ix, `<span class="given">Given</span> an order <span class="params">(<span class="mono">id</span>: <span class="mono">7</span>)</span>`)
	require.Contains(t, ix, "&#34;orderId&#34;: 7")
	require.Contains(t, ix, `<th class="mono">queue</th><td class="mono">orders</td>`)
	require.Contains(t, ix, `<span class="mono field">$.orderId</span>: integer`)
	require.Contains(t, ix, `<span class="mono field">$.lines</span>: an array of at least 1 item, each item like the example`)
}
