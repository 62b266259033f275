package mock_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify/mock"
)

// The mock serving pacts in the shapes other Pact implementations write
// (issue 15, testdata/pact/interop), probed with the requests a consumer
// of those pacts sends.

func mustStartInterop(tb testing.TB, file string) *mock.Server {
	tb.Helper()
	p := mustReadPact(tb, filepath.Join("..", "..", "testdata", "pact", "interop", file))
	srv := mock.New([]*pact.Pact{p}, mock.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	require.NoError(tb, srv.Start(ctx, "127.0.0.1:0"))
	tb.Cleanup(func() { _ = srv.Close() })
	return srv
}

type interopAnswer struct {
	status int
	header http.Header
	body   string
}

func mustSend(tb testing.TB, method, url, contentType, body string) interopAnswer {
	tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(tb, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	h := resp.Header.Clone()
	if resp.Close {
		h.Set("Connection", "close") // Go's client moves it to resp.Close
	}
	return interopAnswer{status: resp.StatusCode, header: h, body: string(data)}
}

func TestInteropMock(t *testing.T) {
	t.Parallel()
	t.Run("A JSON string body", func(t *testing.T) {
		t.Parallel()
		srv := mustStartInterop(t, "A-v4-json-string-body.json")
		a := mustSend(t, "POST", srv.URL()+"/orders/1/status", "application/json", `"Fulfilling"`)
		require.Equal(t, 200, a.status, a.body)
		require.Equal(t, `"Fulfilling"`, a.body, "valid JSON is served")
		require.True(t, json.Valid([]byte(a.body)))
		require.Equal(t, 500, mustSend(t, "POST", srv.URL()+"/orders/1/status", "application/json", `"Shipped"`).status)
	})
	t.Run("B base64 multipart body", func(t *testing.T) {
		t.Parallel()
		srv := mustStartInterop(t, "B-v3-multipart-base64.json")
		body := "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n"
		a := mustSend(t, "POST", srv.URL()+"/notes", "multipart/form-data; boundary=XyZ", body)
		require.Equal(t, 201, a.status, a.body)
		require.Empty(t, srv.Status())
	})
	t.Run("C generators on form and XML bodies", func(t *testing.T) {
		t.Parallel()
		srv := mustStartInterop(t, "C-form-and-xml-generators.json")
		a := mustSend(t, "GET", srv.URL()+"/form", "", "")
		require.Regexp(t, `^id=[1-9][0-9]*&name=Ann$`, a.body)
		a = mustSend(t, "GET", srv.URL()+"/xml", "", "")
		require.Regexp(t, `<item color="(blue|green)">pen</item>`, a.body)
	})
	t.Run("D rules on indexed form fields", func(t *testing.T) {
		t.Parallel()
		srv := mustStartInterop(t, "D-indexed-form-field-rules.json")
		form := "application/x-www-form-urlencoded"
		require.Equal(t, 201, mustSend(t, "POST", srv.URL()+"/people", form, "name%5B%5D=Cy&name%5B%5D=Dee").status)
		require.Equal(t, 500, mustSend(t, "POST", srv.URL()+"/people", form, "name%5B%5D=cy&name%5B%5D=Dee").status)
	})
	t.Run("E contentType rule at the XML root", func(t *testing.T) {
		t.Parallel()
		srv := mustStartInterop(t, "E-content-type-rule-at-xml-root.json")
		doc := `<?xml version="1.0" encoding="UTF-8"?><document><title>Report</title></document>`
		require.Equal(t, 204, mustSend(t, "PUT", srv.URL()+"/documents/1", "application/xml", doc).status, "the pact's own request")
		require.Equal(t, 204, mustSend(t, "PUT", srv.URL()+"/documents/1", "application/xml", `<other a="1"/>`).status, "any XML document, with or without a declaration")
		require.Equal(t, 500, mustSend(t, "PUT", srv.URL()+"/documents/1", "application/xml", `not xml`).status)
	})
	t.Run("J status from a generator", func(t *testing.T) {
		t.Parallel()
		srv := mustStartInterop(t, "J-status-zero.json")
		a := mustSend(t, "GET", srv.URL()+"/health", "", "")
		require.GreaterOrEqual(t, a.status, 200)
		require.LessOrEqual(t, a.status, 299)
	})
	t.Run("K dropped query parameter", func(t *testing.T) {
		t.Parallel()
		srv := mustStartInterop(t, "K-v4-query-null.json")
		require.Equal(t, 200, mustSend(t, "GET", srv.URL()+"/search?q=pact", "", "").status, "as the official verifier sends it")
		require.Equal(t, 200, mustSend(t, "GET", srv.URL()+"/search?q=pact&debug", "", "").status, "as the consumer sent it")
		require.Equal(t, 200, mustSend(t, "GET", srv.URL()+"/search?debug=&q=pact", "", "").status)
		require.Equal(t, 500, mustSend(t, "GET", srv.URL()+"/search?q=pact&debug=1", "", "").status, "a value is not expected")
		require.Equal(t, 500, mustSend(t, "GET", srv.URL()+"/search?q=pact&trace", "", "").status, "other parameters still are unexpected")
	})
	t.Run("N early V4 body", func(t *testing.T) {
		t.Parallel()
		srv := mustStartInterop(t, "N-v4-body-without-content.json")
		a := mustSend(t, "GET", srv.URL()+"/people/1", "", "")
		require.JSONEq(t, `{"name":"Mary","age":42}`, a.body)
	})
	t.Run("O JSON string body without a content type", func(t *testing.T) {
		t.Parallel()
		srv := mustStartInterop(t, "O-untyped-json-string-body.json")
		a := mustSend(t, "GET", srv.URL()+"/motd", "", "")
		require.Equal(t, `"This is a string"`, a.body)
		require.Equal(t, "application/json", a.header.Get("Content-Type"))
	})
	t.Run("P Connection close", func(t *testing.T) {
		t.Parallel()
		srv := mustStartInterop(t, "P-connection-close-header.json")
		a := mustSend(t, "GET", srv.URL()+"/bye", "", "")
		require.Equal(t, "close", a.header.Get("Connection"))
	})
}
