package match_test

import (
	"encoding/xml"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

// suiteBody reads one of the suite's "*-body.xml" body descriptions.
func suiteBody(tb testing.TB, name string) pact.Body {
	tb.Helper()
	var doc struct {
		ContentType string `xml:"contentType"`
		Contents    struct {
			Text     string `xml:",chardata"`
			Encoding string `xml:"encoding,attr"`
			EOL      string `xml:"eol,attr"`
		} `xml:"contents"`
	}
	require.NoError(tb, xml.Unmarshal(mustFixture(tb, name), &doc))
	text := doc.Contents.Text
	if doc.Contents.EOL == "CRLF" {
		text = strings.TrimPrefix(text, "\n")
		text = regexp.MustCompile("\r?\n").ReplaceAllString(text, "\r\n")
	} else {
		text = strings.TrimSpace(text)
	}
	return pact.Body{State: pact.BodyPresent, Content: []byte(text), ContentType: doc.ContentType}
}

// TestV1ConsumerMismatches mirrors the V1 and V2 http_consumer scenarios the
// mock server answers with this engine's mismatches.
func TestV1ConsumerMismatches(t *testing.T) {
	t.Parallel()
	basic := fileBody(t, "basic.json", "application/json")
	get := func(q pact.Query, h pact.Headers) *pact.Request {
		return &pact.Request{Method: "GET", Path: "/p", Query: q, Headers: h}
	}
	put := func(b pact.Body) *pact.Request { return &pact.Request{Method: "PUT", Path: "/p", Body: b} }
	xmlBody := func(s string) pact.Body { return textBody(s, "application/xml") }
	cases := []struct {
		name     string
		exp, act *pact.Request
		kind     match.Kind
		wants    []want
	}{
		{
			name: "invalid query parameters",
			exp:  get(pact.Query{"a": {"1"}, "b": {"2"}}, nil), act: get(pact.Query{"a": {"1"}, "c": {"3"}}, nil),
			kind: match.KindQuery,
			wants: []want{
				{"b", "Expected query parameter 'b' but was missing"},
				{"c", "Unexpected query parameter 'c' received"},
			},
		},
		{
			name: "missing header",
			exp:  get(nil, pact.Headers{"X-TEST": {"Compatibility"}}), act: get(nil, nil),
			kind:  match.KindHeader,
			wants: []want{{"X-TEST", "Expected a header 'X-TEST' but was missing"}},
		},
		{
			name: "invalid body", exp: put(basic), act: put(jsonBody(`{"one": "a", "two": "c"}`)),
			kind:  match.KindBody,
			wants: []want{{"$.two", "Expected 'c' (String) to be equal to 'b' (String)"}},
		},
		{
			name: "incorrect type of body contents", exp: put(basic),
			act:   put(xmlBody(`<?xml version="1.0" encoding="UTF-8"?><alligator name="Mary" feet="4"/>`)),
			kind:  match.KindBodyType,
			wants: []want{{"$", "Expected a body of 'application/json' but the actual content type was 'application/xml'"}},
		},
		{
			name: "plain text body", exp: put(suiteBody(t, "text-body.xml")), act: put(textBody("Hello Mars!", "text/plain")),
			kind:  match.KindBody,
			wants: []want{{"$", "Expected body 'Hello World!' to match 'Hello Mars!' using equality but did not match"}},
		},
		{
			name: "JSON body missing a key", exp: put(basic), act: put(jsonBody(`{"one": "a"}`)),
			kind:  match.KindBody,
			wants: []want{{"$", "Expected a Map with keys [one, two] but received one with keys [one]"}},
		},
		{
			name: "XML body missing a child", exp: put(suiteBody(t, "xml-body.xml")),
			act:   put(xmlBody(`<?xml version="1.0" encoding="UTF-8" ?><values><one>A</one></values>`)),
			kind:  match.KindBody,
			wants: []want{{"$.values", "Expected child <two/> but was missing"}},
		},
		{
			name: "binary body", exp: put(fileBody(t, "rat.jpg", "image/jpeg")), act: put(fileBody(t, "spider.jpg", "image/jpeg")),
			kind: match.KindBody,
			wants: []want{{"$", "Actual body [image/jpeg, 30922 bytes, starting with ffd8ffe000104a46494600010101004800480000ffe100ae4578696600004949] " +
				"is not equal to the expected body [image/jpeg, 28058 bytes, starting with ffd8ffe000104a46494600010101012c012c0000ffe12db64578696600004949]"}},
		},
		{
			name: "form post body", exp: put(suiteBody(t, "form-post-body.xml")),
			act:   put(textBody("a=1&b=2&c=33&d=4", "application/x-www-form-urlencoded")),
			kind:  match.KindBody,
			wants: []want{{"$.c", "Expected form post parameter 'c' with value '3' but was '33'"}},
		},
		{
			name: "multipart body", exp: put(suiteBody(t, "multipart-body.xml")), act: put(suiteBody(t, "multipart2-body.xml")),
			kind: match.KindBody,
			wants: []want{{"$[1]", "Actual body [application/octet-stream, 50 bytes, starting with 7b0a2020202022626f6479223a2022546869732069732074686520626f647920] " +
				"is not equal to the expected body [application/octet-stream, 97 bytes, starting with 3c68746d6c3e0a20203c686561643e0a20203c2f686561643e0a20203c626f64]"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := match.Request(tc.exp, tc.act)
			for _, w := range tc.wants {
				requireContains(t, got, w)
			}
			for _, m := range got {
				require.Equal(t, tc.kind, m.Kind, dump(got))
			}
			require.Empty(t, match.Request(tc.exp, tc.exp), "an expectation matches itself")
		})
	}
}

// TestV2ConsumerRules mirrors the V2 http_consumer scenarios (V2 rule keys).
func TestV2ConsumerRules(t *testing.T) {
	t.Parallel()
	basic := fileBody(t, "basic.json", "application/json")
	threeLevel := fileBody(t, "3-level.json", "application/json")
	post := func(b pact.Body, rules pact.MatchingRules) *pact.Request {
		return &pact.Request{Method: "POST", Path: "/path", Body: b, Rules: rules}
	}
	query := func(q pact.Query, rules pact.MatchingRules) *pact.Request {
		return &pact.Request{Method: "GET", Path: "/path", Query: q, Rules: rules}
	}
	headers := func(v []string, rules pact.MatchingRules) *pact.Request {
		return &pact.Request{Method: "GET", Path: "/path", Headers: pact.Headers{"X-Test": v}, Rules: rules}
	}
	regexRules := mustRules(t, "regex-matcher-v2.json")
	typeRules := mustRules(t, "type-matcher-v2.json")
	queryRules := mustRules(t, "regex-matcher-query-v2.json")
	headerRules := mustRules(t, "regex-matcher-header-v2.json")
	pathRules := mustRules(t, "regex-matcher-path-v2.json")
	expQuery := pact.Query{"a": {"1"}, "b": {"2"}, "c": {"abc"}, "d": {"true"}}
	cases := []struct {
		name     string
		exp, act *pact.Request
		wants    []want
	}{
		{name: "regex negative", exp: post(basic, regexRules), act: post(basic, nil),
			wants: []want{{"$.one", `Expected 'a' to match '\w{3}\d{3}'`}}},
		{name: "regex positive", exp: post(basic, regexRules), act: post(jsonBody(`{ "one": "HHH123", "two": "b" }`), nil)},
		{name: "type negative", exp: post(basic, typeRules), act: post(jsonBody(`{ "one": 100, "two": "b" }`), nil),
			wants: []want{{"$.one", "Expected 100 (Integer) to be the same type as 'a' (String)"}}},
		{name: "type cascades positive", exp: post(threeLevel, typeRules),
			act: post(jsonBody(`{ "one": { "a": { "ids": [100], "status": "Lovely" }  }, "two": [ { "ids": [1], "status": "BAD" } ] }`), nil)},
		{name: "type cascades negative", exp: post(threeLevel, typeRules),
			act:   post(jsonBody(`{ "one": { "a": { "ids": ["100"], "status": "Lovely" }  }, "two": [ { "ids": [1], "status": "BAD" } ] }`), nil),
			wants: []want{{"$.one.a.ids[0]", "Expected '100' (String) to be the same type as 1 (Integer)"}}},
		{name: "type positive", exp: post(basic, typeRules), act: post(jsonBody(`{ "one": "HHH123", "two": "b" }`), nil)},
		{name: "path matcher", exp: &pact.Request{Method: "GET", Path: "/aaa/100/", Rules: pathRules},
			act: &pact.Request{Method: "GET", Path: "/XYZ/123"}},
		{name: "query matcher", exp: query(expQuery, queryRules),
			act: query(pact.Query{"b": {"2"}, "c": {"abc"}, "d": {"true"}, "a": {"999"}}, nil)},
		{name: "repeated query positive", exp: query(expQuery, queryRules),
			act: query(pact.Query{"a": {"123", "9999"}, "b": {"2"}, "c": {"abc"}, "d": {"true"}}, nil)},
		{name: "repeated query negative", exp: query(expQuery, queryRules),
			act:   query(pact.Query{"a": {"123", "9999X"}, "b": {"2"}, "c": {"abc"}, "d": {"true"}}, nil),
			wants: []want{{"a", `Expected '9999X' to match '\d{1,4}'`}}},
		{name: "header matcher", exp: headers([]string{"1000"}, headerRules), act: headers([]string{"1000"}, nil)},
		{name: "repeated headers positive", exp: headers([]string{"1000"}, headerRules), act: headers([]string{"1000", "1234", "9999"}, nil)},
		{name: "repeated headers negative", exp: headers([]string{"1000"}, headerRules),
			act:   headers([]string{"1000", "1234", "9999ABC"}, nil),
			wants: []want{{"X-Test", `Expected '9999ABC' to match '\d{1,4}'`}}},
		{name: "body matcher", exp: post(basic, typeRules), act: post(jsonBody(`{ "one": "c", "two": "b" }`), nil)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := match.Request(tc.exp, tc.act)
			if len(tc.wants) == 0 {
				require.Empty(t, got, dump(got))
				return
			}
			for _, w := range tc.wants {
				requireContains(t, got, w)
			}
		})
	}
}
