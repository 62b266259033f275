package match_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

// Matching rules as other Pact implementations write them (issue 15).

// mustInteraction parses a V3 pact holding one HTTP interaction.
func mustInteraction(tb testing.TB, request, response string) *pact.Interaction {
	tb.Helper()
	p, err := pact.Parse([]byte(`{"consumer":{"name":"c"},"provider":{"name":"p"},"metadata":{"pactSpecification":{"version":"3.0.0"}},
		"interactions":[{"description":"d","request":` + request + `,"response":` + response + `}]}`))
	require.NoError(tb, err)
	return p.Interactions[0]
}

func actualResponse(ct, body string) *pact.Response {
	return &pact.Response{Status: 200, Headers: pact.Headers{"Content-Type": {ct}}, Body: pact.NewBody([]byte(body), ct)}
}

func messagesOf(ms []match.Mismatch) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Path+" -> "+m.Message)
	}
	return out
}

// D: pact-php writes rules on single values of a form field.
func TestInteropIndexedFormFieldRules(t *testing.T) {
	t.Parallel()
	in := mustInteraction(t, `{"method":"POST","path":"/form","headers":{"Content-Type":"application/x-www-form-urlencoded"},
		"body":"name%5B%5D=Ann&name%5B%5D=Bob&age=1",
		"matchingRules":{"body":{"$['name[]'][0]":{"matchers":[{"match":"regex","regex":"[A-Z][a-z]+"}]},
		                         "$['name[]'][1]":{"matchers":[{"match":"type"}]}}}}`, `{"status":200}`)
	req := func(body string) *pact.Request {
		return &pact.Request{Method: "POST", Path: "/form", Headers: pact.Headers{"Content-Type": {"application/x-www-form-urlencoded"}},
			Body: pact.NewBody([]byte(body), "application/x-www-form-urlencoded")}
	}
	require.Empty(t, messagesOf(match.Request(in.Request, req("name%5B%5D=Cy&name%5B%5D=Dee&age=1"))), "each value by its own rule")
	require.Equal(t, []string{"$['name[]'] -> Expected 'cy' to match '[A-Z][a-z]+'"},
		messagesOf(match.Request(in.Request, req("name%5B%5D=cy&name%5B%5D=Dee&age=1"))))
	require.Equal(t, []string{"$.age -> Expected form post parameter 'age' with value '1' but was '2'"},
		messagesOf(match.Request(in.Request, req("name%5B%5D=Cy&name%5B%5D=Dee&age=2"))), "fields without rules by equality")
}

// E: pact-jvm writes a contentType rule at $ of XML bodies.
func TestInteropContentTypeRuleAtXMLRoot(t *testing.T) {
	t.Parallel()
	in := mustInteraction(t, `{"method":"GET","path":"/"}`, `{"status":200,"headers":{"Content-Type":"application/xml"},
		"body":"<?xml version=\"1.0\"?><order id=\"1\"><item>book</item></order>",
		"matchingRules":{"body":{"$":{"matchers":[{"match":"contentType","value":"application/xml"}]}}}}`)
	require.Empty(t, match.Response(in.Response, actualResponse("application/xml", `<?xml version="1.0"?><order id="1"><item>book</item></order>`)), "the pact's own body")
	require.Empty(t, match.Response(in.Response, actualResponse("application/xml", `<?xml version="1.0"?><other><x/></other>`)), "any XML document")
	require.Equal(t, []string{"$ -> Expected binary contents to have content type 'application/xml' but detected contents was 'text/plain'"},
		messagesOf(match.Response(in.Response, actualResponse("application/xml", `not xml`))))
}

// Q: a rule on an element's text applies to an empty element too, even
// when the pact's example element is empty.
func TestInteropXMLTextRuleOnEmptyElement(t *testing.T) {
	t.Parallel()
	in := mustInteraction(t, `{"method":"GET","path":"/"}`, `{"status":200,"headers":{"Content-Type":"application/xml"},
		"body":"<person><name/></person>",
		"matchingRules":{"body":{"$.person.name['#text']":{"matchers":[{"match":"regex","regex":"[A-Z][a-z]+"}]}}}}`)
	require.Empty(t, match.Response(in.Response, actualResponse("application/xml", `<person><name>Bob</name></person>`)))
	require.Equal(t, []string{"$.person.name['#text'] -> Expected '' to match '[A-Z][a-z]+'"},
		messagesOf(match.Response(in.Response, actualResponse("application/xml", `<person><name/></person>`))))
}

// R: type with min counts an object's entries.
func TestInteropTypeMinOnObject(t *testing.T) {
	t.Parallel()
	in := mustInteraction(t, `{"method":"GET","path":"/"}`, `{"status":200,"headers":{"Content-Type":"application/json"},
		"body":{"scores":{"ann":1}},
		"matchingRules":{"body":{"$.scores":{"matchers":[{"match":"type","min":2}]}}}}`)
	require.Empty(t, match.Response(in.Response, actualResponse("application/json", `{"scores":{"ann":3,"bob":4}}`)))
	require.Equal(t, []string{`$.scores -> Expected {"ann":3} (size 1) to have minimum size of 2`},
		messagesOf(match.Response(in.Response, actualResponse("application/json", `{"scores":{"ann":3}}`))))
}

// XML rule paths with sibling indexes on some elements only
// ("$.items.item[*].name['#text']", as eachLike writes them) apply.
func TestInteropXMLRulePathsWithSomeIndexes(t *testing.T) {
	t.Parallel()
	body := "<items><item><name>Ann</name></item><item><name>Bob</name></item></items>"
	actual := actualResponse("application/xml", `<items><item><name>Cy</name></item><item><name>Dee</name></item></items>`)
	for key, want := range map[string][]string{
		`$.items.item[*].name['#text']`: {},
		`$.items.item.name['#text']`:    {},
		`$.items.item[1].name['#text']`: {`$.items.item.name['#text'] -> Expected 'Cy' to be equal to 'Ann'`},
	} {
		in := mustInteraction(t, `{"method":"GET","path":"/"}`, `{"status":200,"headers":{"Content-Type":"application/xml"},
			"body":"`+body+`","matchingRules":{"body":{"`+key+`":{"matchers":[{"match":"regex","regex":"[A-Z][a-z]+"}]}}}}`)
		require.Equal(t, want, messagesOf(match.Response(in.Response, actual)), key)
	}
}
