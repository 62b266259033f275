package web_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/web"
)

// TestLabelsInTheWebView: a pacticipant's page shows its labels, and an
// integration's webhooks page lists the webhooks given by label only when
// its pacticipants have the label.
func TestLabelsInTheWebView(t *testing.T) {
	s := mustStore(t)
	svc := broker.NewService(s, broker.DefaultRules())
	ctx := context.Background()
	mustPublish(t, s, "Web", "1.0.0", "main", nil, map[string][]byte{"Orders": mustReadPact(t, "web-orders.json")})
	mustPublish(t, s, "Web", "1.0.0", "main", nil, map[string][]byte{"Billing": mustReadPact(t, "web-billing.json")})
	for _, l := range []string{"team-a", "<mobile>"} {
		_, _, err := svc.PutLabel(ctx, "Web", l)
		require.NoError(t, err)
	}
	_, _, err := svc.PutLabel(ctx, "Orders", "backend")
	require.NoError(t, err)
	def, err := json.Marshal(map[string]any{"description": "backend CI", "provider": map[string]string{"label": "backend"},
		"events": []map[string]string{{"name": "contract_published"}}, "request": map[string]any{"method": "POST", "url": "https://ci.example/hook"}})
	require.NoError(t, err)
	_, err = svc.CreateWebhook(ctx, broker.Webhook{Definition: def})
	require.NoError(t, err)

	srv := mustServe(t, s, web.Options{})
	page := mustPage(t, srv.URL+"/pacticipants/Web")
	require.Contains(t, page, `<span class="chip">&lt;mobile&gt;</span><span class="chip">team-a</span>`)
	require.Contains(t, mustPage(t, srv.URL+"/pacticipants/Billing"), `<dt>Labels</dt><dd><span class="muted">none</span>`)

	require.Contains(t, mustPage(t, srv.URL+"/pacts/provider/Orders/consumer/Web/webhooks"), "backend CI")
	require.NotContains(t, mustPage(t, srv.URL+"/pacts/provider/Billing/consumer/Web/webhooks"), "backend CI")
}
