package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/web"
)

func TestVersionPage(t *testing.T) {
	s := mustWorld(t)
	srv := mustServe(t, s, web.Options{})

	t.Run("consumer version", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/pacticipants/Web/versions/1.0.0")
		require.Contains(t, html, `<h1>Web <span class="mono">1.0.0</span></h1>`)
		require.Contains(t, html, `<span class="chip chip-branch chip-main" title="main branch">main</span>`)
		require.Contains(t, html, `<span class="chip chip-tag" title="tag">prod</span>`)
		deployments := between(t, html, "<h2>Deployments</h2>", "</div>")
		require.Contains(t, deployments, "test (blue)")
		require.Contains(t, deployments, `href="/environments/`)
		published := between(t, html, "Pacts it published", "Pacts it verified")
		require.Contains(t, rowWith(t, published, ">o-100<"), "badge-success")
		require.Contains(t, rowWith(t, published, ">o-100<"), `href="/pacticipants/Orders/versions/o-100"`)
		require.Contains(t, rowWith(t, published, ">o-101<"), "badge-failed")
		require.Contains(t, rowWith(t, published, ">b-7<"), "/verification-results/1")
		require.Contains(t, between(t, html, "Pacts it verified", "</main>"), "This version verified no pacts.")
		require.Contains(t, html, `/pacticipants/Web/branches/main/latest-version/can-i-deploy/to-environment/production/badge`)
		require.Contains(t, html, `href="/pacticipants/Web/versions/1.0.0?format=json"`)
	})

	t.Run("provider version", func(t *testing.T) {
		html := mustPage(t, srv.URL+"/pacticipants/Orders/versions/o-101")
		verified := between(t, html, "Pacts it verified", "</main>")
		require.Equal(t, 2, rowsWith(verified, "badge-failed"), "o-101 failed the pact Web 1.0.0 and 1.1.0 share")
		require.Contains(t, rowWith(t, verified, ">1.1.0<"), `href="/pacticipants/Web/versions/1.1.0"`)
		require.Contains(t, html, "This version published no pacts.")
		require.Contains(t, html, "Never deployed.")
	})

	t.Run("history", func(t *testing.T) {
		ctx := context.Background()
		envs, err := s.ListEnvironments(ctx)
		require.NoError(t, err)
		var prod broker.Environment
		for _, e := range envs {
			if e.Name == "production" {
				prod = e
			}
		}
		dv, _, err := s.RecordDeployment(ctx, "Orders", "o-101", prod.UUID, "")
		require.NoError(t, err)
		html := mustPage(t, srv.URL+"/pacticipants/Orders/versions/o-100")
		require.Contains(t, between(t, html, "<h2>Deployments</h2>", "</div>"), "undeployed")

		env := mustPage(t, srv.URL+"/environments/"+prod.UUID)
		require.Contains(t, env, "<h1>production")
		now := between(t, env, "Deployed now", "Released and supported")
		require.Contains(t, rowWith(t, now, ">Orders<"), `href="/pacticipants/Orders/versions/o-101"`)
		require.Contains(t, rowWith(t, between(t, env, "Released and supported", "Earlier"), ">Mobile<"), ">2.0.0<")
		require.Contains(t, rowWith(t, between(t, env, "Earlier", "</main>"), ">o-100<"), "deployed")
		_, err = s.MarkUndeployed(ctx, dv.UUID)
		require.NoError(t, err)
		require.Contains(t, mustPage(t, srv.URL+"/environments/"+prod.UUID), "Nothing is deployed here.")

		list := mustPage(t, srv.URL+"/environments")
		require.Contains(t, list, `href="/environments/`+prod.UUID+`"`)
	})

	t.Run("not found", func(t *testing.T) {
		status, body := mustGet(t, srv.URL+"/pacticipants/Web/versions/9.9")
		require.Equal(t, http.StatusNotFound, status)
		require.Contains(t, body, "Web has no version &#34;9.9&#34;")
		status, _ = mustGet(t, srv.URL+"/pacticipants/Nobody/versions/1")
		require.Equal(t, http.StatusNotFound, status)
		status, _ = mustGet(t, srv.URL+"/environments/no-such-uuid")
		require.Equal(t, http.StatusNotFound, status)
	})
}
