package server

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// publishProviderContracts is PactFlow's provider contract publication:
// pf:publish-provider-contract (one "contract") and
// pf:publish-provider-contracts ("contracts").
func (s *server) publishProviderContracts(w http.ResponseWriter, r *http.Request) error {
	var b api.PublishProviderContractRequest
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	in := broker.ProviderContractPublication{Provider: r.PathValue("provider"), Version: b.PacticipantVersionNumber,
		Branch: b.Branch, Tags: b.Tags, BuildURL: b.BuildURL}
	docs := b.Contracts
	if b.Contract != nil {
		docs = append([]api.ProviderContractDoc{*b.Contract}, docs...)
	}
	for i, d := range docs {
		field := fmt.Sprintf("contracts[%d]", i)
		if b.Contract != nil && len(b.Contracts) == 0 {
			field = "contract"
		}
		c, err := providerContract(field, d)
		if err != nil {
			return err
		}
		in.Contracts = append(in.Contracts, c)
	}
	stored, err := s.store.PublishProviderContracts(r.Context(), in)
	var fe *broker.FieldError
	if errors.As(err, &fe) && b.Contract != nil && len(b.Contracts) == 0 && strings.HasPrefix(fe.Field, "contracts[0]") {
		// The service numbers contracts; this request had a single one.
		return broker.Invalid("contract"+strings.TrimPrefix(fe.Field, "contracts[0]"), "%s", fe.Message)
	}
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	v, err := s.store.GetVersion(r.Context(), in.Provider, in.Version)
	if err != nil {
		return err
	}
	var doc api.PublishProviderContractResponse
	for _, c := range stored {
		doc.Notices = append(doc.Notices, api.Notice{Type: "success",
			Text: fmt.Sprintf("Published the %s provider contract of %s version %s", specName(c.Specification), c.Provider, c.Version)})
	}
	doc.Embedded.Version = u.versionJSON(v, nil)
	tags := make([]api.Link, 0, len(in.Tags))
	for _, t := range in.Tags {
		tags = append(tags, api.Link{Href: u.href("pacticipants", in.Provider, "versions", in.Version, "tags", t), Name: t})
	}
	doc.Links = map[string]any{
		"pf:provider-contract":        api.Link{Href: u.href("contracts", "provider", in.Provider, "version", in.Version), Title: "Provider contract"},
		"pb:pacticipant":              api.Link{Href: u.pacticipant(in.Provider), Name: in.Provider},
		"pb:pacticipant-version":      api.Link{Href: u.version(in.Provider, in.Version), Name: in.Version},
		"pb:pacticipant-version-tags": tags,
	}
	if in.Branch != "" {
		doc.Links["pb:branch-version"] = api.Link{Href: u.href("pacticipants", in.Provider, "branches", in.Branch, "versions", in.Version), Name: in.Branch}
	}
	writeJSON(w, http.StatusOK, doc)
	return nil
}

func specName(spec string) string {
	if spec == broker.SpecAsyncAPI {
		return "AsyncAPI"
	}
	return "OpenAPI"
}

// providerContract decodes one published contract; field names it in
// errors.
func providerContract(field string, d api.ProviderContractDoc) (broker.ProviderContract, error) {
	c := broker.ProviderContract{Specification: d.Specification, ContentType: d.ContentType}
	if c.Specification == "" {
		c.Specification = broker.SpecOpenAPI
	}
	if c.Specification != broker.SpecOpenAPI && c.Specification != broker.SpecAsyncAPI {
		return c, broker.Invalid(field+".specification", "must be %q or %q, got %q", broker.SpecOpenAPI, broker.SpecAsyncAPI, d.Specification)
	}
	content, err := base64.StdEncoding.DecodeString(d.Content)
	if err != nil {
		return c, broker.Invalid(field+".content", "must be base64: %v", err)
	}
	c.Content = content
	if sv := d.SelfVerificationResults; sv != nil {
		c.Self = broker.SelfVerification{Success: sv.Success, ContentType: sv.ContentType, Format: sv.Format,
			Verifier: sv.Verifier, VerifierVersion: sv.VerifierVersion}
		if sv.Content != "" {
			if c.Self.Content, err = base64.StdEncoding.DecodeString(sv.Content); err != nil {
				return c, broker.Invalid(field+".selfVerificationResults.content", "must be base64: %v", err)
			}
		}
	}
	return c, nil
}

// getProviderContract returns a provider version's contracts with their
// comparisons with each consumer's latest pact.
func (s *server) getProviderContract(w http.ResponseWriter, r *http.Request) error {
	provider, version := r.PathValue("provider"), r.PathValue("version")
	docs, comparisons, err := s.providerContractView(r, provider, version)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	first := docs[0]
	doc := api.ProviderContractResource{Provider: provider, Version: version, Specification: first.Specification,
		ContentType: first.ContentType, Content: string(first.Content), CreatedAt: first.CreatedAt.Format(time.RFC3339),
		SelfVerificationResults: selfVerificationDoc(first.Self), Comparisons: comparisons,
		Links: api.Links{
			"self":                   {Href: u.href("contracts", "provider", provider, "version", version)},
			"pb:pacticipant-version": {Href: u.version(provider, version), Name: version},
		}}
	for _, c := range docs {
		doc.Contracts = append(doc.Contracts, api.ProviderContractEntry{Specification: c.Specification, ContentType: c.ContentType,
			Content: string(c.Content), SelfVerificationResults: selfVerificationDoc(c.Self), CreatedAt: c.CreatedAt.Format(time.RFC3339)})
	}
	writeJSON(w, http.StatusOK, doc)
	return nil
}

func selfVerificationDoc(sv broker.SelfVerification) *api.SelfVerificationResults {
	if sv.Success == nil && sv.Verifier == "" && len(sv.Content) == 0 {
		return nil
	}
	return &api.SelfVerificationResults{Success: sv.Success, Content: string(sv.Content),
		ContentType: sv.ContentType, Format: sv.Format, Verifier: sv.Verifier, VerifierVersion: sv.VerifierVersion}
}

func (s *server) providerContractView(r *http.Request, provider, version string) ([]broker.ProviderContract, []api.ComparisonDoc, error) {
	docs, err := s.store.GetProviderContracts(r.Context(), provider, version)
	if err != nil {
		return nil, nil, err
	}
	latest, err := s.store.ListLatestPacts(r.Context(), provider, broker.PactFilter{})
	if err != nil {
		return nil, nil, err
	}
	out := []api.ComparisonDoc{}
	for _, p := range latest {
		cmp, err := s.store.Compare(r.Context(), p.Consumer, p.Provider, p.SHA, docs)
		if err != nil {
			return nil, nil, err
		}
		var results any
		_ = json.Unmarshal(cmp.Results, &results)
		out = append(out, api.ComparisonDoc{Consumer: p.Consumer, ConsumerVersion: p.ConsumerVersion, PactSHA: p.SHA, Success: cmp.Success, Results: results})
	}
	return docs, out, nil
}
