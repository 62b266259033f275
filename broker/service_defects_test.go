package broker_test

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/server"
)

// rawRequest writes head and the first bytes of a body on a fresh
// connection to srvURL and returns the connection and a reader of the
// responses. The test decides what happens to the rest of the body.
func rawRequest(tb testing.TB, srvURL, head, partialBody string) (net.Conn, *bufio.Reader) {
	tb.Helper()
	u, err := url.Parse(srvURL)
	require.NoError(tb, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = conn.Close() })
	_, err = io.WriteString(conn, head+"\r\n"+partialBody)
	require.NoError(tb, err)
	// The deadline is a safety net against a hanging test, not a
	// synchronisation: every assertion waits for the server's answer.
	require.NoError(tb, conn.SetDeadline(time.Now().Add(30*time.Second)))
	return conn, bufio.NewReader(conn)
}

// TestCutShortBodyIs400 sends a Content-Length larger than the bytes that
// arrive before the client closes its side: the request is malformed (400),
// not a server failure (500 with an ERROR log).
func TestCutShortBodyIs400(t *testing.T) {
	b := mustBroker(t, server.Config{})
	for _, path := range []string{"/pacticipants", "/contracts/publish", "/pacts/provider/P/consumer/C/version/1"} {
		method := http.MethodPost
		if strings.HasPrefix(path, "/pacts/") {
			method = http.MethodPut
		}
		conn, rd := rawRequest(t, b.srv.URL, fmt.Sprintf("%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n", method, path), `{"name":`)
		require.NoError(t, conn.(*net.TCPConn).CloseWrite())
		resp, err := http.ReadResponse(rd, nil)
		require.NoError(t, err, path)
		body, _ := io.ReadAll(resp.Body)
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s %s: %s", method, path, body)
		require.Contains(t, string(body), "ended after", path)
	}
	require.NotContains(t, b.logs.String(), `"level":"ERROR"`)
	status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants", "")
	require.Equal(t, http.StatusOK, status)
	require.Empty(t, body["_embedded"].(map[string]any)["pacticipants"], "nothing was stored")
}

// TestLoneSurrogatesRefused checks that a JSON-escaped lone surrogate,
// which encoding/json silently turns into U+FFFD, is refused in every body
// like raw invalid UTF-8, so two different names never land on one
// pacticipant; a proper surrogate pair is accepted.
func TestLoneSurrogatesRefused(t *testing.T) {
	b := mustBroker(t, server.Config{})
	pact := base64.StdEncoding.EncodeToString(pactJSON("Web", "API", "/a"))
	publish := func(version, branch, tag string) string {
		return fmt.Sprintf(`{"pacticipantName":"Web","pacticipantVersionNumber":%q,"branch":%q,"tags":[%q],"contracts":[{"consumerName":"Web","providerName":"API","specification":"pact","contentType":"application/json","content":%q}]}`,
			version, branch, tag, pact)
	}
	for _, rq := range []struct{ name, method, path, body string }{
		{"name", http.MethodPost, "/pacticipants", `{"name":"team\ud800x"}`},
		{"low surrogate", http.MethodPost, "/pacticipants", `{"name":"team\uDC00x"}`},
		{"high then not low", http.MethodPost, "/pacticipants", `{"name":"team\ud800\u0041"}`},
		{"high at end", http.MethodPost, "/pacticipants", `{"name":"team\ud83d"}`},
		{"version", http.MethodPost, "/contracts/publish", strings.Replace(publish("1", "main", "t"), `"1"`, `"1\ud800"`, 1)},
		{"branch", http.MethodPost, "/contracts/publish", strings.Replace(publish("1", "main", "t"), `"main"`, `"ma\udfffin"`, 1)},
		{"tag", http.MethodPost, "/contracts/publish", strings.Replace(publish("1", "main", "t"), `["t"]`, `["t\ud800"]`, 1)},
		{"environment", http.MethodPost, "/environments", `{"name":"prod\ud800","production":true}`},
	} {
		status, body, _ := doJSON(t, rq.method, b.srv.URL+rq.path, rq.body)
		require.Equal(t, http.StatusBadRequest, status, "%s: %v", rq.name, body)
		require.Contains(t, fmt.Sprint(body), "surrogate", rq.name)
	}
	status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants", "")
	require.Equal(t, http.StatusOK, status)
	require.Empty(t, body["_embedded"].(map[string]any)["pacticipants"], "nothing was stored")

	// An escaped backslash before "u" is not an escape; a pair is a
	// character.
	status, body, _ = doJSON(t, http.MethodPost, b.srv.URL+"/pacticipants", `{"name":"team\\ud800 \ud83d\ude00"}`)
	require.Equal(t, http.StatusCreated, status, "%v", body)
	require.Equal(t, `team\ud800 😀`, body["name"])
}

// TestUnauthenticatedPostAnsweredBeforeItsBody checks that credentials are
// checked before the body is read: the 401 comes while the client still
// owes most of the body.
func TestUnauthenticatedPostAnsweredBeforeItsBody(t *testing.T) {
	b := mustBroker(t, server.Config{Auth: server.AuthConfig{WriteToken: "w"}})
	_, rd := rawRequest(t, b.srv.URL, "POST /contracts/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n", `{"pacticipantName":`)
	resp, err := http.ReadResponse(rd, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.True(t, resp.Close, "the unread body is not drained: the connection closes")
}

// TestTrickledBodyTimesOut checks that a body that stops arriving is cut
// off by the body read timeout with 408, instead of holding the
// connection for ever.
func TestTrickledBodyTimesOut(t *testing.T) {
	b := mustBroker(t, server.Config{BodyReadTimeout: 200 * time.Millisecond})
	_, rd := rawRequest(t, b.srv.URL, "POST /pacticipants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n", `{"name":`)
	resp, err := http.ReadResponse(rd, nil)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusRequestTimeout, resp.StatusCode, string(body))
	require.NotContains(t, b.logs.String(), `"level":"ERROR"`)
}

// TestDeletedPacticipantLeavesNoBytes checks what deletion means on SQLite:
// after DELETE /pacticipants/{name} the name, its branch and its pact JSON
// are in no byte of the database file or its WAL, free pages included.
func TestDeletedPacticipantLeavesNoBytes(t *testing.T) {
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	secrets := []string{"ConsumerQzx", "branch-qzx-7", "/interaction-qzx-path"}
	for i := range 3 {
		mustPublish(t, c, secrets[0], fmt.Sprint(i), secrets[1], map[string][]byte{"KeptProvider": pactJSON(secrets[0], "KeptProvider", secrets[2])})
	}
	mustPublish(t, c, "KeptConsumer", "1", "main", map[string][]byte{"KeptProvider": pactJSON("KeptConsumer", "KeptProvider", "/kept")})
	files := func() []byte {
		var all []byte
		for _, suffix := range []string{"", "-wal"} {
			data, err := os.ReadFile(b.dbPath + suffix)
			if !os.IsNotExist(err) {
				require.NoError(t, err)
			}
			all = append(all, data...)
		}
		return all
	}
	for _, s := range append(secrets, "KeptConsumer") {
		require.True(t, strings.Contains(string(files()), s), "the test looks for bytes that are there before: %s", s)
	}

	status, body, _ := doJSON(t, http.MethodDelete, b.srv.URL+"/pacticipants/"+secrets[0], "")
	require.Equal(t, http.StatusNoContent, status, "%v", body)
	data := string(files())
	for _, s := range secrets {
		require.False(t, strings.Contains(data, s), "deleted data is still in the database file or its WAL: %s", s)
	}
	require.True(t, strings.Contains(data, "KeptConsumer"), "other data stays")
	b.closeStore()
	data = string(files())
	for _, s := range secrets {
		require.False(t, strings.Contains(data, s), "after close: %s", s)
	}
}
