package broker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
)

func TestClientEnvironmentsDeploymentsReleases(t *testing.T) {
	ctx := context.Background()
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	mustPublish(t, c, "Foo", "1", "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/a")})
	mustPublish(t, c, "Foo", "2", "main", map[string][]byte{"Bar": pactJSON("Foo", "Bar", "/a")})

	env, err := c.CreateEnvironment(ctx, broker.Environment{Name: "test", DisplayName: "Test", Contacts: []byte(`[{"name":"Foo team","details":{"emailAddress":"foo@bar.com"}}]`)})
	require.NoError(t, err)
	require.NotEmpty(t, env.UUID)
	_, err = c.CreateEnvironment(ctx, broker.Environment{Name: "test"})
	require.ErrorIs(t, err, broker.ErrConflict)

	status, got, _ := doJSON(t, http.MethodGet, b.srv.URL+"/environments/"+env.UUID, "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "Test", got["displayName"])
	require.Equal(t, "foo@bar.com", got["contacts"].([]any)[0].(map[string]any)["details"].(map[string]any)["emailAddress"])
	require.Equal(t, b.srv.URL+"/environments/"+env.UUID+"/deployed-versions/currently-deployed", href(t, got, "pb:currently-deployed-deployed-versions"))

	_, ver, _ := doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants/Foo/versions/1", "")
	rd := links(t, ver)["pb:record-deployment"].([]any)
	require.Len(t, rd, 1)
	require.Equal(t, "test", rd[0].(map[string]any)["name"])
	require.Equal(t, b.srv.URL+"/pacticipants/Foo/versions/1/deployed-versions/environment/"+env.UUID, rd[0].(map[string]any)["href"])
	require.Len(t, links(t, ver)["pb:record-release"], 1)

	d1, err := c.RecordDeployment(ctx, "Foo", "1", "test", "blue")
	require.NoError(t, err)
	require.True(t, d1.CurrentlyDeployed)
	require.Equal(t, "blue", d1.ApplicationInstance)
	_, err = c.RecordDeployment(ctx, "Foo", "2", "test", "blue")
	require.NoError(t, err)

	status, cur, _ := doJSON(t, http.MethodGet, b.srv.URL+"/environments/"+env.UUID+"/deployed-versions/currently-deployed?pacticipant=Foo", "")
	require.Equal(t, http.StatusOK, status)
	deployed := cur["_embedded"].(map[string]any)["deployedVersions"].([]any)
	require.Len(t, deployed, 1, "deploying version 2 to the same instance replaced version 1")
	require.Equal(t, "2", deployed[0].(map[string]any)["_embedded"].(map[string]any)["version"].(map[string]any)["number"])

	_, err = c.RecordDeployment(ctx, "Foo", "9", "test", "")
	require.ErrorIs(t, err, broker.ErrNotFound, "unknown version")
	_, err = c.RecordDeployment(ctx, "Foo", "1", "nowhere", "")
	require.ErrorIs(t, err, broker.ErrNotFound, "unknown environment")

	other := "green"
	_, err = c.RecordUndeployment(ctx, "Foo", "test", &other)
	require.ErrorIs(t, err, broker.ErrNotFound)
	undeployed, err := c.RecordUndeployment(ctx, "Foo", "test", nil)
	require.NoError(t, err)
	require.Len(t, undeployed, 1)
	require.False(t, undeployed[0].CurrentlyDeployed)
	_, err = c.RecordUndeployment(ctx, "Foo", "test", nil)
	require.ErrorIs(t, err, broker.ErrNotFound)

	rel, err := c.RecordRelease(ctx, "Foo", "1", "test")
	require.NoError(t, err)
	require.True(t, rel.CurrentlySupported)
	ended, err := c.RecordSupportEnded(ctx, "Foo", "1", "test")
	require.NoError(t, err)
	require.False(t, ended.CurrentlySupported)
	_, err = c.RecordSupportEnded(ctx, "Foo", "1", "test")
	require.ErrorIs(t, err, broker.ErrNotFound)

	require.NoError(t, c.EnsureVersionTag(ctx, "Foo", "2", "prod"))
	require.NoError(t, c.EnsureVersionBranch(ctx, "Foo", "2", "feat"))
	v, err := c.DescribeVersion(ctx, "Foo", "2", "")
	require.NoError(t, err)
	require.Equal(t, "2", v.Number)
	require.ElementsMatch(t, []string{"main", "feat"}, v.Branches)
	require.Equal(t, []string{"prod"}, v.Tags)
	latest, err := c.DescribeVersion(ctx, "Foo", "", "prod")
	require.NoError(t, err)
	require.Equal(t, "2", latest.Number)
	_, err = c.DescribeVersion(ctx, "Foo", "", "nope")
	require.ErrorIs(t, err, broker.ErrNotFound)
}

func TestPacticipantResources(t *testing.T) {
	b := mustBroker(t, server.Config{})
	u := b.srv.URL
	status, _, _ := doJSON(t, http.MethodGet, u+"/pacticipants/Pricing%20Service", "")
	require.Equal(t, http.StatusNotFound, status)

	status, body, _ := doJSON(t, http.MethodPatch, u+"/pacticipants/Pricing%20Service", `{"repository_url":"git@example:pricing"}`)
	require.Equal(t, http.StatusCreated, status, "PATCH creates a missing pacticipant")
	require.Equal(t, "git@example:pricing", body["repositoryUrl"])
	status, body, _ = doJSON(t, http.MethodPatch, u+"/pacticipants/Pricing%20Service", `{"mainBranch":"main"}`)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "git@example:pricing", body["repositoryUrl"], "PATCH keeps fields not given")
	require.Equal(t, "main", body["mainBranch"])
	require.Equal(t, u+"/pacticipants/Pricing%20Service", href(t, body, "self"))
	require.Equal(t, u+"/pacticipants/Pricing%20Service/versions", href(t, body, "versions"))
	require.Equal(t, u+"/pacticipants/Pricing%20Service/branches/{branch}/versions/{version}", href(t, body, "pb:branch-version"))

	status, body, _ = doJSON(t, http.MethodPut, u+"/pacticipants/Condor/versions/1.3.0/tags/prod", `{}`)
	require.Equal(t, http.StatusCreated, status, "tagging auto-creates pacticipant and version")
	require.Equal(t, u+"/pacticipants/Condor/versions/1.3.0/tags/prod", href(t, body, "self"))
	status, _, _ = doJSON(t, http.MethodPut, u+"/pacticipants/Condor/versions/1.3.0/tags/prod", `{}`)
	require.Equal(t, http.StatusOK, status)

	status, body, _ = doJSON(t, http.MethodGet, u+"/pacticipants/Condor/latest-version/prod", "", "Accept", "application/hal+json, application/json")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "1.3.0", body["number"])
	status, body, _ = doJSON(t, http.MethodGet, u+"/pacticipants/Condor", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "1.3.0", body["_embedded"].(map[string]any)["latest-version"].(map[string]any)["number"])

	status, _, _ = doJSON(t, http.MethodPut, u+"/pacticipants/Foo/branches/main/versions/1", `{}`)
	require.Equal(t, http.StatusCreated, status)
	status, _, _ = doJSON(t, http.MethodPut, u+"/pacticipants/Foo/branches/main/versions/1", `{}`)
	require.Equal(t, http.StatusOK, status)
	status, body, _ = doJSON(t, http.MethodGet, u+"/pacticipants/Foo/branches/main/latest-version", "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "1", body["number"])
	status, _, _ = doJSON(t, http.MethodDelete, u+"/pacticipants/Foo/branches/main", "")
	require.Equal(t, http.StatusNoContent, status)
	status, _, _ = doJSON(t, http.MethodGet, u+"/pacticipants/Foo/branches/main", "")
	require.Equal(t, http.StatusNotFound, status)

	status, body, _ = doJSON(t, http.MethodPost, u+"/pacticipants", `{"name":"Baz","repositoryUrl":"http://foo"}`)
	require.Equal(t, http.StatusCreated, status)
	require.Equal(t, u+"/pacticipants/Baz", href(t, body, "self"))
	status, _, _ = doJSON(t, http.MethodPost, u+"/pacticipants", `{"name":"Baz"}`)
	require.Equal(t, http.StatusConflict, status)
}

func TestWebhooks(t *testing.T) {
	b := mustBroker(t, server.Config{})
	u := b.srv.URL
	def := `{"description":"a webhook","events":[{"name":"contract_content_changed"}],"request":{"method":"POST","url":"https://webhook","headers":{"Foo":"bar"},"body":{"some":"body"},"username":"username","password":"password"}}`

	status, _, _ := doJSON(t, http.MethodPost, u+"/webhooks/provider/Pricing%20Service/consumer/Condor", def)
	require.Equal(t, http.StatusNotFound, status, "unknown pacticipants in the path")
	status, body, _ := doJSON(t, http.MethodPost, u+"/webhooks", `{"consumer":{"name":"Condor"},`+def[1:])
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body["errors"], "consumer.name")

	doJSON(t, http.MethodPut, u+"/pacticipants/Condor", `{}`)
	doJSON(t, http.MethodPut, u+"/pacticipants/Pricing%20Service", `{}`)
	status, body, h := doJSON(t, http.MethodPost, u+"/webhooks/provider/Pricing%20Service/consumer/Condor", def)
	require.Equal(t, http.StatusCreated, status, body)
	require.Equal(t, "a webhook", body["description"])
	require.Equal(t, map[string]any{"some": "body"}, body["request"].(map[string]any)["body"])
	require.NotEqual(t, "password", body["request"].(map[string]any)["password"], "the password is never echoed")
	self := href(t, body, "self")
	require.Equal(t, self, h.Get("Location"))

	status, body, _ = doJSON(t, http.MethodPost, u+"/webhooks", `{"description":"x","events":[{"name":"contract_published"}],"request":{"method":"POST"}}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body["errors"], "request.url")

	status, _, _ = doJSON(t, http.MethodPut, u+"/webhooks/696c5f93-1b7f-44bc-8d03-59440fcaa9a0", def)
	require.Equal(t, http.StatusCreated, status)
	status, _, _ = doJSON(t, http.MethodPut, u+"/webhooks/696c5f93-1b7f-44bc-8d03-59440fcaa9a0", def)
	require.Equal(t, http.StatusOK, status)
	status, list, _ := doJSON(t, http.MethodGet, u+"/webhooks", "")
	require.Equal(t, http.StatusOK, status)
	require.Len(t, links(t, list)["pb:webhooks"], 2)
	status, _, _ = doJSON(t, http.MethodDelete, self, "")
	require.Equal(t, http.StatusNoContent, status)
	status, _, _ = doJSON(t, http.MethodGet, self, "")
	require.Equal(t, http.StatusNotFound, status)
}

// TestDeploymentLifecycle checks idempotent record-deployment,
// replacement per application instance and undeployment.
func TestDeploymentLifecycle(t *testing.T) {
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	ctx := context.Background()
	env, err := c.CreateEnvironment(ctx, broker.Environment{Name: "prod", Production: true})
	require.NoError(t, err)
	for _, v := range []string{"1", "2"} {
		require.NoError(t, c.EnsureVersionBranch(ctx, "Orders", v, "main"))
	}
	current := func() []string {
		t.Helper()
		resp, err := http.Get(b.srv.URL + "/environments/" + env.UUID + "/deployed-versions/currently-deployed?pacticipant=Orders")
		require.NoError(t, err)
		defer resp.Body.Close()
		var doc struct {
			Embedded struct {
				DeployedVersions []struct {
					UUID                string  `json:"uuid"`
					ApplicationInstance *string `json:"applicationInstance"`
					Embedded            struct {
						Version struct {
							Number string `json:"number"`
						} `json:"version"`
					} `json:"_embedded"`
				} `json:"deployedVersions"`
			} `json:"_embedded"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
		var out []string
		for _, d := range doc.Embedded.DeployedVersions {
			inst := "-"
			if d.ApplicationInstance != nil {
				inst = *d.ApplicationInstance
			}
			out = append(out, inst+"@"+d.Embedded.Version.Number)
		}
		return out
	}
	first, err := c.RecordDeployment(ctx, "Orders", "1", "prod", "")
	require.NoError(t, err)
	again, err := c.RecordDeployment(ctx, "Orders", "1", "prod", "")
	require.NoError(t, err)
	require.Equal(t, first.UUID, again.UUID, "same version, environment and instance is idempotent")
	_, err = c.RecordDeployment(ctx, "Orders", "2", "prod", "blue")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"-@1", "blue@2"}, current())
	_, err = c.RecordDeployment(ctx, "Orders", "2", "prod", "")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"-@2", "blue@2"}, current())
	blue := "blue"
	undeployed, err := c.RecordUndeployment(ctx, "Orders", "prod", &blue)
	require.NoError(t, err)
	require.Len(t, undeployed, 1)
	require.ElementsMatch(t, []string{"-@2"}, current())
	_, err = c.RecordUndeployment(ctx, "Orders", "prod", &blue)
	require.ErrorIs(t, err, broker.ErrNotFound)
}

func TestConcurrentRecordDeployment(t *testing.T) {
	b := mustBroker(t, server.Config{})
	c := b.client(t)
	ctx := context.Background()
	env, err := c.CreateEnvironment(ctx, broker.Environment{Name: "prod", Production: true})
	require.NoError(t, err)
	const n = 10
	for i := range n {
		mustPublishOne(t, c, "Web", fmt.Sprintf("1.0.%d", i), "main", "Orders", "/o")
	}
	errs := parallel(n, func(i int) error {
		_, err := c.RecordDeployment(ctx, "Web", fmt.Sprintf("1.0.%d", i), "prod", "blue")
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	// The same version again, concurrently: idempotent.
	errs = parallel(n, func(int) error {
		_, err := c.RecordDeployment(ctx, "Web", "1.0.3", "prod", "green")
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	for _, inst := range []string{"blue", "green"} {
		resp, err := http.Get(b.srv.URL + "/environments/" + env.UUID + "/deployed-versions/currently-deployed?pacticipant=Web&applicationInstance=" + inst)
		require.NoError(t, err)
		var doc struct {
			Embedded struct {
				DeployedVersions []json.RawMessage `json:"deployedVersions"`
			} `json:"_embedded"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
		resp.Body.Close()
		require.Len(t, doc.Embedded.DeployedVersions, 1, inst)
	}
}
