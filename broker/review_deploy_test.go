package broker_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
)

// TestReviewDeploymentLifecycle checks idempotent record-deployment,
// replacement per application instance and undeployment.
func TestReviewDeploymentLifecycle(t *testing.T) {
	srv, c := mustReviewServer(t)
	ctx := context.Background()
	env, err := c.CreateEnvironment(ctx, broker.Environment{Name: "prod", Production: true})
	require.NoError(t, err)
	for _, v := range []string{"1", "2"} {
		require.NoError(t, c.EnsureVersionBranch(ctx, "Orders", v, "main"))
	}
	current := func() []string {
		t.Helper()
		resp, err := http.Get(srv.URL + "/environments/" + env.UUID + "/deployed-versions/currently-deployed?pacticipant=Orders")
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
	a, err := c.RecordDeployment(ctx, "Orders", "1", "prod", "")
	require.NoError(t, err)
	b, err := c.RecordDeployment(ctx, "Orders", "1", "prod", "")
	require.NoError(t, err)
	require.Equal(t, a.UUID, b.UUID, "same version, environment and instance is idempotent")
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
