package broker_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/api"
)

func reviewPost(tb testing.TB, url string, body any) (int, string) {
	tb.Helper()
	b, err := json.Marshal(body)
	require.NoError(tb, err)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	require.NoError(tb, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func reviewPublishBody(consumer, provider string, content []byte) map[string]any {
	return map[string]any{"pacticipantName": consumer, "pacticipantVersionNumber": "1",
		"contracts": []map[string]any{{"consumerName": consumer, "providerName": provider, "specification": "pact",
			"contentType": "application/json", "content": base64.StdEncoding.EncodeToString(content)}}}
}

func TestReviewPublishInputLimits(t *testing.T) {
	srv, _ := mustReviewServer(t)
	url := srv.URL + "/contracts/publish"

	t.Run("invalid UTF-8 in the pact is refused", func(t *testing.T) {
		content := []byte("{\"consumer\":{\"name\":\"Web\"},\"provider\":{\"name\":\"Orders\"},\"interactions\":[{\"description\":\"bad \xff\xfe\"}]}")
		status, body := reviewPost(t, url, reviewPublishBody("Web", "Orders", content))
		require.Equal(t, http.StatusBadRequest, status, body)
		require.Contains(t, body, "UTF-8")
	})
	t.Run("deep nesting is refused, not a crash", func(t *testing.T) {
		content := []byte(`{"interactions":[` + strings.Repeat("[", 200000) + strings.Repeat("]", 200000) + `]}`)
		status, body := reviewPost(t, url, reviewPublishBody("Web", "Orders", content))
		require.Equal(t, http.StatusBadRequest, status, body)
	})
	t.Run("huge names", func(t *testing.T) {
		name := strings.Repeat("n", 1<<20)
		status, body := reviewPost(t, url, reviewPublishBody(name, "Orders", reviewPact(name, "Orders", "/x")))
		// Refused: a name this long could not be used in a URL (request
		// lines are limited), and the error does not echo it back.
		require.Equal(t, http.StatusBadRequest, status, body[:min(len(body), 300)])
		require.Contains(t, body, "pacticipantName")
		require.Less(t, len(body), 4096)
		status, body = reviewPost(t, srv.URL+"/pacticipants", map[string]any{"name": name})
		require.Equal(t, http.StatusBadRequest, status, body[:min(len(body), 300)])
		status, body = reviewPost(t, srv.URL+"/environments", map[string]any{"name": name, "production": false})
		require.Equal(t, http.StatusBadRequest, status, body[:min(len(body), 300)])
	})
}

func TestReviewPublishTenThousandInteractions(t *testing.T) {
	_, c := mustReviewServer(t)
	var b strings.Builder
	b.WriteString(`{"consumer":{"name":"Web"},"provider":{"name":"Orders"},"interactions":[`)
	for i := range 10000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"description":"get %d","request":{"method":"GET","path":"/o/%d","headers":{"Accept":"application/json"}},"response":{"status":200,"body":{"id":%d,"name":"item %d","tags":["a","b"]}}}`, i, i, i, i)
	}
	b.WriteString(`],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)
	content := []byte(b.String())
	t.Logf("pact of %d bytes", len(content))
	resp, err := c.PublishContracts(context.Background(), api.PublishInput{Pacticipant: "Web", Version: "1",
		Contracts: []api.ContractFile{{Consumer: "Web", Provider: "Orders", Content: content}}})
	require.NoError(t, err)
	got, err := c.FetchPact(context.Background(), resp.PactURLs[0])
	require.NoError(t, err)
	var doc struct {
		Interactions []json.RawMessage `json:"interactions"`
	}
	require.NoError(t, json.Unmarshal(got.Content, &doc))
	require.Len(t, doc.Interactions, 10000)
}
