//go:build pactffi

// pact-go v2 through our broker: a pact-go consumer test writes a pact
// (Pact FFI mock server), `contracts publish` sends it, `contracts verify
// --broker-url ... --publish` verifies a real provider and publishes the
// result, and `contracts can-i-deploy` answers before and after `contracts
// record-deployment`. Everything runs in-process through the CLI. It links
// libpact_ffi (cgo):
//
//	CGO_LDFLAGS="-L$PWD/.tools/pact-ffi -Wl,-rpath,$PWD/.tools/pact-ffi" \
//	  go test -tags pactffi -run PactGo ./cmd/contracts/

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pact-foundation/pact-go/v2/consumer"
	pactlog "github.com/pact-foundation/pact-go/v2/log"
	"github.com/pact-foundation/pact-go/v2/matchers"
	"github.com/pact-foundation/pact-go/v2/models"
	"github.com/pact-foundation/pact-go/v2/provider"
	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/server"
)

// checkoutItem is what the checkout consumer reads from the inventory.
type checkoutItem struct {
	ID    int     `json:"id"`
	Name  string  `json:"name"`
	Stock int     `json:"stock"`
	Price float64 `json:"price"`
}

// checkoutClient is the consumer code under the pact-go test.
func checkoutClient(base string) error {
	get := func(path string, out any) error {
		resp, err := http.Get(base + path)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
		}
		return json.NewDecoder(resp.Body).Decode(out)
	}
	var item checkoutItem
	if err := get("/items/1", &item); err != nil {
		return err
	}
	if item.Stock < 1 {
		return fmt.Errorf("item 1 is out of stock")
	}
	var items []checkoutItem
	if err := get("/items", &items); err != nil {
		return err
	}
	if len(items) == 0 {
		return fmt.Errorf("no items")
	}
	return nil
}

var quietOnce sync.Once

// quietPactGo lowers pact-go's log level once per process (the FFI refuses
// a second logger).
func quietPactGo(t *testing.T) {
	t.Helper()
	var err error
	quietOnce.Do(func() { err = pactlog.SetLogLevel("ERROR") })
	require.NoError(t, err)
}

// mustWriteCheckoutPact runs the pact-go consumer test and returns the
// directory holding the pact the FFI wrote.
func mustWriteCheckoutPact(t *testing.T) string {
	t.Helper()
	quietPactGo(t)
	dir := t.TempDir()
	mock, err := consumer.NewV4Pact(consumer.MockHTTPProviderConfig{
		Consumer: "checkout", Provider: "inventory", Host: "127.0.0.1", PactDir: dir, LogDir: t.TempDir(),
	})
	require.NoError(t, err)
	mock.AddInteraction().
		GivenWithParameter(models.ProviderState{Name: "an item exists", Parameters: map[string]any{"id": 1}}).
		UponReceiving("checkout reads an item").
		WithRequest("GET", "/items/1").
		WillRespondWith(200, func(b *consumer.V4ResponseBuilder) {
			b.Header("Content-Type", matchers.Regex("application/json", `^application/json(;.*)?$`))
			b.JSONBody(matchers.Map{"id": matchers.Integer(1), "name": matchers.Like("lamp"), "stock": matchers.Integer(3)})
		})
	mock.AddInteraction().
		UponReceiving("checkout lists items with prices").
		WithRequest("GET", "/items").
		WillRespondWith(200, func(b *consumer.V4ResponseBuilder) {
			b.JSONBody(matchers.EachLike(matchers.Map{"id": matchers.Integer(1), "price": matchers.Decimal(9.5)}, 1))
		})
	require.NoError(t, mock.ExecuteTest(t, func(c consumer.MockServerConfig) error {
		return checkoutClient(fmt.Sprintf("http://%s:%d", c.Host, c.Port))
	}))
	require.FileExists(t, filepath.Join(dir, "checkout-inventory.json"))
	return dir
}

// mustStartBrokenInventory serves stock as a string: a provider change that
// breaks the checkout consumer.
func mustStartBrokenInventory(tb testing.TB) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/_pact/state":
			_, _ = w.Write([]byte(`{}`))
		case "/items/1":
			_, _ = w.Write([]byte(`{"id": 1, "name": "desk lamp", "stock": "12", "price": 24.5}`))
		case "/items":
			_, _ = w.Write([]byte(`[{"id": 1, "name": "desk lamp", "stock": "12", "price": 24.5}]`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func TestPactGoThroughBroker(t *testing.T) {
	ctx := context.Background()
	pactDir := mustWriteCheckoutPact(t)
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "w-tok"})
	provider, states := mustStartInventory(t)
	cli := b.mustCLI
	verifyArgs := func(base, version string) []string {
		return []string{"verify", "--provider", "inventory", "--provider-base-url", base, "--provider-states-setup-url", base + "/_pact/state",
			"--provider-app-version", version, "--provider-version-branch", "main",
			"--consumer-version-selectors", `{"mainBranch":true}`, "--enable-pending", "--publish"}
	}
	canIDeploy := func(t *testing.T, want int, pacticipant, version string) string {
		t.Helper()
		return cli(t, want, "can-i-deploy", "--pacticipant", pacticipant, "--version", version, "--to-environment", "production")
	}

	out := cli(t, exitOK, "publish", pactDir, "--consumer-app-version", "1.0.0", "--branch", "main")
	require.Contains(t, out, "Pact published for checkout version 1.0.0 and provider inventory")
	p, err := b.Store.GetPact(ctx, "checkout", "inventory", "1.0.0")
	require.NoError(t, err)
	var doc struct {
		Metadata struct {
			PactSpecification struct{ Version string } `json:"pactSpecification"`
		} `json:"metadata"`
	}
	require.NoError(t, json.Unmarshal(p.Content, &doc))
	require.Equal(t, "4.0", doc.Metadata.PactSpecification.Version, "the pact-go V4 pact is stored as written")
	cli(t, exitOK, "create-environment", "--name", "production", "--production")

	// Before: the provider has never verified the pact nor been deployed.
	out = canIDeploy(t, exitCantTell, "checkout", "1.0.0")
	require.Contains(t, out, "Computer cannot tell")

	out = cli(t, exitOK, verifyArgs(provider.URL, "5.0.0")...)
	require.Contains(t, out, "Verifying a pact between checkout and inventory")
	require.Contains(t, out, "Published verification result (passed) of inventory version 5.0.0 for consumer checkout")
	require.Contains(t, states.seen(), "setup:an item exists")
	ver := b.mustLatestVerification(t, "checkout", "1.0.0", "inventory")
	require.True(t, ver.Success)
	require.Equal(t, "5.0.0", ver.ProviderVersion)

	// Verified but not deployed: still not known to be safe.
	out = canIDeploy(t, exitCantTell, "checkout", "1.0.0")
	require.Contains(t, out, "Computer cannot tell")

	cli(t, exitOK, "record-deployment", "--pacticipant", "inventory", "--version", "5.0.0", "--environment", "production")
	out = canIDeploy(t, exitOK, "checkout", "1.0.0")
	require.Contains(t, out, "Computer says yes")
	require.Contains(t, out, "5.0.0")

	t.Run("a provider that breaks the deployed consumer may not deploy", func(t *testing.T) {
		cli(t, exitOK, "record-deployment", "--pacticipant", "checkout", "--version", "1.0.0", "--environment", "production")
		out := cli(t, exitNo, verifyArgs(mustStartBrokenInventory(t).URL, "5.1.0")...)
		require.Contains(t, out, "Published verification result (failed) of inventory version 5.1.0 for consumer checkout")
		require.NotContains(t, out, "This pact is pending", "main has verified it before: not pending any more")
		ver := b.mustLatestVerification(t, "checkout", "1.0.0", "inventory")
		require.False(t, ver.Success)
		require.Equal(t, "5.1.0", ver.ProviderVersion)

		out = canIDeploy(t, exitNo, "inventory", "5.1.0")
		require.Contains(t, out, "Computer says no")
		out = canIDeploy(t, exitOK, "inventory", "5.0.0")
		require.Contains(t, out, "Computer says yes")
	})
}

// pact-go's provider verifier (the Pact FFI's) takes the pacts from our
// broker, published by `contracts publish`, and publishes its results to it;
// `contracts can-i-deploy` then reads them.
func TestPactGoVerifierThroughBroker(t *testing.T) {
	ctx := context.Background()
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "w-tok"})
	inventory, states := mustStartInventory(t)
	for _, dir := range []string{"web", "mobile"} {
		b.mustCLI(t, exitOK, "publish", filepath.Join(e2eDir, dir), "--consumer-app-version", "1.0.0", "--branch", "main")
	}
	quietPactGo(t)

	err := provider.NewVerifier().VerifyProvider(t, provider.VerifyRequest{
		Provider:                   "inventory",
		ProviderBaseURL:            inventory.URL,
		ProviderStatesSetupURL:     inventory.URL + "/_pact/state",
		BrokerURL:                  b.URL,
		BrokerToken:                "w-tok",
		ConsumerVersionSelectors:   []provider.Selector{&provider.ConsumerVersionSelector{MainBranch: true}},
		EnablePending:              true,
		ProviderVersion:            "7.0.0",
		ProviderBranch:             "main",
		PublishVerificationResults: true,
		DisableColoredOutput:       true,
	})
	require.NoError(t, err)
	require.Contains(t, states.seen(), "setup:an item exists")
	for _, consumer := range []string{"web", "mobile"} {
		ver := b.mustLatestVerification(t, consumer, "1.0.0", "inventory")
		require.True(t, ver.Success, consumer)
		require.Equal(t, "7.0.0", ver.ProviderVersion)
		require.NotContains(t, string(ver.VerifiedBy), `"contracts"`, "published by pact-go's verifier, not ours")
	}
	v, err := b.Client.DescribeVersion(ctx, "inventory", "7.0.0", "")
	require.NoError(t, err)
	require.Equal(t, []string{"main"}, v.Branches)

	out := b.mustCLI(t, exitOK, "can-i-deploy", "--pacticipant", "web", "--version", "1.0.0", "--pacticipant", "inventory", "--version", "7.0.0")
	require.Contains(t, out, "Computer says yes")
}
