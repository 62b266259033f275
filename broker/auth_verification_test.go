package broker_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
)

// A pacts-for-verification query is a read even as a POST: read-only
// credentials (and anonymous users with public read) may ask it, as on the
// Pact Broker; other POSTs still need the read-write credential.
func TestAuthPactsForVerificationIsARead(t *testing.T) {
	auth := server.AuthConfig{ReadToken: "read-tok", WriteToken: "write-tok", ReadUsername: "reader", ReadPassword: "rpass"}
	query := `{"consumerVersionSelectors":[{"latest":true}]}`
	for _, tt := range []struct {
		name       string
		public     bool
		credential string
		path       string
		want       int
	}{
		{name: "read token", credential: "Bearer read-tok", path: "/pacts/provider/api/for-verification", want: 200},
		{name: "read-only basic", credential: basic("reader", "rpass"), path: "/pacts/provider/api/for-verification", want: 200},
		{name: "anonymous, public read", public: true, path: "/pacts/provider/api/for-verification", want: 200},
		{name: "anonymous", path: "/pacts/provider/api/for-verification", want: 401},
		{name: "wrong token", credential: "Bearer nope", path: "/pacts/provider/api/for-verification", want: 401},
		{name: "read token publishing a result", credential: "Bearer read-tok", path: "/pacts/provider/api/consumer/web/pact-version/abc/verification-results", want: 403},
		{name: "read token, a longer path", credential: "Bearer read-tok", path: "/pacts/provider/api/for-verification/x", want: 403},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := auth
			a.AllowPublicRead = tt.public
			b := mustBroker(t, server.Config{Auth: a})
			mustPublish(t, writerClient(t, b), "web", "1", "main", map[string][]byte{"api": pactJSON("web", "api", "/a")})
			var h []string
			if tt.credential != "" {
				h = []string{"Authorization", tt.credential}
			}
			status, body, _ := doJSON(t, http.MethodPost, b.srv.URL+tt.path, query, h...)
			require.Equal(t, tt.want, status, "%v", body)
			if status == http.StatusOK {
				require.Len(t, body["_embedded"].(map[string]any)["pacts"], 1)
			}
		})
	}
}

func writerClient(t *testing.T, b *testBroker) *api.Client {
	t.Helper()
	c := b.client(t)
	c.Token = "write-tok"
	return c
}
