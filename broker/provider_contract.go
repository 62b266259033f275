package broker

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/formats/asyncapi"
	"github.com/contracts-dev/contracts/formats/compare"
	"github.com/contracts-dev/contracts/formats/openapi"
	"github.com/contracts-dev/contracts/formats/pact"
)

// Provider contract specifications.
const (
	SpecOpenAPI  = "oas"
	SpecAsyncAPI = "asyncapi"
)

// SelfVerification is a provider's own verification of its contract: the
// outcome of its tests against the document, with their report.
type SelfVerification struct {
	// Success is nil when the provider did not say.
	Success         *bool
	Content         []byte
	ContentType     string
	Format          string
	Verifier        string
	VerifierVersion string
}

// ProviderContract is an OpenAPI or AsyncAPI document a provider version
// published instead of (or beside) running a pact verifier: a
// bi-directional contract.
type ProviderContract struct {
	Provider string
	Version  string
	// Specification is SpecOpenAPI or SpecAsyncAPI.
	Specification string
	ContentType   string
	Content       []byte
	// SHA identifies the content and specification (hex SHA-1).
	SHA       string
	Self      SelfVerification
	CreatedAt time.Time
}

// ProviderContractPublication publishes provider contracts of one provider
// version, with its branch, tags and build URL.
type ProviderContractPublication struct {
	Provider  string
	Version   string
	Branch    string
	Tags      []string
	BuildURL  string
	Contracts []ProviderContract
}

// Comparison is the stored outcome of comparing a pact version with a
// provider version's provider contracts (see package formats/compare).
type Comparison struct {
	PactSHA string
	// ContractSHA identifies the set of documents compared with
	// (documentsSHA); DocumentSHAs are their SHAs.
	ContractSHA  string
	DocumentSHAs []string
	// Success is true when no result is an error.
	Success bool
	// Results is the JSON array of compare.Result.
	Results   json.RawMessage
	CreatedAt time.Time
}

// Verification kinds of matrix rows.
const (
	// KindPact: the provider verified the pact by replaying it.
	KindPact = "pact"
	// KindBiDirectional: the pact was compared with the provider version's
	// self-verified provider contract.
	KindBiDirectional = "bi-directional"
)

// DocumentsSHA identifies a set of provider contracts (a provider
// version's documents): the ContractSHA of their comparisons.
func DocumentsSHA(docs []ProviderContract) string {
	key, _ := documentsSHA(docs)
	return key
}

// documentsSHA returns DocumentsSHA and the documents' SHAs. The key never
// equals a single contract's SHA: the comparisons of the previous release,
// keyed by one document's SHA and skipping the interactions that document
// does not cover, are not reused.
func documentsSHA(docs []ProviderContract) (string, []string) {
	shas := make([]string, 0, len(docs))
	for _, d := range docs {
		shas = append(shas, d.SHA)
	}
	sort.Strings(shas)
	h := sha1.New()
	h.Write([]byte("documents"))
	for _, s := range shas {
		h.Write([]byte{0})
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil)), shas
}

// providerContractSHA identifies a contract's content.
func providerContractSHA(spec string, content []byte) string {
	h := sha1.New()
	h.Write([]byte(spec))
	h.Write([]byte{0})
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// loadProviderContract reads a provider contract's document as the
// comparator takes it; the error names what is wrong.
func loadProviderContract(spec string, content []byte) (compare.Documents, error) {
	switch spec {
	case SpecOpenAPI:
		doc, ok, err := compare.ParseOpenAPI(content)
		if err != nil {
			return compare.Documents{}, err
		}
		if !ok {
			// Swagger 2.0 (converted); a reference to another file is
			// refused, as a published contract is one document.
			loaded, err := openapi.Parse(content, "contract", openapi.Options{})
			if err != nil {
				return compare.Documents{}, err
			}
			if doc, err = compare.OpenAPIDocument(loaded.Spec); err != nil {
				return compare.Documents{}, err
			}
		}
		return compare.Documents{OpenAPI: doc}, nil
	case SpecAsyncAPI:
		doc, err := asyncapi.Parse(content, "contract")
		if err != nil {
			return compare.Documents{}, err
		}
		return compare.Documents{AsyncAPI: doc}, nil
	}
	return compare.Documents{}, fmt.Errorf("specification %q is not %q or %q", spec, SpecOpenAPI, SpecAsyncAPI)
}

// PublishProviderContracts stores provider contracts of a provider version
// (one per specification: a version holds an OpenAPI and an AsyncAPI
// document; publishing a specification again replaces the version's
// document of that specification), creating the version, its branch and
// tags, then compares each consumer's latest pact with the provider with
// all the version's documents. A publication is refused whole
// (ErrInvalid naming the contract and the problem) before anything is
// stored when one of its documents does not load or two have the same
// specification.
func (s *Service) PublishProviderContracts(ctx context.Context, in ProviderContractPublication) ([]ProviderContract, error) {
	if err := CheckName("provider", in.Provider); err != nil {
		return nil, err
	}
	if err := CheckName("pacticipantVersionNumber", in.Version); err != nil {
		return nil, err
	}
	if in.Branch != "" {
		if err := CheckName("branch", in.Branch); err != nil {
			return nil, err
		}
	}
	for _, t := range in.Tags {
		if err := CheckName("tags", t); err != nil {
			return nil, err
		}
	}
	if len(in.Contracts) == 0 {
		return nil, Invalid("contracts", "at least one contract is required")
	}
	seen := map[string]int{}
	for i, c := range in.Contracts {
		field := fmt.Sprintf("contracts[%d]", i)
		if j, ok := seen[c.Specification]; ok {
			// The second would silently replace the first.
			return nil, Invalid(field+".specification", "a provider version has one %s contract, and contracts[%d] is one too", c.Specification, j)
		}
		seen[c.Specification] = i
		if len(c.Content) == 0 {
			return nil, Invalid(field+".content", "must not be empty")
		}
		if _, err := loadProviderContract(c.Specification, c.Content); err != nil {
			return nil, Invalid(field+".content", "the %s document does not load: %v", c.Specification, err)
		}
	}
	if _, _, err := s.Store.PutVersion(ctx, in.Provider, in.Version, in.BuildURL); err != nil {
		return nil, err
	}
	if in.Branch != "" {
		if _, _, err := s.AddBranchVersion(ctx, in.Provider, in.Branch, in.Version); err != nil {
			return nil, err
		}
	}
	for _, t := range in.Tags {
		if _, _, err := s.AddTag(ctx, in.Provider, in.Version, t); err != nil {
			return nil, err
		}
	}
	var out []ProviderContract
	for _, c := range in.Contracts {
		c.Provider, c.Version = in.Provider, in.Version
		c.SHA = providerContractSHA(c.Specification, c.Content)
		stored, err := s.Store.PutProviderContract(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, stored)
	}
	// Compare now each consumer's latest pact with all the version's
	// documents (those published before too), so that the results are there
	// to read; the matrix compares any other pair when asked.
	docs, err := s.Store.GetProviderContracts(ctx, in.Provider, in.Version)
	if err != nil {
		return nil, err
	}
	latest, err := s.Store.ListLatestPacts(ctx, in.Provider, PactFilter{})
	if err != nil {
		return nil, err
	}
	cs := comparators{}
	for _, p := range latest {
		if _, err := compareWithContracts(ctx, s.Store, cs, p.Consumer, p.Provider, p.SHA, docs); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// latestProviderContracts returns, for the providers of pacts being
// published, the provider contracts of each one's latest version when it
// has any. It reads inside the publication's snapshot, before the write, so
// that a publication waits for a read connection once.
func (s *Service) latestProviderContracts(ctx context.Context, pacts []PactWrite) map[string][]ProviderContract {
	out := map[string][]ProviderContract{}
	seen := map[string]bool{}
	for _, p := range pacts {
		if seen[p.Provider] {
			continue
		}
		seen[p.Provider] = true
		vs, err := s.Store.ResolveVersions(ctx, MatrixSelector{Pacticipant: p.Provider, Latest: true})
		if err != nil || len(vs) == 0 {
			continue
		}
		docs, err := s.Store.GetProviderContracts(ctx, p.Provider, vs[0].Number)
		if err != nil {
			continue
		}
		out[p.Provider] = docs
	}
	return out
}

// compareWithProviderContracts compares newly published pacts with the
// provider contracts of their provider's latest version (contracts, from
// latestProviderContracts), so that the results are there to read. The
// pacts are stored already: a failure here must not fail their
// publication, and the matrix computes (and reports the failure of) a
// missing comparison when it needs it.
func (s *Service) compareWithProviderContracts(ctx context.Context, published []PublishedContract, contracts map[string][]ProviderContract) {
	for _, pc := range published {
		if docs, ok := contracts[pc.Pact.Provider]; ok {
			_, _ = s.Compare(ctx, pc.Pact.Consumer, pc.Pact.Provider, pc.Pact.SHA, docs)
		}
	}
}

// Compare returns the comparison of a pact version of consumer and
// provider with a provider version's contracts (docs, as
// GetProviderContracts returns them), computing and storing it the first
// time.
func (s *Service) Compare(ctx context.Context, consumer, provider, pactSHA string, docs []ProviderContract) (Comparison, error) {
	return compareWithContracts(ctx, s.Store, nil, consumer, provider, pactSHA, docs)
}

func compareWithContracts(ctx context.Context, st Store, cs comparators, consumer, provider, pactSHA string, docs []ProviderContract) (Comparison, error) {
	cmp, computed, err := lookupComparison(ctx, st, cs, consumer, provider, pactSHA, docs)
	if err != nil || !computed {
		return cmp, err
	}
	return st.PutComparison(ctx, cmp)
}

// lookupComparison returns the stored comparison of the pact version with
// the documents, or computes it (computed true, not stored yet: the caller
// stores it, outside any read snapshot). It only reads the store.
func lookupComparison(ctx context.Context, st Store, cs comparators, consumer, provider, pactSHA string, docs []ProviderContract) (cmp Comparison, computed bool, err error) {
	key, shas := documentsSHA(docs)
	got, err := st.GetComparison(ctx, pactSHA, key)
	if err == nil {
		return got, false, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return Comparison{}, false, err
	}
	p, err := st.GetPactBySHA(ctx, consumer, provider, pactSHA)
	if err != nil {
		return Comparison{}, false, fmt.Errorf("compare pact %s: %w", pactSHA, err)
	}
	results, err := comparePact(cs, p.Content, docs)
	if err != nil {
		return Comparison{}, false, err
	}
	b, err := json.Marshal(results)
	if err != nil {
		return Comparison{}, false, err
	}
	return Comparison{PactSHA: pactSHA, ContractSHA: key, DocumentSHAs: shas, Success: !compare.HasErrors(results), Results: b}, true, nil
}

// comparators holds the comparator of each set of provider contracts (by
// documentsSHA) for one piece of work (a matrix query, a publication):
// loading the documents and compiling their schemas is most of a
// comparison's cost, and one version's documents are usually compared with
// many pacts. A nil map builds a comparator for each comparison.
type comparators map[string]*compare.Comparator

// of returns the comparator of a provider version's documents: HTTP
// interactions are compared with its OpenAPI document, messages with its
// AsyncAPI document, and an interaction whose kind of document the version
// did not publish is an error (request.spec.missing, message.spec.missing).
func (cs comparators) of(docs []ProviderContract) (*compare.Comparator, error) {
	key := DocumentsSHA(docs)
	if cmp, ok := cs[key]; ok {
		return cmp, nil
	}
	all := compare.Documents{ReportMissing: true}
	for _, c := range docs {
		d, err := loadProviderContract(c.Specification, c.Content)
		if err != nil {
			return nil, fmt.Errorf("%s provider contract of %s %s: %w", c.Specification, c.Provider, c.Version, err)
		}
		if d.OpenAPI != nil {
			all.OpenAPI = d.OpenAPI
		}
		if d.AsyncAPI != nil {
			all.AsyncAPI = d.AsyncAPI
		}
	}
	cmp, err := compare.New(all)
	if err != nil {
		return nil, err
	}
	if cs != nil {
		cs[key] = cmp
	}
	return cmp, nil
}

func comparePact(cs comparators, content []byte, docs []ProviderContract) ([]compare.Result, error) {
	cmp, err := cs.of(docs)
	if err != nil {
		return nil, err
	}
	p, err := pact.Parse(content)
	if err != nil {
		return nil, fmt.Errorf("pact: %w", err)
	}
	results := cmp.Compare(p)
	if results == nil {
		results = []compare.Result{}
	}
	return results, nil
}

// bidirectional fills the unverified rows whose provider version published
// provider contracts with the outcome of comparing the pact with them: a
// success when every contract's self-verification succeeded and the
// comparison found no error. It only reads the store (the matrix reads one
// snapshot): the comparisons it had to compute are returned, to store
// afterwards (storeComparisons).
func bidirectional(ctx context.Context, st Store, rows []MatrixRow) ([]Comparison, error) {
	var computed []Comparison
	seen := map[[2]string]bool{}
	cs := comparators{}
	for i := range rows {
		r := &rows[i]
		if r.Verification != nil || r.ProviderVersion == nil {
			continue
		}
		docs, err := st.GetProviderContracts(ctx, r.Provider, r.ProviderVersion.Number)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		cmp, fresh, err := lookupComparison(ctx, st, cs, r.Consumer, r.Provider, r.PactSHA, docs)
		if err != nil {
			return nil, err
		}
		if key := [2]string{cmp.PactSHA, cmp.ContractSHA}; fresh && !seen[key] {
			seen[key] = true
			computed = append(computed, cmp)
		}
		self, published := true, time.Time{}
		for _, c := range docs {
			self = self && c.Self.Success != nil && *c.Self.Success
			published = laterOf(published, c.CreatedAt)
		}
		r.Verification = &Verification{
			Consumer:        r.Consumer,
			Provider:        r.Provider,
			PactSHA:         r.PactSHA,
			ProviderVersion: r.ProviderVersion.Number,
			Success:         self && cmp.Success,
			// When both sides existed: stable whenever the comparison
			// itself was computed.
			ExecutionDate: laterOf(published, r.PactCreatedAt),
		}
		r.Kind = KindBiDirectional
	}
	return computed, nil
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// storeComparisons stores comparisons bidirectional computed.
func storeComparisons(ctx context.Context, st Store, cmps []Comparison) error {
	for _, c := range cmps {
		if _, err := st.PutComparison(ctx, c); err != nil {
			return fmt.Errorf("store the comparison of pact %s with provider contract %s: %w", c.PactSHA, c.ContractSHA, err)
		}
	}
	return nil
}

// CompareResults compares a pact's content with a provider version's
// contracts and returns the comparator's results, with their Operation set
// for grouping (the stored Comparison's JSON does not carry it).
func CompareResults(pactContent []byte, docs []ProviderContract) ([]compare.Result, error) {
	return comparePact(nil, pactContent, docs)
}

// ContractOperation is one operation of a provider contract.
type ContractOperation struct {
	// Key names the operation as comparison results do (compare.Result's
	// Operation): "GET /orders/{id}" or "operation publishOrderEvents".
	Key string
	// Method, Path and Summary describe an OpenAPI operation.
	Method, Path, Summary string
	// ID is the operation id; Action ("send" or "receive") and Channel
	// (the channel's address) describe an AsyncAPI operation.
	ID, Action, Channel string
}

var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// ContractOperations lists a provider contract's operations: by path then
// method for OpenAPI, by operation id for AsyncAPI.
func ContractOperations(c ProviderContract) ([]ContractOperation, error) {
	docs, err := loadProviderContract(c.Specification, c.Content)
	if err != nil {
		return nil, err
	}
	var out []ContractOperation
	if docs.AsyncAPI != nil {
		for id, op := range docs.AsyncAPI.Operations {
			o := ContractOperation{Key: "operation " + id, ID: id, Action: op.Action}
			if op.Channel != nil {
				o.Channel = op.Channel.Address
			}
			out = append(out, o)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
		return out, nil
	}
	paths, _ := docs.OpenAPI["paths"].(map[string]any)
	names := make([]string, 0, len(paths))
	for p := range paths {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		item, _ := paths[p].(map[string]any)
		for _, m := range openAPIMethods {
			op, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			o := ContractOperation{Key: strings.ToUpper(m) + " " + p, Method: strings.ToUpper(m), Path: p}
			o.Summary, _ = op["summary"].(string)
			o.ID, _ = op["operationId"].(string)
			out = append(out, o)
		}
	}
	return out, nil
}
