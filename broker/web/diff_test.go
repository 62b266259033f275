package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/web"
)

// pactWith is a V2 pact with interactions named by description, each
// answering the given status.
func pactWith(interactions map[string]int) []byte {
	var parts []string
	for _, desc := range []string{"get a", "get b", "get c"} {
		if st, ok := interactions[desc]; ok {
			parts = append(parts, fmt.Sprintf(`{"description":%q,"request":{"method":"GET","path":"/%s"},"response":{"status":%d}}`, desc, desc[4:], st))
		}
	}
	return []byte(`{"consumer":{"name":"C"},"provider":{"name":"P"},"interactions":[` + strings.Join(parts, ",") + `],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)
}

func TestPactDiff(t *testing.T) {
	s := mustStore(t)
	mustPublish(t, s, "C", "1", "main", nil, map[string][]byte{"P": pactWith(map[string]int{"get a": 200, "get b": 200})})
	mustPublish(t, s, "C", "2", "main", nil, map[string][]byte{"P": pactWith(map[string]int{"get a": 200, "get b": 200})})
	mustPublish(t, s, "C", "3", "main", nil, map[string][]byte{"P": pactWith(map[string]int{"get a": 404, "get c": 200})})
	srv := mustServe(t, s, web.Options{})
	base := srv.URL + "/pacts/provider/P/consumer/C/version/"

	html := mustPage(t, base+"3/diff/previous-distinct")
	require.Contains(t, html, `href="/pacts/provider/P/consumer/C/version/2">2</a>`, "from the previous distinct pact")
	require.Contains(t, html, "3 interactions added, removed or changed")
	require.Contains(t, html, "0 unchanged")
	changed := between(t, html, `badge-changed">changed</span> get a`, "</article>")
	require.Contains(t, changed, `<span class="dl dl-del">-     &#34;status&#34;: 200</span>`)
	require.Contains(t, changed, `<span class="dl dl-add">&#43;     &#34;status&#34;: 404</span>`)
	require.Contains(t, html, `badge-added">added</span> get c`)
	require.Contains(t, html, `badge-removed">removed</span> get b`)
	require.NotContains(t, html, "Outside the interactions", "metadata is left out")
	require.NotContains(t, html, "?format=json", "no API resource behind a diff")

	require.Contains(t, mustPage(t, base+"2/diff/previous-distinct"), "this is the first", "version 1 has the same content")
	require.Contains(t, mustPage(t, base+"1/diff/previous-distinct"), "this is the first")
	require.Contains(t, mustPage(t, base+"2/diff/version/1"), "The two pacts have the same content.")
	html = mustPage(t, base+"3/diff/version/1")
	require.Contains(t, html, `href="/pacts/provider/P/consumer/C/version/1">1</a>`)
	require.Contains(t, html, "get c")

	// The pact page links its diff.
	require.Contains(t, mustPage(t, base+"3"), `href="/pacts/provider/P/consumer/C/version/3/diff/previous-distinct"`)

	status, _ := mustGet(t, base+"3/diff/version/9")
	require.Equal(t, http.StatusNotFound, status)
	status, _ = mustGet(t, base+"9/diff/previous-distinct")
	require.Equal(t, http.StatusNotFound, status)
}
