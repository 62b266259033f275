package webhook_test

import (
	"encoding/json"
	"testing"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/webhook"
	"github.com/stretchr/testify/require"
)

func TestSealerEncryptsCredentialsAtRest(t *testing.T) {
	t.Parallel()
	_, err := webhook.NewSealer("short")
	require.Error(t, err)
	s, err := webhook.NewSealer("a-secret-key-of-32-characters!!!")
	require.NoError(t, err)
	def := json.RawMessage(`{"events":[{"name":"contract_published"}],"request":{"method":"POST","url":"https://x","username":"u","password":"pa55",
		"headers":{"Authorization":"Bearer t0ken","Accept":"application/json"}}}`)
	sealed, err := s.Seal(def)
	require.NoError(t, err)
	require.NotContains(t, string(sealed), "pa55")
	require.NotContains(t, string(sealed), "t0ken")
	require.Contains(t, string(sealed), `"Accept":"application/json"`)
	again, err := s.Seal(sealed)
	require.NoError(t, err)
	require.JSONEq(t, string(sealed), string(again), "sealing twice changes nothing")
	opened, err := s.Open(sealed)
	require.NoError(t, err)
	require.JSONEq(t, string(def), string(opened))

	// Another key, or none, cannot read it; plain definitions open as
	// they are.
	other, err := webhook.NewSealer("another-secret-key-of-32-chars!!")
	require.NoError(t, err)
	_, err = other.Open(sealed)
	require.ErrorContains(t, err, "cannot be decrypted")
	var none *webhook.Sealer
	_, err = none.Open(sealed)
	require.ErrorContains(t, err, "CONTRACTS_SECRET_KEY")
	plain, err := none.Open(def)
	require.NoError(t, err)
	require.JSONEq(t, string(def), string(plain))

	// A runner with the key runs the decrypted request.
	r := webhook.NewRunner(nil, webhook.Config{Sealer: s})
	d, err := r.Definition(broker.Webhook{UUID: "x", Definition: sealed})
	require.NoError(t, err)
	require.Equal(t, "pa55", d.Request.Password)
	require.Equal(t, "Bearer t0ken", d.Request.Headers["Authorization"])
}
