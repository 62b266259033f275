package broker_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
)

func publishBody(t *testing.T, mutate func(map[string]any)) string {
	t.Helper()
	body := map[string]any{
		"pacticipantName":          "Foo",
		"pacticipantVersionNumber": "1.0.0",
		"branch":                   "main",
		"tags":                     []string{"dev"},
		"buildUrl":                 "http://build/1",
		"contracts": []map[string]any{{
			"consumerName":  "Foo",
			"providerName":  "Bar",
			"specification": "pact",
			"contentType":   "application/json",
			"content":       base64.StdEncoding.EncodeToString(pactJSON("Foo", "Bar", "/things")),
		}},
	}
	if mutate != nil {
		mutate(body)
	}
	data, err := json.Marshal(body)
	require.NoError(t, err)
	return string(data)
}

func firstContract(body map[string]any) map[string]any {
	return body["contracts"].([]map[string]any)[0]
}

func TestPublishContractsAndRetrieve(t *testing.T) {
	b := mustBroker(t, server.Config{})
	status, body, _ := doJSON(t, http.MethodPost, b.srv.URL+"/contracts/publish", publishBody(t, nil))
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, "Foo", body["_embedded"].(map[string]any)["pacticipant"].(map[string]any)["name"])
	require.Equal(t, "1.0.0", body["_embedded"].(map[string]any)["version"].(map[string]any)["number"])
	require.NotEmpty(t, body["logs"], "the Rust CLI expects logs")
	require.NotEmpty(t, body["notices"])
	contracts := links(t, body)["pb:contracts"].([]any)
	require.Len(t, contracts, 1)
	pactURL := contracts[0].(map[string]any)["href"].(string)
	require.Equal(t, b.srv.URL+"/pacts/provider/Bar/consumer/Foo/version/1.0.0", pactURL)
	tags := links(t, body)["pb:pacticipant-version-tags"].([]any)
	require.Equal(t, "dev", tags[0].(map[string]any)["name"])

	status, pact, h := doJSON(t, http.MethodGet, pactURL, "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "1.0.0", h.Get("X-Pact-Consumer-Version"))
	require.Equal(t, "Foo", pact["consumer"].(map[string]any)["name"])
	require.NotEmpty(t, pact["createdAt"])
	for _, rel := range []string{"pb:consumer", "pb:consumer-version", "pb:provider", "pb:pact-version", "pb:publish-verification-results", "pb:latest-verification-results", "pb:tag-version", "pb:matrix-for-consumer-version"} {
		require.NotEmpty(t, href(t, pact, rel), rel)
	}
	sha := links(t, pact)["pb:pact-version"].(map[string]any)["name"].(string)
	require.Equal(t, b.srv.URL+"/pacts/provider/Bar/consumer/Foo/pact-version/"+sha+"/verification-results", href(t, pact, "pb:publish-verification-results"))

	for _, path := range []string{"/latest", "/latest/dev", "/branch/main/latest", "/pact-version/" + sha} {
		status, got, _ := doJSON(t, http.MethodGet, b.srv.URL+"/pacts/provider/Bar/consumer/Foo"+path, "")
		require.Equal(t, http.StatusOK, status, path)
		require.Equal(t, pact["interactions"], got["interactions"], path)
	}
	status, _, _ = doJSON(t, http.MethodGet, b.srv.URL+"/pacts/provider/Bar/consumer/Foo/latest/prod", "")
	require.Equal(t, http.StatusNotFound, status)

	t.Run("republishing the same content is accepted", func(t *testing.T) {
		status, body, _ := doJSON(t, http.MethodPost, b.srv.URL+"/contracts/publish", publishBody(t, nil))
		require.Equal(t, http.StatusOK, status, body)
		require.Contains(t, fmt.Sprint(body["notices"]), "unchanged")
		_, again, _ := doJSON(t, http.MethodGet, pactURL, "")
		require.Equal(t, pact["interactions"], again["interactions"])
		require.Equal(t, href(t, pact, "pb:pact-version"), href(t, again, "pb:pact-version"))
	})
	t.Run("different content for the same version is a conflict", func(t *testing.T) {
		before := dumpDB(t, b.dbPath)
		status, body, _ := doJSON(t, http.MethodPost, b.srv.URL+"/contracts/publish", publishBody(t, func(m map[string]any) {
			firstContract(m)["content"] = base64.StdEncoding.EncodeToString(pactJSON("Foo", "Bar", "/other"))
		}))
		require.Equal(t, http.StatusConflict, status, body)
		require.NotEmpty(t, body["errors"].(map[string]any)["contracts"])
		require.Equal(t, before, dumpDB(t, b.dbPath))
	})
	t.Run("merge adds the interactions", func(t *testing.T) {
		status, body, _ := doJSON(t, http.MethodPost, b.srv.URL+"/contracts/publish", publishBody(t, func(m map[string]any) {
			firstContract(m)["content"] = base64.StdEncoding.EncodeToString(pactJSON("Foo", "Bar", "/other"))
			firstContract(m)["onConflict"] = "merge"
		}))
		require.Equal(t, http.StatusOK, status, body)
		_, pact, _ := doJSON(t, http.MethodGet, pactURL, "")
		require.Len(t, pact["interactions"], 2)
	})
	t.Run("lists", func(t *testing.T) {
		status, latest, _ := doJSON(t, http.MethodGet, b.srv.URL+"/pacts/latest", "")
		require.Equal(t, http.StatusOK, status)
		require.Len(t, latest["pacts"], 1)
		status, prov, _ := doJSON(t, http.MethodGet, b.srv.URL+"/pacts/provider/Bar/latest", "")
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, "Foo", links(t, prov)["pb:pacts"].([]any)[0].(map[string]any)["name"])
		status, ps, _ := doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants", "")
		require.Equal(t, http.StatusOK, status)
		require.Len(t, ps["pacticipants"], 2)
		status, ints, _ := doJSON(t, http.MethodGet, b.srv.URL+"/integrations", "")
		require.Equal(t, http.StatusOK, status)
		require.Len(t, ints["_embedded"].(map[string]any)["integrations"], 1)
	})
}

func TestRefusedPublicationChangesNothing(t *testing.T) {
	b := mustBroker(t, server.Config{MaxBodyBytes: 4096})
	// Something already stored, so "unchanged" is not trivially "empty".
	mustPublish(t, b.client(t), "Foo", "0.9.0", "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/old")})
	tests := []struct {
		name   string
		body   string
		status int
		want   []string
	}{
		{name: "body is not JSON", body: `{"pacticipantName": "Foo",`, status: 400, want: []string{"not valid JSON"}},
		{name: "consumer name differs from the pacticipant", body: publishBody(t, func(m map[string]any) { firstContract(m)["consumerName"] = "Other" }), status: 400, want: []string{"contracts[0].consumerName", `"Other"`}},
		{name: "content is not base64", body: publishBody(t, func(m map[string]any) { firstContract(m)["content"] = "%%%not base64%%%" }), status: 400, want: []string{"contracts[0].content", "base64"}},
		{name: "content is not JSON", body: publishBody(t, func(m map[string]any) {
			firstContract(m)["content"] = base64.StdEncoding.EncodeToString([]byte(`{"consumer": `))
		}), status: 400, want: []string{"contracts[0].content", "not valid JSON"}},
		{name: "pact names another consumer", body: publishBody(t, func(m map[string]any) {
			firstContract(m)["content"] = base64.StdEncoding.EncodeToString(pactJSON("Someone", "Bar", "/x"))
		}), status: 400, want: []string{"contracts[0].content", `"Someone"`}},
		{name: "second contract bad, first good: nothing stored", body: publishBody(t, func(m map[string]any) {
			m["contracts"] = append(m["contracts"].([]map[string]any), map[string]any{
				"consumerName": "Foo", "providerName": "Baz", "specification": "pact", "contentType": "application/json", "content": "???",
			})
		}), status: 400, want: []string{"contracts[1].content"}},
		{name: "version missing", body: publishBody(t, func(m map[string]any) { delete(m, "pacticipantVersionNumber") }), status: 400, want: []string{"pacticipantVersionNumber"}},
		{name: "unknown specification", body: publishBody(t, func(m map[string]any) { firstContract(m)["specification"] = "openapi" }), status: 400, want: []string{"specification", `"openapi"`}},
		{name: "body too large", body: publishBody(t, func(m map[string]any) { m["buildUrl"] = "http://build/" + strings.Repeat("x", 5000) }), status: 413, want: []string{"4096 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dumpDB(t, b.dbPath)
			status, body, _ := doJSON(t, http.MethodPost, b.srv.URL+"/contracts/publish", tt.body)
			require.Equal(t, tt.status, status, body)
			msg := fmt.Sprint(body)
			for _, w := range tt.want {
				require.Contains(t, msg, w)
			}
			require.Equal(t, before, dumpDB(t, b.dbPath), "a refused publication must not change the database")
		})
	}
	t.Run("legacy PUT with a consumer name mismatch", func(t *testing.T) {
		before := dumpDB(t, b.dbPath)
		status, body, _ := doJSON(t, http.MethodPut, b.srv.URL+"/pacts/provider/Bar/consumer/Foo/version/2.0.0", string(pactJSON("Other", "Bar", "/x")))
		require.Equal(t, http.StatusBadRequest, status, body)
		require.Equal(t, before, dumpDB(t, b.dbPath))
	})
	t.Run("verification for an unknown pacticipant", func(t *testing.T) {
		before := dumpDB(t, b.dbPath)
		status, body, _ := doJSON(t, http.MethodPost, b.srv.URL+"/pacts/provider/Nobody/consumer/Foo/pact-version/abc/verification-results", `{"success":true,"providerApplicationVersion":"1"}`)
		require.Equal(t, http.StatusNotFound, status, body)
		require.Equal(t, before, dumpDB(t, b.dbPath))
	})
	t.Run("non-JSON media type", func(t *testing.T) {
		before := dumpDB(t, b.dbPath)
		status, _, _ := doJSON(t, http.MethodPost, b.srv.URL+"/contracts/publish", publishBody(t, nil), "Content-Type", "text/plain")
		require.Equal(t, http.StatusUnsupportedMediaType, status)
		require.Equal(t, before, dumpDB(t, b.dbPath))
	})
	t.Run("client sees ErrInvalid", func(t *testing.T) {
		_, err := b.client(t).PublishContracts(context.Background(), api.PublishInput{
			Pacticipant: "Foo", Version: "3", Contracts: []api.ContractFile{{Consumer: "Foo", Provider: "Bar", Content: []byte("[1]")}},
		})
		require.ErrorIs(t, err, broker.ErrInvalid)
		require.Contains(t, err.Error(), "contracts[0].content")
	})
}

func TestLegacyPutPact(t *testing.T) {
	b := mustBroker(t, server.Config{})
	url := b.srv.URL + "/pacts/provider/Bar/consumer/Foo/version/1.0.0"
	status, body, _ := doJSON(t, http.MethodPut, url, string(pactJSON("Foo", "Bar", "/a")))
	require.Equal(t, http.StatusCreated, status, body)
	status, _, _ = doJSON(t, http.MethodPut, url, string(pactJSON("Foo", "Bar", "/a")))
	require.Equal(t, http.StatusOK, status)
	status, _, _ = doJSON(t, http.MethodPut, url, string(pactJSON("Foo", "Bar", "/b")))
	require.Equal(t, http.StatusConflict, status, "changing a pact needs allow-overwrite")
	status, body, _ = doJSON(t, http.MethodPatch, url, string(pactJSON("Foo", "Bar", "/b")))
	require.Equal(t, http.StatusOK, status, body)
	require.Len(t, body["interactions"], 2)

	t.Run("allow overwrite", func(t *testing.T) {
		b := mustBroker(t, server.Config{AllowOverwrite: true})
		url := b.srv.URL + "/pacts/provider/Bar/consumer/Foo/version/1.0.0"
		status, _, _ := doJSON(t, http.MethodPut, url, string(pactJSON("Foo", "Bar", "/a")))
		require.Equal(t, http.StatusCreated, status)
		status, body, _ := doJSON(t, http.MethodPut, url, string(pactJSON("Foo", "Bar", "/b")))
		require.Equal(t, http.StatusOK, status, body)
		require.Len(t, body["interactions"], 1)
	})

	t.Run("errors.Is across the wire", func(t *testing.T) {
		_, err := b.client(t).FetchPact(context.Background(), "/pacts/provider/Bar/consumer/Foo/version/9.9.9")
		require.ErrorIs(t, err, broker.ErrNotFound)
		var re *api.ResponseError
		require.True(t, errors.As(err, &re))
		require.Equal(t, http.StatusNotFound, re.Status)
	})
}

func TestPactVersionLists(t *testing.T) {
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	mustPublish(t, c, "Foo", "1", "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/a")})
	mustPublish(t, c, "Foo", "2", "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/b")})
	require.NoError(t, c.EnsureVersionTag(context.Background(), "Foo", "1", "prod"))

	status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+"/pacts/provider/Bar/consumer/Foo/versions", "")
	require.Equal(t, http.StatusOK, status)
	require.Len(t, links(t, body)["pb:pact-versions"], 2)
	status, body, _ = doJSON(t, http.MethodGet, b.srv.URL+"/pacts/provider/Bar/consumer/Foo/tag/prod", "")
	require.Equal(t, http.StatusOK, status)
	versions := links(t, body)["pb:pact-versions"].([]any)
	require.Len(t, versions, 1)
	require.Equal(t, "1", versions[0].(map[string]any)["name"])
}

func TestListsArePaginated(t *testing.T) {
	b := mustBroker(t, server.Config{})
	for i := 0; i < 5; i++ {
		doJSON(t, http.MethodPut, b.srv.URL+fmt.Sprintf("/pacticipants/Foo/versions/%d", i), `{}`)
	}
	status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants/Foo/versions?pageSize=2", "")
	require.Equal(t, http.StatusOK, status)
	require.Len(t, body["_embedded"].(map[string]any)["versions"], 2)
	next := href(t, body, "next")
	require.Contains(t, next, "pageNumber=2")
	var numbers []string
	for page := 0; next != "" && page < 10; page++ {
		_, body, _ := doJSON(t, http.MethodGet, next, "")
		for _, v := range body["_embedded"].(map[string]any)["versions"].([]any) {
			numbers = append(numbers, v.(map[string]any)["number"].(string))
		}
		next = ""
		if l, ok := links(t, body)["next"].(map[string]any); ok {
			next = l["href"].(string)
		}
		require.NotEmpty(t, href(t, body, "previous"))
	}
	require.Len(t, numbers, 3, "pages 2 and 3 hold the other versions")
	status, _, _ = doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants/Foo/versions?pageSize=0", "")
	require.Equal(t, http.StatusBadRequest, status)
}

func TestBranchPactLists(t *testing.T) {
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	doJSON(t, http.MethodPatch, b.srv.URL+"/pacticipants/Foo", `{"mainBranch":"main"}`)
	mustPublish(t, c, "Foo", "1", "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/a")})
	mustPublish(t, c, "Foo", "2", "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/b")})
	mustPublish(t, c, "Foo", "3", "feat", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/c")})
	names := func(t *testing.T, path, rel string) []string {
		t.Helper()
		status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+path, "")
		require.Equal(t, http.StatusOK, status, path)
		var out []string
		for _, l := range links(t, body)[rel].([]any) {
			out = append(out, l.(map[string]any)["href"].(string)[len(b.srv.URL+"/pacts/provider/Bar/consumer/Foo/version/"):])
		}
		return out
	}
	require.Equal(t, []string{"2", "1"}, names(t, "/pacts/provider/Bar/branch", "pb:pacts"))
	require.Equal(t, []string{"2"}, names(t, "/pacts/provider/Bar/branch/latest", "pb:pacts"))
	require.Equal(t, []string{"3"}, names(t, "/pacts/provider/Bar/branch/feat", "pb:pacts"))
	require.Equal(t, []string{"2", "1"}, names(t, "/pacts/provider/Bar/consumer/Foo/branch", "pact-versions"))
	require.Equal(t, []string{"3"}, names(t, "/pacts/provider/Bar/consumer/Foo/branch/feat", "pact-versions"))
	status, body, h := doJSON(t, http.MethodGet, b.srv.URL+"/pacts/provider/Bar/consumer/Foo/branch/latest", "")
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, "2", h.Get("X-Pact-Consumer-Version"))
}

func twoInteractionPact(consumer string, first, second string, library string) []byte {
	return []byte(fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":"Orders"},"interactions":[%s,%s],
		"metadata":{"pactSpecification":{"version":"3.0.0"},"pactJs":{"version":%q}}}`, consumer, first, second, library))
}

const (
	ixA = `{"description":"a","request":{"method":"GET","path":"/a"},"response":{"status":200,"body":{"q":"x=1&y=<2>"}}}`
	ixB = `{"description":"b","request":{"method":"GET","path":"/b"},"response":{"status":200}}`
)

// TestRepublishSameContent checks what counts as the same pact content.
func TestRepublishSameContent(t *testing.T) {
	c := mustBroker(t, server.Config{}).client(t)
	ctx := context.Background()
	publish := func(consumer, version string, content []byte) (*api.PublishResponse, error) {
		return c.PublishContracts(ctx, api.PublishInput{Pacticipant: consumer, Version: version,
			Contracts: []api.ContractFile{{Consumer: consumer, Provider: "Orders", Content: content}}})
	}
	first, err := publish("Web", "1", twoInteractionPact("Web", ixA, ixB, "10.0.0"))
	require.NoError(t, err)
	mustVerify(t, c, first.PactURLs[0], "o1", true)

	// Same version, interactions reordered and another library version:
	// the same content, so no conflict.
	_, err = publish("Web", "1", twoInteractionPact("Web", ixB, ixA, "11.0.0"))
	require.NoError(t, err)
	// Changed content for the same version is a conflict.
	_, err = publish("Web", "1", twoInteractionPact("Web", ixB, ixB, "11.0.0"))
	require.ErrorIs(t, err, broker.ErrConflict)

	// A new version with the same content is pre-verified.
	_, err = publish("Web", "2", twoInteractionPact("Web", ixB, ixA, "12.0.0"))
	require.NoError(t, err)
	r, err := c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Version: "2"}}})
	require.NoError(t, err)
	require.Equal(t, "yes", deployable(r), r.Summary.Reason)

	// Names are case sensitive (the Pact Broker's default): "web" is
	// another consumer whose pact has not been verified.
	_, err = publish("web", "1", twoInteractionPact("web", ixA, ixB, "10.0.0"))
	require.NoError(t, err)
	r, err = c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "web", Version: "1"}}})
	require.NoError(t, err)
	require.Equal(t, "unknown", deployable(r), r.Summary.Reason)
}

// TestSameContentTwoConsumers checks that a verification posted for
// one consumer's pact version does not count for another consumer whose
// pact has the same content (pact versions are per integration).
func TestSameContentTwoConsumers(t *testing.T) {
	c := mustBroker(t, server.Config{}).client(t)
	ctx := context.Background()
	content := func(consumer string) []byte { return twoInteractionPact(consumer, ixA, ixB, "1") }
	var urls []string
	for _, consumer := range []string{"Web", "Mobile"} {
		resp, err := c.PublishContracts(ctx, api.PublishInput{Pacticipant: consumer, Version: "1",
			Contracts: []api.ContractFile{{Consumer: consumer, Provider: "Orders", Content: content(consumer)}}})
		require.NoError(t, err)
		urls = append(urls, resp.PactURLs[0])
	}
	web, err := c.FetchPact(ctx, urls[0])
	require.NoError(t, err)
	mobile, err := c.FetchPact(ctx, urls[1])
	require.NoError(t, err)
	require.NotEqual(t, web.PublishVerificationResultsURL, mobile.PublishVerificationResultsURL)
	mustVerify(t, c, urls[0], "o1", true)
	for consumer, want := range map[string]string{"Web": "yes", "Mobile": "unknown"} {
		r, err := c.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: consumer, Version: "1"}}})
		require.NoError(t, err)
		require.Equal(t, want, deployable(r), consumer)
	}
	// The pair in the path decides: a sha under a pair that has no such
	// pact version is not found.
	wrong := strings.Replace(web.PublishVerificationResultsURL, "/consumer/Web/", "/consumer/Nobody/", 1)
	err = c.PublishVerificationResult(ctx, wrong, api.VerificationResult{Success: true, ProviderVersion: "o1"})
	require.ErrorIs(t, err, broker.ErrNotFound)
}

func TestPublishInputLimits(t *testing.T) {
	b := mustBroker(t, server.Config{})
	url := b.srv.URL + "/contracts/publish"
	publication := func(t *testing.T, consumer string, content []byte) string {
		return publishBody(t, func(body map[string]any) {
			body["pacticipantName"] = consumer
			firstContract(body)["consumerName"] = consumer
			firstContract(body)["content"] = base64.StdEncoding.EncodeToString(content)
		})
	}

	t.Run("invalid UTF-8 in the pact is refused", func(t *testing.T) {
		content := []byte("{\"consumer\":{\"name\":\"Web\"},\"provider\":{\"name\":\"Orders\"},\"interactions\":[{\"description\":\"bad \xff\xfe\"}]}")
		status, body, _ := doRequest(t, http.MethodPost, url, publication(t, "Web", content))
		require.Equal(t, http.StatusBadRequest, status, string(body))
		require.Contains(t, string(body), "UTF-8")
	})
	t.Run("deep nesting is refused, not a crash", func(t *testing.T) {
		content := []byte(`{"interactions":[` + strings.Repeat("[", 200000) + strings.Repeat("]", 200000) + `]}`)
		status, body, _ := doRequest(t, http.MethodPost, url, publication(t, "Web", content))
		require.Equal(t, http.StatusBadRequest, status, string(body))
	})
	t.Run("huge names", func(t *testing.T) {
		name := strings.Repeat("n", 1<<20)
		status, body, _ := doRequest(t, http.MethodPost, url, publication(t, name, pactJSON(name, "Bar", "/x")))
		// Refused: a name this long could not be used in a URL (request
		// lines are limited), and the error does not echo it back.
		require.Equal(t, http.StatusBadRequest, status, string(body[:min(len(body), 300)]))
		require.Contains(t, string(body), "pacticipantName")
		require.Less(t, len(body), 4096)
		status, body, _ = doRequest(t, http.MethodPost, b.srv.URL+"/pacticipants", fmt.Sprintf(`{"name":%q}`, name))
		require.Equal(t, http.StatusBadRequest, status, string(body[:min(len(body), 300)]))
		status, body, _ = doRequest(t, http.MethodPost, b.srv.URL+"/environments", fmt.Sprintf(`{"name":%q,"production":false}`, name))
		require.Equal(t, http.StatusBadRequest, status, string(body[:min(len(body), 300)]))
	})
}

func TestPublishTenThousandInteractions(t *testing.T) {
	c := mustBroker(t, server.Config{}).client(t)
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

func TestPaginationParameters(t *testing.T) {
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	mustPublishOne(t, c, "Web", "1", "main", "Orders", "/o")
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"", 200},
		{"?pageNumber=1&pageSize=1", 200},
		{"?pageNumber=0", 400},
		{"?pageNumber=-1", 400},
		{"?pageSize=-5", 400},
		{"?pageSize=0", 400},
		{"?pageSize=abc", 400},
		{"?pageSize=1000000000", 200},
		{"?pageNumber=92233720368547758", 200},
		{"?pageNumber=922337203685477581", 400},
		{"?pageNumber=99999999999999999999", 400},
	} {
		resp, err := http.Get(b.srv.URL + "/pacticipants" + tc.query)
		require.NoError(t, err)
		var doc struct {
			Embedded struct {
				Pacticipants []json.RawMessage `json:"pacticipants"`
			} `json:"_embedded"`
			Links map[string]api.Link `json:"_links"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		require.Equal(t, tc.want, resp.StatusCode, tc.query)
		if tc.query == "?pageNumber=92233720368547758" {
			require.Empty(t, doc.Embedded.Pacticipants, "a page far beyond the end is empty")
			require.NotContains(t, doc.Links["previous"].Href, "pageNumber=-", "previous link")
		}
	}
}
