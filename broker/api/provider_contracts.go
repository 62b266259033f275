package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
)

// PublishProviderContractRequest is the body of PactFlow's provider
// contract publication (index relations pf:publish-provider-contract, with
// Contract, and pf:publish-provider-contracts, with Contracts).
type PublishProviderContractRequest struct {
	PacticipantVersionNumber string                `json:"pacticipantVersionNumber"`
	Branch                   string                `json:"branch,omitempty"`
	Tags                     []string              `json:"tags,omitempty"`
	BuildURL                 string                `json:"buildUrl,omitempty"`
	Contract                 *ProviderContractDoc  `json:"contract,omitempty"`
	Contracts                []ProviderContractDoc `json:"contracts,omitempty"`
}

// ProviderContractDoc is one provider contract in a publication or a
// provider contract resource; Content is base64 in publications.
type ProviderContractDoc struct {
	Content                 string                   `json:"content"`
	ContentType             string                   `json:"contentType,omitempty"`
	Specification           string                   `json:"specification"`
	SelfVerificationResults *SelfVerificationResults `json:"selfVerificationResults,omitempty"`
}

// SelfVerificationResults is a provider's own verification of its
// contract; Content is base64 in publications.
type SelfVerificationResults struct {
	Success         *bool  `json:"success,omitempty"`
	Content         string `json:"content,omitempty"`
	ContentType     string `json:"contentType,omitempty"`
	Format          string `json:"format,omitempty"`
	Verifier        string `json:"verifier,omitempty"`
	VerifierVersion string `json:"verifierVersion,omitempty"`
}

// PublishProviderContractResponse answers a provider contract publication.
type PublishProviderContractResponse struct {
	Notices  []Notice `json:"notices"`
	Embedded struct {
		Version Version `json:"version"`
	} `json:"_embedded"`
	Links map[string]any `json:"_links"`
}

// ProviderContractResource is a provider version's provider contracts
// with their comparisons with each consumer's latest pact. The top-level
// specification, content and self-verification are the version's first
// contract (OpenAPI when it published one); Contracts lists every one.
type ProviderContractResource struct {
	Provider                string                   `json:"providerName"`
	Version                 string                   `json:"providerVersionNumber"`
	Specification           string                   `json:"specification"`
	ContentType             string                   `json:"contentType"`
	Content                 string                   `json:"content"`
	SelfVerificationResults *SelfVerificationResults `json:"selfVerificationResults,omitempty"`
	CreatedAt               string                   `json:"createdAt"`
	Contracts               []ProviderContractEntry  `json:"contracts"`
	Comparisons             []ComparisonDoc          `json:"comparisons"`
	Links                   Links                    `json:"_links"`
}

// ProviderContractEntry is one provider contract of a provider version
// (one per specification); Content is the document as text.
type ProviderContractEntry struct {
	Specification           string                   `json:"specification"`
	ContentType             string                   `json:"contentType"`
	Content                 string                   `json:"content"`
	SelfVerificationResults *SelfVerificationResults `json:"selfVerificationResults,omitempty"`
	CreatedAt               string                   `json:"createdAt"`
}

// ComparisonDoc is the comparison of one pact with a provider version's
// contracts: HTTP interactions with its OpenAPI document, messages with its
// AsyncAPI document.
type ComparisonDoc struct {
	Consumer        string `json:"consumerName"`
	ConsumerVersion string `json:"consumerVersionNumber"`
	PactSHA         string `json:"pactVersionSha"`
	Success         bool   `json:"success"`
	// Results are PactFlow's comparator results.
	Results any `json:"results"`
}

// ProviderContractInput is a provider contract to publish with the Client.
type ProviderContractInput struct {
	Specification   string
	ContentType     string
	Content         []byte
	SelfSuccess     *bool
	SelfContent     []byte
	SelfContentType string
	SelfFormat      string
	Verifier        string
	VerifierVersion string
}

// PublishProviderContract publishes a provider version's contract.
func (c *Client) PublishProviderContract(ctx context.Context, provider, version, branch, buildURL string, tags []string, in ProviderContractInput) ([]Notice, error) {
	doc := ProviderContractDoc{Content: base64.StdEncoding.EncodeToString(in.Content), ContentType: in.ContentType, Specification: in.Specification}
	if in.SelfSuccess != nil || len(in.SelfContent) > 0 || in.Verifier != "" {
		doc.SelfVerificationResults = &SelfVerificationResults{Success: in.SelfSuccess, ContentType: in.SelfContentType,
			Format: in.SelfFormat, Verifier: in.Verifier, VerifierVersion: in.VerifierVersion}
		if len(in.SelfContent) > 0 {
			doc.SelfVerificationResults.Content = base64.StdEncoding.EncodeToString(in.SelfContent)
		}
	}
	body := PublishProviderContractRequest{PacticipantVersionNumber: version, Branch: branch, Tags: tags, BuildURL: buildURL, Contract: &doc}
	var resp PublishProviderContractResponse
	if _, err := c.do(ctx, http.MethodPost, "/provider-contracts/provider/"+url.PathEscape(provider)+"/publish", body, &resp); err != nil {
		return nil, fmt.Errorf("publish the provider contract of %s version %s: %w", provider, version, err)
	}
	return resp.Notices, nil
}

// ProviderContract returns a provider version's provider contracts (their
// content as text). broker.ErrNotFound when the version has none.
func (c *Client) ProviderContract(ctx context.Context, provider, version string) (*ProviderContractResource, error) {
	var doc ProviderContractResource
	if _, err := c.do(ctx, http.MethodGet, PathOf("contracts", "provider", provider, "version", version), nil, &doc); err != nil {
		return nil, fmt.Errorf("provider contract of %s version %s: %w", provider, version, err)
	}
	return &doc, nil
}

// DeployedVersions returns the numbers of the pacticipant's versions
// currently deployed to the environment (by name), most recently deployed
// first. broker.ErrNotFound: no such environment.
func (c *Client) DeployedVersions(ctx context.Context, pacticipant, environment string) ([]string, error) {
	env, err := c.environmentByName(ctx, environment)
	if err != nil {
		return nil, err
	}
	q := url.Values{"pacticipant": {pacticipant}}
	var list DeployedVersions
	if _, err := c.do(ctx, http.MethodGet, PathOf("environments", env.UUID, "deployed-versions", "currently-deployed")+"?"+q.Encode(), nil, &list); err != nil {
		return nil, fmt.Errorf("list deployments of %s in %s: %w", pacticipant, environment, err)
	}
	ds := list.Embedded.DeployedVersions
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].CreatedAt > ds[j].CreatedAt })
	var out []string
	seen := map[string]bool{}
	for _, d := range ds {
		if n := d.Embedded.Version.Number; n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}
