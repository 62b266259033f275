package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/web"
	"github.com/contracts-dev/contracts/broker/webhook"
)

func TestWebhooksPage(t *testing.T) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("receiver down"))
	}))
	defer rcv.Close()
	s := mustStore(t)
	svc := broker.NewService(s, broker.DefaultRules())
	ctx := context.Background()
	for _, n := range []string{"Web", "Orders"} {
		_, err := svc.CreatePacticipant(ctx, broker.Pacticipant{Name: n})
		require.NoError(t, err)
	}
	def, err := json.Marshal(map[string]any{"description": "notify CI", "events": []map[string]string{{"name": "contract_published"}},
		"request": map[string]any{"method": "POST", "url": rcv.URL + "/hook", "headers": map[string]string{"Authorization": "Bearer t0ken"}}})
	require.NoError(t, err)
	_, err = svc.CreateWebhook(ctx, broker.Webhook{Consumer: "Web", Provider: "Orders", Definition: def})
	require.NoError(t, err)
	mustPublish(t, s, "Web", "1.0.0", "main", nil, map[string][]byte{"Orders": mustReadPact(t, "web-orders.json")})
	mustPublish(t, s, "Web", "1.0.0", "main", nil, map[string][]byte{"Billing": mustReadPact(t, "web-billing.json")})

	srv := mustServe(t, s, web.Options{})
	html := mustPage(t, srv.URL+"/")
	require.Contains(t, rowWith(t, html, ">Web<", ">Orders<"), `<span class="badge badge-pending">pending</span>`, "not run yet")
	require.Contains(t, rowWith(t, html, ">Web<", ">Billing<"), `<span class="badge badge-plain">none</span>`)

	// The runner's clock is past every delay; no retries: one attempt fails.
	later := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	r := webhook.NewRunner(s, webhook.Config{Executor: webhook.Executor{Policy: webhook.Policy{Schemes: []string{"http"}, Hosts: []string{"127.0.0.1"}}, Now: func() time.Time { return later }}})
	n, err := r.RunDue(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)

	html = mustPage(t, srv.URL+"/")
	row := rowWith(t, html, ">Web<", ">Orders<")
	require.Contains(t, row, `href="/pacts/provider/Orders/consumer/Web/webhooks"`)
	require.Contains(t, row, `<span class="badge badge-failed">failure</span>`)

	page := mustPage(t, srv.URL+"/pacts/provider/Orders/consumer/Web/webhooks")
	require.Contains(t, page, "notify CI")
	require.Contains(t, page, "POST "+rcv.URL+"/hook")
	require.Contains(t, rowWith(t, page, "contract_published", ">1.0.0<"), `<span class="badge badge-failed">failure</span>`)
	require.Contains(t, page, "Attempt 1: failed with HTTP 500")
	require.Contains(t, page, "Authorization: **********")
	require.Contains(t, page, "receiver down")
	require.NotContains(t, page, "t0ken")
	require.NotContains(t, page, "<script")

	status, _ := mustGet(t, srv.URL+"/pacts/provider/Orders/consumer/Nobody/webhooks")
	require.Equal(t, http.StatusNotFound, status)
}
