package broker_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker/webhook"
	"github.com/stretchr/testify/require"
)

func TestPacticipantLabelsAPI(t *testing.T) {
	b := mustHookBroker(t, webhook.Policy{})
	label := b.url + "/pacticipants/Web/labels/team-a"

	// PUT creates the pacticipant and the label (201, Location), then
	// answers the existing label (200).
	status, l, hdr := doJSON(t, http.MethodPut, label, "")
	require.Equal(t, http.StatusCreated, status, l)
	require.Equal(t, label, hdr.Get("Location"))
	require.Equal(t, "team-a", l["name"])
	require.NotEmpty(t, l["createdAt"])
	ls := l["_links"].(map[string]any)
	require.Equal(t, map[string]any{"href": label, "title": "Label", "name": "team-a"}, ls["self"])
	require.Equal(t, map[string]any{"href": b.url + "/pacticipants/Web", "title": "Pacticipant", "name": "Web"}, ls["pacticipant"])
	status, again, _ := doJSON(t, http.MethodPut, label, "{}")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, l, again)
	status, got, _ := doJSON(t, http.MethodGet, label, "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, l, got)
	status, _, _ = doJSON(t, http.MethodGet, b.url+"/pacticipants/Web/labels/nope", "")
	require.Equal(t, http.StatusNotFound, status)
	status, _, _ = doJSON(t, http.MethodGet, b.url+"/pacticipants/Nobody/labels/team-a", "")
	require.Equal(t, http.StatusNotFound, status)
	status, bad, _ := doJSON(t, http.MethodPut, b.url+"/pacticipants/Web/labels/%20", "")
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, fmt.Sprint(bad), "label")

	for _, path := range []string{"/pacticipants/Web/labels/mobile", "/pacticipants/API/labels/backend", "/pacticipants/Billing/labels/team-a"} {
		status, out, _ := doJSON(t, http.MethodPut, b.url+path, "")
		require.Equal(t, http.StatusCreated, status, out)
	}

	// The pacticipant embeds its labels, by name.
	status, p, _ := doJSON(t, http.MethodGet, b.url+"/pacticipants/Web", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, []any{
		map[string]any{"name": "mobile", "_links": map[string]any{"self": map[string]any{"href": b.url + "/pacticipants/Web/labels/mobile", "title": "Label", "name": "mobile"}}},
		map[string]any{"name": "team-a", "_links": map[string]any{"self": map[string]any{"href": label, "title": "Label", "name": "team-a"}}},
	}, p["_embedded"].(map[string]any)["labels"])
	require.Equal(t, b.url+"/pacticipants/Web/labels/{label}", p["_links"].(map[string]any)["pb:label"].(map[string]any)["href"])
	status, all, _ := doJSON(t, http.MethodGet, b.url+"/pacticipants", "")
	require.Equal(t, http.StatusOK, status)
	embedded := map[string]int{}
	for _, x := range all["_embedded"].(map[string]any)["pacticipants"].([]any) {
		pm := x.(map[string]any)
		embedded[pm["name"].(string)] = len(pm["_embedded"].(map[string]any)["labels"].([]any))
	}
	require.Equal(t, map[string]int{"Web": 2, "API": 1, "Billing": 1}, embedded)

	byLabel := func(l string) []string {
		t.Helper()
		status, out, _ := doJSON(t, http.MethodGet, b.url+"/pacticipants/label/"+l, "")
		require.Equal(t, http.StatusOK, status, out)
		var names []string
		for _, x := range out["_embedded"].(map[string]any)["pacticipants"].([]any) {
			names = append(names, x.(map[string]any)["name"].(string))
		}
		return names
	}
	require.Equal(t, []string{"Billing", "Web"}, byLabel("team-a"))
	require.Equal(t, []string{"API"}, byLabel("backend"))
	require.Empty(t, byLabel("nothing"))
	status, all, _ = doJSON(t, http.MethodGet, b.url+"/labels", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, []any{map[string]any{"name": "backend"}, map[string]any{"name": "mobile"}, map[string]any{"name": "team-a"}},
		all["_embedded"].(map[string]any)["labels"])

	status, _, _ = doJSON(t, http.MethodDelete, b.url+"/pacticipants/Web/labels/mobile", "")
	require.Equal(t, http.StatusNoContent, status)
	status, _, _ = doJSON(t, http.MethodDelete, b.url+"/pacticipants/Web/labels/mobile", "")
	require.Equal(t, http.StatusNotFound, status)
	status, _, _ = doJSON(t, http.MethodGet, b.url+"/pacticipants/Web/labels/mobile", "")
	require.Equal(t, http.StatusNotFound, status)

	// A label goes with its pacticipant.
	status, _, _ = doJSON(t, http.MethodDelete, b.url+"/pacticipants/Billing", "")
	require.Equal(t, http.StatusNoContent, status)
	require.Equal(t, []string{"Web"}, byLabel("team-a"))

	// A pacticipant named "label" keeps its own resources.
	status, _, _ = doJSON(t, http.MethodPut, b.url+"/pacticipants/label/labels/x", "")
	require.Equal(t, http.StatusCreated, status)
	status, lp, _ := doJSON(t, http.MethodGet, b.url+"/pacticipants/label", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "label", lp["name"])
	status, _, _ = doJSON(t, http.MethodGet, b.url+"/pacticipants/label/versions", "")
	require.Equal(t, http.StatusOK, status)
	status, _, _ = doJSON(t, http.MethodGet, b.url+"/pacticipants/Web/nothing-here", "")
	require.Equal(t, http.StatusNotFound, status)
}

// TestLabelledWebhookRendersLabels: a webhook for a consumer label fires
// for a labelled consumer only, and renders both pacticipants' labels.
func TestLabelledWebhookRendersLabels(t *testing.T) {
	rcv := newHookReceiver(t, http.StatusOK)
	b := mustHookBroker(t, webhook.Policy{Schemes: []string{"http"}, Hosts: []string{"127.0.0.1"}})
	for _, path := range []string{"/pacticipants/Web/labels/team-a", "/pacticipants/Web/labels/mobile", "/pacticipants/API/labels/backend", "/pacticipants/Other/labels/team-b"} {
		status, out, _ := doJSON(t, http.MethodPut, b.url+path, "")
		require.Equal(t, http.StatusCreated, status, out)
	}
	def := fmt.Sprintf(`{"consumer":{"label":"team-a"},"events":[{"name":"contract_published"}],"request":{"method":"POST","url":%q,
		"body":{"consumer":"${pactbroker.consumerName}","cl":"${pactbroker.consumerLabels}","pl":"${pactbroker.providerLabels}"}}}`, rcv.URL+"/hook")
	status, created, _ := doJSON(t, http.MethodPost, b.url+"/webhooks", def)
	require.Equal(t, http.StatusCreated, status, created)
	require.Equal(t, map[string]any{"label": "team-a"}, created["consumer"])

	c := mustClient(t, b.url)
	mustPublish(t, c, "Other", "1", "main", map[string][]byte{"API": pactJSON("Other", "API", "/o")})
	mustPublish(t, c, "Web", "1", "main", map[string][]byte{"API": pactJSON("Web", "API", "/a")})
	b.advance(5 * time.Second)
	n, err := b.runner.RunDue(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, 1, rcv.count())
	require.JSONEq(t, `{"consumer":"Web","cl":"mobile, team-a","pl":"backend"}`, rcv.bod[0])
}

// TestExecutingALabelledWebhook: pb:execute runs a webhook given by label
// with the latest pact of an integration whose pacticipant has the label.
func TestExecutingALabelledWebhook(t *testing.T) {
	rcv := newHookReceiver(t, http.StatusOK)
	b := mustHookBroker(t, webhook.Policy{Schemes: []string{"http"}, Hosts: []string{"127.0.0.1"}})
	c := mustClient(t, b.url)
	mustPublish(t, c, "Web", "1", "main", map[string][]byte{"API": pactJSON("Web", "API", "/a")})
	mustPublish(t, c, "Zed", "1", "main", map[string][]byte{"API": pactJSON("Zed", "API", "/z")})
	status, out, _ := doJSON(t, http.MethodPut, b.url+"/pacticipants/Zed/labels/team-z", "")
	require.Equal(t, http.StatusCreated, status, out)
	def := fmt.Sprintf(`{"consumer":{"label":"team-z"},"events":[{"name":"contract_published"}],"request":{"method":"POST","url":%q,
		"body":{"consumer":"${pactbroker.consumerName}"}}}`, rcv.URL+"/hook")
	status, created, _ := doJSON(t, http.MethodPost, b.url+"/webhooks", def)
	require.Equal(t, http.StatusCreated, status, created)
	status, res, _ := doJSON(t, http.MethodPost, created["_links"].(map[string]any)["pb:execute"].(map[string]any)["href"].(string), "{}")
	require.Equal(t, http.StatusOK, status, res)
	require.Equal(t, 1, rcv.count())
	require.JSONEq(t, `{"consumer":"Zed"}`, rcv.bod[0])
}
