package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
)

// brokerClientContract locates the official broker client's consumer
// contract with the Pact Broker in ../shared beside the repository (it is
// not copied into the project); tests skip, naming it, when it is absent.
func brokerClientContract(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join("..", "..", "..", "shared", "broker-client-contract", "Pact Broker Client V2-Pact Broker.json")
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("the broker client contract is absent (%s): it comes from ../shared beside the repository", path)
	}
	return path
}

// contractProvider is the broker under test for the contract: each state
// setup replaces it with a fresh broker on an empty store (SQLite or
// PostgreSQL) and arranges the state through the Store.
type contractProvider struct {
	tb   testing.TB
	open storeOpener
	mu   sync.Mutex
	h    http.Handler
}

func (p *contractProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	h := p.h
	p.mu.Unlock()
	h.ServeHTTP(w, r)
}

// fixedIDs hands out the given UUIDs first, then generated ones.
func fixedIDs(ids ...string) func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		if len(ids) > 0 {
			id := ids[0]
			ids = ids[1:]
			return id
		}
		return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
	}
}

func (p *contractProvider) reset(ids ...string) (*broker.Service, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	store, err := p.open(fixedIDs(ids...))
	if err != nil {
		return nil, err
	}
	p.h = server.New(store, server.Config{BaseURL: "http://example.org"})
	return broker.NewService(store, broker.DefaultRules()), nil
}

const (
	testEnvUUID     = "16926ef3-590f-4e3f-838e-719717aa88c9"
	deployEnvUUID   = "cb632df3-0a0d-4227-aac3-60114dd36479"
	deployedUUID    = "ff3adecf-cfc5-4653-a4e3-f1861092f8e0"
	webhookUUID     = "696c5f93-1b7f-44bc-8d03-59440fcaa9a0"
	fooSHA1Version  = "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30"
	pricingRepoURL  = "git@git.realestate.com.au:business-systems/pricing-service"
	pricingProvider = "Pricing Service"
)

// arrange sets up one provider state of the contract.
func (p *contractProvider) arrange(ctx context.Context, state string) error {
	var ids []string
	switch state {
	case "a currently deployed version exists":
		ids = []string{testEnvUUID, deployedUUID}
	case "an environment with name test and UUID 16926ef3-590f-4e3f-838e-719717aa88c9 exists",
		"an version is deployed to environment with UUID 16926ef3-590f-4e3f-838e-719717aa88c9 with target customer-1":
		ids = []string{testEnvUUID}
	case "version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with a test environment available for deployment",
		"version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with a test environment available for release":
		ids = []string{deployEnvUUID}
	}
	s, err := p.reset(ids...)
	if err != nil {
		return err
	}
	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	put := func(name, repo string) {
		_, _, err := s.PutPacticipant(ctx, broker.Pacticipant{Name: name, RepositoryURL: repo})
		check(err)
	}
	publish := func(consumer, version, provider, path string, tags ...string) {
		_, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: consumer, Version: version, Tags: tags, Contracts: []broker.ContractInput{{
			Consumer: consumer, Provider: provider, Content: contractPactJSON(consumer, provider, path),
		}}})
		check(err)
	}
	// The contract expects the Condor pact to have no interactions.
	publishEmpty := func(tags []string) {
		_, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Condor", Version: "1.3.0", Tags: tags, Contracts: []broker.ContractInput{{
			Consumer: "Condor", Provider: pricingProvider,
			Content: json.RawMessage(`{"consumer":{"name":"Condor"},"provider":{"name":"Pricing Service"},"interactions":[],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`),
		}}})
		check(err)
	}
	verifyPact := func(consumer, version, provider, providerVersion string, success bool, tags ...string) {
		pact, err := s.GetPact(ctx, consumer, provider, version)
		check(err)
		for _, t := range tags {
			_, _, err := s.AddTag(ctx, provider, providerVersion, t)
			check(err)
		}
		_, err = s.PublishVerification(ctx, broker.VerificationInput{Consumer: consumer, Provider: provider, PactSHA: pact.SHA, ProviderVersion: providerVersion, Success: success})
		check(err)
	}
	env := func(name, uuid string) {
		_, err := s.CreateEnvironment(ctx, broker.Environment{UUID: uuid, Name: name})
		check(err)
	}
	switch state {
	case "", "'Condor' does not exist in the pact-broker", "no pact between Condor and the Pricing Service exists",
		"the 'Pricing Service' does not exist in the pact-broker":
	case "'Condor' exists in the pact-broker":
		_, _, err := s.PutVersion(ctx, "Condor", "1.3.0", "")
		check(err)
	case "'Condor' exists in the pact-broker with the latest tagged 'production' version 1.2.3":
		_, _, err := s.AddTag(ctx, "Condor", "1.2.3", "production")
		check(err)
	case "'Condor' exists in the pact-broker with the latest version 1.2.3":
		_, _, err := s.PutVersion(ctx, "Condor", "1.2.3", "")
		check(err)
	case "'Condor' exists in the pact-broker with version 1.3.0, tagged with 'prod'":
		_, _, err := s.AddTag(ctx, "Condor", "1.3.0", "prod")
		check(err)
	case "a branch named main exists for pacticipant Foo":
		_, _, err := s.AddBranchVersion(ctx, "Foo", "main", "1")
		check(err)
	case "a currently deployed version exists":
		env("test", "")
		_, _, err := s.PutVersion(ctx, "Foo", "2", "")
		check(err)
		_, _, err = s.RecordDeployment(ctx, "Foo", "2", testEnvUUID, "")
		check(err)
	case "a latest pact between Condor and the Pricing Service exists", "a pact between Condor and the Pricing Service exists",
		"the 'Pricing Service' and 'Condor' already exist in the pact-broker, and Condor already has a pact published for version 1.3.0":
		publishEmpty(nil)
	case "a pact between Condor and the Pricing Service exists for the production version of Condor", "tagged as prod pact between Condor and the Pricing Service exists":
		publishEmpty([]string{"prod"})
	case "a pacticipant with name Foo exists":
		put("Foo", "")
	case "a webhook with the uuid 696c5f93-1b7f-44bc-8d03-59440fcaa9a0 exists":
		put("Condor", "")
		put(pricingProvider, "")
		_, _, err := s.PutWebhook(ctx, broker.Webhook{UUID: webhookUUID, Definition: json.RawMessage(`{"description":"old","events":[{"name":"contract_published"}],"request":{"method":"GET","url":"https://old"}}`)})
		check(err)
	case "an environment exists":
		_, err := s.CreateEnvironment(ctx, broker.Environment{Name: "test", DisplayName: "Test", Contacts: json.RawMessage(`[{"name":"Foo team","details":{"emailAddress":"foo@bar.com"}}]`)})
		check(err)
	case "an environment with name test exists":
		env("test", "")
	case "an environment with name test and UUID 16926ef3-590f-4e3f-838e-719717aa88c9 exists":
		env("test", "")
	case "an version is deployed to environment with UUID 16926ef3-590f-4e3f-838e-719717aa88c9 with target customer-1":
		env("test", "")
		_, _, err := s.PutVersion(ctx, "Foo", "1", "")
		check(err)
		_, _, err = s.RecordDeployment(ctx, "Foo", "1", testEnvUUID, "customer-1")
		check(err)
	case "provider Bar version 4.5.6 has a successful verification for Foo version 1.2.3 tagged prod and a failed verification for version 3.4.5 tagged prod":
		publish("Foo", "1.2.3", "Bar", "/a", "prod")
		verifyPact("Foo", "1.2.3", "Bar", "4.5.6", true)
		publish("Foo", "3.4.5", "Bar", "/b", "prod")
		verifyPact("Foo", "3.4.5", "Bar", "4.5.6", false)
	case "the 'Pricing Service' already exists in the pact-broker":
		put(pricingProvider, pricingRepoURL)
		_, _, err := s.PutVersion(ctx, pricingProvider, "1.3.0", "")
		check(err)
	case "'Condor' exists in the pact-broker with version 1.3.0":
		_, _, err := s.PutVersion(ctx, "Condor", "1.3.0", "")
		check(err)
	case "the 'Pricing Service' and 'Condor' already exist in the pact-broker":
		put("Condor", "")
		put(pricingProvider, "")
	case "the pact for Foo Thing version 1.2.3 has been verified by Bar version 4.5.6":
		publish("Foo Thing", "1.2.3", "Bar", "/a")
		verifyPact("Foo Thing", "1.2.3", "Bar", "4.5.6", true)
	case "the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6":
		publish("Foo", "1.2.3", "Bar", "/a")
		verifyPact("Foo", "1.2.3", "Bar", "4.5.6", true)
	case "the pact for Foo version 1.2.3 and 1.2.4 has been verified by Bar version 4.5.6":
		publish("Foo", "1.2.3", "Bar", "/a")
		publish("Foo", "1.2.4", "Bar", "/b")
		verifyPact("Foo", "1.2.3", "Bar", "4.5.6", true)
		verifyPact("Foo", "1.2.4", "Bar", "4.5.6", true)
	case "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 (tagged prod) and version 5.6.7":
		publish("Foo", "1.2.3", "Bar", "/a")
		verifyPact("Foo", "1.2.3", "Bar", "4.5.6", true, "prod")
		verifyPact("Foo", "1.2.3", "Bar", "5.6.7", true)
	case "the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6 and version 5.6.7":
		publish("Foo", "1.2.3", "Bar", "/a")
		verifyPact("Foo", "1.2.3", "Bar", "4.5.6", true)
		verifyPact("Foo", "1.2.3", "Bar", "5.6.7", true)
	case "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 with tag prod, and 1.2.4 unsuccessfully by 9.9.9":
		publish("Foo", "1.2.3", "Bar", "/a")
		publish("Foo", "1.2.4", "Bar", "/b")
		verifyPact("Foo", "1.2.3", "Bar", "4.5.6", true, "prod")
		verifyPact("Foo", "1.2.4", "Bar", "9.9.9", false)
	case "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6, and 1.2.4 unsuccessfully by 9.9.9":
		publish("Foo", "1.2.3", "Bar", "/a")
		publish("Foo", "1.2.4", "Bar", "/b")
		verifyPact("Foo", "1.2.3", "Bar", "4.5.6", true)
		verifyPact("Foo", "1.2.4", "Bar", "9.9.9", false)
	case "version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with 2 environments that aren't test available for deployment":
		_, _, err := s.PutVersion(ctx, "Foo", fooSHA1Version, "")
		check(err)
		env("prod", "")
		env("dev", "")
	case "version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with a test environment available for deployment",
		"version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with a test environment available for release":
		_, _, err := s.PutVersion(ctx, "Foo", fooSHA1Version, "")
		check(err)
		env("test", "")
	default:
		if strings.Contains(state, "relation") {
			return nil // index relations are always there
		}
		return fmt.Errorf("unknown provider state %q", state)
	}
	if len(errs) > 0 {
		return fmt.Errorf("state %q: %v", state, errs)
	}
	return nil
}

// TestOfficialBrokerClientContract verifies this broker against the Pact
// Broker client's consumer contract with `contracts verify` and provider states.
func TestOfficialBrokerClientContract(t *testing.T) {
	forEachStore(t, testOfficialBrokerClientContract)
}

func testOfficialBrokerClientContract(t *testing.T, open storeOpener) {
	p := &contractProvider{tb: t, open: open}
	_, err := p.reset()
	require.NoError(t, err)
	provider := httptest.NewServer(p)
	defer provider.Close()
	states := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ State, Action string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if body.Action == "setup" {
			if err := p.arrange(r.Context(), body.State); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
	}))
	defer states.Close()

	// The provider-state handler above exists only in this test file: a
	// normal build of the broker has no way to reset its database.
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"verify", brokerClientContract(t),
		"--provider-base-url", provider.URL,
		"--provider-states-setup-url", states.URL,
		"--json", filepath.Join(t.TempDir(), "report.json"),
	}, &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }})
	require.Equal(t, exitOK, code, "contracts verify of the broker client contract:\n%s\n%s", stdout.String(), stderr.String())
	require.Contains(t, stdout.String(), "67 interactions, 67 passed, 0 failed")
}

// contractPactJSON is a one-interaction V2 pact for the states that need a
// published pact.
func contractPactJSON(consumer, provider, path string) []byte {
	return []byte(fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[{"description":"get %s","providerState":"it exists","request":{"method":"GET","path":%q},"response":{"status":200,"body":{"ok":true}}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`, consumer, provider, path, path))
}
