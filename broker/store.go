package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Sentinel errors every Store method returns (wrapped, test with errors.Is).
var (
	// ErrNotFound means a named pacticipant, version, branch, tag,
	// environment, pact, verification, deployment, release or webhook does
	// not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the write collides with existing state: a duplicate
	// name, or different pact content for a consumer version that already has
	// a pact with that provider.
	ErrConflict = errors.New("conflict")
	// ErrInvalid means the input is malformed (empty name, bad JSON, a name
	// with spaces, ...). The error is usually a *FieldError.
	ErrInvalid = errors.New("invalid")
	// ErrStale means a conditional write found the state it was decided on
	// changed (see PactWrite.Replaces): nothing was written; read again,
	// decide again and retry.
	ErrStale = errors.New("stale")
)

// FieldError is a validation error about one input field. It matches
// ErrInvalid with errors.Is.
type FieldError struct {
	// Field is the JSON name of the offending field ("name", "content", ...).
	Field string
	// Message says what is wrong, including the value seen.
	Message string
}

// Error implements error.
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// Invalid returns a *FieldError for field with a formatted message.
func Invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// PactConflictError reports a publication whose content differs from the
// pact already published for the same consumer version and provider. It
// matches ErrConflict with errors.Is.
type PactConflictError struct {
	Consumer        string
	Provider        string
	ConsumerVersion string
	// ExistingSHA and NewSHA are the content SHAs (see ContentSHA).
	ExistingSHA string
	NewSHA      string
}

// Error implements error.
func (e *PactConflictError) Error() string {
	return fmt.Sprintf("pact between %s and %s for consumer version %s already exists with different content (sha %s, new %s); overwriting is not allowed",
		e.Consumer, e.Provider, e.ConsumerVersion, e.ExistingSHA, e.NewSHA)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *PactConflictError) Is(target error) bool { return target == ErrConflict }

// Page selects a window of a list. Lists are ordered newest first unless a
// method says otherwise.
type Page struct {
	// Offset is the number of items skipped.
	Offset int
	// Limit is the maximum number of items; 0 means DefaultPageSize.
	Limit int
}

// DefaultPageSize is the page size used when Page.Limit is 0.
const DefaultPageSize = 100

// MaxPageSize caps Page.Limit.
const MaxPageSize = 1000

// MaxNameBytes caps the length of names: pacticipants, versions, branches,
// tags and environments. Each becomes a URL path segment, and a longer one
// would make resources that no request line can reach.
const MaxNameBytes = 1024

// Pacticipant is a consumer or provider application.
type Pacticipant struct {
	Name          string
	DisplayName   string
	RepositoryURL string
	// MainBranch is the branch whose head "mainBranch" selectors pick.
	MainBranch string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Version is one version (build) of a pacticipant. Versions are ordered by
// creation: the latest version is the one created last.
type Version struct {
	Pacticipant string
	Number      string
	BuildURL    string
	// Branches are the branches the version belongs to, oldest first.
	Branches []string
	// Tags are the version's tag names, oldest first.
	Tags      []string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// VersionRef names one pacticipant version.
type VersionRef struct {
	Pacticipant string
	Number      string
}

// Branch is a named branch of a pacticipant.
type Branch struct {
	Pacticipant string
	Name        string
	// Head is the number of the branch's latest version ("" if none).
	Head      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// BranchVersion records that a version belongs to a branch.
type BranchVersion struct {
	Pacticipant string
	Branch      string
	Version     string
	CreatedAt   time.Time
}

// Tag is a label on a pacticipant version.
type Tag struct {
	Pacticipant string
	Version     string
	Name        string
	CreatedAt   time.Time
}

// Environment is a deployment target (test, production, ...).
type Environment struct {
	UUID string
	// Name is unique and contains no spaces.
	Name        string
	DisplayName string
	Production  bool
	// Contacts is the JSON contacts array, kept whole (nil when absent).
	Contacts  json.RawMessage
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DeployedVersion records a version deployed to an environment.
type DeployedVersion struct {
	UUID            string
	Pacticipant     string
	Version         string
	EnvironmentUUID string
	EnvironmentName string
	// ApplicationInstance distinguishes several deployments of the same
	// pacticipant in one environment ("" is the default instance).
	ApplicationInstance string
	CurrentlyDeployed   bool
	CreatedAt           time.Time
	// UndeployedAt is set once CurrentlyDeployed became false.
	UndeployedAt *time.Time
}

// ReleasedVersion records a version released to an environment (for
// mobile apps, libraries: several can be supported at once).
type ReleasedVersion struct {
	UUID               string
	Pacticipant        string
	Version            string
	EnvironmentUUID    string
	EnvironmentName    string
	CurrentlySupported bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
	// SupportEndedAt is set once CurrentlySupported became false.
	SupportEndedAt *time.Time
}

// Integration is a consumer/provider pair with at least one pact.
type Integration struct {
	Consumer  string
	Provider  string
	CreatedAt time.Time
	// LatestPactCreatedAt is when the last pact between them was published.
	LatestPactCreatedAt time.Time
}

// IntegrationSummary is an integration with its latest pact and that
// pact's latest verification (see Store.ListIntegrationSummaries).
type IntegrationSummary struct {
	Integration
	// LatestPact is the pact of the latest consumer version with a pact,
	// without content; nil when there is none.
	LatestPact *Pact
	// LatestVerification is the newest verification of LatestPact's
	// content; nil when it has none.
	LatestVerification *Verification
}

// Webhook is a stored webhook definition. Consumer and Provider are
// optional filters ("" matches any).
type Webhook struct {
	UUID     string
	Consumer string
	Provider string
	// Definition is the webhook JSON document (description, events,
	// request, enabled), kept whole.
	Definition json.RawMessage
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// WebhookFilter restricts ListWebhooks; empty fields match any.
type WebhookFilter struct {
	Consumer string
	Provider string
}

// Pact is one pact publication: a consumer version's contract with a
// provider, pointing to deduplicated content.
type Pact struct {
	Consumer        string
	Provider        string
	ConsumerVersion string
	// SHA identifies the content (pact version), see ContentSHA.
	SHA string
	// Revision counts publications for this consumer version and provider,
	// starting at 1.
	Revision int
	Content  json.RawMessage
	// CreatedAt is when this publication was made.
	CreatedAt time.Time
	// ContentCreatedAt is when this content was first published.
	ContentCreatedAt time.Time
}

// ConflictPolicy says what to do when a consumer version already has a
// pact with different content for the same provider.
type ConflictPolicy string

// Conflict policies.
const (
	// ConflictReject refuses the publication with a *PactConflictError.
	ConflictReject ConflictPolicy = ""
	// ConflictOverwrite publishes the new content as a new revision.
	ConflictOverwrite ConflictPolicy = "overwrite"
	// ConflictMerge merges the interactions of the new content into the
	// existing content (see MergePactContent) and publishes the result.
	ConflictMerge ConflictPolicy = "merge"
)

// ContractInput is one pact in a publication.
type ContractInput struct {
	Consumer   string
	Provider   string
	Content    json.RawMessage
	OnConflict ConflictPolicy
}

// PublishRequest publishes a consumer version with its branch, tags and
// pacts in one transaction.
type PublishRequest struct {
	Pacticipant string
	Version     string
	Branch      string
	BuildURL    string
	Tags        []string
	Contracts   []ContractInput
}

// PublishOutcome says what a publication did with one contract.
type PublishOutcome string

// Publish outcomes.
const (
	PublishCreated     PublishOutcome = "created"
	PublishUnchanged   PublishOutcome = "unchanged"
	PublishOverwritten PublishOutcome = "overwritten"
	PublishMerged      PublishOutcome = "merged"
)

// PublishedContract is the result for one ContractInput.
type PublishedContract struct {
	Pact Pact
	// Outcome is what happened to the stored pact. A Store reports
	// PublishCreated (there was none), PublishUnchanged (same content,
	// nothing written) or PublishOverwritten (a new revision replaced it);
	// the Service reports PublishMerged for a merge it made.
	Outcome PublishOutcome
	// NewContent is true when no consumer version had this content before
	// (for the same consumer and provider).
	NewContent bool
	// NewIntegration is true when this is the first pact between the two.
	NewIntegration bool
}

// BranchWrite puts a version on a branch (Store.AddBranchVersion,
// PublishWrite.Branch).
type BranchWrite struct {
	// Name is the branch; it is created when missing.
	Name string
	// SetMainBranch makes Name the pacticipant's main branch when it has
	// none, in the same transaction, when the version was not on the branch
	// yet.
	SetMainBranch bool
}

// TagWrite tags a version (Store.AddTag, PublishWrite.Tags). Its effects
// apply only when the tag is new, in the same transaction, in this order.
type TagWrite struct {
	// Name is the tag.
	Name string
	// SetMainBranch makes Name the pacticipant's main branch when it has
	// none.
	SetMainBranch bool
	// BranchWithin, when positive, also puts the version on a branch named
	// Name (as a BranchWrite with the same SetMainBranch) when the version
	// is on no branch, Name is its only tag, and it was created at most
	// BranchWithin ago by the store's clock.
	BranchWithin time.Duration
	// RecordDeployment records the version as deployed (default
	// application instance, as RecordDeployment does) to the environment
	// named Name, when there is one.
	RecordDeployment bool
}

// PactWrite is one pact of a PublishWrite: content already checked and
// decided on by the Service.
type PactWrite struct {
	Provider string
	Content  json.RawMessage
	// SHA is the content's SHA (see ContentSHA).
	SHA string
	// Replaces is the SHA of the consumer version's current pact with
	// Provider that this write was decided on ("" when it had none). When
	// the current pact has SHA already, nothing is written
	// (PublishUnchanged); otherwise, when the current pact is not
	// Replaces, the publication fails with ErrStale.
	Replaces string
}

// PublishWrite is a publication as the Store persists it: one
// transaction that creates the pacticipant and version as needed, sets the
// build URL (when not empty), applies Branch (when its Name is not empty),
// then Tags, then Pacts, in order.
type PublishWrite struct {
	Pacticipant string
	Version     string
	BuildURL    string
	Branch      BranchWrite
	Tags        []TagWrite
	Pacts       []PactWrite
	// Webhooks are the triggered webhooks to record with the publication
	// (decided by the Service, see WebhookTrigger).
	Webhooks []WebhookTrigger
}

// PublishResult is what PublishContracts did.
type PublishResult struct {
	Pacticipant Pacticipant
	Version     Version
	// VersionCreated is true when the version did not exist before.
	VersionCreated bool
	Tags           []Tag
	Contracts      []PublishedContract
}

// VerificationInput is a provider's verification result for one pact
// version.
type VerificationInput struct {
	Consumer string
	Provider string
	// PactSHA is the pact version (content) that was verified.
	PactSHA         string
	ProviderVersion string
	Success         bool
	BuildURL        string
	// TestResults and VerifiedBy are JSON kept whole (nil when absent).
	TestResults json.RawMessage
	VerifiedBy  json.RawMessage
	// WIP is true when the pact was verified as a work-in-progress pact
	// (the "w" flag of the pact URL metadata).
	WIP bool
	// ConsumerVersions are the consumer version numbers named in the pact
	// URL's metadata (the "cvn" key); the Service triggers webhooks once
	// per version.
	ConsumerVersions []string
	// Webhooks are the triggered webhooks to record with the verification
	// (decided by the Service, see WebhookTrigger).
	Webhooks []WebhookTrigger
}

// Verification is a stored verification result.
type Verification struct {
	// Number is sequential per pact version, starting at 1.
	Number          int
	Consumer        string
	Provider        string
	PactSHA         string
	ProviderVersion string
	Success         bool
	BuildURL        string
	TestResults     json.RawMessage
	VerifiedBy      json.RawMessage
	// ExecutionDate is when the broker recorded the result.
	ExecutionDate time.Time
	// WIP is true when it verified a work-in-progress pact.
	WIP bool
}

// VersionFilter picks the latest version of a pacticipant: with Tag, the
// latest with that tag; with Branch, the branch head; with neither, the
// latest overall.
type VersionFilter struct {
	Tag    string
	Branch string
}

// DeploymentFilter restricts ListDeployedVersions / ListReleasedVersions;
// empty fields match any.
type DeploymentFilter struct {
	EnvironmentUUID string
	Pacticipant     string
	Version         string
	// ApplicationInstance filters deployments when non-nil ("" is the
	// default instance).
	ApplicationInstance *string
	// CurrentOnly keeps only currently deployed / currently supported ones.
	CurrentOnly bool
}

// PactFilter restricts pact look-ups by the consumer version's tag or
// branch (at most one).
type PactFilter struct {
	Tag    string
	Branch string
}

// Store is the broker's persistence, and only that: the Pact Broker's
// rules (name checks, main branch candidates, first tag as branch,
// deployments for tags, publication conflicts and merges) are the
// Service's, which validates input before it reaches a Store and passes
// its decisions in as data (BranchWrite, TagWrite, PactWrite). A Store
// does not validate names; it stores what it is given.
//
// Every method takes a context and returns errors wrapping ErrNotFound,
// ErrConflict, ErrInvalid or ErrStale as documented; any other error is an
// internal failure. Names are case-sensitive. Lists are paginated with
// Page. Each write is one transaction: on any error nothing is changed.
//
// The matrix and pacts-for-verification are computed by QueryMatrix and
// PactsForVerification on top of the Queries methods. Every Store passes
// broker/storetest.
type Store interface {
	// CreatePacticipant creates p. ErrConflict: the name exists.
	CreatePacticipant(ctx context.Context, p Pacticipant) (Pacticipant, error)
	// PutPacticipant creates or replaces the pacticipant p.Name (all
	// settable fields replaced). created is true when it was new.
	PutPacticipant(ctx context.Context, p Pacticipant) (_ Pacticipant, created bool, _ error)
	// GetPacticipant returns the pacticipant. ErrNotFound.
	GetPacticipant(ctx context.Context, name string) (Pacticipant, error)
	// ListPacticipants lists pacticipants ordered by name.
	ListPacticipants(ctx context.Context, page Page) ([]Pacticipant, error)
	// DeletePacticipant deletes the pacticipant with its versions, pacts,
	// verifications, deployments, webhooks and labels. ErrNotFound.
	DeletePacticipant(ctx context.Context, name string) error

	// PutVersion creates the version (and the pacticipant) if missing and
	// sets its build URL when buildURL is non-empty.
	PutVersion(ctx context.Context, pacticipant, number, buildURL string) (_ Version, created bool, _ error)
	// GetVersion returns a version with its branches and tags. ErrNotFound.
	GetVersion(ctx context.Context, pacticipant, number string) (Version, error)
	// LatestVersion returns the latest version matching f. ErrNotFound: no
	// such pacticipant or no matching version.
	LatestVersion(ctx context.Context, pacticipant string, f VersionFilter) (Version, error)
	// ListVersions lists a pacticipant's versions, newest first.
	// ErrNotFound: unknown pacticipant.
	ListVersions(ctx context.Context, pacticipant string, page Page) ([]Version, error)
	// DeleteVersion deletes a version with its tags, branch memberships,
	// pacts and verifications. ErrNotFound.
	DeleteVersion(ctx context.Context, pacticipant, number string) error

	// AddBranchVersion adds the version to branch b.Name, creating
	// pacticipant, version and branch as needed; the version becomes the
	// branch head when it is the branch's newest version; b.SetMainBranch
	// applies when the version was not on the branch yet (see BranchWrite).
	// created is false when the version already was on the branch.
	AddBranchVersion(ctx context.Context, pacticipant, version string, b BranchWrite) (_ BranchVersion, created bool, _ error)
	// GetBranchVersion returns a branch membership. ErrNotFound.
	GetBranchVersion(ctx context.Context, pacticipant, branch, version string) (BranchVersion, error)
	// GetBranch returns a branch with its head. ErrNotFound.
	GetBranch(ctx context.Context, pacticipant, branch string) (Branch, error)
	// ListBranches lists a pacticipant's branches, most recently updated
	// first. ErrNotFound: unknown pacticipant.
	ListBranches(ctx context.Context, pacticipant string, page Page) ([]Branch, error)
	// ListBranchVersions lists a branch's versions, newest first.
	// ErrNotFound: unknown pacticipant or branch.
	ListBranchVersions(ctx context.Context, pacticipant, branch string, page Page) ([]Version, error)
	// DeleteBranch deletes the branch (not its versions). ErrNotFound.
	DeleteBranch(ctx context.Context, pacticipant, branch string) error

	// AddTag tags the version with t.Name, creating pacticipant and version
	// as needed, and applies t's effects when the tag is new (see
	// TagWrite). created is false when the tag existed.
	AddTag(ctx context.Context, pacticipant, version string, t TagWrite) (_ Tag, created bool, _ error)
	// GetTag returns a tag. ErrNotFound.
	GetTag(ctx context.Context, pacticipant, version, tag string) (Tag, error)
	// ListTags lists a version's tags, oldest first. ErrNotFound: unknown
	// pacticipant or version.
	ListTags(ctx context.Context, pacticipant, version string) ([]Tag, error)
	// DeleteTag removes a tag. ErrNotFound.
	DeleteTag(ctx context.Context, pacticipant, version, tag string) error

	// CreateEnvironment creates an environment; a UUID is generated when
	// e.UUID is empty. ErrConflict: name or UUID exists.
	CreateEnvironment(ctx context.Context, e Environment) (Environment, error)
	// UpdateEnvironment replaces the environment e.UUID's fields.
	// ErrNotFound, ErrConflict (name taken by another).
	UpdateEnvironment(ctx context.Context, e Environment) (Environment, error)
	// GetEnvironment returns an environment by UUID. ErrNotFound.
	GetEnvironment(ctx context.Context, uuid string) (Environment, error)
	// GetEnvironmentByName returns an environment by name. ErrNotFound.
	GetEnvironmentByName(ctx context.Context, name string) (Environment, error)
	// ListEnvironments lists environments ordered by name.
	ListEnvironments(ctx context.Context) ([]Environment, error)
	// DeleteEnvironment deletes an environment and its deployment and
	// release records. ErrNotFound.
	DeleteEnvironment(ctx context.Context, uuid string) error

	// RecordDeployment records that the version is deployed to the
	// environment as applicationInstance. Recording the same version,
	// environment and instance again returns the existing record (created
	// false); otherwise the previous current deployment of that pacticipant,
	// environment and instance is marked undeployed. ErrNotFound: unknown
	// pacticipant, version or environment.
	RecordDeployment(ctx context.Context, pacticipant, version, environmentUUID, applicationInstance string) (_ DeployedVersion, created bool, _ error)
	// GetDeployedVersion returns a deployment record. ErrNotFound.
	GetDeployedVersion(ctx context.Context, uuid string) (DeployedVersion, error)
	// MarkUndeployed sets CurrentlyDeployed false (idempotent). ErrNotFound.
	MarkUndeployed(ctx context.Context, uuid string) (DeployedVersion, error)
	// ListDeployedVersions lists deployment records, newest first.
	ListDeployedVersions(ctx context.Context, f DeploymentFilter) ([]DeployedVersion, error)
	// RecordRelease records that the version is released to the
	// environment; recording it again returns the existing record (created
	// false) and makes it supported again. ErrNotFound: unknown pacticipant,
	// version or environment.
	RecordRelease(ctx context.Context, pacticipant, version, environmentUUID string) (_ ReleasedVersion, created bool, _ error)
	// GetReleasedVersion returns a release record. ErrNotFound.
	GetReleasedVersion(ctx context.Context, uuid string) (ReleasedVersion, error)
	// EndSupport sets CurrentlySupported false (idempotent). ErrNotFound.
	EndSupport(ctx context.Context, uuid string) (ReleasedVersion, error)
	// ListReleasedVersions lists release records, newest first
	// (ApplicationInstance is ignored).
	ListReleasedVersions(ctx context.Context, f DeploymentFilter) ([]ReleasedVersion, error)

	// PublishContracts writes w (see PublishWrite) in one transaction: the
	// version, its build URL, branch and tags, its pacts (a new revision per
	// changed pact; content deduplicated by SHA per consumer and provider)
	// and their integrations. On any error nothing is changed. The result
	// lists one PublishedContract per w.Pacts, in order, with Outcome
	// PublishCreated, PublishUnchanged or PublishOverwritten. ErrStale: a
	// pact's current SHA is neither its SHA nor its Replaces.
	PublishContracts(ctx context.Context, w PublishWrite) (PublishResult, error)
	// GetPact returns the latest revision of the consumer version's pact
	// with the provider. ErrNotFound.
	GetPact(ctx context.Context, consumer, provider, consumerVersion string) (Pact, error)
	// GetPactBySHA returns the pact version sha of consumer and provider,
	// attributed to the latest consumer version that published it.
	// ErrNotFound.
	GetPactBySHA(ctx context.Context, consumer, provider, sha string) (Pact, error)
	// LatestPact returns the pact of the latest consumer version (matching
	// f) that has a pact with the provider. ErrNotFound.
	LatestPact(ctx context.Context, consumer, provider string, f PactFilter) (Pact, error)
	// ListLatestPacts returns, for each integration, the latest pact (with
	// provider set: only that provider's; with f: of consumer versions
	// matching f), ordered by consumer then provider name.
	ListLatestPacts(ctx context.Context, provider string, f PactFilter) ([]Pact, error)
	// ListPactVersions lists the pacts between consumer and provider, one
	// per consumer version (latest revision), newest first. Content is not
	// loaded. ErrNotFound: unknown consumer or provider.
	ListPactVersions(ctx context.Context, consumer, provider string, page Page) ([]Pact, error)
	// DeletePact deletes the consumer version's publications for the
	// provider. ErrNotFound.
	DeletePact(ctx context.Context, consumer, provider, consumerVersion string) error

	// ListIntegrations lists integrations ordered by consumer then provider.
	ListIntegrations(ctx context.Context, page Page) ([]Integration, error)
	// DeleteIntegration deletes the integration with all its pacts and
	// verifications. ErrNotFound.
	DeleteIntegration(ctx context.Context, consumer, provider string) error
	// ListIntegrationSummaries lists integrations as ListIntegrations does,
	// each with its latest pact (as ListPactVersions' first) and that pact
	// content's latest verification (as LatestVerification), in one
	// snapshot.
	ListIntegrationSummaries(ctx context.Context, page Page) ([]IntegrationSummary, error)
	// ListPacticipantIntegrations lists every integration the pacticipant
	// is the consumer or the provider of, ordered by consumer then
	// provider, without a page limit (none when it has none).
	ListPacticipantIntegrations(ctx context.Context, pacticipant string) ([]Integration, error)
	// ProvidersOfVersions returns, for each of the pacticipant's version
	// numbers that has pacts, the providers it has pacts with (as
	// ProvidersOfVersion), in one snapshot. Unknown numbers are left out.
	ProvidersOfVersions(ctx context.Context, pacticipant string, numbers []string) (map[string][]string, error)

	// PublishVerification records a verification result of pact version
	// PactSHA, creating the provider version if needed, numbered
	// sequentially per pact version. ErrNotFound: unknown consumer,
	// provider or pact version.
	PublishVerification(ctx context.Context, in VerificationInput) (Verification, error)
	// GetVerification returns verification number n of a pact version.
	// ErrNotFound.
	GetVerification(ctx context.Context, consumer, provider, sha string, n int) (Verification, error)
	// LatestVerification returns the newest verification of a pact version.
	// ErrNotFound: unknown pact version or not verified.
	LatestVerification(ctx context.Context, consumer, provider, sha string) (Verification, error)
	// ListVerifications lists a pact version's verifications, newest first.
	// ErrNotFound: unknown pact version.
	ListVerifications(ctx context.Context, consumer, provider, sha string, page Page) ([]Verification, error)

	// PutProviderContract stores c as the provider contract of c.Provider
	// version c.Version for c.Specification, replacing the version's
	// contract of that specification (its contract of the other one stays).
	// ErrNotFound: unknown pacticipant or version.
	PutProviderContract(ctx context.Context, c ProviderContract) (ProviderContract, error)
	// GetProviderContracts returns a provider version's provider contracts,
	// one per specification, OpenAPI first. ErrNotFound: none (or no such
	// version).
	GetProviderContracts(ctx context.Context, provider, version string) ([]ProviderContract, error)
	// PutComparison stores a comparison, with the documents its ContractSHA
	// stands for (c.DocumentSHAs); storing one for the same pact and
	// contract again returns the stored one unchanged. Deletes purge the
	// comparisons whose pact or one of whose documents is gone.
	PutComparison(ctx context.Context, c Comparison) (Comparison, error)
	// GetComparison returns the comparison of a pact version with a
	// contract. ErrNotFound.
	GetComparison(ctx context.Context, pactSHA, contractSHA string) (Comparison, error)

	// CreateWebhook stores a webhook; a UUID is generated when w.UUID is
	// blank. ErrInvalid (a *FieldError on consumer.name or provider.name):
	// a named consumer/provider does not exist. ErrConflict: UUID exists.
	CreateWebhook(ctx context.Context, w Webhook) (Webhook, error)
	// PutWebhook creates or replaces webhook w.UUID. ErrInvalid as
	// CreateWebhook.
	PutWebhook(ctx context.Context, w Webhook) (_ Webhook, created bool, _ error)
	// GetWebhook returns a webhook. ErrNotFound.
	GetWebhook(ctx context.Context, uuid string) (Webhook, error)
	// ListWebhooks lists webhooks matching f, oldest first.
	ListWebhooks(ctx context.Context, f WebhookFilter) ([]Webhook, error)
	// DeleteWebhook deletes a webhook. ErrNotFound.
	DeleteWebhook(ctx context.Context, uuid string) error

	WebhookQueue

	Labels

	Queries
}

// Queries are the read models QueryMatrix and PactsForVerification are
// built on. They are part of Store; HTTP handlers should call QueryMatrix
// and PactsForVerification rather than these.
type Queries interface {
	// ResolveVersions returns the versions of sel.Pacticipant picked by
	// sel (Version, Latest, Tag, Branch, MainBranch, Environment; see
	// MatrixSelector), newest first; an empty result means none matched.
	// ErrNotFound: unknown pacticipant or environment.
	ResolveVersions(ctx context.Context, sel MatrixSelector) ([]VersionRef, error)
	// MatrixRows returns the matrix rows for q (see MatrixRowQuery), with
	// version details filled in.
	MatrixRows(ctx context.Context, q MatrixRowQuery) ([]MatrixRow, error)
	// ProvidersOfVersion returns the providers the consumer version has
	// pacts with, by name. ErrNotFound: unknown version.
	ProvidersOfVersion(ctx context.Context, consumer, version string) ([]string, error)
	// ConsumersOf returns the consumers that have integrations with the
	// provider, by name.
	ConsumersOf(ctx context.Context, provider string) ([]string, error)

	// SelectPacts returns the pacts for q.Provider picked by one selection
	// (one per consumer, or several for SelectTagAll / deployments), ordered
	// by consumer name then consumer version, without content.
	SelectPacts(ctx context.Context, q PactSelection) ([]SelectedPact, error)
	// SuccessfullyVerified reports whether pact version q.SHA has a
	// successful verification by a provider version matching q.
	SuccessfullyVerified(ctx context.Context, q VerifiedQuery) (bool, error)
	// VerifiedPacts is SuccessfullyVerified for each of pacts, of any of
	// q.Provider's consumers (q.Consumer and q.SHA are not read), at once:
	// the answer maps every one of them. ErrNotFound when one is not a
	// pact version between its consumer and the provider.
	VerifiedPacts(ctx context.Context, q VerifiedQuery, pacts []PactRef) (map[PactRef]bool, error)
	// TagFirstUsed returns when the pacticipant's tag was first applied.
	// ErrNotFound: unknown pacticipant or tag never used.
	TagFirstUsed(ctx context.Context, pacticipant, tag string) (time.Time, error)
	// WIPCandidates returns, for each consumer of provider, the pacts of
	// the heads of its branches and the latest versions of its tags whose
	// publication is not older than since, without content.
	WIPCandidates(ctx context.Context, provider string, since time.Time) ([]SelectedPact, error)
}

// MatrixRowMode says which rows MatrixRows returns.
type MatrixRowMode int

// Matrix row modes.
const (
	// RowsInvolving returns every row whose consumer version or provider
	// version is one of the versions (one selector, nothing inferred).
	RowsInvolving MatrixRowMode = iota
	// RowsBetween returns rows whose consumer version is one of the
	// versions and whose provider is the pacticipant of one of them: one row
	// per such provider version among the versions, unverified when that
	// provider version has not verified the pact.
	RowsBetween
)

// MatrixRowQuery asks MatrixRows for the rows around a set of versions.
type MatrixRowQuery struct {
	Versions []VersionRef
	Mode     MatrixRowMode
	// Limit caps the number of rows (0: no cap), newest first.
	Limit int
}

// MatrixVersion is a version as shown in matrix rows.
type MatrixVersion struct {
	Number   string
	Branches []string
	Tags     []string
	// Environments are the names of environments where the version is
	// currently deployed or supported.
	Environments []string
	CreatedAt    time.Time
	// Order increases with creation within a pacticipant.
	Order int64
}

// MatrixRow is one pact publication of a consumer version, with the
// latest verification of its content by one provider version (or none).
type MatrixRow struct {
	Consumer        string
	ConsumerVersion MatrixVersion
	Provider        string
	// ProviderVersion is the verifying provider version. For an unverified
	// row it is the provider version in scope that has not verified the pact
	// (RowsBetween), or nil (RowsInvolving).
	ProviderVersion *MatrixVersion
	PactSHA         string
	PactRevision    int
	PactCreatedAt   time.Time
	// Verification is nil when the pact is unverified (in scope).
	Verification *Verification
	// Ignored is set by QueryMatrix for rows matched by ignore selectors.
	Ignored bool
	// Kind is KindBiDirectional when Verification comes from comparing the
	// pact with the provider version's provider contract; empty otherwise
	// (a pact verification).
	Kind string
}

// PactSelectionKind is the kind of a PactSelection.
type PactSelectionKind int

// Pact selection kinds.
const (
	// SelectLatest picks each consumer's latest version with a pact.
	SelectLatest PactSelectionKind = iota
	// SelectBranchHead picks the latest version with a pact on Branch.
	SelectBranchHead
	// SelectMainBranchHead picks the latest version with a pact on each
	// consumer's main branch.
	SelectMainBranchHead
	// SelectTagLatest picks the latest version with a pact tagged Tag.
	SelectTagLatest
	// SelectTagAll picks every version with a pact tagged Tag.
	SelectTagAll
	// SelectDeployed picks versions currently deployed (in Environment when
	// set).
	SelectDeployed
	// SelectReleased picks versions currently supported-released (in
	// Environment when set).
	SelectReleased
)

// PactSelection is one store-level pact selection for a provider.
type PactSelection struct {
	Provider string
	Kind     PactSelectionKind
	// Consumer restricts the selection to one consumer when set.
	Consumer    string
	Branch      string
	Tag         string
	Environment string
}

// SelectedPact is a pact picked by a selection.
type SelectedPact struct {
	Consumer        string
	Provider        string
	ConsumerVersion string
	// ConsumerVersionOrder increases with the consumer version's creation.
	ConsumerVersionOrder int64
	SHA                  string
	CreatedAt            time.Time
	// Branch, Tag and Environment say what matched (when relevant).
	Branch      string
	Tag         string
	Environment string
}

// PactRef names a pact version by its consumer and content hash (the
// provider is the question's).
type PactRef struct{ Consumer, SHA string }

// VerifiedQuery asks whether a pact version was verified successfully by
// provider versions on ProviderBranch, with ProviderTag, or (neither)
// by any provider version. With Before set, only verifications executed
// before it count. OtherBranches makes verifications by provider versions
// on a branch other than ProviderBranch count instead; OtherTags makes verifications by
// provider versions with a tag other than ProviderTag count instead.
type VerifiedQuery struct {
	Consumer       string
	Provider       string
	SHA            string
	ProviderBranch string
	ProviderTag    string
	OtherBranches  bool
	OtherTags      bool
	Before         *time.Time
	// ExcludeWIP ignores verifications of work-in-progress pacts.
	ExcludeWIP bool
}
