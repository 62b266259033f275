package ci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/verify"
)

// BrokerSources asks the broker at c which pacts provider must verify
// (pacts for verification, selected by req) and fetches them as verify
// sources that carry their broker information (publish link, pending,
// WIP, notices), ready for verify.Verify or an in-process verifier such as
// message.VerifyPacts. An unknown provider has no pacts: nil, no error.
func BrokerSources(ctx context.Context, c *api.Client, provider string, req broker.PactsForVerificationRequest) ([]verify.Source, error) {
	if req.Provider == "" {
		req.Provider = provider
	}
	pacts, err := c.PactsForVerification(ctx, provider, req)
	if errors.Is(err, broker.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]verify.Source, 0, len(pacts))
	for _, p := range pacts {
		fetched, err := c.FetchPact(ctx, p.URL)
		if err != nil {
			return nil, err
		}
		info := &verify.BrokerInfo{PactURL: p.URL, PublishURL: fetched.PublishVerificationResultsURL, Pending: p.Pending, WIP: p.WIP}
		for _, n := range p.Notices {
			info.Notices = append(info.Notices, verify.Notice{When: n.When, Text: n.Text})
		}
		out = append(out, verify.Source{Name: p.URL, Data: fetched.Content, Broker: info})
	}
	return out, nil
}

// PublishOptions says which provider version a verification was of.
type PublishOptions struct {
	// ProviderVersion is the provider version verified; required.
	ProviderVersion string
	// Branch, when set, is recorded as the provider version's branch
	// (the broker uses it for pending pacts and the main branch).
	Branch string
	// Tags are recorded on the provider version.
	Tags []string
	// BuildURL links the results to the build that produced them.
	BuildURL string
}

// Published says what became of one pact's result.
type Published struct {
	// Source, Consumer and Provider name the pact.
	Source, Consumer, Provider string
	// Success is the verification's verdict on the pact.
	Success bool
	// Skipped, when not empty, says why the result was not published.
	Skipped string
}

// Reasons a pact's result is not published (Published.Skipped).
const (
	SkipNotFromBroker = "not-from-broker" // the pact came from a file or URL, not pacts for verification
	SkipFiltered      = "filtered"        // filters left out some interactions: a partial result
	SkipUnverified    = "unverified"      // some interactions could not be verified here (no transport for their kind)
)

// ErrNoProviderVersion is returned when PublishOptions.ProviderVersion is
// empty.
var ErrNoProviderVersion = errors.New("publish verification results: the provider version is required")

// PublishResults publishes the verification results of report to the
// broker at c: it records the provider version's branch and tags, then
// sends each broker pact's result (its test results, mismatches and
// verifier) to the pact's publish link. Pacts read from files, and pacts
// with interactions that were not verified (filtered out, or of a kind no
// transport was given for, such as the gRPC interactions of a pact checked
// by a message verifier) are not published, and are listed with the
// reason: a success would vouch for what was never tried. The error joins the failures of individual pacts; the others
// are still published.
func PublishResults(ctx context.Context, c *api.Client, report *verify.Report, opts PublishOptions) ([]Published, error) {
	if opts.ProviderVersion == "" {
		return nil, ErrNoProviderVersion
	}
	if report == nil {
		return nil, errors.New("publish verification results: no report")
	}
	var out []Published
	var errs []error
	recorded := map[string]bool{} // providers whose version has its branch and tags
	for _, p := range report.Pacts {
		pub := Published{Source: p.Source, Consumer: p.Consumer, Provider: p.Provider}
		res := p.VerificationResult(opts.ProviderVersion)
		pub.Success = res.Success
		switch {
		case p.Broker == nil:
			pub.Skipped = SkipNotFromBroker
		case p.Filtered:
			pub.Skipped = SkipFiltered
		case anySkipped(p):
			pub.Skipped = SkipUnverified
		}
		if pub.Skipped != "" {
			out = append(out, pub)
			continue
		}
		if !recorded[p.Provider] {
			if err := recordVersion(ctx, c, p.Provider, opts); err != nil {
				return out, err
			}
			recorded[p.Provider] = true
		}
		if err := publishOne(ctx, c, p.Broker.PublishURL, res, opts); err != nil {
			errs = append(errs, fmt.Errorf("pact %s: %w", p.Source, err))
			continue
		}
		out = append(out, pub)
	}
	return out, errors.Join(errs...)
}

// anySkipped reports whether some interaction of p was not verified.
func anySkipped(p verify.PactResult) bool {
	for _, r := range p.Interactions {
		if r.Status == verify.StatusSkipped {
			return true
		}
	}
	return false
}

// recordVersion records the provider version's branch and tags.
func recordVersion(ctx context.Context, c *api.Client, provider string, opts PublishOptions) error {
	if opts.Branch != "" {
		if err := c.EnsureVersionBranch(ctx, provider, opts.ProviderVersion, opts.Branch); err != nil {
			return err
		}
	}
	for _, t := range opts.Tags {
		if err := c.EnsureVersionTag(ctx, provider, opts.ProviderVersion, t); err != nil {
			return err
		}
	}
	return nil
}

func publishOne(ctx context.Context, c *api.Client, url string, res verify.VerificationResult, opts PublishOptions) error {
	tests, err := json.Marshal(res.TestResults)
	if err != nil {
		return fmt.Errorf("encode test results: %w", err)
	}
	by, err := json.Marshal(res.VerifiedBy)
	if err != nil {
		return fmt.Errorf("encode verifier: %w", err)
	}
	return c.PublishVerificationResult(ctx, url, api.VerificationResult{
		Success:         res.Success,
		ProviderVersion: opts.ProviderVersion,
		BuildURL:        opts.BuildURL,
		TestResults:     tests,
		VerifiedBy:      by,
	})
}
