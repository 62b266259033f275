package webhook

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
)

// Variables are the values of the ${pactbroker.*} template variables, by
// name without the prefix ("pactUrl", "consumerName", ...).
type Variables map[string]string

// VariableNames are the template variables the broker fills in.
var VariableNames = []string{
	"pactUrl", "verificationResultUrl", "consumerName", "providerName",
	"consumerVersionNumber", "providerVersionNumber", "consumerVersionTags", "providerVersionTags",
	"consumerVersionBranch", "providerVersionBranch", "providerVersionDescriptions",
	"consumerLabels", "providerLabels", "githubVerificationStatus", "bitbucketVerificationStatus",
	"gitlabVerificationStatus", "azureDevOpsVerificationStatus", "eventName", "buildUrl",
	"currentlyDeployedProviderVersionNumber",
}

var variable = regexp.MustCompile(`\$\{pactbroker\.([A-Za-z]+)\}`)

// expand replaces every variable in s with escape(value); unknown and
// missing values render empty.
func (v Variables) expand(s string, escape func(string) string) string {
	return variable.ReplaceAllStringFunc(s, func(m string) string {
		return escape(v[variable.FindStringSubmatch(m)[1]])
	})
}

// URL renders a URL template: values are escaped as path segments before
// the query and as query values after it.
func (v Variables) URL(tmpl string) string {
	path, query, hasQuery := strings.Cut(tmpl, "?")
	out := v.expand(path, url.PathEscape)
	if hasQuery {
		out += "?" + v.expand(query, url.QueryEscape)
	}
	return out
}

// Header renders a header value; line breaks are dropped so no value can
// add a header.
func (v Variables) Header(tmpl string) string {
	return v.expand(tmpl, func(s string) string { return strings.NewReplacer("\r", "", "\n", "").Replace(s) })
}

// Body renders a request body. A JSON object or array body has the
// variables in its strings replaced and is re-encoded, so a value cannot
// break out of its string; a JSON string body is text with the variables
// replaced as they are.
func (v Variables) Body(body json.RawMessage) ([]byte, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || string(body) == "null" {
		return nil, nil
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if s, ok := doc.(string); ok {
		return []byte(v.expand(s, func(s string) string { return s })), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v.walk(doc)); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func (v Variables) walk(x any) any {
	switch t := x.(type) {
	case string:
		return v.expand(t, func(s string) string { return s })
	case []any:
		for i := range t {
			t[i] = v.walk(t[i])
		}
	case map[string]any:
		for k, e := range t {
			t[k] = v.walk(e)
		}
	}
	return x
}
