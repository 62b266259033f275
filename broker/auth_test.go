package broker_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
)

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func TestAuthMatrix(t *testing.T) {
	auth := server.AuthConfig{
		ReadToken: "read-tok", WriteToken: "write-tok",
		ReadUsername: "reader", ReadPassword: "rpass",
		WriteUsername: "writer", WritePassword: "wpass",
	}
	tests := []struct {
		name        string
		public      bool
		credential  string
		read, write int
	}{
		{name: "no credential", credential: "", read: 401, write: 401},
		{name: "no credential, public read", public: true, credential: "", read: 200, write: 401},
		{name: "read token", credential: "Bearer read-tok", read: 200, write: 403},
		{name: "write token", credential: "Bearer write-tok", read: 200, write: 201},
		{name: "wrong token", credential: "Bearer nope", read: 401, write: 401},
		{name: "wrong token, public read", public: true, credential: "Bearer nope", read: 401, write: 401},
		{name: "read-only basic", credential: basic("reader", "rpass"), read: 200, write: 403},
		{name: "read-write basic", credential: basic("writer", "wpass"), read: 200, write: 201},
		{name: "basic with a wrong password", credential: basic("writer", "rpass"), read: 401, write: 401},
		{name: "token used as basic password", credential: basic("writer", "write-tok"), read: 401, write: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := auth
			a.AllowPublicRead = tt.public
			b := mustBroker(t, server.Config{Auth: a})
			var h []string
			if tt.credential != "" {
				h = []string{"Authorization", tt.credential}
			}
			status, _, _ := doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants", "", h...)
			require.Equal(t, tt.read, status, "read")
			status, body, hdr := doJSON(t, http.MethodPost, b.srv.URL+"/pacticipants", `{"name":"Foo"}`, h...)
			require.Equal(t, tt.write, status, "write: %v", body)
			if status == 401 {
				require.NotEmpty(t, hdr.Get("WWW-Authenticate"))
			}
			if status >= 400 {
				status, _, _ := doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants/Foo", "", "Authorization", "Bearer write-tok")
				require.Equal(t, http.StatusNotFound, status, "a refused write stores nothing")
			}
		})
	}

	t.Run("open when nothing is configured, with a warning", func(t *testing.T) {
		b := mustBroker(t, server.Config{})
		status, _, _ := doJSON(t, http.MethodPost, b.srv.URL+"/pacticipants", `{"name":"Foo"}`)
		require.Equal(t, http.StatusCreated, status)
		require.Contains(t, b.logs.String(), "no credentials configured")
	})

	t.Run("client errors match ErrUnauthorized and ErrForbidden", func(t *testing.T) {
		b := mustBroker(t, server.Config{Auth: auth})
		c := b.client(t)
		_, err := c.CreateEnvironment(context.Background(), broker.Environment{Name: "test"})
		require.ErrorIs(t, err, api.ErrUnauthorized)
		c.Token = "read-tok"
		_, err = c.CreateEnvironment(context.Background(), broker.Environment{Name: "test"})
		require.ErrorIs(t, err, api.ErrForbidden)
		c.Token = ""
		c.Username, c.Password = "writer", "wpass"
		_, err = c.CreateEnvironment(context.Background(), broker.Environment{Name: "test"})
		require.NoError(t, err)
	})
}
