package match_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

// mustReviewResponse parses a one-interaction V3 pact with the given
// response JSON and returns that response.
func mustReviewResponse(tb testing.TB, response string) *pact.Response {
	tb.Helper()
	doc := `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d",` +
		`"request":{"method":"GET","path":"/"},"response":` + response + `}],` +
		`"metadata":{"pactSpecification":{"version":"3.0.0"}}}`
	p, err := pact.Parse([]byte(doc))
	require.NoError(tb, err)
	require.Len(tb, p.Interactions, 1)
	return p.Interactions[0].Response
}

func jsonResponse(body string) *pact.Response {
	return &pact.Response{
		Status:  200,
		Headers: pact.Headers{"Content-Type": {"application/json"}},
		Body:    pact.NewBody([]byte(body), "application/json"),
	}
}

// Integers are compared exactly, as Pact's JSON model keeps 64-bit
// integers: two ids that differ beyond float64's 53-bit mantissa differ.
func TestReviewLargeIntegersCompareExactly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, expected, actual string
		mismatches             int
	}{
		{"beyond 2^53 differ", `{"id":9007199254740993}`, `{"id":9007199254740992}`, 1},
		{"max int64 vs neighbour", `{"id":9223372036854775807}`, `{"id":9223372036854775806}`, 1},
		{"uint64 range", `{"id":18446744073709551615}`, `{"id":18446744073709551614}`, 1},
		{"negative beyond 2^53", `{"id":-9007199254740993}`, `{"id":-9007199254740992}`, 1},
		{"equal large", `{"id":9007199254740993}`, `{"id":9007199254740993}`, 0},
		{"equal decimals in other forms", `{"id":1.50}`, `{"id":1.5}`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			exp := mustReviewResponse(t, `{"status":200,"headers":{"Content-Type":"application/json"},"body":`+tc.expected+`}`)
			ms := match.Response(exp, jsonResponse(tc.actual))
			require.Len(t, ms, tc.mismatches, "%v", ms)
		})
	}
}

// XML elements are compared by namespace URI as well as local name, as
// Pact does; the prefix spelling does not matter.
func TestReviewXMLNamespacesCompareByURI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, expected, actual string
		mismatches             int
	}{
		{"same URI other prefix", `<a:root xmlns:a="urn:x"><a:b>1</a:b></a:root>`, `<z:root xmlns:z="urn:x"><z:b>1</z:b></z:root>`, 0},
		{"default namespace differs", `<root xmlns="urn:x"><b>1</b></root>`, `<root xmlns="urn:y"><b>1</b></root>`, 1},
		{"prefix bound to another URI", `<a:root xmlns:a="urn:x"/>`, `<a:root xmlns:a="urn:y"/>`, 1},
		{"child namespace missing", `<root><b xmlns="urn:x">1</b></root>`, `<root><b>1</b></root>`, 1},
		{"no namespaces", `<root><b>1</b></root>`, `<root><b>1</b></root>`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ms := match.Response(xmlResponse(tc.expected), xmlResponse(tc.actual))
			require.Len(t, ms, tc.mismatches, "%v", ms)
		})
	}
}

// The boolean matcher accepts the strings "true" and "false" in a JSON
// body, as the Pact verifier does; other strings still fail.
func TestReviewBooleanMatcherAcceptsBooleanStrings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		actual     string
		mismatches int
	}{
		{`{"a":false}`, 0},
		{`{"a":"true"}`, 0},
		{`{"a":"false"}`, 0},
		{`{"a":"yes"}`, 1},
		{`{"a":""}`, 1},
		{`{"a":1}`, 1},
	} {
		t.Run(tc.actual, func(t *testing.T) {
			t.Parallel()
			exp := mustReviewResponse(t, `{"status":200,"headers":{"Content-Type":"application/json"},"body":{"a":true},`+
				`"matchingRules":{"body":{"$.a":{"matchers":[{"match":"boolean"}]}}}}`)
			ms := match.Response(exp, jsonResponse(tc.actual))
			require.Len(t, ms, tc.mismatches, "%v", ms)
		})
	}
}

// Mixed content (text around child elements) is compared without
// panicking; the element's text is all its own character data.
func TestReviewXMLMixedContent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, expected, actual string
		mismatches             int
	}{
		{"same", `<root>hi<a/>there<b>x</b>!</root>`, `<root>hi<a/>there<b>x</b>!</root>`, 0},
		{"deep", `<r>a<s>b<t>c<u/>d</t>e</s>f</r>`, `<r>a<s>b<t>c<u/>d</t>e</s>f</r>`, 0},
		{"text differs", `<root>hi<a/>there</root>`, `<root>hi<a/>where</root>`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			exp, act := xmlResponse(tc.expected), xmlResponse(tc.actual)
			var ms []match.Mismatch
			require.NotPanics(t, func() { ms = match.Response(exp, act) })
			require.Len(t, ms, tc.mismatches, "%v", ms)
		})
	}
}

// min/max on an XML element count its child nodes, text included, as
// Pact's engine does: an eachLike of elements holding text passes.
func TestReviewXMLMinCountsText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, expected, rules, actual string
		mismatches                    int
	}{
		{"repeated text elements", `<root><item id="1">x</item></root>`, `{"$.root.item":{"matchers":[{"match":"type","min":1}]}}`,
			`<root><item id="2">y</item><item id="3">z</item></root>`, 0},
		{"text is one child", `<root><item>x</item></root>`, `{"$.root.item":{"matchers":[{"match":"type","min":2}]}}`,
			`<root><item>y</item></root>`, 1},
		{"empty element has none", `<root><item>x</item></root>`, `{"$.root.item":{"matchers":[{"match":"type","min":1}]}}`,
			`<root><item/></root>`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			exp := mustReviewResponse(t, `{"status":200,"headers":{"Content-Type":"application/xml"},"body":`+
				strconv.Quote(tc.expected)+`,"matchingRules":{"body":`+tc.rules+`}}`)
			ms := match.Response(exp, xmlResponse(tc.actual))
			require.Len(t, ms, tc.mismatches, "%v", ms)
		})
	}
}

// Namespaced XML attributes are told apart by namespace URI, not prefix.
func TestReviewXMLAttributeNamespaces(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, expected, actual string
		mismatches             int
	}{
		{"same URI other prefix", `<root xmlns:a="urn:x" a:id="1"/>`, `<root xmlns:b="urn:x" b:id="1"/>`, 0},
		{"other URI", `<root xmlns:a="urn:x" a:id="1"/>`, `<root xmlns:b="urn:y" b:id="1"/>`, 1},
		{"namespaced vs plain", `<root xmlns:a="urn:x" a:id="1"/>`, `<root id="1"/>`, 1},
		{"plain", `<root id="1"/>`, `<root id="1"/>`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ms := match.Response(xmlResponse(tc.expected), xmlResponse(tc.actual))
			require.Len(t, ms, tc.mismatches, "%v", ms)
		})
	}
}

// Date matchers reject days a month does not have, as the Pact verifier
// does: the shape alone is not a date.
func TestReviewDatesMustExist(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind, format, value string
		ok                  bool
	}{
		{"date", "yyyy-MM-dd", "2024-02-29", true},
		{"date", "yyyy-MM-dd", "2023-02-29", false},
		{"date", "yyyy-MM-dd", "2024-04-31", false},
		{"date", "yyyy-MM-dd", "2024-12-31", true},
		{"date", "dd MMM yyyy", "31 Apr 2024", false},
		{"date", "dd MMMM yyyy", "30 February 2024", false},
		{"date", "dd/MM/yy", "29/02/23", false},
		{"date", "dd/MM/yy", "29/02/24", true},
		{"date", "MM-dd", "02-29", false},
		{"date", "MM-dd", "02-28", true},
		{"date", "MM-dd", "02-30", false},
		{"date", "", "2023-02-29", false},
		{"timestamp", "", "2023-02-30T10:11:12", false},
		{"timestamp", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2023-06-31T10:11:12.123Z", false},
		{"timestamp", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2023-06-30T10:11:12.123Z", true},
	} {
		t.Run(tc.kind+" "+tc.format+" "+tc.value, func(t *testing.T) {
			t.Parallel()
			exp := mustReviewResponse(t, `{"status":200,"headers":{"Content-Type":"application/json"},"body":{"a":"x"},`+
				`"matchingRules":{"body":{"$.a":{"matchers":[{"match":"`+tc.kind+`","`+tc.kind+`":"`+tc.format+`"}]}}}}`)
			ms := match.Response(exp, jsonResponse(`{"a":"`+tc.value+`"}`))
			if tc.ok {
				require.Empty(t, ms)
			} else {
				require.Len(t, ms, 1, "%v", ms)
			}
		})
	}
}

// xmlResponse is a 200 response with an XML body.
func xmlResponse(body string) *pact.Response {
	return &pact.Response{Status: 200, Headers: pact.Headers{"Content-Type": {"application/xml"}},
		Body: pact.NewBody([]byte(body), "application/xml")}
}
