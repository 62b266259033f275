package broker

import (
	"context"
	"time"
)

// ConsumerVersionSelector is a consumer version selector of a
// pacts-for-verification request.
type ConsumerVersionSelector struct {
	MainBranch     bool
	Branch         string
	FallbackBranch string
	MatchingBranch bool
	Tag            string
	FallbackTag    string
	// Latest is nil when absent.
	Latest             *bool
	Consumer           string
	Deployed           bool
	Released           bool
	DeployedOrReleased bool
	Environment        string
}

// PactsForVerificationRequest asks which pacts a provider version must
// verify.
type PactsForVerificationRequest struct {
	Provider                 string
	ConsumerVersionSelectors []ConsumerVersionSelector
	ProviderVersionBranch    string
	ProviderVersionTags      []string
	IncludePendingStatus     bool
	// IncludeWIPPactsSince enables work-in-progress pacts when non-nil.
	IncludeWIPPactsSince *time.Time
}

// VerificationNotice is a notice for the verifier; When is
// "before_verification" or "after_verification:success_<bool>_published_<bool>".
type VerificationNotice struct {
	When string
	Text string
}

// PactSelectedBy records one selector (as resolved) that chose a pact.
type PactSelectedBy struct {
	Selector ConsumerVersionSelector
	// ConsumerVersion is the version the selector resolved to.
	ConsumerVersion string
	// Environment is the environment for deployed/released selectors.
	Environment string
	// Released is true when the environment selection matched a release
	// (false: a deployment).
	Released bool
	// Fallback is true when a fallback branch or tag was used.
	Fallback bool
}

// VerifiablePact is one pact the provider should verify.
type VerifiablePact struct {
	Consumer string
	Provider string
	SHA      string
	// ConsumerVersions are the consumer versions whose pact it is, among
	// the selected ones, newest first.
	ConsumerVersions []string
	SelectedBy       []PactSelectedBy
	Pending          bool
	WIP              bool
	ShortDescription string
	Notices          []VerificationNotice
}

// PactsForVerification selects, merges and annotates the pacts a provider
// version must verify. ErrInvalid (*FieldError): bad selectors.
// ErrNotFound: unknown provider.
func PactsForVerification(ctx context.Context, s Store, req PactsForVerificationRequest) ([]VerifiablePact, error) {
	var out []VerifiablePact
	err := inSnapshot(ctx, s, func(ctx context.Context) error {
		var err error
		out, err = pactsForVerification(ctx, s, req)
		return err
	})
	return out, err
}
