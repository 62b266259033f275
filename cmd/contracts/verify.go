package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/ci"
	"github.com/contracts-dev/contracts/verify"
)

// Flag names of the verify command.
const (
	flagProviderBaseURL = "provider-base-url"
	flagStatesSetupURL  = "provider-states-setup-url"
	flagNoStateTeardown = "no-state-change-teardown"
	flagCustomHeader    = "custom-provider-header"
	flagRequestTimeout  = "request-timeout"
	flagFilterDesc      = "filter-description"
	flagFilterState     = "filter-state"
	flagFilterNoState   = "filter-no-state"
	flagJSONReport      = "json"
	flagJUnitReport     = "junit"
	flagConcurrency     = "concurrency"
	flagVerbose         = "verbose"
)

// verifyFlags holds the verify command's flags. Sources other than the
// positional arguments (a broker, later) add their own fields and extend
// gatherSources.
type verifyFlags struct {
	providerBaseURL string
	statesSetupURL  string
	noTeardown      bool
	customHeaders   []string
	requestTimeout  time.Duration
	filterDesc      string
	filterState     string
	filterNoState   bool
	jsonFile        string
	junitFile       string
	concurrency     int
	verbose         bool
	args            []string
	broker          verifyBrokerFlags // pacts from a broker (verify_broker.go)
	grpc            grpcFlags         // gRPC providers (verify_grpc.go)
	message         messageFlags      // message providers (verify_message.go)
	ci              ciOutputFlags     // GitHub annotations, Markdown summary (ciflags.go)
}

func init() { register(newVerifyCmd) }

func newVerifyCmd(e *env) *cobra.Command {
	f := &verifyFlags{}
	cmd := &cobra.Command{
		Use:   "verify [PACT_FILE|DIR|URL ...]",
		Short: "Verify a provider against pacts",
		Long: `Verify replays each interaction of the pacts against the running provider
and compares its responses with the contract.

Pacts come from files, directories (every *.json file) or URLs. Before each
interaction the provider-states setup URL receives a POST
{"state": NAME, "params": {...}, "action": "setup"}, and "teardown" after it.

gRPC interactions are sent to --grpc-url, to a grpc:// --provider-base-url
(or --transport grpc), or to the grpc port of --transports. Messages are
fetched as the Pact verifier does: a POST {"description", "providerStates"}
to --message-url (default: the HTTP provider base URL) answered with the
message as the body and its metadata, base64 JSON, in the
Pact-Message-Metadata header.

Exit status: 0 every interaction passed (pending failures do not count),
1 a contract failed, 2 the verification could not run.`,
		Example: `  contracts verify ./pacts --provider-base-url http://localhost:8080
  contracts verify web-orders.json --provider-base-url http://localhost:8080 \
    --provider-states-setup-url http://localhost:8080/_pact/state --junit report.xml
  contracts verify --provider order-service --transport grpc --provider-base-url grpc://localhost:5555 \
    --provider-app-version 2.0.0 --publish
  contracts verify events.json --message-url http://localhost:8080/pact-messages`,
		RunE: func(cmd *cobra.Command, args []string) error {
			f.args = args
			for _, b := range []struct {
				flag string
				env  []string
			}{
				{flagProviderBaseURL, []string{"CONTRACTS_PROVIDER_BASE_URL", "PACT_PROVIDER_BASE_URL"}},
				{flagStatesSetupURL, []string{"CONTRACTS_PROVIDER_STATES_SETUP_URL", "PACT_PROVIDER_STATES_SETUP_URL"}},
				{flagRequestTimeout, []string{"CONTRACTS_REQUEST_TIMEOUT"}},
				{flagFilterDesc, []string{"CONTRACTS_FILTER_DESCRIPTION", "PACT_DESCRIPTION"}},
				{flagFilterState, []string{"CONTRACTS_FILTER_STATE", "PACT_PROVIDER_STATE"}},
				{flagFilterNoState, []string{"CONTRACTS_FILTER_NO_STATE", "PACT_PROVIDER_NO_STATE"}},
				{flagConcurrency, []string{"CONTRACTS_CONCURRENCY"}},
				{flagMessageURL, []string{envMessageURL}},
			} {
				if err := bindEnv(cmd, e, b.flag, b.env...); err != nil {
					return err
				}
			}
			if err := f.ci.resolve(cmd, e); err != nil {
				return err
			}
			return runVerify(cmd.Context(), e, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.providerBaseURL, flagProviderBaseURL, "", "base URL of the running provider (env CONTRACTS_PROVIDER_BASE_URL)")
	fl.StringVar(&f.statesSetupURL, flagStatesSetupURL, "", "URL that sets up and tears down provider states (env CONTRACTS_PROVIDER_STATES_SETUP_URL)")
	fl.BoolVar(&f.noTeardown, flagNoStateTeardown, false, "do not call the states URL with action teardown after each interaction")
	fl.StringArrayVar(&f.customHeaders, flagCustomHeader, nil, "header added to every request to the provider, 'Name: value' (repeatable)")
	fl.DurationVar(&f.requestTimeout, flagRequestTimeout, verify.DefaultRequestTimeout, "timeout of each request to the provider and each state change call")
	fl.StringVar(&f.filterDesc, flagFilterDesc, "", "verify only interactions whose description matches this regular expression (env PACT_DESCRIPTION)")
	fl.StringVar(&f.filterState, flagFilterState, "", "verify only interactions with a provider state matching this regular expression (env PACT_PROVIDER_STATE)")
	fl.BoolVar(&f.filterNoState, flagFilterNoState, false, "verify only interactions without provider states (env PACT_PROVIDER_NO_STATE)")
	fl.StringVar(&f.jsonFile, flagJSONReport, "", "also write the report as JSON to this file ('-' for stdout)")
	fl.StringVar(&f.junitFile, flagJUnitReport, "", "also write the report as JUnit XML to this file")
	fl.IntVar(&f.concurrency, flagConcurrency, verify.DefaultConcurrency, "interactions verified at once when no provider states URL is set")
	fl.BoolVarP(&f.verbose, flagVerbose, "v", false, "log each interaction to stderr")
	f.broker.add(cmd, e)
	f.grpc.addFlags(fl)
	f.message.addFlags(fl)
	f.ci.add(fl)
	return cmd
}

// config turns the flags into a verify.Config.
func (f *verifyFlags) config(e *env) (verify.Config, error) {
	cfg := verify.Config{
		ProviderBaseURL:       f.providerBaseURL,
		StateChangeURL:        f.statesSetupURL,
		NoStateChangeTeardown: f.noTeardown,
		RequestTimeout:        f.requestTimeout,
		FilterNoState:         f.filterNoState,
		Concurrency:           f.concurrency,
	}
	if !f.hasProviderAddress() {
		return cfg, fmt.Errorf("--%s is required (or CONTRACTS_PROVIDER_BASE_URL)", flagProviderBaseURL)
	}
	for _, u := range []struct{ flag, value string }{{flagProviderBaseURL, f.providerBaseURL}, {flagStatesSetupURL, f.statesSetupURL}} {
		if u.value != "" && !strings.Contains(u.value, "://") {
			return cfg, fmt.Errorf("--%s %q has no scheme: give a URL such as http://%s", u.flag, u.value, u.value)
		}
	}
	if f.concurrency < 1 {
		return cfg, fmt.Errorf("--%s %d: want at least 1", flagConcurrency, f.concurrency)
	}
	if len(f.customHeaders) > 0 {
		cfg.Headers = http.Header{}
		for _, h := range f.customHeaders {
			name, value, err := verify.ParseHeader(h)
			if err != nil {
				return cfg, fmt.Errorf("--%s: %w", flagCustomHeader, err)
			}
			cfg.Headers.Add(name, value)
		}
	}
	var err error
	if cfg.FilterDescription, err = compileFilter(flagFilterDesc, f.filterDesc); err != nil {
		return cfg, err
	}
	if cfg.FilterState, err = compileFilter(flagFilterState, f.filterState); err != nil {
		return cfg, err
	}
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelDebug
	}
	cfg.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	return cfg, nil
}

func compileFilter(flag, expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, nil
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("--%s %q: %w", flag, expr, err)
	}
	return re, nil
}

// gatherSources reads the pacts named on the command line: files,
// directories and URLs (fetched with the custom headers, which carry any
// authentication).
func (f *verifyFlags) gatherSources(ctx context.Context, cfg verify.Config) ([]verify.Source, error) {
	out, err := f.broker.sources(ctx)
	if err != nil {
		return nil, err
	}
	if len(f.args) == 0 && !f.broker.enabled() {
		return nil, fmt.Errorf("no pacts to verify: give pact files, directories or URLs")
	}
	for _, arg := range f.args {
		if verify.IsURL(arg) {
			src, err := verify.FetchURL(ctx, nil, arg, cfg.Headers)
			if err != nil {
				return nil, err
			}
			out = append(out, src)
			continue
		}
		srcs, err := verify.LoadPath(arg)
		if err != nil {
			return nil, err
		}
		out = append(out, srcs...)
	}
	return out, nil
}

func runVerify(ctx context.Context, e *env, f *verifyFlags) error {
	cfg, err := f.config(e)
	if err != nil {
		return failWith(exitCantTell, err)
	}
	closeTransports, err := f.wireTransports(&cfg)
	if err != nil {
		return failWith(exitCantTell, err)
	}
	defer closeTransports()
	sources, err := f.gatherSources(ctx, cfg)
	if err != nil {
		return failWith(exitCantTell, err)
	}
	report, err := verify.Verify(ctx, cfg, sources)
	if err != nil {
		return failWith(exitCantTell, err)
	}
	textOut := e.stdout
	if f.jsonFile == "-" {
		textOut = e.stderr // stdout carries the JSON
	}
	if err := f.ci.fence(textOut, func(w io.Writer) error { return verify.WriteText(w, report) }); err != nil {
		return failWith(exitCantTell, err)
	}
	if err := writeReport(e, f.jsonFile, report, verify.WriteJSON); err != nil {
		return failWith(exitCantTell, err)
	}
	if err := writeReport(e, f.junitFile, report, verify.WriteJUnit); err != nil {
		return failWith(exitCantTell, err)
	}
	// Workflow commands go with the text report: GitHub reads them from
	// stdout and stderr alike, and stdout may carry the JSON report.
	if err := f.ci.write(textOut,
		func(w io.Writer) error { return writeAnnotations(w, ci.Annotations(report)) },
		func(w io.Writer) error { return ci.WriteMarkdownSummary(w, report) }); err != nil {
		return failWith(exitCantTell, err)
	}
	if err := f.broker.finish(ctx, textOut, report); err != nil {
		return failWith(exitCantTell, err)
	}
	if !report.Success() {
		return failWith(exitNo, nil)
	}
	return nil
}

// writeReport writes a report file with render; "-" means stdout, "" nothing.
func writeReport(e *env, path string, r *verify.Report, render func(io.Writer, *verify.Report) error) error {
	switch path {
	case "":
		return nil
	case "-":
		return render(e.stdout, r)
	}
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := render(file, r); err != nil {
		file.Close()
		return fmt.Errorf("write report %s: %w", path, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("write report %s: %w", path, err)
	}
	return nil
}
