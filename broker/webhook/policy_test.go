package webhook_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/webhook"
	"github.com/stretchr/testify/require"
)

func TestPolicyCheckRequest(t *testing.T) {
	t.Parallel()
	def := webhook.Policy{}
	wide := webhook.Policy{Schemes: []string{"http", "https"}, Methods: []string{"POST", "GET"}}
	listed := webhook.Policy{Schemes: []string{"http", "https"}, Hosts: []string{"ci.example.com", "*.hooks.example", "10.1.2.3", "192.168.0.0/16", "::1"}}
	for _, tc := range []struct {
		name   string
		policy webhook.Policy
		method string
		url    string
		want   string // "" allowed, else part of the error
	}{
		{"https POST", def, "POST", "https://api.github.com/repos/o/r/statuses/${pactbroker.consumerVersionNumber}", ""},
		{"http refused by default", def, "POST", "http://api.github.com/x", `scheme "http" is not allowed`},
		{"GET refused by default", def, "GET", "https://api.github.com/x", `"GET" is not allowed`},
		{"widened", wide, "GET", "http://api.github.com/x", ""},
		{"metadata service", wide, "GET", "http://169.254.169.254/latest/meta-data/", "internal"},
		{"loopback", def, "POST", "https://127.0.0.1/x", "internal"},
		{"loopback v6", def, "POST", "https://[::1]:8443/x", "internal"},
		{"link-local v6", def, "POST", "https://[fe80::1]/x", "internal"},
		{"private", def, "POST", "https://10.0.0.5/x", "internal"},
		{"unspecified", def, "POST", "https://0.0.0.0/x", "internal"},
		{"multicast", def, "POST", "https://224.0.0.1/x", "internal"},
		{"mapped v4", def, "POST", "https://[::ffff:127.0.0.1]/x", "internal"},
		{"variable in host", def, "POST", "https://${pactbroker.consumerName}.example.com/x", "template variable in its host"},
		{"variable as host", def, "POST", "https://${pactbroker.pactUrl}/x", "template variable in its host"},
		{"no host", def, "POST", "https:///x", "must name a host"},
		{"listed name", listed, "POST", "https://ci.example.com/x", ""},
		{"listed wildcard", listed, "POST", "https://a.hooks.example/x", ""},
		{"wildcard is not the apex", listed, "POST", "https://hooks.example/x", "not on the allowed hosts list"},
		{"unlisted name", listed, "POST", "https://api.github.com/x", "not on the allowed hosts list"},
		{"listed internal IP", listed, "POST", "http://10.1.2.3/x", ""},
		{"listed CIDR", listed, "POST", "http://192.168.7.7:8080/x", ""},
		{"listed v6 loopback", listed, "POST", "http://[::1]:8080/x", ""},
		{"unlisted internal IP", listed, "POST", "http://10.1.2.4/x", "not on the allowed hosts list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.policy.CheckRequest(webhook.Request{Method: tc.method, URL: tc.url})
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, broker.ErrInvalid)
			require.ErrorContains(t, err, tc.want)
		})
	}
	require.Error(t, webhook.Policy{Hosts: []string{"10.0.0.0/33"}}.Check())
	require.NoError(t, listed.Check())
	require.Equal(t, []string{"a", "b.example", "10.0.0.0/8"}, webhook.ParseList(" a,b.example 10.0.0.0/8,"))
}

// A name that resolves to loopback passes the creation check and is
// refused when dialled; the refusal is logged as the attempt's error.
func TestNameResolvingToLoopbackIsRefusedAtExecution(t *testing.T) {
	rcv := newReceiver(t)
	port := rcv.URL[strings.LastIndex(rcv.URL, ":"):]
	p := webhook.Policy{Schemes: []string{"http"}}
	req := webhook.Request{Method: "POST", URL: "http://localhost" + port + "/x"}
	require.NoError(t, p.CheckRequest(req))
	ex := webhook.Executor{Policy: p}
	res := ex.Do(context.Background(), webhook.Rendered{Method: "POST", URL: req.URL})
	require.False(t, res.Success)
	require.Nil(t, res.Response)
	require.Contains(t, res.Error, "resolves to")
	require.Contains(t, res.Error, "internal address")
	require.Contains(t, res.Log(), "error: ")
	require.NotContains(t, res.Error, "localhost"+port+"/x", "the URL stays out of the error")
	require.Empty(t, rcv.requests())

	// Allow-listing the name lets it through.
	ex.Policy.Hosts = []string{"localhost"}
	res = ex.Do(context.Background(), webhook.Rendered{Method: "POST", URL: req.URL})
	require.True(t, res.Success, res.Error)
	require.Len(t, rcv.requests(), 1)
}

func TestRedactDefinition(t *testing.T) {
	t.Parallel()
	in := json.RawMessage(`{"request":{"method":"POST","url":"https://x","username":"u","password":"p","headers":{"Authorization":"Bearer t","X-Api-Key":"k","PRIVATE-TOKEN":"g","X-Client-Secret":"s","X-Password":"p","Content-Type":"application/json"}}}`)
	out, err := webhook.RedactDefinitionJSON(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"request":{"method":"POST","url":"https://x","username":"u","password":"**********","headers":{"Authorization":"**********","X-Api-Key":"**********","PRIVATE-TOKEN":"**********","X-Client-Secret":"**********","X-Password":"**********","Content-Type":"application/json"}}}`, string(out))
}

func TestTemplateEscaping(t *testing.T) {
	t.Parallel()
	v := webhook.Variables{"consumerName": `a"b\c</d>`, "consumerVersionBranch": "f/x y&z=1#"}
	require.Equal(t, "https://h/a/f%2Fx%20y&z=1%23?b=f%2Fx+y%26z%3D1%23&c=&n=a%22b%5Cc%3C%2Fd%3E",
		v.URL("https://h/a/${pactbroker.consumerVersionBranch}?b=${pactbroker.consumerVersionBranch}&c=${pactbroker.unknown}&n=${pactbroker.consumerName}"))
	body, err := v.Body(json.RawMessage(`{"text":"by ${pactbroker.consumerName} on ${pactbroker.consumerVersionBranch}","n":1.50,"list":["${pactbroker.providerName}"]}`))
	require.NoError(t, err)
	require.JSONEq(t, `{"text":"by a\"b\\c</d> on f/x y&z=1#","n":1.50,"list":[""]}`, string(body))
	text, err := v.Body(json.RawMessage(`"name=${pactbroker.consumerName}"`))
	require.NoError(t, err)
	require.Equal(t, `name=a"b\c</d>`, string(text))
	require.Equal(t, "ab", webhook.Variables{"consumerName": "a\r\nb"}.Header("${pactbroker.consumerName}"))
}
