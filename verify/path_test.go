package verify_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/verify"
)

// Pact paths are sent as written: escapes are kept (Ruby and JS clients
// write "/pacticipants/Pricing%20Service"), characters that need escaping
// are escaped, and a literal "%" that starts no escape is escaped.
func TestVerifySendsPactPathsAsWritten(t *testing.T) {
	t.Parallel()
	cases := []struct{ pactPath, wantRaw string }{
		{"/pacticipants/Pricing%20Service", "/pacticipants/Pricing%20Service"},
		{"/pacticipants/Pricing Service", "/pacticipants/Pricing%20Service"},
		{"/files/a%2Fb", "/files/a%2Fb"},
		{"/discount/100%", "/discount/100%25"},
		{"/plain/path", "/plain/path"},
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.EscapedPath()] = true
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer provider.Close()
	interactions := ""
	for i, c := range cases {
		if i > 0 {
			interactions += ","
		}
		interactions += fmt.Sprintf(`{"description":"path %d","request":{"method":"GET","path":%q},"response":{"status":204}}`, i, c.pactPath)
	}
	data := fmt.Sprintf(`{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[%s],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`, interactions)
	report := mustVerify(t, verify.Config{ProviderBaseURL: provider.URL}, []verify.Source{{Name: "paths.json", Data: []byte(data)}})
	require.Equal(t, len(cases), report.Counts().Passed)
	for _, c := range cases {
		require.True(t, seen[c.wantRaw], "pact path %q should reach the provider as %q; saw %v", c.pactPath, c.wantRaw, seen)
	}
}
