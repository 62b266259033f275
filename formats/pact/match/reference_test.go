package match_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

// TestReferenceVerifierMessages replays responses that were verified with
// the Pact reference verifier and requires exactly the mismatches it
// reported (testdata/match/reference/*want.txt).
func TestReferenceVerifierMessages(t *testing.T) {
	t.Parallel()
	for _, set := range []string{"", "rules-"} {
		t.Run("set "+set, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join("reference")
			p, err := pact.Parse(mustMatchData(t, filepath.Join(dir, set+"pact.json")))
			require.NoError(t, err)
			var actual map[string]struct {
				Status  int                 `json:"status"`
				Headers map[string][]string `json:"headers"`
				Body    json.RawMessage     `json:"body"`
			}
			require.NoError(t, json.Unmarshal(mustMatchData(t, filepath.Join(dir, set+"actual.json")), &actual))
			var got []string
			for _, in := range p.Interactions {
				a, ok := actual[in.Description]
				require.True(t, ok, in.Description)
				resp := &pact.Response{Status: a.Status, Headers: a.Headers}
				if len(a.Body) > 0 {
					resp.Body = pact.Body{State: pact.BodyPresent, Content: a.Body}
				}
				for _, m := range match.Response(in.Response, resp) {
					got = append(got, in.Description+" | "+m.Path+" | "+m.Message)
				}
			}
			require.Equal(t, wantLines(t, filepath.Join(dir, set+"want.txt")), sorted(got))
		})
	}
}

func wantLines(tb testing.TB, name string) []string {
	tb.Helper()
	var want []string
	sc := bufio.NewScanner(bytes.NewReader(mustMatchData(tb, name)))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			want = append(want, line)
		}
	}
	return sorted(want)
}

func sorted(s []string) []string {
	sort.Strings(s)
	return s
}

// TestReferenceMockServerMessages replays requests that were sent to the
// Pact reference mock server and requires exactly the mismatches it
// reported (testdata/match/reference/requests-want.txt).
func TestReferenceMockServerMessages(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("reference")
	p, err := pact.Parse(mustMatchData(t, filepath.Join(dir, "requests-pact.json")))
	require.NoError(t, err)
	byDesc := map[string]*pact.Request{}
	for _, in := range p.Interactions {
		byDesc[in.Description] = in.Request
	}
	var actual []struct {
		Interaction string              `json:"interaction"`
		Method      string              `json:"method"`
		Path        string              `json:"path"`
		Query       map[string][]string `json:"query"`
		Headers     map[string][]string `json:"headers"`
		Body        string              `json:"body"`
	}
	require.NoError(t, json.Unmarshal(mustMatchData(t, filepath.Join(dir, "requests-actual.json")), &actual))
	var got []string
	for _, a := range actual {
		exp, ok := byDesc[a.Interaction]
		require.True(t, ok, a.Interaction)
		req := &pact.Request{Method: a.Method, Path: a.Path, Query: a.Query, Headers: a.Headers}
		if a.Body != "" {
			req.Body = pact.Body{State: pact.BodyPresent, Content: []byte(a.Body)}
		}
		for _, m := range match.Request(exp, req) {
			got = append(got, a.Interaction+" | "+m.Path+" | "+m.Message)
		}
	}
	require.Equal(t, wantLines(t, filepath.Join(dir, "requests-want.txt")), sorted(got))
}
