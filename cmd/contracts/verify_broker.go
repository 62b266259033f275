package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/ci"
	"github.com/contracts-dev/contracts/verify"
)

// Flag names of the verify command's broker source.
const (
	flagVerifyProvider       = "provider"
	flagProviderAppVersion   = "provider-app-version"
	flagProviderBranch       = "provider-version-branch"
	flagProviderTag          = "provider-version-tag"
	flagConsumerSelectors    = "consumer-version-selectors"
	flagEnablePending        = "enable-pending"
	flagIncludeWIPSince      = "include-wip-pacts-since"
	flagPublishResults       = "publish"
	flagIgnoreNoPactsError   = "ignore-no-pacts-error"
	flagWebhookCallbackURL   = "webhook-callback-url"
	envVerifyProvider        = "CONTRACTS_PROVIDER"
	envProviderAppVersion    = "CONTRACTS_PROVIDER_APP_VERSION"
	envProviderVersionBranch = "CONTRACTS_PROVIDER_VERSION_BRANCH"
)

// verifyBrokerFlags are the verify command's options for taking pacts from a
// Pact Broker (pacts-for-verification) and publishing the results back:
//
//	contracts verify --broker-url URL --provider api --provider-app-version 1.2.3 \
//	  --provider-version-branch main --consumer-version-selectors '{"mainBranch":true}' \
//	  --enable-pending --include-wip-pacts-since 2026-01-01 --publish
//
// or, in a build a broker webhook started with the changed pact's URL:
//
//	contracts verify --broker-url URL --webhook-callback-url '${pactbroker.pactUrl}' \
//	  --provider-app-version 1.2.3 --publish
type verifyBrokerFlags struct {
	conn         brokerFlags
	provider     string
	version      string
	branch       string
	tags         []string
	selectors    []string
	pending      bool
	wipSince     string
	publish      bool
	buildURL     string
	ignoreNoPact bool
	pactURLs     []string

	cmd *cobra.Command
	e   *env
	// client is set once the broker source is in use.
	client *api.Client
}

// add registers the broker flags on the verify command; cmd and e are kept
// for the environment defaults, applied when the sources are gathered.
func (b *verifyBrokerFlags) add(cmd *cobra.Command, e *env) {
	b.cmd, b.e = cmd, e
	b.conn.add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&b.provider, flagVerifyProvider, "", "provider name whose pacts to fetch from the broker (env CONTRACTS_PROVIDER, PACT_PROVIDER_NAME)")
	fl.StringVar(&b.version, flagProviderAppVersion, "", "provider version being verified, required with --publish (env CONTRACTS_PROVIDER_APP_VERSION; default: the CI commit)")
	fl.StringVar(&b.branch, flagProviderBranch, "", "provider version's branch, for pending and WIP pacts (env CONTRACTS_PROVIDER_VERSION_BRANCH; default: the CI branch)")
	fl.StringArrayVar(&b.tags, flagProviderTag, nil, "provider version tag (repeatable)")
	fl.StringArrayVar(&b.selectors, flagConsumerSelectors, nil, `consumer version selector as JSON, e.g. '{"mainBranch":true}' (repeatable; none: the broker's default)`)
	fl.BoolVar(&b.pending, flagEnablePending, false, "ask the broker which pacts are pending: their failures do not fail the run")
	fl.StringVar(&b.wipSince, flagIncludeWIPSince, "", "also verify work-in-progress pacts published since this date (YYYY-MM-DD or RFC 3339)")
	fl.BoolVar(&b.publish, flagPublishResults, false, "publish the verification results to the broker")
	fl.StringVar(&b.buildURL, flagBuildURL, "", "URL of the build, sent with published results (env CONTRACTS_BUILD_URL; default: the CI build URL)")
	fl.BoolVar(&b.ignoreNoPact, flagIgnoreNoPactsError, false, "do not fail when the broker has no pacts for the provider")
	fl.StringArrayVar(&b.pactURLs, flagWebhookCallbackURL, nil, "verify this pact of the broker instead of asking which to verify, e.g. a webhook's ${pactbroker.pactUrl} (repeatable; env PACT_WEBHOOK_CALLBACK_URL)")
}

// bind applies the environment defaults of the broker flags.
func (b *verifyBrokerFlags) bind() error {
	for _, bind := range []struct {
		flag string
		env  []string
	}{
		{flagBrokerURL, []string{"PACT_BROKER_BASE_URL"}},
		{flagBrokerToken, []string{"PACT_BROKER_TOKEN"}},
		{flagBrokerUsername, []string{"PACT_BROKER_USERNAME"}},
		{flagBrokerPassword, []string{"PACT_BROKER_PASSWORD"}},
		{flagVerifyProvider, []string{envVerifyProvider, "PACT_PROVIDER_NAME"}},
		{flagProviderAppVersion, []string{envProviderAppVersion, "PACT_PROVIDER_VERSION"}},
		{flagProviderBranch, []string{envProviderVersionBranch, "PACT_PROVIDER_BRANCH"}},
		{flagBuildURL, []string{"CONTRACTS_BUILD_URL"}},
		{flagWebhookCallbackURL, []string{"PACT_WEBHOOK_CALLBACK_URL"}},
	} {
		if err := bindEnv(b.cmd, b.e, bind.flag, bind.env...); err != nil {
			return err
		}
	}
	return nil
}

// enabled reports whether pacts come from a broker: a broker URL is given
// and, unless --broker-url itself was given, a provider name or a pact URL
// (so that PACT_BROKER_BASE_URL alone does not turn a file verification
// into a broker one).
func (b *verifyBrokerFlags) enabled() bool {
	if b.conn.url == "" {
		return false
	}
	return b.cmd.Flags().Changed(flagBrokerURL) || b.provider != "" || len(b.pactURLs) > 0
}

// request validates the flags and builds the pacts-for-verification request.
func (b *verifyBrokerFlags) request() (broker.PactsForVerificationRequest, error) {
	req := broker.PactsForVerificationRequest{
		Provider:              b.provider,
		ProviderVersionBranch: b.branch,
		ProviderVersionTags:   b.tags,
		IncludePendingStatus:  b.pending,
	}
	if b.provider == "" && len(b.pactURLs) == 0 {
		return req, fmt.Errorf("--%s is required with --%s (or %s)", flagVerifyProvider, flagBrokerURL, envVerifyProvider)
	}
	if b.publish && b.version == "" {
		return req, fmt.Errorf("--%s is required with --%s (or %s, or a CI commit)", flagProviderAppVersion, flagPublishResults, envProviderAppVersion)
	}
	for _, raw := range b.selectors {
		sel, err := parseSelector(raw)
		if err != nil {
			return req, fmt.Errorf("--%s %s: %w", flagConsumerSelectors, raw, err)
		}
		req.ConsumerVersionSelectors = append(req.ConsumerVersionSelectors, sel)
	}
	if len(b.pactURLs) > 0 && (len(b.selectors) > 0 || b.wipSince != "") {
		return req, fmt.Errorf("--%s names the pacts to verify: it cannot be combined with --%s or --%s", flagWebhookCallbackURL, flagConsumerSelectors, flagIncludeWIPSince)
	}
	if b.wipSince != "" {
		t, err := parseWIPSince(b.wipSince)
		if err != nil {
			return req, fmt.Errorf("--%s %q: %w", flagIncludeWIPSince, b.wipSince, err)
		}
		req.IncludeWIPPactsSince = &t
	}
	return req, nil
}

// selectorJSON is a consumer version selector as users write it.
type selectorJSON struct {
	MainBranch         bool   `json:"mainBranch"`
	Branch             string `json:"branch"`
	FallbackBranch     string `json:"fallbackBranch"`
	MatchingBranch     bool   `json:"matchingBranch"`
	Tag                string `json:"tag"`
	FallbackTag        string `json:"fallbackTag"`
	Latest             *bool  `json:"latest"`
	Consumer           string `json:"consumer"`
	Deployed           bool   `json:"deployed"`
	Released           bool   `json:"released"`
	DeployedOrReleased bool   `json:"deployedOrReleased"`
	Environment        string `json:"environment"`
}

// parseSelector reads one selector: a JSON object with the selector keys of
// the Pact Broker; an unknown key is an error rather than ignored, because a
// misspelt key would silently select other pacts.
func parseSelector(raw string) (broker.ConsumerVersionSelector, error) {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	var s selectorJSON
	if err := dec.Decode(&s); err != nil {
		return broker.ConsumerVersionSelector{}, fmt.Errorf("want a JSON object such as {\"mainBranch\":true}: %w", err)
	}
	if dec.More() {
		return broker.ConsumerVersionSelector{}, errors.New("want one JSON object per flag")
	}
	if s == (selectorJSON{}) {
		return broker.ConsumerVersionSelector{}, errors.New("empty selector: give mainBranch, branch, matchingBranch, tag, latest, deployed, released, deployedOrReleased or environment")
	}
	return broker.ConsumerVersionSelector{
		MainBranch: s.MainBranch, Branch: s.Branch, FallbackBranch: s.FallbackBranch,
		MatchingBranch: s.MatchingBranch, Tag: s.Tag, FallbackTag: s.FallbackTag, Latest: s.Latest,
		Consumer: s.Consumer, Deployed: s.Deployed, Released: s.Released,
		DeployedOrReleased: s.DeployedOrReleased, Environment: s.Environment,
	}, nil
}

// parseWIPSince reads a date or an RFC 3339 timestamp.
func parseWIPSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errors.New("want a date YYYY-MM-DD or an RFC 3339 timestamp")
	}
	return t, nil
}

// sources fetches the pacts the broker asks the provider to verify; none
// when the broker is not in use.
func (b *verifyBrokerFlags) sources(ctx context.Context) ([]verify.Source, error) {
	if b.cmd == nil {
		return nil, nil
	}
	if err := b.bind(); err != nil {
		return nil, err
	}
	fillFromCI(b.e.getenv, &b.version, &b.branch, &b.buildURL)
	if !b.enabled() {
		switch {
		case len(b.pactURLs) > 0:
			return nil, fmt.Errorf("--%s needs the broker: give --%s (or PACT_BROKER_BASE_URL)", flagWebhookCallbackURL, flagBrokerURL)
		case b.publish:
			return nil, fmt.Errorf("--%s needs a broker: give --%s (or PACT_BROKER_BASE_URL) and --%s", flagPublishResults, flagBrokerURL, flagVerifyProvider)
		}
		return nil, nil
	}
	req, err := b.request()
	if err != nil {
		return nil, err
	}
	c, err := b.conn.client(b.cmd, b.e)
	if err != nil {
		return nil, err
	}
	if len(b.pactURLs) > 0 {
		out, err := b.fetchPacts(ctx, c)
		if err != nil {
			return nil, err
		}
		b.client = c
		return out, nil
	}
	// An unknown provider has no pacts (no error): the same verdict, same
	// remedy.
	out, err := ci.BrokerSources(ctx, c, b.provider, req)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 && !b.ignoreNoPact {
		return nil, fmt.Errorf("the broker at %s has no pacts for provider %q to verify with these selectors (--%s to pass anyway)", c.BaseURL(), b.provider, flagIgnoreNoPactsError)
	}
	b.client = c
	return out, nil
}

// fetchPacts reads the pacts named by --webhook-callback-url. Like the
// Pact verifier, it treats them as neither pending nor WIP: the broker said
// nothing about them.
func (b *verifyBrokerFlags) fetchPacts(ctx context.Context, c *api.Client) ([]verify.Source, error) {
	out := make([]verify.Source, 0, len(b.pactURLs))
	for _, u := range b.pactURLs {
		if !verify.IsURL(u) {
			return nil, fmt.Errorf("--%s %q: want the http(s) URL of a pact at the broker", flagWebhookCallbackURL, u)
		}
		fetched, err := c.FetchPact(ctx, u)
		if err != nil {
			return nil, err
		}
		if fetched.PublishVerificationResultsURL == "" && b.publish {
			return nil, fmt.Errorf("--%s %s: the broker gave no pb:publish-verification-results link for it", flagWebhookCallbackURL, u)
		}
		if b.provider != "" {
			var doc struct{ Provider struct{ Name string } }
			if err := json.Unmarshal(fetched.Content, &doc); err != nil {
				return nil, fmt.Errorf("--%s %s: %w", flagWebhookCallbackURL, u, err)
			}
			if doc.Provider.Name != b.provider {
				return nil, fmt.Errorf("--%s %s: the pact is for provider %q, not --%s %q", flagWebhookCallbackURL, u, doc.Provider.Name, flagVerifyProvider, b.provider)
			}
		}
		out = append(out, verify.Source{Name: u, Data: fetched.Content, Broker: &verify.BrokerInfo{PactURL: u, PublishURL: fetched.PublishVerificationResultsURL}})
	}
	return out, nil
}

// finish prints the broker's after-verification notices and, with
// --publish, publishes each broker pact's result through ci.PublishResults,
// which records the provider version's branch and tags first. Pacts from
// files, pacts narrowed by filters and pacts with interactions no transport
// could verify are not published: a success would vouch for what was never
// tried.
func (b *verifyBrokerFlags) finish(ctx context.Context, w io.Writer, report *verify.Report) error {
	if b.client == nil {
		return nil
	}
	var buf bytes.Buffer
	defer func() { _, _ = w.Write(buf.Bytes()) }()
	published := map[string]bool{}
	var err error
	if b.publish {
		var results []ci.Published
		results, err = ci.PublishResults(ctx, b.client, report, ci.PublishOptions{
			ProviderVersion: b.version, Branch: b.branch, Tags: b.tags, BuildURL: b.buildURL,
		})
		for _, r := range results {
			switch r.Skipped {
			case "":
				published[r.Source] = true
				outcome := "failed"
				if r.Success {
					outcome = "passed"
				}
				fmt.Fprintf(&buf, "Published verification result (%s) of %s version %s for consumer %s\n", outcome, r.Provider, b.version, r.Consumer)
			case ci.SkipFiltered:
				fmt.Fprintf(&buf, "Not publishing the result for %s: filters left out some of its interactions\n", r.Source)
			case ci.SkipUnverified:
				fmt.Fprintf(&buf, "Not publishing the result for %s: some of its interactions could not be verified here (no transport for their kind)\n", r.Source)
			}
		}
	}
	for _, p := range report.Pacts {
		if p.Broker == nil {
			continue
		}
		when := fmt.Sprintf("after_verification:success_%t_published_%t", p.VerificationResult(b.version).Success, published[p.Source])
		for _, n := range p.Broker.Notices {
			if n.When == when {
				fmt.Fprintf(&buf, "Notice (%s): %s\n", p.Consumer, n.Text)
			}
		}
	}
	return err
}
