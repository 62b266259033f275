package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
)

type providerContractData struct {
	Provider, Version       string
	ProviderURL, VersionURL string
	// Specification names the version's documents ("OpenAPI",
	// "OpenAPI and AsyncAPI").
	Specification string
	Documents     []documentView
	Comparisons   []comparisonView
	JSONURL       string
}

// documentView is one of the version's provider contracts.
type documentView struct {
	Specification string
	ContentType   string
	CreatedAt     time.Time
	// SelfStatus is statusSuccess, statusFailed or statusUnverified (the
	// provider did not say).
	SelfStatus                  string
	Verifier, VerifierVersion   string
	SelfFormat, SelfContentType string
	SelfContent                 string
	Operations                  []operationView
	AsyncAPI                    bool
	Document                    string
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

// providerContract shows a provider version's OpenAPI and AsyncAPI
// documents: for each, its operations and the provider's
// self-verification; per consumer, the comparison of its latest pact with
// the documents, results grouped by operation.
func (h *handler) providerContract(r *http.Request) (*page, error) {
	ctx := r.Context()
	provider, version := r.PathValue("provider"), r.PathValue("version")
	docs, err := h.store.GetProviderContracts(ctx, provider, version)
	if errors.Is(err, broker.ErrNotFound) {
		return nil, notFound("%s version %q has no provider contract", provider, version)
	}
	if err != nil {
		return nil, wrapf(err, "provider contract of %q %q", provider, version)
	}
	d := providerContractData{Provider: provider, Version: version, ProviderURL: h.pacticipantLink(provider),
		VersionURL: h.versionLink(provider, version)}
	d.JSONURL = h.link("/contracts/provider", provider, "version", version)
	anchors := map[string]string{}
	var names []string
	for _, c := range docs {
		dv := documentView{Specification: "OpenAPI", ContentType: c.ContentType, CreatedAt: c.CreatedAt,
			SelfStatus: statusUnverified, Verifier: c.Self.Verifier, VerifierVersion: c.Self.VerifierVersion,
			SelfFormat: c.Self.Format, SelfContentType: c.Self.ContentType, SelfContent: capText(string(c.Self.Content)),
			Document: capText(string(c.Content)), AsyncAPI: c.Specification == broker.SpecAsyncAPI}
		if dv.AsyncAPI {
			dv.Specification = "AsyncAPI"
		}
		names = append(names, dv.Specification)
		if s := c.Self.Success; s != nil {
			dv.SelfStatus = statusFailed
			if *s {
				dv.SelfStatus = statusSuccess
			}
		}
		ops, err := broker.ContractOperations(c)
		if err != nil {
			return nil, wrapf(err, "operations of the %s provider contract of %q %q", dv.Specification, provider, version)
		}
		for _, op := range ops {
			id := fmt.Sprintf("operation-%d", len(anchors)+1)
			anchors[op.Key] = "#" + id
			dv.Operations = append(dv.Operations, operationView{ContractOperation: op, HTMLID: id})
		}
		d.Documents = append(d.Documents, dv)
	}
	d.Specification = strings.Join(names, " and ")
	latest, err := h.store.ListLatestPacts(ctx, provider, broker.PactFilter{})
	if err != nil {
		return nil, wrapf(err, "latest pacts with %q", provider)
	}
	svc := broker.NewService(h.store, broker.Rules{})
	for _, p := range latest {
		cmp, err := svc.Compare(ctx, p.Consumer, p.Provider, p.SHA, docs)
		if err != nil {
			return nil, wrapf(err, "comparison of %q's pact with %q %q", p.Consumer, provider, version)
		}
		full, err := h.store.GetPactBySHA(ctx, p.Consumer, p.Provider, p.SHA)
		if err != nil {
			return nil, wrapf(err, "pact %q", p.SHA)
		}
		results, err := broker.CompareResults(full.Content, docs)
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
	if len(docs) > 1 {
		title = fmt.Sprintf("Provider contracts of %s %s", provider, version)
	}
	return &page{name: "providercontract", title: title, nav: "integrations", data: d, json: d.JSONURL}, nil
}
