package pact_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
)

// Pact files as other Pact implementations write them (issue 15); the
// fixtures are under testdata/pact/interop, named by the letter.

func TestInteropV4JSONStringBody(t *testing.T) { // A
	t.Parallel()
	in := mustFixture(t, "interop/A-v4-json-string-body.json").Interactions[0]
	for _, b := range []pact.Body{in.Request.Body, in.Response.Body} {
		require.Equal(t, pact.BodyPresent, b.State)
		require.Equal(t, `"Fulfilling"`, string(b.Content), "a non-encoded JSON content that is a string is the JSON string")
		v, err := b.JSON()
		require.NoError(t, err)
		require.Equal(t, "Fulfilling", v)
	}

	// Our own V4 writer writes such a body the same way, and reads it back.
	p := mustFixture(t, "interop/A-v4-json-string-body.json")
	p.Interactions[0].Response.Body.Raw = nil
	q := mustParse(t, mustWrite(t, p, pact.V4))
	require.Equal(t, `"Fulfilling"`, string(q.Interactions[0].Response.Body.Content))

	// JSON text of an object, array or string held in a string stays that JSON.
	for content, want := range map[string]string{`{\"a\":1}`: `{"a":1}`, `\"quoted\"`: `"quoted"`, `123`: `"123"`, `true`: `"true"`} {
		p := mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"metadata":{"pactSpecification":{"version":"4.0"}},
			"interactions":[{"type":"Synchronous/HTTP","description":"d","request":{"method":"GET","path":"/"},
			"response":{"status":200,"body":{"content":"`+content+`","contentType":"application/json","encoded":false}}}]}`)
		require.Equal(t, want, string(p.Interactions[0].Response.Body.Content), content)
		// And each writes back to the same body.
		p.Interactions[0].Response.Body.Raw = nil
		q := mustParse(t, mustWrite(t, p, pact.V4))
		require.Equal(t, want, string(q.Interactions[0].Response.Body.Content), content)
	}
}

func TestInteropV3MultipartBase64(t *testing.T) { // B
	t.Parallel()
	b := mustFixture(t, "interop/B-v3-multipart-base64.json").Interactions[0].Request.Body
	require.Equal(t, pact.BodyPresent, b.State)
	require.Contains(t, string(b.Content), "--XyZ\r\nContent-Disposition: form-data; name=\"note\"", "pact-jvm's base64 multipart body is decoded though it is UTF-8")
	require.Equal(t, "multipart/form-data; boundary=XyZ", b.ContentType)
}

func TestInteropSpecVersions(t *testing.T) { // I
	t.Parallel()
	p := mustFixture(t, "interop/I-pact-specification-hyphen.json")
	require.Equal(t, pact.V2, p.Spec)
	require.Equal(t, pact.MatchingRules{"body": {"$.greeting": {Matchers: []pact.Matcher{{Type: "type"}}}}}, p.Interactions[0].Response.Rules)

	p = mustFixture(t, "interop/I-version-null.json")
	require.Equal(t, pact.SpecUnknown, p.Spec, "a null version is no version: the default")
	require.Equal(t, pact.V2, p.Layout)

	p = mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[],"metadata":{"pactSpecification":{"version":null},"pact-specification":{"version":"2.0.0"}}}`)
	require.Equal(t, pact.V2, p.Spec, "a null version gives way to another key's")

	p = mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[],"metadata":{"pact-specification":"3.0.0"}}`)
	require.Equal(t, pact.V3, p.Spec, "a bare version string")

	_, err := pact.Parse([]byte(`{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[],"metadata":{"pactSpecification":{"version":true}}}`))
	require.ErrorContains(t, err, "$.metadata.pactSpecification.version: expected a version string, got boolean true")
}

func TestInteropStatusZero(t *testing.T) { // J
	t.Parallel()
	r := mustFixture(t, "interop/J-status-zero.json").Interactions[0].Response
	require.Equal(t, 0, r.Status, "status 0 is unset: the statusCode matcher and the generator decide")
	require.Equal(t, "statusCode", r.Rules["status"][""].Matchers[0].Type)
	require.Equal(t, "RandomInt", r.Gen["status"][""].Type)

	_, err := pact.Parse([]byte(`{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d","request":{},"response":{"status":0}}]}`))
	require.ErrorContains(t, err, "$.interactions[0].response.status: expected an HTTP status code (100-999), got 0", "0 without a status matcher or generator is refused")
}

func TestInteropV4QueryNull(t *testing.T) { // K
	t.Parallel()
	q := mustFixture(t, "interop/K-v4-query-null.json").Interactions[0].Request.Query
	require.Equal(t, pact.Query{"q": {"pact"}}, q, "a [null] parameter is dropped")

	p := mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d","request":{"query":{"a":["1",null,"2"]}},"response":{}}]}`)
	require.Equal(t, pact.Query{"a": {"1", "2"}}, p.Interactions[0].Request.Query)
}

func TestInteropProviderStatesString(t *testing.T) { // L
	t.Parallel()
	in := mustFixture(t, "interop/L-provider-states-string.json").Interactions[0]
	require.Equal(t, []pact.ProviderState{{Name: "There is a greeting"}}, in.ProviderStates)
}

func TestInteropRubyTerms(t *testing.T) { // M
	t.Parallel()
	in := mustFixture(t, "interop/M-ruby-term-headers.json").Interactions[0]
	require.Equal(t, "application/json", in.Request.Headers.Get("Accept"), "the term's generate value is the example")
	require.Equal(t, pact.RuleList{Matchers: []pact.Matcher{{Type: "regex", Attrs: map[string]any{"regex": `(?s:.*)(?:^application\/(hal\+)?json$)(?s:.*)`}}}}, in.Request.Rules["header"]["Accept"])
	require.Equal(t, "application/json; charset=utf-8", in.Response.Headers.Get("Content-Type"))
	require.Equal(t, `(?s:.*)(?:^application\/json)(?s:.*)`, in.Response.Rules["header"]["Content-Type"].Matchers[0].Attrs["regex"])
	require.True(t, in.Response.Body.IsJSON())
	// Ruby matched terms anywhere in the value: the rule says so in Pact's
	// whole-value regex terms.
	require.Regexp(t, "^(?:"+in.Response.Rules["header"]["Content-Type"].Matchers[0].Attrs["regex"].(string)+")$", "application/json; charset=utf-8")

	_, err := pact.Parse([]byte(`{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d","request":{"headers":{"A":{"json_class":"Pact::SomethingLike","contents":"x"}}},"response":{}}]}`))
	require.ErrorContains(t, err, "$.interactions[0].request.headers.A: expected a string, an array of strings or a Ruby Pact::Term, got object")
	_, err = pact.Parse([]byte(`{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d","request":{"headers":{"A":{"json_class":"Pact::Term","data":{"generate":"x","matcher":{"s":"("}}}}},"response":{}}]}`))
	require.ErrorContains(t, err, "$.interactions[0].request.headers.A.data.matcher.s: invalid regex")
}

func TestInteropRubyMatchersInPathAndBody(t *testing.T) { // M, beyond headers
	t.Parallel()
	in := mustFixture(t, "interop/M-ruby-matchers-path-body.json").Interactions[0]
	require.Equal(t, "/orders/17", in.Request.Path)
	require.Equal(t, `(?s:.*)(?:^\/orders\/\d+$)(?s:.*)`, in.Request.Rules["path"][""].Matchers[0].Attrs["regex"])
	require.JSONEq(t, `{"id":17,"state":"open","lines":[{"sku":"A-1"},{"sku":"A-1"}]}`, string(in.Response.Body.Content))
	require.Equal(t, map[string]pact.RuleList{
		"$.id":           {Matchers: []pact.Matcher{{Type: "type"}}},
		"$.state":        {Matchers: []pact.Matcher{{Type: "regex", Attrs: map[string]any{"regex": `(?s:.*)(?:open|closed)(?s:.*)`}}}},
		"$.lines":        {Matchers: []pact.Matcher{{Type: "type", Attrs: map[string]any{"min": json.Number("2")}}}},
		"$.lines[*].sku": {Matchers: []pact.Matcher{{Type: "regex", Attrs: map[string]any{"regex": `(?s:.*)(?:^[A-Z]-\d+$)(?s:.*)`}}}},
	}, in.Response.Rules["body"])

	// Other json_class objects are data.
	p := mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d","request":{},"response":{"body":{"a":{"json_class":"Pact::Other","x":1}}}}]}`)
	require.JSONEq(t, `{"a":{"json_class":"Pact::Other","x":1}}`, string(p.Interactions[0].Response.Body.Content))
	require.Empty(t, p.Interactions[0].Response.Rules)
}

func TestInteropV4BodyWithoutContent(t *testing.T) { // N
	t.Parallel()
	b := mustFixture(t, "interop/N-v4-body-without-content.json").Interactions[0].Response.Body
	require.Equal(t, pact.BodyPresent, b.State, "the early V4 layout's body is the object itself")
	require.JSONEq(t, `{"name":"Mary","age":42}`, string(b.Content))
	require.Equal(t, "application/json", b.ContentType)

	_, err := pact.Parse([]byte(`{"consumer":{"name":"c"},"provider":{"name":"p"},"metadata":{"pactSpecification":{"version":"4.0"}},
		"interactions":[{"type":"Synchronous/HTTP","description":"d","request":{"method":"GET","path":"/"},"response":{"body":{"contentType":"text/plain","encoded":false}}}]}`))
	require.ErrorContains(t, err, `$.interactions[0].response.body: expected a "content" member beside contentType, encoded`, "a body is never dropped silently")
}

func TestInteropUntypedJSONStringBody(t *testing.T) { // O
	t.Parallel()
	b := mustFixture(t, "interop/O-untyped-json-string-body.json").Interactions[0].Response.Body
	require.Equal(t, `"This is a string"`, string(b.Content))
	require.Equal(t, pact.ContentTypeJSON, b.ContentType)
	require.Equal(t, pact.ContentTypeJSON, pact.DetectContentType([]byte(`"text"`)))

	// Written again (not from the original text), it reads back the same,
	// in every layout.
	for _, spec := range []pact.Spec{pact.V2, pact.V3, pact.V4} {
		p := mustFixture(t, "interop/O-untyped-json-string-body.json")
		p.Interactions[0].Response.Body.Raw = nil
		q := mustParse(t, mustWrite(t, p, spec))
		require.Equal(t, `"This is a string"`, string(q.Interactions[0].Response.Body.Content), spec.String())
		require.True(t, q.Interactions[0].Response.Body.IsJSON(), spec.String())
	}
	// And a JSON string body with a declared JSON type stays one.
	p := mustFixture(t, "interop/A-v4-json-string-body.json")
	q := mustParse(t, mustWrite(t, p, pact.V4))
	for _, spec := range []pact.Spec{pact.V2, pact.V3} {
		out, err := pact.Write(q, spec)
		require.NoError(t, err)
		r := mustParse(t, string(out))
		require.Equal(t, `"Fulfilling"`, string(r.Interactions[0].Request.Body.Content), spec.String())
	}
	require.Equal(t, pact.ContentTypeText, pact.DetectContentType([]byte(`"unterminated`)))
}
