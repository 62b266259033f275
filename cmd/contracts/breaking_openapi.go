package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/ci"
	"github.com/contracts-dev/contracts/formats/openapi"
	oasbreaking "github.com/contracts-dev/contracts/formats/openapi/breaking"
)

// openapiBreakingFlags are the breaking command's OpenAPI options; --against,
// --pact, --output and the broker flags are shared with the protobuf mode.
type openapiBreakingFlags struct {
	base    string
	baseEnv string
	failOn  string
}

const openapiBreakingHelp = `OpenAPI: with --openapi BASE --against REVISION, breaking compares two
versions of an OpenAPI document (Swagger 2.0, OpenAPI 3.0 or 3.1; YAML or
JSON; $refs to other files followed) with oasdiff's checks, and reports
each change with oasdiff's rule ID and level (ERR, WARN, INFO) as
"file:line: LEVEL rule-id: METHOD /path: message". WARN and ERR changes are
reported (INFO ones too with --fail-on INFO); those at or above --fail-on
(default ERR) fail the run. With --pact or --provider the check is
consumer-aware: each change lists the consumer interactions it breaks
(those whose requests send, or whose expected responses use, what changed)
or says it is unused, and only changes that break an interaction fail.`

func (o *openapiBreakingFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&o.base, flagBreakingOpenAPI, "", "BASE OpenAPI document (what clients were built against); --against names the REVISION")
	fl.StringVar(&o.failOn, flagBreakingFailOn, ci.LevelERR, "with --openapi: the lowest level that fails the run: ERR, WARN or INFO")
	fl.StringVar(&o.baseEnv, flagBreakingBaseEnv, "", "instead of --openapi: BASE is the OpenAPI provider contract the broker holds for the --provider version deployed to this environment")
}

func runBreakingOpenAPI(cmd *cobra.Command, e *env, f *breakingFlags) error {
	ctx := cmd.Context()
	o := &f.openapi
	switch {
	case len(f.old) > 0:
		return failWith(exitCantTell, fmt.Errorf("give --%s or --%s, not both", flagBreakingOpenAPI, flagBreakingProto))
	case o.base != "" && o.baseEnv != "":
		return failWith(exitCantTell, fmt.Errorf("give --%s or --%s, not both", flagBreakingOpenAPI, flagBreakingBaseEnv))
	case (o.base == "" && o.baseEnv == "") || len(f.new) != 1:
		return failWith(exitCantTell, fmt.Errorf("--%s BASE (or --%s) and one --%s REVISION are both required", flagBreakingOpenAPI, flagBreakingBaseEnv, flagBreakingAgainst))
	case len(f.importPaths) > 0:
		return failWith(exitCantTell, fmt.Errorf("--%s applies to --%s only", flagBreakingImport, flagBreakingProto))
	}
	failOn := strings.ToUpper(o.failOn)
	if ci.LevelRank(failOn) == 0 {
		return failWith(exitCantTell, fmt.Errorf("--%s %q: want ERR, WARN or INFO", flagBreakingFailOn, o.failOn))
	}
	fromBroker, req, err := f.broker.request(cmd)
	if err != nil {
		return err
	}
	var client *api.Client
	if fromBroker {
		if client, err = f.broker.client(cmd, e); err != nil {
			return err
		}
	}

	// Documents first: a document that does not load is exit 2 whatever
	// the pacts say.
	var base *openapi.Document
	if o.baseEnv != "" {
		if client == nil || f.broker.provider == "" {
			return failWith(exitCantTell, fmt.Errorf("--%s needs --provider and a broker (--broker-url or PACT_BROKER_BASE_URL)", flagBreakingBaseEnv))
		}
		if base, err = deployedProviderContract(ctx, e, client, f.broker.provider, o.baseEnv); err != nil {
			return failWith(exitCantTell, fmt.Errorf("--%s: %w", flagBreakingBaseEnv, err))
		}
	} else if base, err = openapi.LoadFile(o.base, openapi.Options{Origin: true}); err != nil {
		return failWith(exitCantTell, fmt.Errorf("--%s: %w", flagBreakingOpenAPI, err))
	}
	revision, err := openapi.LoadFile(f.new[0], openapi.Options{Origin: true})
	if err != nil {
		return failWith(exitCantTell, fmt.Errorf("--%s: %w", flagBreakingAgainst, err))
	}

	consumerAware := len(f.pacts) > 0 || fromBroker
	var usage oasbreaking.Usage
	for _, p := range f.pacts {
		data, err := os.ReadFile(p)
		if err != nil {
			return failWith(exitCantTell, fmt.Errorf("read pact: %w", err))
		}
		if err := usage.AddPact(data); err != nil {
			return failWith(exitCantTell, fmt.Errorf("pact %s: %w", p, err))
		}
	}
	pactCount := len(f.pacts)
	if fromBroker {
		pacts, err := f.broker.fetch(ctx, client, req)
		if err != nil {
			return err
		}
		for _, p := range pacts {
			if err := usage.AddPact(p.Content); err != nil {
				return failWith(exitCantTell, fmt.Errorf("%s (%s): %w", p, p.URL, err))
			}
		}
		pactCount += len(pacts)
		describeBrokerPacts(e.stderr, client.BaseURL(), f.broker.provider, pacts)
	}

	minLevel := oasbreaking.LevelWARN
	if failOn == ci.LevelINFO {
		minLevel = oasbreaking.LevelINFO
	}
	findings, err := oasbreaking.Check(base, revision, oasbreaking.Options{MinLevel: minLevel})
	if err != nil {
		return failWith(exitCantTell, err)
	}
	classified := oasbreaking.Classify(findings, usage, serverBasePaths(base))
	report := openapiReport(classified, consumerAware, failOn)
	if err := ci.WriteBreaking(e.stdout, report, f.output); err != nil {
		return failWith(exitCantTell, fmt.Errorf("write findings: %w", err))
	}

	atLevel := 0
	for _, c := range classified {
		if ci.LevelRank(c.Level) >= ci.LevelRank(failOn) {
			atLevel++
		}
	}
	if consumerAware {
		fmt.Fprintf(e.stderr, "%s, %d at or above %s: %d break consumer interactions, %d unused by consumers (%s in %s)\n",
			countNoun(len(findings), "change"), atLevel, failOn, report.Breaking, atLevel-report.Breaking,
			countNoun(len(usage.Interactions), "HTTP interaction"), countNoun(pactCount, "pact"))
	} else {
		fmt.Fprintf(e.stderr, "%s, %d at or above %s\n", countNoun(len(findings), "change"), atLevel, failOn)
	}
	if report.Breaking > 0 {
		return failWith(exitNo, nil)
	}
	return nil
}

// openapiReport turns classified oasdiff findings into the breaking report.
func openapiReport(classified []oasbreaking.Classified, consumerAware bool, failOn string) *ci.BreakingReport {
	r := &ci.BreakingReport{ConsumerAware: consumerAware, Levels: true, Subject: "OpenAPI document", Findings: make([]ci.BreakingFinding, len(classified))}
	for i, c := range classified {
		bf := ci.BreakingFinding{RuleID: c.RuleID, Level: c.Level, Operation: c.Operation(), File: c.File, Line: c.Line,
			Source: ci.SourceOf(c.File, c.Line), Message: c.Message}
		for _, b := range c.Breaks {
			bf.Breaks = append(bf.Breaks, ci.BreakRef{Consumer: b.Consumer, Interaction: b.Interaction})
		}
		bf.Breaking = ci.LevelRank(c.Level) >= ci.LevelRank(failOn) && (!consumerAware || len(bf.Breaks) > 0)
		r.Findings[i] = bf
	}
	r.Count()
	return r
}

// serverBasePaths are the path prefixes of the document's servers ("/v1"
// of "https://api.example.com/v1"); servers with variables in the path are
// left out.
func serverBasePaths(doc *openapi.Document) []string {
	var out []string
	for _, s := range doc.Spec.Servers {
		if s == nil {
			continue
		}
		u, err := url.Parse(s.URL)
		if err != nil || strings.Contains(u.Path, "{") {
			continue
		}
		if p := strings.TrimSuffix(u.Path, "/"); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// deployedProviderContract loads, as BASE, the OpenAPI provider contract of
// the provider version deployed to env (the most recently deployed one when
// several application instances run different versions).
func deployedProviderContract(ctx context.Context, e *env, client *api.Client, provider, environment string) (*openapi.Document, error) {
	versions, err := client.DeployedVersions(ctx, provider, environment)
	if err != nil {
		return nil, err
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("no version of %s is deployed to %s", provider, environment)
	}
	v := versions[0]
	pc, err := client.ProviderContract(ctx, provider, v)
	if err != nil {
		return nil, fmt.Errorf("%s version %s (deployed to %s): %w", provider, v, environment, err)
	}
	// The version's OpenAPI document among its contracts (one per
	// specification); a broker that lists none has one, at the top level.
	content, found := pc.Content, pc.Specification == "oas"
	for _, c := range pc.Contracts {
		if c.Specification == "oas" {
			content, found = c.Content, true
		}
	}
	if !found {
		return nil, fmt.Errorf("%s version %s (deployed to %s) published a %s contract, not OpenAPI", provider, v, environment, pc.Specification)
	}
	name := fmt.Sprintf("%s-%s.openapi", provider, v)
	doc, err := openapi.Parse([]byte(content), name, openapi.Options{Origin: true})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stderr, "BASE: the OpenAPI provider contract of %s version %s, deployed to %s (reported as %s)\n", provider, v, environment, name)
	return doc, nil
}
