package broker_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/storetest"
)

// GET /pacts/provider/{p}/provider-states[/branch/{b}|/environment/{e}]
// lists the states the selected pacts ask for, with the consumers asking
// (the official CLI's `pact broker provider-states list`).
func TestProviderStatesOfProviderPacts(t *testing.T) {
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	v3 := func(consumer, state string, params string) []byte {
		return []byte(`{"consumer":{"name":"` + consumer + `"},"provider":{"name":"api"},"interactions":[` +
			`{"description":"a","providerStates":[{"name":"` + state + `","params":` + params + `}],"request":{"method":"GET","path":"/a"},"response":{"status":200}},` +
			`{"description":"b","providerStates":[{"name":"no items"}],"request":{"method":"GET","path":"/b"},"response":{"status":404}}],` +
			`"metadata":{"pactSpecification":{"version":"3.0.0"}}}`)
	}
	mustPublish(t, c, "web", "1", "main", map[string][]byte{"api": v3("web", "an item exists", `{"id":1}`)})
	mustPublish(t, c, "web", "2", "feat", map[string][]byte{"api": v3("web", "only on a feature branch", `{}`)})
	mustPublish(t, c, "mobile", "1", "main", map[string][]byte{"api": pactJSON("mobile", "api", "/m")})
	mustPublish(t, c, "batch", "1", "main", map[string][]byte{"api": v3("batch", "an item exists", `{"id":1}`)})
	prod := storetest.MustEnvironment(t, b.store, "production", true)
	storetest.MustDeploy(t, b.store, "web", "2", prod, "")

	get := func(t *testing.T, path string) []any {
		t.Helper()
		status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+path, "")
		require.Equal(t, http.StatusOK, status, body)
		return body["providerStates"].([]any)
	}
	require.Equal(t, []any{
		map[string]any{"name": "an item exists", "params": map[string]any{"id": float64(1)}, "consumers": []any{"batch", "web"}},
		map[string]any{"name": "it exists", "consumers": []any{"mobile"}},
		map[string]any{"name": "no items", "consumers": []any{"batch", "web"}},
	}, get(t, "/pacts/provider/api/provider-states"), "each consumer's main branch head")
	want := []any{
		map[string]any{"name": "no items", "consumers": []any{"web"}},
		map[string]any{"name": "only on a feature branch", "consumers": []any{"web"}}, // empty params left out
	}
	require.Equal(t, want, get(t, "/pacts/provider/api/provider-states/branch/feat"))
	require.Equal(t, want, get(t, "/pacts/provider/api/provider-states/environment/production"))

	for _, path := range []string{"/pacts/provider/nobody/provider-states", "/pacts/provider/api/provider-states/environment/nowhere"} {
		status, _, _ := doJSON(t, http.MethodGet, b.srv.URL+path, "")
		require.Equal(t, http.StatusNotFound, status, path)
	}
}
