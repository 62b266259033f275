package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/contracts-dev/contracts/broker"
)

type providerContractData struct {
	Provider, Version       string
	ProviderURL, VersionURL string
	Specification           string
	ContentType             string
	CreatedAt               time.Time
	// SelfStatus is statusSuccess, statusFailed or statusUnverified (the
	// provider did not say).
	SelfStatus                  string
	Verifier, VerifierVersion   string
	SelfFormat, SelfContentType string
	SelfContent                 string
	Operations                  []operationView
	AsyncAPI                    bool
	Comparisons                 []comparisonView
	Document                    string
	JSONURL                     string
}

// operationView is an operation with the id of its row.
type operationView struct {
	broker.ContractOperation
	HTMLID string
}

type comparisonView struct {
	Consumer, ConsumerVersion       string
	ConsumerURL, ConsumerVersionURL string
	PactURL                         string
	Compatible                      bool
	Errors, Warnings                int
	Groups                          []resultGroup
}

type resultGroup struct {
	Operation string
	// Anchor links the operation in the page's list ("" when the document
	// has no such operation).
	Anchor  string
	Results []resultView
}

type resultView struct {
	Type, Code, Message string
	Interaction         string
	MockLocation        string
	SpecLocation        string
}

// providerContract shows a provider version's OpenAPI or AsyncAPI
// document: its operations, the provider's self-verification and, per
// consumer, the comparison of its latest pact with the document, results
// grouped by operation.
func (h *handler) providerContract(r *http.Request) (*page, error) {
	ctx := r.Context()
	provider, version := r.PathValue("provider"), r.PathValue("version")
	c, err := h.store.GetProviderContract(ctx, provider, version)
	if errors.Is(err, broker.ErrNotFound) {
		return nil, notFound("%s version %q has no provider contract", provider, version)
	}
	if err != nil {
		return nil, wrapf(err, "provider contract of %q %q", provider, version)
	}
	d := providerContractData{Provider: provider, Version: version, ProviderURL: h.pacticipantLink(provider),
		VersionURL: h.versionLink(provider, version), Specification: "OpenAPI", ContentType: c.ContentType, CreatedAt: c.CreatedAt,
		SelfStatus: statusUnverified, Verifier: c.Self.Verifier, VerifierVersion: c.Self.VerifierVersion,
		SelfFormat: c.Self.Format, SelfContentType: c.Self.ContentType, SelfContent: capText(string(c.Self.Content)),
		Document: capText(string(c.Content)), AsyncAPI: c.Specification == broker.SpecAsyncAPI}
	d.JSONURL = h.link("/contracts/provider", provider, "version", version)
	if d.AsyncAPI {
		d.Specification = "AsyncAPI"
	}
	if s := c.Self.Success; s != nil {
		d.SelfStatus = statusFailed
		if *s {
			d.SelfStatus = statusSuccess
		}
	}
	ops, err := broker.ContractOperations(c)
	if err != nil {
		return nil, wrapf(err, "operations of the provider contract of %q %q", provider, version)
	}
	anchors := map[string]string{}
	for i, op := range ops {
		id := fmt.Sprintf("operation-%d", i+1)
		anchors[op.Key] = "#" + id
		d.Operations = append(d.Operations, operationView{ContractOperation: op, HTMLID: id})
	}
	latest, err := h.store.ListLatestPacts(ctx, provider, broker.PactFilter{})
	if err != nil {
		return nil, wrapf(err, "latest pacts with %q", provider)
	}
	svc := broker.NewService(h.store, broker.Rules{})
	for _, p := range latest {
		cmp, err := svc.Compare(ctx, p.Consumer, p.Provider, p.SHA, c)
		if err != nil {
			return nil, wrapf(err, "comparison of %q's pact with %q %q", p.Consumer, provider, version)
		}
		full, err := h.store.GetPactBySHA(ctx, p.Consumer, p.Provider, p.SHA)
		if err != nil {
			return nil, wrapf(err, "pact %q", p.SHA)
		}
		results, err := broker.CompareResults(full.Content, c)
		if err != nil {
			return nil, wrapf(err, "comparison of %q's pact with %q %q", p.Consumer, provider, version)
		}
		cv := comparisonView{Consumer: p.Consumer, ConsumerVersion: p.ConsumerVersion, ConsumerURL: h.pacticipantLink(p.Consumer),
			ConsumerVersionURL: h.versionLink(p.Consumer, p.ConsumerVersion), PactURL: h.pactLink(p.Consumer, provider, p.ConsumerVersion),
			Compatible: cmp.Success}
		index := map[string]int{}
		for _, res := range results {
			switch res.Type {
			case "error":
				cv.Errors++
			case "warning":
				cv.Warnings++
			}
			i, ok := index[res.Operation]
			if !ok {
				i = len(cv.Groups)
				index[res.Operation] = i
				cv.Groups = append(cv.Groups, resultGroup{Operation: res.Operation, Anchor: anchors[res.Operation]})
			}
			rv := resultView{Type: res.Type, Code: res.Code, Message: res.Message}
			if m := res.MockDetails; m != nil {
				rv.Interaction, rv.MockLocation = m.InteractionDescription, m.Location
			}
			if s := res.SpecDetails; s != nil {
				rv.SpecLocation = s.Location
			}
			cv.Groups[i].Results = append(cv.Groups[i].Results, rv)
		}
		d.Comparisons = append(d.Comparisons, cv)
	}
	title := fmt.Sprintf("Provider contract of %s %s", provider, version)
	return &page{name: "providercontract", title: title, nav: "integrations", data: d, json: d.JSONURL}, nil
}
