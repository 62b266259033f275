package match_test

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

// TestResponses mirrors the V1/V2 http_provider scenarios: the provider's
// response against the pact's expected response.
func TestResponses(t *testing.T) {
	t.Parallel()
	basic := fileBody(t, "basic.json", "application/json")
	resp := func(status int, h pact.Headers, b pact.Body, rules pact.MatchingRules) *pact.Response {
		return &pact.Response{Status: status, Headers: h, Body: b, Rules: rules}
	}
	xmlBody := suiteBody(t, "xml-body.xml")
	cases := []struct {
		name     string
		exp, act *pact.Response
		kinds    []match.Kind // nil: must match
	}{
		{name: "status", exp: resp(200, nil, basic, nil), act: resp(400, nil, basic, nil), kinds: []match.Kind{match.KindStatus}},
		{name: "headers", exp: resp(200, pact.Headers{"X-TEST": {"1"}}, pact.Body{}, nil),
			act: resp(200, pact.Headers{"X-TEST": {"Compatibility"}}, pact.Body{}, nil), kinds: []match.Kind{match.KindHeader}},
		{name: "extra response headers are fine", exp: resp(200, pact.Headers{"X-TEST": {"1"}}, pact.Body{}, nil),
			act: resp(200, pact.Headers{"x-test": {"1"}, "Date": {"Tue, 01 Jan 2030 10:00:00 GMT"}}, pact.Body{}, nil)},
		{name: "plain text", exp: resp(200, nil, suiteBody(t, "text-body.xml"), nil),
			act: resp(200, nil, textBody("Hello Compatibility Suite!", "text/plain"), nil), kinds: []match.Kind{match.KindBody}},
		{name: "JSON", exp: resp(200, nil, basic, nil), act: resp(200, nil, jsonBody(`{ "one": 100, "two": "b" }`), nil),
			kinds: []match.Kind{match.KindBody}},
		{name: "JSON allows unexpected keys", exp: resp(200, nil, basic, nil),
			act: resp(200, nil, jsonBody(`{ "one": "a", "two": "b", "three": 3 }`), nil)},
		{name: "XML", exp: resp(200, nil, xmlBody, nil),
			act:   resp(200, nil, textBody(`<?xml version="1.0" encoding="UTF-8" ?><values><one>A</one></values>`, "application/xml"), nil),
			kinds: []match.Kind{match.KindBody}},
		{name: "XML positive", exp: resp(200, nil, xmlBody, nil), act: resp(200, nil, xmlBody, nil)},
		{name: "binary", exp: resp(200, nil, fileBody(t, "rat.jpg", "image/jpeg"), nil),
			act: resp(200, nil, fileBody(t, "spider.jpg", "image/jpeg"), nil), kinds: []match.Kind{match.KindBody}},
		{name: "form", exp: resp(200, nil, suiteBody(t, "form-post-body.xml"), nil),
			act: resp(200, nil, textBody("a=1&b=2&c=33&d=4", "application/x-www-form-urlencoded"), nil), kinds: []match.Kind{match.KindBody}},
		{name: "multipart", exp: resp(200, nil, suiteBody(t, "multipart-body.xml"), nil),
			act: resp(200, nil, suiteBody(t, "multipart2-body.xml"), nil), kinds: []match.Kind{match.KindBody}},
		{name: "multipart positive", exp: resp(200, nil, suiteBody(t, "multipart-body.xml"), nil),
			act: resp(200, nil, suiteBody(t, "multipart-body.xml"), nil)},
		{name: "V2 header rule positive", exp: resp(200, pact.Headers{"X-TEST": {"1"}}, basic, mustRules(t, "regex-matcher-header-v2.json")),
			act: resp(200, pact.Headers{"X-TEST": {"1000"}}, basic, nil)},
		{name: "V2 header rule negative", exp: resp(200, pact.Headers{"X-TEST": {"1"}}, basic, mustRules(t, "regex-matcher-header-v2.json")),
			act: resp(200, pact.Headers{"X-TEST": {"123ABC"}}, basic, nil), kinds: []match.Kind{match.KindHeader}},
		{name: "V2 type rule positive", exp: resp(200, nil, basic, mustRules(t, "type-matcher-v2.json")),
			act: resp(200, nil, jsonBody(`{ "one": "100", "two": "b" }`), nil)},
		{name: "V2 type rule negative", exp: resp(200, nil, basic, mustRules(t, "type-matcher-v2.json")),
			act: resp(200, nil, jsonBody(`{ "one": 100, "two": "b" }`), nil), kinds: []match.Kind{match.KindBody}},
		{name: "missing expected body matches anything", exp: resp(200, nil, pact.Body{}, nil), act: resp(200, nil, basic, nil)},
		{name: "expected body but none", exp: resp(200, nil, basic, nil), act: resp(200, nil, pact.Body{}, nil),
			kinds: []match.Kind{match.KindBody}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			requireKinds(t, match.Response(tc.exp, tc.act), tc.kinds)
		})
	}
}

// TestMessages mirrors the V3 message_provider scenarios.
func TestMessages(t *testing.T) {
	t.Parallel()
	basic := fileBody(t, "basic.json", "application/json")
	msg := func(b pact.Body, md map[string]any, rules pact.MatchingRules) *pact.Message {
		return &pact.Message{Contents: b, Metadata: md, Rules: rules}
	}
	var tag, tag2 map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{ "ID": "sjhdjkshsdjh", "weight": 100.5 }`), &tag))
	require.NoError(t, json.Unmarshal([]byte(`{ "ID": "100", "weight": 100.5 }`), &tag2))
	var tag123 map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{ "ID": "123", "weight": 100.5 }`), &tag123))
	metaRules := mustRules(t, "regex-matcher-metadata.json")
	include := mustRules(t, "include-matcher-v3.json")
	cases := []struct {
		name     string
		exp, act *pact.Message
		kinds    []match.Kind
		wants    []want
	}{
		{name: "basic", exp: msg(basic, nil, nil), act: msg(basic, nil, nil)},
		{name: "wrong JSON", exp: msg(basic, nil, nil), act: msg(jsonBody(`{ "one": "a", "two": "c" }`), nil, nil),
			kinds: []match.Kind{match.KindBody}, wants: []want{{"$.two", "Expected 'c' (String) to be equal to 'b' (String)"}}},
		{name: "metadata differs", exp: msg(basic, map[string]any{"Origin": "Some Text", "TagData": tag2}, nil),
			act:   msg(basic, map[string]any{"Origin": "Some Text", "TagData": tag}, nil),
			kinds: []match.Kind{match.KindMetadata},
			wants: []want{{"TagData", `Expected metadata key 'TagData' to have value '{"ID":"100","weight":100.5}' but was '{"ID":"sjhdjkshsdjh","weight":100.5}' - Expected {"ID":"sjhdjkshsdjh","weight":100.5} to be equal to {"ID":"100","weight":100.5}`}}},
		{name: "message content type", exp: msg(basic, nil, nil), act: msg(textBody("<a/>", "application/xml"), nil, nil),
			kinds: []match.Kind{match.KindBodyType},
			wants: []want{{"$", "Expected message with content type application/json but was application/xml"}}},
		{name: "metadata same", exp: msg(basic, map[string]any{"Origin": "Some Text", "TagData": tag}, nil),
			act: msg(basic, map[string]any{"Origin": "Some Text", "TagData": tag}, nil)},
		{name: "metadata missing", exp: msg(basic, map[string]any{"Origin": "x"}, nil), act: msg(basic, nil, nil),
			kinds: []match.Kind{match.KindMetadata}, wants: []want{{"Origin", "Expected message metadata 'Origin' but was missing"}}},
		{name: "text positive", exp: msg(textBody("Hello World", "text/plain"), nil, nil), act: msg(textBody("Hello World", "text/plain"), nil, nil)},
		{name: "text negative", exp: msg(textBody("Hello Jupiter", "text/plain"), nil, nil), act: msg(textBody("Hello World", "text/plain"), nil, nil),
			kinds: []match.Kind{match.KindBody}},
		{name: "XML negative", exp: msg(suiteBody(t, "xml2-body.xml"), nil, nil), act: msg(suiteBody(t, "xml-body.xml"), nil, nil),
			kinds: []match.Kind{match.KindBody}, wants: []want{{"$.values.one['#text']", "Expected 'A' to be equal to 'C'"}}},
		{name: "binary negative", exp: msg(fileBody(t, "spider.jpg", "image/jpeg"), nil, nil), act: msg(fileBody(t, "rat.jpg", "image/jpeg"), nil, nil),
			kinds: []match.Kind{match.KindBody}},
		{name: "metadata rules positive", exp: msg(basic, map[string]any{"Origin": "AXP-1000", "TagData": tag123}, metaRules),
			act: msg(basic, map[string]any{"Origin": "AAA-123", "TagData": tag123}, nil)},
		{name: "metadata rules negative", exp: msg(basic, map[string]any{"Origin": "AXP-1000", "TagData": tag123}, metaRules),
			act:   msg(basic, map[string]any{"Origin": "AAAB-123", "TagData": tag123}, nil),
			kinds: []match.Kind{match.KindMetadata}, wants: []want{{"Origin", `Expected metadata key 'Origin' to have value '"AXP-1000"' but was '"AAAB-123"' - Expected 'AAAB-123' to match '\w{3}-\d+'`}}},
		{name: "body rules positive", exp: msg(basic, nil, include), act: msg(fileBody(t, "basic2.json", "application/json"), nil, nil)},
		{name: "body rules negative", exp: msg(basic, nil, include), act: msg(fileBody(t, "basic3.json", "application/json"), nil, nil),
			kinds: []match.Kind{match.KindBody}, wants: []want{{"$.one", "Expected 'dog' to include 'a'"}}},
		{name: "content category rules", exp: msg(basic, nil, pact.MatchingRules{"content": include["body"]}),
			act:   msg(fileBody(t, "basic3.json", "application/json"), nil, nil),
			kinds: []match.Kind{match.KindBody}, wants: []want{{"$.one", "Expected 'dog' to include 'a'"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := match.Message(tc.exp, tc.act)
			requireKinds(t, got, tc.kinds)
			for _, w := range tc.wants {
				requireContains(t, got, w)
			}
		})
	}
}

func TestMessageContentTypeAndSchemaRegistry(t *testing.T) {
	t.Parallel()
	t.Run("kafka schema registry prefix", func(t *testing.T) {
		t.Parallel()
		exp := &pact.Message{Contents: suiteBody(t, "kafka-expected-body.xml")}
		act := &pact.Message{Contents: suiteBody(t, "kafka-body.xml")}
		// The actual body is base64 in the fixture.
		raw, err := base64.StdEncoding.DecodeString(string(act.Contents.Content))
		require.NoError(t, err)
		act.Contents.Content = raw
		require.Empty(t, match.Message(exp, act))
	})
	t.Run("content type metadata", func(t *testing.T) {
		t.Parallel()
		exp := &pact.Message{Contents: jsonBody(`{"a":1}`), Metadata: map[string]any{"contentType": "application/json"}}
		require.Empty(t, match.Message(exp, &pact.Message{Contents: jsonBody(`{"a":1}`)}))
		got := match.Message(exp, &pact.Message{Contents: jsonBody(`{"a":1}`), Metadata: map[string]any{"content-type": "text/plain"}})
		requireContains(t, got, want{"contentType", `Expected metadata key 'contentType' to have value '"application/json"' but was '"text/plain"' - Expected metadata 'contentType' to have value 'application/json' but was 'text/plain'`})
	})
}
