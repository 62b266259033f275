package broker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// TestReviewConcurrentMerges checks that concurrent merge publications and
// PATCHes of one consumer version lose no interaction.
func TestReviewConcurrentMerges(t *testing.T) {
	srv, c := mustReviewServer(t)
	ctx := context.Background()
	pub := mustReviewPublish(t, c, "Web", "1", "Orders", "/base")
	const n = 8
	errs := parallel(2*n, func(i int) error {
		path := fmt.Sprintf("/m%d", i)
		if i%2 == 0 {
			_, err := c.PublishContracts(ctx, api.PublishInput{Pacticipant: "Web", Version: "1",
				Contracts: []api.ContractFile{{Consumer: "Web", Provider: "Orders", Content: reviewPact("Web", "Orders", path), OnConflict: broker.ConflictMerge}}})
			return err
		}
		req, err := http.NewRequest(http.MethodPatch, srv.URL+"/pacts/provider/Orders/consumer/Web/version/1", strings.NewReader(string(reviewPact("Web", "Orders", path))))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			return fmt.Errorf("PATCH %s: status %d", path, resp.StatusCode)
		}
		return nil
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	got, err := c.FetchPact(ctx, pub.PactURLs[0])
	require.NoError(t, err)
	var doc struct {
		Interactions []struct {
			Description string `json:"description"`
		} `json:"interactions"`
	}
	require.NoError(t, json.Unmarshal(got.Content, &doc))
	require.Len(t, doc.Interactions, 2*n+1)
}
