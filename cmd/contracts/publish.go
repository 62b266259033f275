package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// Flag names of the publish command.
const (
	flagConsumerAppVersion = "consumer-app-version"
	flagBranch             = "branch"
	flagTag                = "tag"
	flagBuildURL           = "build-url"
	flagMerge              = "merge"
)

type publishFlags struct {
	broker   brokerFlags
	version  string
	branch   string
	tags     []string
	buildURL string
	merge    bool
	output   string
}

func init() { register(newPublishCmd) }

func newPublishCmd(e *env) *cobra.Command {
	f := &publishFlags{}
	cmd := &cobra.Command{
		Use:   "publish PACT_FILE|DIR ...",
		Short: "Publish pacts to a broker",
		Long: `Publish sends pact files (or every *.json file of the directories given) to
the broker as one consumer version, with its branch, tags and build URL.

When --consumer-app-version, --branch or --build-url are not given they are
detected from the CI environment (GitHub Actions, GitLab CI, Jenkins,
Buildkite, CircleCI), then from git (commit and branch of the working tree).

Exit status: 0 published, 2 refused by the broker or could not publish.`,
		Example: `  contracts publish ./pacts --broker-url http://localhost:9292 --consumer-app-version 1.2.3 --branch main
  PACT_BROKER_BASE_URL=https://broker.example contracts publish web-orders.json --tag dev`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, b := range []struct{ flag, env string }{
				{flagConsumerAppVersion, "CONTRACTS_CONSUMER_APP_VERSION"},
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
			c, err := f.broker.client(cmd, e)
			if err != nil {
				return err
			}
			return runPublish(cmd.Context(), e, c, f, args)
		},
	}
	f.broker.add(cmd)
	fs := cmd.Flags()
	fs.StringVar(&f.version, flagConsumerAppVersion, "", "the consumer version being published (env CONTRACTS_CONSUMER_APP_VERSION; default: CI commit, then git HEAD)")
	fs.StringVar(&f.branch, flagBranch, "", "branch of the consumer version (env CONTRACTS_BRANCH; default: CI branch, then git branch)")
	fs.StringArrayVar(&f.tags, flagTag, nil, "tag for the consumer version (repeatable)")
	fs.StringVar(&f.buildURL, flagBuildURL, "", "URL of the build that produced the pacts (env CONTRACTS_BUILD_URL; default: CI build URL)")
	fs.BoolVar(&f.merge, flagMerge, false, "merge interactions into a pact already published for this version instead of refusing different content")
	fs.StringVarP(&f.output, flagOutput, "o", "table", "output format: table or json")
	return cmd
}

// pactFiles expands the arguments into pact file paths: files as given,
// directories to their *.json files in name order.
func pactFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		info, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("pact path %s: %w", a, err)
		}
		if !info.IsDir() {
			out = append(out, a)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(a, "*.json"))
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", a, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("directory %s has no *.json pact files", a)
		}
		sort.Strings(matches)
		out = append(out, matches...)
	}
	return out, nil
}

// readContract reads one pact file and takes the consumer and provider
// names from it.
func readContract(path string) (api.ContractFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return api.ContractFile{}, fmt.Errorf("read pact %s: %w", path, err)
	}
	var doc struct {
		Consumer *struct {
			Name string `json:"name"`
		} `json:"consumer"`
		Provider *struct {
			Name string `json:"name"`
		} `json:"provider"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return api.ContractFile{}, fmt.Errorf("pact %s is not valid JSON: %w", path, err)
	}
	if doc.Consumer == nil || strings.TrimSpace(doc.Consumer.Name) == "" {
		return api.ContractFile{}, fmt.Errorf("pact %s: consumer.name is missing", path)
	}
	if doc.Provider == nil || strings.TrimSpace(doc.Provider.Name) == "" {
		return api.ContractFile{}, fmt.Errorf("pact %s: provider.name is missing", path)
	}
	return api.ContractFile{Consumer: doc.Consumer.Name, Provider: doc.Provider.Name, Content: data}, nil
}

// gitOutput runs git in the working directory; "" when it fails.
func gitOutput(ctx context.Context, args ...string) string {
	out, err := exec.CommandContext(ctx, "git", args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func runPublish(ctx context.Context, e *env, c *api.Client, f *publishFlags, args []string) error {
	paths, err := pactFiles(args)
	if err != nil {
		return failWith(exitCantTell, err)
	}
	in := api.PublishInput{Version: f.version, Branch: f.branch, BuildURL: f.buildURL, Tags: f.tags}
	for _, p := range paths {
		cf, err := readContract(p)
		if err != nil {
			return failWith(exitCantTell, err)
		}
		if in.Pacticipant == "" {
			in.Pacticipant = cf.Consumer
		} else if cf.Consumer != in.Pacticipant {
			return failWith(exitCantTell, fmt.Errorf("pact %s is for consumer %q but the other pacts are for %q: publish one consumer at a time", p, cf.Consumer, in.Pacticipant))
		}
		if f.merge {
			cf.OnConflict = broker.ConflictMerge
		}
		in.Contracts = append(in.Contracts, cf)
	}
	fillFromCI(e.getenv, &in.Version, &in.Branch, &in.BuildURL)
	if in.Version == "" {
		in.Version = gitOutput(ctx, "rev-parse", "HEAD")
	}
	if in.Branch == "" {
		if b := gitOutput(ctx, "rev-parse", "--abbrev-ref", "HEAD"); b != "HEAD" {
			in.Branch = b
		}
	}
	if in.Version == "" {
		return failWith(exitCantTell, fmt.Errorf("--%s is required (no CI environment or git repository to take it from)", flagConsumerAppVersion))
	}
	res, err := c.PublishContracts(ctx, in)
	if err != nil {
		return brokerFailure(err)
	}
	if f.output == "json" {
		notices := make([]map[string]string, 0, len(res.Notices))
		for _, n := range res.Notices {
			notices = append(notices, map[string]string{"type": n.Type, "text": n.Text})
		}
		return writeJSONOut(e.stdout, map[string]any{
			"pacticipant": in.Pacticipant, "version": in.Version, "branch": in.Branch, "tags": in.Tags,
			"pacts": res.PactURLs, "notices": notices,
		})
	}
	for _, n := range res.Notices {
		if n.Type == "debug" {
			continue
		}
		fmt.Fprintln(e.stdout, n.Text)
	}
	for _, u := range res.PactURLs {
		fmt.Fprintln(e.stdout, "  "+u)
	}
	return nil
}
