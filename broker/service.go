package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Rules configures the Pact Broker behaviours that exist for clients
// predating branches and environments. The zero value turns all of them
// off; DefaultRules is the Pact Broker's default.
type Rules struct {
	// MainBranchCandidates are the branch (or tag) names that become a
	// pacticipant's main branch when one of its versions is put on such a
	// branch (or tagged so) and it has no main branch yet. None disables it.
	MainBranchCandidates []string
	// FirstTagAsBranch is how soon after a version's creation its first tag
	// must come to also become its branch (when it has none), as clients
	// that tag instead of setting branches tag each version with its git
	// branch. 0 disables it.
	FirstTagAsBranch time.Duration
	// DeployedVersionsForTags makes tagging a version with the name of an
	// environment also record it as deployed there (the Pact Broker's
	// create_deployed_versions_for_tags).
	DeployedVersionsForTags bool
}

// DefaultRules returns the Pact Broker's defaults: develop, main and master
// are main branch candidates, a first tag within 10 seconds becomes the
// branch, and tags named like environments record deployments.
func DefaultRules() Rules {
	return Rules{
		MainBranchCandidates:    []string{"develop", "main", "master"},
		FirstTagAsBranch:        10 * time.Second,
		DeployedVersionsForTags: true,
	}
}

// Service is the broker's domain: it owns every rule and keeps a Store for
// persistence. The Store's read methods are promoted unchanged; the
// methods that carry rules (validation, branches and tags, publication
// conflicts and merges) are the Service's own.
type Service struct {
	Store
	rules Rules
}

// NewService returns the broker's domain over store with rules.
func NewService(store Store, rules Rules) *Service {
	return &Service{Store: store, rules: rules.withCopy()}
}

// withCopy keeps the candidates from being changed through the caller's
// slice.
func (r Rules) withCopy() Rules {
	r.MainBranchCandidates = slices.Clone(r.MainBranchCandidates)
	return r
}

// CheckName refuses a name that cannot be a pacticipant, version, branch,
// tag or environment: blank, "." or "..", or longer than MaxNameBytes.
// field names the input in the error.
func CheckName(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return Invalid(field, "must not be blank, got %q", v)
	}
	if v == "." || v == ".." {
		// URL resolution removes these path segments: nothing could be
		// reached under such a name.
		return Invalid(field, "must not be %q", v)
	}
	return checkNameLength(field, v)
}

// checkNameLength refuses names longer than MaxNameBytes, quoting only
// their start.
func checkNameLength(field, v string) error {
	if len(v) > MaxNameBytes {
		return Invalid(field, "must be at most %d bytes long, got %d bytes starting %q", MaxNameBytes, len(v), v[:32])
	}
	return nil
}

func checkEnvironment(e Environment) error {
	if strings.TrimSpace(e.Name) == "" {
		return Invalid("name", "must not be blank, got %q", e.Name)
	}
	if err := checkNameLength("name", e.Name); err != nil {
		return err
	}
	if strings.IndexFunc(e.Name, unicode.IsSpace) >= 0 {
		return Invalid("name", "must not contain spaces, got %q", e.Name)
	}
	if len(e.Contacts) > 0 && !json.Valid(e.Contacts) {
		return Invalid("contacts", "must be valid JSON, got %q", string(e.Contacts))
	}
	return nil
}

// CheckVerification refuses a verification result without a provider
// version or with test results or verifier details that are not JSON.
func CheckVerification(in VerificationInput) error {
	if err := CheckName("providerApplicationVersion", in.ProviderVersion); err != nil {
		return err
	}
	if len(in.TestResults) > 0 && !json.Valid(in.TestResults) {
		return Invalid("testResults", "must be valid JSON, got %.80q", string(in.TestResults))
	}
	if len(in.VerifiedBy) > 0 && !json.Valid(in.VerifiedBy) {
		return Invalid("verifiedBy", "must be valid JSON, got %.80q", string(in.VerifiedBy))
	}
	return nil
}

func checkWebhook(w Webhook) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(w.Definition, &obj); err != nil {
		return Invalid("webhook", "must be a JSON object: %v", err)
	}
	return nil
}

// checkVersion checks a pacticipant and version number, in the order the
// errors have always been reported.
func checkVersion(pacticipant, number string) error {
	if err := CheckName("version", number); err != nil {
		return err
	}
	return CheckName("pacticipant", pacticipant)
}

func (r Rules) mainBranchCandidate(name string) bool {
	return slices.Contains(r.MainBranchCandidates, name)
}

func (r Rules) branchWrite(name string) BranchWrite {
	return BranchWrite{Name: name, SetMainBranch: r.mainBranchCandidate(name)}
}

func (r Rules) tagWrite(name string) TagWrite {
	return TagWrite{
		Name:             name,
		SetMainBranch:    r.mainBranchCandidate(name),
		BranchWithin:     r.FirstTagAsBranch,
		RecordDeployment: r.DeployedVersionsForTags,
	}
}

// CreatePacticipant creates p. ErrInvalid: a bad name. ErrConflict: the
// name exists.
func (s *Service) CreatePacticipant(ctx context.Context, p Pacticipant) (Pacticipant, error) {
	if err := CheckName("name", p.Name); err != nil {
		return Pacticipant{}, err
	}
	return s.Store.CreatePacticipant(ctx, p)
}

// PutPacticipant creates or replaces the pacticipant p.Name (see
// Store.PutPacticipant). ErrInvalid: a bad name.
func (s *Service) PutPacticipant(ctx context.Context, p Pacticipant) (Pacticipant, bool, error) {
	if err := CheckName("name", p.Name); err != nil {
		return Pacticipant{}, false, err
	}
	return s.Store.PutPacticipant(ctx, p)
}

// PutVersion creates the version (and the pacticipant) if missing and sets
// its build URL when buildURL is non-empty. ErrInvalid: a bad pacticipant
// or number.
func (s *Service) PutVersion(ctx context.Context, pacticipant, number, buildURL string) (Version, bool, error) {
	if err := checkVersion(pacticipant, number); err != nil {
		return Version{}, false, err
	}
	return s.Store.PutVersion(ctx, pacticipant, number, buildURL)
}

// AddBranchVersion adds the version to the branch, creating pacticipant,
// version and branch as needed. A pacticipant without a main branch gets
// this one when it is a main branch candidate. created is false when the
// version already was on the branch. ErrInvalid: bad names.
func (s *Service) AddBranchVersion(ctx context.Context, pacticipant, branch, version string) (BranchVersion, bool, error) {
	if err := CheckName("branch", branch); err != nil {
		return BranchVersion{}, false, err
	}
	if err := checkVersion(pacticipant, version); err != nil {
		return BranchVersion{}, false, err
	}
	return s.Store.AddBranchVersion(ctx, pacticipant, version, s.rules.branchWrite(branch))
}

// AddTag tags the version, creating pacticipant and version as needed.
// As in the Pact Broker, for clients that predate branches and
// environments (see Rules): a pacticipant without a main branch gets the
// tag name when it is a main branch candidate; the first tag of a version
// with no branch, applied soon after its creation, also becomes its
// branch; a tag named like an environment records a deployment there.
// created is false when the tag existed. ErrInvalid: bad names.
func (s *Service) AddTag(ctx context.Context, pacticipant, version, tag string) (Tag, bool, error) {
	if err := CheckName("tag", tag); err != nil {
		return Tag{}, false, err
	}
	if err := checkVersion(pacticipant, version); err != nil {
		return Tag{}, false, err
	}
	return s.Store.AddTag(ctx, pacticipant, version, s.rules.tagWrite(tag))
}

// CreateEnvironment creates an environment (see Store.CreateEnvironment).
// ErrInvalid: a blank name, a name with spaces, contacts that are not
// JSON.
func (s *Service) CreateEnvironment(ctx context.Context, e Environment) (Environment, error) {
	if err := checkEnvironment(e); err != nil {
		return Environment{}, err
	}
	return s.Store.CreateEnvironment(ctx, e)
}

// UpdateEnvironment replaces the environment e.UUID's fields (see
// Store.UpdateEnvironment). ErrInvalid as CreateEnvironment.
func (s *Service) UpdateEnvironment(ctx context.Context, e Environment) (Environment, error) {
	if err := checkEnvironment(e); err != nil {
		return Environment{}, err
	}
	return s.Store.UpdateEnvironment(ctx, e)
}

// PublishVerification records a verification result (see
// Store.PublishVerification). ErrInvalid: see CheckVerification.
func (s *Service) PublishVerification(ctx context.Context, in VerificationInput) (Verification, error) {
	if err := CheckVerification(in); err != nil {
		return Verification{}, err
	}
	hooks, err := s.Store.ListWebhooks(ctx, WebhookFilter{})
	if err != nil {
		return Verification{}, err
	}
	in.Webhooks = nil
	if len(hooks) > 0 {
		cvs := in.ConsumerVersions
		if len(cvs) == 0 {
			// Without metadata the Pact Broker reports to the latest
			// consumer version with this content.
			pacts, err := s.Store.ListPactVersions(ctx, in.Consumer, in.Provider, Page{Limit: MaxPageSize})
			if err != nil {
				return Verification{}, err
			}
			for _, p := range pacts {
				if p.SHA == in.PactSHA {
					cvs = []string{p.ConsumerVersion}
					break
				}
			}
		}
		in.Webhooks, err = verificationTriggers(ctx, hooks, &labelsOf{store: s.Store}, in, cvs)
		if err != nil {
			return Verification{}, err
		}
	}
	return s.Store.PublishVerification(ctx, in)
}

// CreateWebhook stores a webhook (see Store.CreateWebhook). ErrInvalid:
// the definition is not a JSON object.
func (s *Service) CreateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	if err := checkWebhook(w); err != nil {
		return Webhook{}, err
	}
	return s.Store.CreateWebhook(ctx, w)
}

// PutWebhook creates or replaces webhook w.UUID (see Store.PutWebhook).
// ErrInvalid: a blank UUID, or as CreateWebhook.
func (s *Service) PutWebhook(ctx context.Context, w Webhook) (Webhook, bool, error) {
	if err := CheckName("uuid", w.UUID); err != nil {
		return Webhook{}, false, err
	}
	if err := checkWebhook(w); err != nil {
		return Webhook{}, false, err
	}
	return s.Store.PutWebhook(ctx, w)
}

// NewPublication checks req and returns it as a PublishWrite under rules,
// as the first publication of its pacts (no PactWrite replaces anything).
// ErrInvalid: bad names, a consumer name that is not the pacticipant, an
// unknown conflict policy, content that is not a pact of the named
// consumer and provider.
func NewPublication(req PublishRequest, rules Rules) (PublishWrite, error) {
	if err := CheckName("pacticipantName", req.Pacticipant); err != nil {
		return PublishWrite{}, err
	}
	if err := CheckName("pacticipantVersionNumber", req.Version); err != nil {
		return PublishWrite{}, err
	}
	w := PublishWrite{Pacticipant: req.Pacticipant, Version: req.Version, BuildURL: req.BuildURL, Pacts: make([]PactWrite, len(req.Contracts))}
	for i, c := range req.Contracts {
		field := fmt.Sprintf("contracts[%d]", i)
		if c.Consumer != req.Pacticipant {
			return PublishWrite{}, Invalid(field+".consumerName", "must equal pacticipantName %q, got %q", req.Pacticipant, c.Consumer)
		}
		if err := CheckName(field+".providerName", c.Provider); err != nil {
			return PublishWrite{}, err
		}
		switch c.OnConflict {
		case ConflictReject, ConflictOverwrite, ConflictMerge:
		default:
			return PublishWrite{}, Invalid(field+".onConflict", "must be overwrite or merge, got %q", c.OnConflict)
		}
		sha, err := CheckPactContent(c.Content, c.Consumer, c.Provider)
		if err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				return PublishWrite{}, Invalid(field+"."+fe.Field, "%s", fe.Message)
			}
			return PublishWrite{}, err
		}
		w.Pacts[i] = PactWrite{Provider: c.Provider, Content: c.Content, SHA: sha}
	}
	if req.Branch != "" {
		if err := CheckName("branch", req.Branch); err != nil {
			return PublishWrite{}, err
		}
		w.Branch = rules.branchWrite(req.Branch)
	}
	for _, t := range req.Tags {
		if err := CheckName("tag", t); err != nil {
			return PublishWrite{}, err
		}
		w.Tags = append(w.Tags, rules.tagWrite(t))
	}
	return w, nil
}

// publishAttempts bounds how often a publication is decided again when a
// concurrent one changed the pacts it was decided on. Every round lets at
// least one of the concurrent publications through, so n publications of
// one consumer version need at most n rounds: 5 made the eighth of eight
// concurrent merges fail under load (TestConcurrentMerges).
const publishAttempts = 64

// PublishContracts creates the version (branch, build URL), its tags, its
// pacts and their integrations in one transaction: on any error nothing is
// changed. Republishing identical content is a no-op (PublishUnchanged).
// Different content for a consumer version that already has a pact with
// the provider is refused with a *PactConflictError (ErrConflict) under
// ConflictReject, published as a new revision under ConflictOverwrite,
// and merged into the existing content (see MergePactContent) under
// ConflictMerge. ErrInvalid: see NewPublication.
func (s *Service) PublishContracts(ctx context.Context, req PublishRequest) (PublishResult, error) {
	base, err := NewPublication(req, s.rules)
	if err != nil {
		return PublishResult{}, err
	}
	for attempt := 1; ; attempt++ {
		w := base
		var merged []bool
		var contracts map[string][]ProviderContract
		// One snapshot for every read of a publication: under load each read
		// transaction waits for a connection behind long reads
		// (pacts-for-verification), and a publication made six such waits.
		err := inSnapshot(ctx, s.Store, func(ctx context.Context) error {
			var err error
			if merged, err = s.decidePacts(ctx, req, &w); err != nil {
				return err
			}
			hooks, err := s.Store.ListWebhooks(ctx, WebhookFilter{})
			if err != nil {
				return err
			}
			labels := &labelsOf{store: s.Store}
			w.Webhooks, err = s.publicationTriggers(ctx, hooks, labels, w)
			if err != nil {
				return err
			}
			more, err := s.requiringVerificationTriggers(ctx, hooks, labels, w)
			if err != nil {
				return err
			}
			w.Webhooks = append(w.Webhooks, more...)
			// Last: its failures are ignored (see compareWithProviderContracts).
			contracts = s.latestProviderContracts(ctx, w.Pacts)
			return nil
		})
		if err != nil {
			return PublishResult{}, err
		}
		res, err := s.Store.PublishContracts(ctx, w)
		if errors.Is(err, ErrStale) {
			if attempt < publishAttempts {
				continue
			}
			return PublishResult{}, fmt.Errorf("publish %s version %s: its pacts kept changing under concurrent publications: %w", req.Pacticipant, req.Version, ErrConflict)
		}
		if err != nil {
			return PublishResult{}, err
		}
		for i := range res.Contracts {
			if merged[i] && res.Contracts[i].Outcome == PublishOverwritten {
				res.Contracts[i].Outcome = PublishMerged
			}
		}
		s.compareWithProviderContracts(ctx, res.Contracts, contracts)
		return res, nil
	}
}

// decidePacts applies the conflict policies of req to w.Pacts against the
// consumer version's current pacts, and reports which were merged.
func (s *Service) decidePacts(ctx context.Context, req PublishRequest, w *PublishWrite) ([]bool, error) {
	type current struct {
		sha     string
		content []byte
	}
	cur := map[string]current{}
	pacts := make([]PactWrite, len(w.Pacts))
	merged := make([]bool, len(w.Pacts))
	for i, pw := range w.Pacts {
		c, ok := cur[pw.Provider]
		if !ok {
			p, err := s.Store.GetPact(ctx, req.Pacticipant, pw.Provider, req.Version)
			switch {
			case err == nil:
				c = current{sha: p.SHA, content: p.Content}
			case !errors.Is(err, ErrNotFound):
				return nil, err
			}
		}
		pw.Replaces = c.sha
		if c.sha != "" && c.sha != pw.SHA {
			switch req.Contracts[i].OnConflict {
			case ConflictOverwrite:
			case ConflictMerge:
				content, err := MergePactContent(c.content, pw.Content)
				if err != nil {
					return nil, err
				}
				sha, err := ContentSHA(content)
				if err != nil {
					return nil, err
				}
				pw.Content, pw.SHA = content, sha
				merged[i] = true
			default:
				return nil, &PactConflictError{Consumer: req.Pacticipant, Provider: pw.Provider, ConsumerVersion: req.Version, ExistingSHA: c.sha, NewSHA: pw.SHA}
			}
		}
		pacts[i] = pw
		cur[pw.Provider] = current{sha: pw.SHA, content: pw.Content}
	}
	w.Pacts = pacts
	return merged, nil
}

// QueryMatrix answers a matrix or can-i-deploy query (see QueryMatrix)
// over the Service's store.
func (s *Service) QueryMatrix(ctx context.Context, q MatrixQuery) (*MatrixResult, error) {
	return QueryMatrix(ctx, s.Store, q)
}

// PactsForVerification selects the pacts a provider is to verify (see
// PactsForVerification) over the Service's store.
func (s *Service) PactsForVerification(ctx context.Context, req PactsForVerificationRequest) ([]VerifiablePact, error) {
	return PactsForVerification(ctx, s.Store, req)
}
