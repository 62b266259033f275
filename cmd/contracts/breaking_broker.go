package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// breakingBrokerFlags are the breaking command's options for taking the
// consumers' pacts from a broker:
//
//	contracts breaking --proto old.proto --against new.proto \
//	  --broker-url URL --provider orders-service \
//	  --consumer-version-selectors '{"deployedOrReleased":true}'
//
// The provider name is a flag only, not read from the environment: naming
// it is what makes the check consumer-aware, and that changes which
// findings fail the build.
type breakingBrokerFlags struct {
	conn          brokerFlags
	provider      string
	selectors     []string
	ignoreNoPacts bool
}

// brokerPact is one pact the broker selected for the provider.
type brokerPact struct {
	// URL is where the broker serves it, for error messages.
	URL string
	// ShortDescription says why the broker selected it.
	ShortDescription string
	// Consumer is the consumer's name in the pact.
	Consumer string
	// ConsumerVersion is the consumer version the broker attributes it to.
	ConsumerVersion string
	Content         []byte
}

// String names the pact for messages.
func (p brokerPact) String() string {
	return fmt.Sprintf("pact of consumer %s version %s from the broker", p.Consumer, p.ConsumerVersion)
}

// add registers the broker flags on the breaking command.
func (b *breakingBrokerFlags) add(cmd *cobra.Command) {
	b.conn.add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&b.provider, flagVerifyProvider, "", "provider whose consumers' pacts to fetch from the broker: makes the check consumer-aware")
	fl.StringArrayVar(&b.selectors, flagConsumerSelectors, nil, `consumer version selector as JSON, e.g. '{"deployedOrReleased":true}' (repeatable; none: the broker's default, each consumer's main branch head plus its deployed and released versions)`)
	fl.BoolVar(&b.ignoreNoPacts, flagIgnoreNoPactsError, false, "do not fail when the broker has no pacts for the provider (every change is then unused by consumers)")
}

// request validates the flags before anything is loaded. It reports
// whether the broker is in use and the pacts-for-verification request.
func (b *breakingBrokerFlags) request(cmd *cobra.Command) (bool, broker.PactsForVerificationRequest, error) {
	req := broker.PactsForVerificationRequest{Provider: b.provider}
	if b.provider == "" {
		// Broker options without a provider would be silently ignored.
		for _, name := range []string{flagBrokerURL, flagBrokerToken, flagBrokerUsername, flagBrokerPassword, flagConsumerSelectors, flagIgnoreNoPactsError} {
			if cmd.Flags().Changed(name) {
				return false, req, failWith(exitCantTell, fmt.Errorf("--%s needs --%s: name the provider whose consumers' pacts to fetch", name, flagVerifyProvider))
			}
		}
		return false, req, nil
	}
	for _, raw := range b.selectors {
		sel, err := parseSelector(raw)
		if err != nil {
			return false, req, failWith(exitCantTell, fmt.Errorf("--%s %s: %w", flagConsumerSelectors, raw, err))
		}
		req.ConsumerVersionSelectors = append(req.ConsumerVersionSelectors, sel)
	}
	return true, req, nil
}

// client returns the broker client, with the PACT_BROKER_* defaults applied.
func (b *breakingBrokerFlags) client(cmd *cobra.Command, e *env) (*api.Client, error) {
	return b.conn.client(cmd, e)
}

// fetch asks the broker which pacts of the provider's consumers are current
// (pacts-for-verification, the broker's default selectors unless some are
// given) and fetches each. Any broker error is exit code 2: the check
// cannot tell which consumers a change breaks without their pacts.
func (b *breakingBrokerFlags) fetch(ctx context.Context, c *api.Client, req broker.PactsForVerificationRequest) ([]brokerPact, error) {
	selected, err := c.PactsForVerification(ctx, b.provider, req)
	if errors.Is(err, broker.ErrNotFound) {
		// An unknown provider has no pacts: the same verdict, same remedy.
		selected, err = nil, nil
	}
	if err != nil {
		return nil, brokerFailure(err)
	}
	if len(selected) == 0 && !b.ignoreNoPacts {
		return nil, failWith(exitCantTell, fmt.Errorf("the broker at %s has no pacts for provider %q with these selectors, so no consumer usage to check against (--%s to check with none)",
			c.BaseURL(), b.provider, flagIgnoreNoPactsError))
	}
	out := make([]brokerPact, 0, len(selected))
	for _, p := range selected {
		fetched, err := c.FetchPact(ctx, p.URL)
		if err != nil {
			return nil, brokerFailure(err)
		}
		var doc struct {
			Consumer struct {
				Name string `json:"name"`
			} `json:"consumer"`
		}
		if err := json.Unmarshal(fetched.Content, &doc); err != nil {
			return nil, failWith(exitCantTell, fmt.Errorf("pact %s from the broker: %w", p.URL, err))
		}
		out = append(out, brokerPact{URL: p.URL, ShortDescription: p.ShortDescription, Consumer: doc.Consumer.Name,
			ConsumerVersion: fetched.ConsumerVersion, Content: fetched.Content})
	}
	return out, nil
}

// describeBrokerPacts tells on stderr which consumer versions the check
// covers, so a reader of a passing run sees what "unused" was measured on.
func describeBrokerPacts(w io.Writer, brokerURL, provider string, pacts []brokerPact) {
	fmt.Fprintf(w, "%s for provider %s from the broker at %s\n", countNoun(len(pacts), "pact"), provider, brokerURL)
	for _, p := range pacts {
		line := fmt.Sprintf("  %s version %s", p.Consumer, p.ConsumerVersion)
		if p.ShortDescription != "" {
			line += " (" + p.ShortDescription + ")"
		}
		fmt.Fprintln(w, line)
	}
}
