package pact_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
)

func mustFixture(tb testing.TB, rel string) *pact.Pact {
	tb.Helper()
	p, _ := mustParseFile(tb, filepath.Join(repoRoot(tb), "testdata", "pact", rel))
	return p
}

func mustParse(tb testing.TB, s string) *pact.Pact {
	tb.Helper()
	p, err := pact.Parse([]byte(s))
	require.NoError(tb, err)
	return p
}

func mustWrite(tb testing.TB, p *pact.Pact, spec pact.Spec) string {
	tb.Helper()
	out, err := pact.Write(p, spec)
	require.NoError(tb, err)
	return string(out)
}

func TestParseV1(t *testing.T) {
	t.Parallel()
	p := mustFixture(t, "v1/provider_state_underscore.json")
	require.Equal(t, pact.V1, p.Spec)
	require.Equal(t, pact.V2, p.Layout)
	require.Equal(t, "Consumer V1", p.Consumer.Name)
	require.Equal(t, "Provider V1", p.Provider.Name)
	in := p.Interactions[0]
	require.Equal(t, pact.HTTP, in.Type)
	require.Equal(t, []pact.ProviderState{{Name: "there is an alligator named Mary"}}, in.ProviderStates)
	require.Equal(t, "get", in.Request.Method)
	require.Equal(t, pact.Query{"name": {"Mary Jane"}, "age": {"3"}, "tag": {"a&b", "c"}}, in.Request.Query)
	require.Equal(t, []string{"application/json, text/plain"}, in.Request.Headers.Values("accept"), "commas stay one value")
	require.Equal(t, pact.BodyMissing, in.Request.Body.State)
	body := in.Response.Body
	require.Equal(t, pact.BodyPresent, body.State)
	require.Equal(t, "application/json;charset=utf-8", body.ContentType)
	require.True(t, body.IsJSON())
	v, err := body.JSON()
	require.NoError(t, err)
	require.Equal(t, json.Number("12345678901234567890123"), v.(map[string]any)["big"], "numbers are kept exactly")
	require.Equal(t, json.Number("1.50"), v.(map[string]any)["ratio"])

	text := p.Interactions[1].Request.Body
	require.Equal(t, "hello, world", string(text.Content))
	require.Equal(t, "text/plain", text.ContentType)
	require.False(t, text.IsJSON())
}

func TestParseV1JSONString(t *testing.T) {
	t.Parallel()
	p := mustFixture(t, "v1/provider_state_camel.json")
	require.Equal(t, pact.V1_1, p.Spec)
	b := p.Interactions[0].Request.Body
	require.Equal(t, `{"id": 1}`, string(b.Content), "a JSON body given as a string is the JSON text")
	require.Equal(t, pact.BodyNull, p.Interactions[0].Response.Body.State)
	require.Equal(t, pact.BodyEmpty, p.Interactions[1].Response.Body.State)
}

func TestParseV2RulesToCategories(t *testing.T) {
	t.Parallel()
	p := mustFixture(t, "v2/matching_rules.json")
	require.Equal(t, pact.V2, p.Spec)
	rq := p.Interactions[0].Request
	require.Equal(t, pact.Query{"from": {"2020-01-01T00:00:00Z"}, "status": {"open", "closed"}}, rq.Query)
	require.Equal(t, pact.MatchingRules{
		"path":   {"": {Matchers: []pact.Matcher{{Type: "regex", Attrs: map[string]any{"regex": `/orders/\d+`}}}}},
		"query":  {"from": {Matchers: []pact.Matcher{{Type: "regex", Attrs: map[string]any{"regex": `\d{4}-\d{2}-\d{2}T.*`}}}}},
		"header": {"X-Request-Id": {Matchers: []pact.Matcher{{Type: "regex", Attrs: map[string]any{"regex": `[a-z]+-\d+`}}}}, "Accept": {Matchers: []pact.Matcher{{Type: "type"}}}},
	}, rq.Rules)
	rs := p.Interactions[0].Response
	require.Equal(t, pact.MatchingRules{
		"body": {
			"$.orders":                 {Matchers: []pact.Matcher{{Type: "type", Attrs: map[string]any{"min": json.Number("1")}}}},
			"$.orders[*].id":           {Matchers: []pact.Matcher{{Type: "type"}}},
			"$.orders[*].items":        {Matchers: []pact.Matcher{{Type: "type", Attrs: map[string]any{"max": json.Number("10")}}}},
			"$._links['pb:next'].href": {Matchers: []pact.Matcher{{Type: "regex", Attrs: map[string]any{"regex": `.*\?page=\d+$`}}}},
		},
		"header": {"Content-Type": {Matchers: []pact.Matcher{{Type: "regex", Attrs: map[string]any{"regex": "application/.*json"}}}}},
	}, rs.Rules)
	require.Equal(t, "application/xml", p.Interactions[1].Response.Body.ContentType)
	require.Equal(t, "name=Joe&age=42", string(p.Interactions[1].Request.Body.Content))
}

func TestParseV3(t *testing.T) {
	t.Parallel()
	p := mustFixture(t, "v3/http.json")
	in := p.Interactions[0]
	require.Equal(t, []pact.ProviderState{
		{Name: "no users"},
		{Name: "a role exists", Params: map[string]any{"roleId": json.Number("42"), "roleName": "admin", "ratio": json.Number("0.25"), "tags": []any{"a", "b"}}},
	}, in.ProviderStates)
	require.Equal(t, pact.Query{"dry-run": {"false"}, "tag": {"x", "y"}, "single": {"z"}}, in.Request.Query)
	require.Equal(t, "OR", in.Request.Rules["header"]["Accept"].Combine)
	require.Len(t, in.Request.Rules["header"]["Accept"].Matchers, 2)
	require.Equal(t, pact.Generator{Type: "ProviderState", Attrs: map[string]any{"expression": "/users/${roleId}", "dataType": "STRING"}}, in.Request.Gen["path"][""])
	require.Equal(t, pact.Generator{Type: "RandomInt", Attrs: map[string]any{"min": json.Number("200"), "max": json.Number("299")}}, in.Response.Gen["status"][""])
	require.Equal(t, []string{"a=1", "b=2"}, in.Response.Headers.Values("set-cookie"))
	require.Equal(t, "application/json; charset=UTF-8", in.Response.Headers.Get("content-type"))

	m := mustFixture(t, "v3/messages.json")
	require.True(t, m.Messages)
	require.Len(t, m.Interactions, 3)
	msg := m.Interactions[0]
	require.Equal(t, pact.AsyncMessage, msg.Type)
	require.Equal(t, "an order created event", msg.Description)
	require.Equal(t, map[string]any{"contentType": "application/json", "kafka_topic": "orders", "partition": json.Number("3")}, msg.Message.Metadata)
	require.True(t, msg.Message.Contents.IsJSON())
	require.Contains(t, msg.Message.Rules, "metadata")
	require.Equal(t, "text/plain", m.Interactions[1].Message.Contents.ContentType)
	require.Equal(t, "order shipped", string(m.Interactions[1].Message.Contents.Content))
	require.Equal(t, "application/xml", m.Interactions[2].Message.Contents.ContentType)
	require.Equal(t, []pact.ProviderState{{Name: "legacy state"}}, m.Interactions[2].ProviderStates)
}

func TestParseV4(t *testing.T) {
	t.Parallel()
	p := mustFixture(t, "v4/mixed.json")
	require.Equal(t, pact.V4, p.Spec)
	require.Len(t, p.Interactions, 5)

	up := p.Interactions[0]
	require.Equal(t, pact.HTTP, up.Type)
	require.Equal(t, "a1b2c3", up.Key)
	require.True(t, up.Pending)
	require.Equal(t, "http", up.Transport)
	require.JSONEq(t, `{"text": ["uploads must be small"], "testname": "UploadTest.upload"}`, string(up.Comments))
	img := up.Request.Body
	require.Equal(t, "image/png", img.ContentType)
	require.Equal(t, "base64", img.Encoded)
	require.Equal(t, "BINARY", img.ContentTypeHint)
	require.Equal(t, []byte("\x89PNG\r\n\x1a\n"), img.Content[:8])
	require.Equal(t, []string{"a", "b"}, up.Request.Headers.Values("X-Trace"))
	require.Equal(t, "stored", string(up.Response.Body.Content))
	require.Equal(t, "statusCode", up.Response.Rules["status"][""].Matchers[0].Type)
	require.Equal(t, "MockServerURL", up.Response.Gen["header"]["Location"].Type)

	async := p.Interactions[2]
	require.Equal(t, pact.AsyncMessage, async.Type)
	require.JSONEq(t, `{"userId": "u-1", "at": "2024-01-01"}`, string(async.Message.Contents.Content))
	require.Equal(t, "users", async.Message.Metadata["topic"])

	sync := p.Interactions[3]
	require.Equal(t, pact.SyncMessage, sync.Type)
	require.JSONEq(t, `{"ping": 1}`, string(sync.MessageRequest.Contents.Content))
	require.Len(t, sync.MessageResponses, 2)
	require.Equal(t, "not json", string(sync.MessageResponses[1].Contents.Content))

	grpc := p.Interactions[4]
	require.Equal(t, "grpc", grpc.Transport)
	require.JSONEq(t, `{"descriptorKey": "0123abcd", "service": "Svc/Call"}`, string(grpc.PluginConfiguration["protobuf"]))
	require.NotEmpty(t, grpc.InteractionMarkup)
	require.Equal(t, pact.BodyEmpty, grpc.MessageResponses[0].Contents.State)
}

func TestWriteUsesChangedValues(t *testing.T) {
	t.Parallel()
	p := mustFixture(t, "v2/matching_rules.json")
	c := p.Clone()
	in := c.Interactions[0]
	in.Request.Query["status"] = []string{"open"}
	in.Request.Headers.Set("x-request-id", "zzz-1")
	require.NoError(t, in.Response.Body.SetJSON(map[string]any{"orders": []any{}}))
	in.Response.Rules["body"]["$.orders"] = pact.RuleList{Matchers: []pact.Matcher{{Type: "type", Attrs: map[string]any{"min": 0}}}}
	in.ProviderStates[0].Name = "no orders"

	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(mustWrite(t, c, pact.V2)), &got))
	gi := got["interactions"].([]any)[0].(map[string]any)
	require.Equal(t, "no orders", gi["providerState"])
	rq := gi["request"].(map[string]any)
	require.Equal(t, "from=2020-01-01T00%3A00%3A00Z&status=open", rq["query"])
	require.Equal(t, map[string]any{"Accept": "application/hal+json", "x-request-id": "zzz-1"}, rq["headers"])
	rs := gi["response"].(map[string]any)
	require.Equal(t, map[string]any{"orders": []any{}}, rs["body"])
	require.Equal(t, map[string]any{"match": "type", "min": float64(0)}, rs["matchingRules"].(map[string]any)["$.body.orders"])

	// The original is untouched by changes to the clone.
	require.Equal(t, []string{"open", "closed"}, p.Interactions[0].Request.Query["status"])
	require.Equal(t, "orders exist", p.Interactions[0].ProviderStates[0].Name)
	require.Equal(t, json.Number("1"), p.Interactions[0].Response.Rules["body"]["$.orders"].Matchers[0].Attrs["min"])
}

func TestWriteConvertsV2ToV3AndV4(t *testing.T) {
	t.Parallel()
	p := mustFixture(t, "v2/matching_rules.json")
	v3 := mustWrite(t, p, pact.V3)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(v3), &doc))
	require.Equal(t, map[string]any{"version": "3.0.0"}, doc["metadata"].(map[string]any)["pactSpecification"])
	in := doc["interactions"].([]any)[0].(map[string]any)
	require.Equal(t, []any{map[string]any{"name": "orders exist"}}, in["providerStates"])
	rq := in["request"].(map[string]any)
	require.Equal(t, map[string]any{"from": []any{"2020-01-01T00:00:00Z"}, "status": []any{"open", "closed"}}, rq["query"])
	rules := rq["matchingRules"].(map[string]any)
	require.Equal(t, map[string]any{"combine": "AND", "matchers": []any{map[string]any{"match": "regex", "regex": `/orders/\d+`}}}, rules["path"])
	require.Contains(t, rules["header"], "X-Request-Id")
	body := in["response"].(map[string]any)["matchingRules"].(map[string]any)["body"].(map[string]any)
	require.Contains(t, body, "$._links['pb:next'].href")

	v4 := mustWrite(t, p, pact.V4)
	require.NoError(t, json.Unmarshal([]byte(v4), &doc))
	in = doc["interactions"].([]any)[0].(map[string]any)
	require.Equal(t, "Synchronous/HTTP", in["type"])
	require.Equal(t, false, in["pending"])
	rq = in["request"].(map[string]any)
	require.Equal(t, map[string]any{"X-Request-Id": []any{"abc-123"}, "Accept": []any{"application/hal+json"}}, rq["headers"])
	rsb := in["response"].(map[string]any)["body"].(map[string]any)
	require.Equal(t, "application/hal+json", rsb["contentType"])
	require.Equal(t, false, rsb["encoded"])
	require.Contains(t, rsb["content"], "orders")
	form := doc["interactions"].([]any)[1].(map[string]any)["request"].(map[string]any)["body"].(map[string]any)
	require.Equal(t, "name=Joe&age=42", form["content"])

	// V3 message pact to V4: messages become asynchronous interactions.
	m := mustFixture(t, "v3/messages.json")
	require.NoError(t, json.Unmarshal([]byte(mustWrite(t, m, pact.V4)), &doc))
	require.NotContains(t, doc, "messages")
	msg := doc["interactions"].([]any)[0].(map[string]any)
	require.Equal(t, "Asynchronous/Messages", msg["type"])
	require.Contains(t, msg, "metadata", "metaData is written with the V4 spelling")
	require.Equal(t, map[string]any{"orderId": float64(10), "lines": []any{map[string]any{"sku": "X", "qty": float64(2)}}}, msg["contents"].(map[string]any)["content"])
}

func TestWriteRefusesWhatAVersionCannotHold(t *testing.T) {
	t.Parallel()
	p := mustFixture(t, "v4/mixed.json")
	_, err := pact.Write(p, pact.V3)
	require.ErrorContains(t, err, "V3")
	_, err = pact.Write(p, pact.V2)
	require.Error(t, err)
	m := mustFixture(t, "v3/messages.json")
	_, err = pact.Write(m, pact.V2)
	require.Error(t, err)
	_, err = pact.Write(m, pact.Spec(42))
	require.Error(t, err)
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	h := pact.Headers{"Content-Type": {"a"}, "content-type": {"b"}, "X": {"1", "2"}}
	require.Equal(t, "a", h.Get("CONTENT-TYPE"))
	require.Equal(t, []string{"a", "b"}, h.Values("content-Type"))
	require.Equal(t, []string{"1", "2"}, h.Values("x"))
	require.Empty(t, h.Get("missing"))
	h.Set("CONTENT-TYPE", "c")
	require.Equal(t, pact.Headers{"CONTENT-TYPE": {"c"}, "X": {"1", "2"}}, h)
	h.Del("x")
	require.Equal(t, pact.Headers{"CONTENT-TYPE": {"c"}}, h)
}

func TestDetectContentType(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"a":1}`, "application/json"},
		{` [1,2] `, "application/json"},
		{`{"a":`, "text/plain"},
		{`<?xml version="1.0"?><a/>`, "application/xml"},
		{`<a><b>x</b></a>`, "application/xml"},
		{`<!DOCTYPE html><html></html>`, "text/html"},
		{`hello`, "text/plain"},
		{"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"},
		{"\x00\x01\x02\xff", "application/octet-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, pact.DetectContentType([]byte(tt.in)))
		})
	}
	require.True(t, pact.IsJSONType("application/vnd.api+json; charset=utf-8"))
	require.True(t, pact.IsJSONType("Application/JSON"))
	require.False(t, pact.IsJSONType("text/plain"))
	require.True(t, pact.IsXMLType("application/atom+xml"))
}

func TestBodyJSON(t *testing.T) {
	t.Parallel()
	b := pact.NewBody([]byte(`{"n": 1.10}`), "")
	require.True(t, b.IsJSON())
	v, err := b.JSON()
	require.NoError(t, err)
	require.Equal(t, map[string]any{"n": json.Number("1.10")}, v)
	_, err = pact.NewBody([]byte(`{} x`), "application/json").JSON()
	require.Error(t, err)
	v, err = pact.Body{State: pact.BodyMissing}.JSON()
	require.NoError(t, err)
	require.Nil(t, v)
}

func TestUndeclaredVersionInferred(t *testing.T) {
	t.Parallel()
	v4 := mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"type":"Synchronous/HTTP","description":"d","request":{"method":"GET","path":"/"},"response":{"status":200,"body":{"content":"hi","contentType":"text/plain"}}}]}`)
	require.Equal(t, pact.SpecUnknown, v4.Spec)
	require.Equal(t, pact.V4, v4.Layout)
	require.Equal(t, "hi", string(v4.Interactions[0].Response.Body.Content))
	v3 := mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d","providerStates":[{"name":"s"}],"request":{"method":"GET","path":"/"},"response":{"status":200}}]}`)
	require.Equal(t, pact.V3, v3.Layout)
}

func TestWriteBuiltPact(t *testing.T) {
	t.Parallel()
	p := &pact.Pact{
		Consumer: pact.Pacticipant{Name: "web"},
		Provider: pact.Pacticipant{Name: "api"},
		Interactions: []*pact.Interaction{{
			Type:           pact.HTTP,
			Description:    "get a thing",
			ProviderStates: []pact.ProviderState{{Name: "a thing", Params: map[string]any{"id": 5}}},
			Request: &pact.Request{
				Method: "GET", Path: "/things/5",
				Query:   pact.Query{"q": {"a b"}},
				Headers: pact.Headers{"Accept": {"application/json"}},
			},
			Response: &pact.Response{
				Status:  200,
				Headers: pact.Headers{"Content-Type": {"application/json"}},
				Body:    pact.NewBody([]byte(`{"id":5}`), "application/json"),
				Rules:   pact.MatchingRules{"body": {"$.id": {Matchers: []pact.Matcher{{Type: "integer"}}}}},
				Gen:     pact.Generators{"body": {"$.id": {Type: "RandomInt", Attrs: map[string]any{"min": 1}}}},
			},
		}},
	}
	for _, spec := range []pact.Spec{pact.V2, pact.V3, pact.V4} {
		out := mustWrite(t, p, spec)
		q := mustParse(t, out)
		require.Equal(t, spec, q.Spec)
		in := q.Interactions[0]
		require.Equal(t, "a thing", in.ProviderStates[0].Name)
		require.Equal(t, pact.Query{"q": {"a b"}}, in.Request.Query)
		require.Equal(t, "application/json", in.Request.Headers.Get("accept"))
		require.JSONEq(t, `{"id":5}`, string(in.Response.Body.Content))
		require.Equal(t, "integer", in.Response.Rules["body"]["$.id"].Matchers[0].Type)
		if spec >= pact.V3 {
			require.Equal(t, map[string]any{"id": json.Number("5")}, in.ProviderStates[0].Params)
		}
		require.JSONEq(t, out, mustWrite(t, q, spec), "written again at %s", spec)
	}

	p.Interactions[0].Response.Status = 0
	q := mustParse(t, mustWrite(t, p, pact.V3))
	require.Equal(t, 200, q.Interactions[0].Response.Status, "an unset status reads as 200")
	p.Interactions[0].Response.Status = 42
	_, err := pact.Write(p, pact.V3)
	require.ErrorContains(t, err, "42")
}

func TestWriteAppendedInteractionKeepsDefaults(t *testing.T) {
	t.Parallel()
	p := mustFixture(t, "v3/http.json")
	p.Interactions = append(p.Interactions, &pact.Interaction{
		Type:        pact.HTTP,
		Description: "added in code",
		Request:     &pact.Request{Method: "GET", Path: "/"},
		Response:    &pact.Response{Status: 200},
	})
	var doc struct {
		Interactions []struct {
			Request  map[string]any `json:"request"`
			Response map[string]any `json:"response"`
		} `json:"interactions"`
	}
	require.NoError(t, json.Unmarshal([]byte(mustWrite(t, p, pact.V3)), &doc))
	added := doc.Interactions[2]
	require.Equal(t, map[string]any{"method": "GET", "path": "/"}, added.Request)
	require.Equal(t, map[string]any{"status": float64(200)}, added.Response)
}

func TestWriteKeepsAbsentDefaultsOfReadValues(t *testing.T) {
	t.Parallel()
	in := `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"type":"Synchronous/HTTP","description":"d","request":{},"response":{}}],"metadata":{"pactSpecification":{"version":"4.0"}}}`
	p := mustParse(t, in)
	require.Equal(t, "GET", p.Interactions[0].Request.Method)
	require.Equal(t, "/", p.Interactions[0].Request.Path)
	require.Equal(t, 200, p.Interactions[0].Response.Status)
	require.JSONEq(t, in, mustWrite(t, p, pact.V4))
}
