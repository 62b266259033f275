package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// Flag names of the publish-provider-contract command (PactFlow's CLI's).
const (
	flagSpecification             = "specification"
	flagContentType               = "content-type"
	flagVerificationSuccess       = "verification-success"
	flagNoVerificationSuccess     = "no-verification-success"
	flagVerificationExitCode      = "verification-exit-code"
	flagVerificationResults       = "verification-results"
	flagVerificationResultsCT     = "verification-results-content-type"
	flagVerificationResultsFormat = "verification-results-format"
	flagVerifier                  = "verifier"
	flagVerifierVersion           = "verifier-version"
)

type publishProviderContractFlags struct {
	broker                            brokerFlags
	provider, version, branch         string
	tags                              []string
	buildURL                          string
	specification, contentType        string
	success, failure                  bool
	exitCode                          int
	results, resultsCT, resultsFormat string
	verifier, verifierVersion         string
	output                            string
}

func init() { register(newPublishProviderContractCmd) }

func newPublishProviderContractCmd(e *env) *cobra.Command {
	f := &publishProviderContractFlags{}
	cmd := &cobra.Command{
		Use:   "publish-provider-contract SPEC",
		Short: "Publish a provider's OpenAPI or AsyncAPI document to the broker (bi-directional contracts)",
		Long: `Publish-provider-contract sends a provider version's OpenAPI (--specification
oas, the default) or AsyncAPI (--specification asyncapi) document to the
broker with the outcome of the provider's own tests against it (its
self-verification). The broker compares it with each consumer's pact; the
matrix and can-i-deploy count a compatible pact as verified when the
self-verification succeeded.

The document must be self-contained: bundle references to other files
before publishing.

Exit status: 0 published, 2 refused by the broker or could not publish.`,
		Example: `  contracts publish-provider-contract openapi.yaml --provider orders --provider-app-version 1.4.0 \
      --branch main --verification-success --verification-results report.txt \
      --verification-results-content-type text/plain --verifier schemathesis`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, b := range []struct{ flag, env string }{
				{flagProviderAppVersion, "CONTRACTS_PROVIDER_APP_VERSION"},
				{flagBranch, "CONTRACTS_BRANCH"},
				{flagBuildURL, "CONTRACTS_BUILD_URL"},
			} {
				if err := bindEnv(cmd, e, b.flag, b.env); err != nil {
					return err
				}
			}
			if err := checkOutput(f.output); err != nil {
				return err
			}
			in, err := providerContractInput(cmd, f, args[0])
			if err != nil {
				return err
			}
			fillFromCI(e.getenv, &f.version, &f.branch, &f.buildURL)
			if err := required(flagVerifyProvider, f.provider, flagProviderAppVersion, f.version); err != nil {
				return err
			}
			c, err := f.broker.client(cmd, e)
			if err != nil {
				return err
			}
			return runPublishProviderContract(cmd.Context(), e, c, f, in)
		},
	}
	f.broker.add(cmd)
	fs := cmd.Flags()
	fs.StringVar(&f.provider, flagVerifyProvider, "", "the provider's name (required)")
	fs.StringVarP(&f.version, flagProviderAppVersion, "a", "", "the provider version (env CONTRACTS_PROVIDER_APP_VERSION; default: CI commit)")
	fs.StringVar(&f.branch, flagBranch, "", "branch of the provider version (env CONTRACTS_BRANCH; default: CI branch)")
	fs.StringArrayVarP(&f.tags, flagTag, "t", nil, "tag for the provider version (repeatable)")
	fs.StringVar(&f.buildURL, flagBuildURL, "", "URL of the build (env CONTRACTS_BUILD_URL; default: CI build URL)")
	fs.StringVar(&f.specification, flagSpecification, broker.SpecOpenAPI, "the document's specification: oas or asyncapi")
	fs.StringVar(&f.contentType, flagContentType, "", "the document's content type (default: from the file extension, application/yaml or application/json)")
	fs.BoolVar(&f.success, flagVerificationSuccess, false, "the provider's self-verification succeeded")
	fs.BoolVar(&f.failure, flagNoVerificationSuccess, false, "the provider's self-verification failed")
	fs.IntVar(&f.exitCode, flagVerificationExitCode, 0, "the exit code of the self-verification (0: success), instead of --verification-success")
	fs.StringVar(&f.results, flagVerificationResults, "", "file with the self-verification's output")
	fs.StringVar(&f.resultsCT, flagVerificationResultsCT, "", "content type of --verification-results (text/plain, application/json, ...)")
	fs.StringVar(&f.resultsFormat, flagVerificationResultsFormat, "", "format of --verification-results (text, junit, ...)")
	fs.StringVar(&f.verifier, flagVerifier, "", "the tool that verified the provider against the document")
	fs.StringVar(&f.verifierVersion, flagVerifierVersion, "", "the verifier's version")
	fs.StringVarP(&f.output, flagOutput, "o", "table", "output format: table or json")
	cmd.MarkFlagsMutuallyExclusive(flagVerificationSuccess, flagNoVerificationSuccess, flagVerificationExitCode)
	return cmd
}

// providerContractInput reads the document and the self-verification's
// results named by the flags.
func providerContractInput(cmd *cobra.Command, f *publishProviderContractFlags, path string) (api.ProviderContractInput, error) {
	if f.specification != broker.SpecOpenAPI && f.specification != broker.SpecAsyncAPI {
		return api.ProviderContractInput{}, failWith(exitCantTell, fmt.Errorf("--%s must be %s or %s, got %q", flagSpecification, broker.SpecOpenAPI, broker.SpecAsyncAPI, f.specification))
	}
	content, err := os.ReadFile(path)
	if err != nil {
		return api.ProviderContractInput{}, failWith(exitCantTell, fmt.Errorf("read provider contract %s: %w", path, err))
	}
	in := api.ProviderContractInput{Specification: f.specification, ContentType: f.contentType, Content: content,
		SelfContentType: f.resultsCT, SelfFormat: f.resultsFormat, Verifier: f.verifier, VerifierVersion: f.verifierVersion}
	if in.ContentType == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".json":
			in.ContentType = "application/json"
		default:
			in.ContentType = "application/yaml"
		}
	}
	switch fs := cmd.Flags(); {
	case fs.Changed(flagVerificationSuccess):
		in.SelfSuccess = &f.success
	case fs.Changed(flagNoVerificationSuccess):
		ok := !f.failure
		in.SelfSuccess = &ok
	case fs.Changed(flagVerificationExitCode):
		ok := f.exitCode == 0
		in.SelfSuccess = &ok
	}
	if f.results != "" {
		if in.SelfContent, err = os.ReadFile(f.results); err != nil {
			return in, failWith(exitCantTell, fmt.Errorf("read --%s %s: %w", flagVerificationResults, f.results, err))
		}
		if in.SelfContentType == "" {
			return in, failWith(exitCantTell, fmt.Errorf("--%s is required with --%s", flagVerificationResultsCT, flagVerificationResults))
		}
	}
	return in, nil
}

func runPublishProviderContract(ctx context.Context, e *env, c *api.Client, f *publishProviderContractFlags, in api.ProviderContractInput) error {
	notices, err := c.PublishProviderContract(ctx, f.provider, f.version, f.branch, f.buildURL, f.tags, in)
	if err != nil {
		return brokerFailure(err)
	}
	if f.output == "json" {
		out := make([]map[string]string, 0, len(notices))
		for _, n := range notices {
			out = append(out, map[string]string{"type": n.Type, "text": n.Text})
		}
		return writeJSONOut(e.stdout, map[string]any{"provider": f.provider, "version": f.version, "branch": f.branch,
			"tags": f.tags, "specification": in.Specification, "notices": out})
	}
	for _, n := range notices {
		fmt.Fprintln(e.stdout, n.Text)
	}
	return nil
}
