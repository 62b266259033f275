package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/ci"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/formats/proto/breaking"
)

// Flag names of the breaking command.
const (
	flagBreakingProto   = "proto"
	flagBreakingAgainst = "against"
	flagBreakingImport  = "import-path"
	// flagBreakingOldImport and flagBreakingNewImport add import paths to
	// one side only.
	flagBreakingOldImport = "proto-import-path"
	flagBreakingNewImport = "against-import-path"
	flagBreakingPact      = "pact"
	// flagBreakingCategory chooses buf categories or rules (repeatable).
	flagBreakingCategory = "category"
	// flagBreakingBufYAML names a buf.yaml whose breaking.use to apply.
	flagBreakingBufYAML = "buf-yaml"
	flagBreakingOutput  = "output"
	flagBreakingOpenAPI = "openapi"
	flagBreakingFailOn  = "fail-on"
	flagBreakingBaseEnv = "base-environment"
)

// Output formats of the breaking command.
const (
	breakingOutputText = ci.BreakingText
	breakingOutputJSON = ci.BreakingJSON
)

type breakingFlags struct {
	old, new    []string
	importPaths []string // both sides, see proto.SideImportPaths
	oldImports  []string
	newImports  []string
	pacts       []string
	categories  []string
	bufYAML     string
	output      string
	broker      breakingBrokerFlags
	openapi     openapiBreakingFlags
}

func init() { register(newBreakingCmd) }

func newBreakingCmd(e *env) *cobra.Command {
	f := &breakingFlags{}
	cmd := &cobra.Command{
		Use:   "breaking (--proto OLD | --openapi BASE) --against NEW",
		Short: "Find breaking changes between two versions of a protobuf schema or an OpenAPI document",
		Long: openapiBreakingHelp + `

Protobuf: breaking compares two versions of a protobuf schema and reports the changes
that break existing clients, rule for rule as buf breaking does: in generated
code per file (FILE) or package (PACKAGE), in the binary encoding or the JSON
mapping (WIRE_JSON), or in the binary encoding only (WIRE).

--proto names the OLD version (what clients were built against) and
--against the NEW version (what you are about to ship). Each takes one
directory (the module root: every .proto under it is compiled, named by its
path below the root, and imports are resolved inside it first, as buf takes
a directory input), .proto files (compiled from where they are; imports are
looked up in the roots holding them, then in the import paths; the
well-known types and language feature sets are built in), one compiled
FileDescriptorSet (any other extension, e.g. protoc --descriptor_set_out), or
one pact file (.json) whose protobuf plugin metadata carries the descriptors
the consumer was built against.

--proto-import-path adds import directories to the OLD side only,
--against-import-path to the NEW side only. --import-path (-I) adds to both
sides, except that a side never uses a directory holding the other side's
inputs but none of its own: "-I old -I new" cannot make one side compile the
other's files.

With --pact, the check is consumer-aware: each change is matched against
what the pacts' protobuf interactions use (their RPC, and the fields their
request and response contents set or their matching rules address) and
marked [breaks consumer NAME: "interaction"] or [unused by consumers].

With --provider, the consumers' pacts come from a broker (--broker-url and
its credentials, or PACT_BROKER_BASE_URL, PACT_BROKER_TOKEN,
PACT_BROKER_USERNAME, PACT_BROKER_PASSWORD): the pacts the broker selects
for the provider to verify, by default each consumer's main branch head
plus its deployed and released versions, or those the
--consumer-version-selectors choose. --pact files may be added to them.

Rules come in buf's categories, FILE, PACKAGE, WIRE_JSON and WIRE (from
strictest to most lenient); --category (repeatable) chooses categories,
or single rules by buf's ID or ours. Without --category, the breaking.use
and breaking.except lists of a buf.yaml apply: --buf-yaml FILE, else the
buf.yaml in the --against directory, else in the current directory. With
neither, FILE applies, as buf's default.

Each finding is printed as "file:line: rule-id (BUF_RULE_ID): message";
--output json prints one JSON document instead, each finding with ruleId
and bufRuleId (markdown, githubactions and junit too). A summary goes to
stderr.

Rules (our ID, buf's ID, categories):
` + breakingRulesHelp() + `

Exit status: 0 nothing breaks; 1 a change is breaking (with --pact or
--provider: a change breaks at least one consumer interaction); 2 a schema
or pact could not be loaded, the broker could not be reached or answered an
error, or the flags are wrong.`,
		Example: `  contracts breaking --openapi released/openapi.yaml --against openapi.yaml
  contracts breaking --openapi released/openapi.yaml --against openapi.yaml \
    --pact pacts/web-orders.json --fail-on WARN --output githubactions
  contracts breaking --proto v1/orders.proto --against orders.proto
  contracts breaking --proto released/proto --against proto --category WIRE_JSON
  contracts breaking --proto old/api.proto --against api.proto \
    --proto-import-path old --against-import-path . -I third_party
  contracts breaking --proto old/api.proto --against api.proto -I third_party \
    --pact pacts/web-orders.json --pact pacts/mobile-orders.json
  contracts breaking --proto released.binpb --against api.proto --output json
  contracts breaking --proto pacts/web-orders.json --against api.proto --pact pacts/web-orders.json
  PACT_BROKER_BASE_URL=https://broker.example.com contracts breaking \
    --proto v1/orders.proto --against orders.proto --provider orders-service
  contracts breaking --proto v1/orders.proto --against orders.proto \
    --broker-url https://broker.example.com --provider orders-service \
    --consumer-version-selectors '{"deployedOrReleased":true}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBreaking(cmd, e, f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.old, flagBreakingProto, nil, "OLD schema: .proto file (repeatable) or a FileDescriptorSet")
	fl.StringArrayVar(&f.new, flagBreakingAgainst, nil, "NEW schema to check against OLD: .proto file (repeatable) or a FileDescriptorSet")
	fl.StringArrayVarP(&f.importPaths, flagBreakingImport, "I", nil, "directory to look up imports in, for both sides (repeatable)")
	fl.StringArrayVar(&f.oldImports, flagBreakingOldImport, nil, "directory to look up the OLD schema's imports in (repeatable)")
	fl.StringArrayVar(&f.newImports, flagBreakingNewImport, nil, "directory to look up the NEW schema's imports in (repeatable)")
	fl.StringArrayVar(&f.pacts, flagBreakingPact, nil, "pact file whose protobuf interactions make the check consumer-aware (repeatable)")
	fl.StringArrayVar(&f.categories, flagBreakingCategory, nil, "buf category (FILE, PACKAGE, WIRE_JSON, WIRE) or rule ID to apply (repeatable; default: buf.yaml's breaking.use, else FILE)")
	fl.StringVar(&f.bufYAML, flagBreakingBufYAML, "", "buf.yaml whose breaking.use and breaking.except choose the rules (default: the --against directory's, else the current directory's)")
	fl.StringVarP(&f.output, flagBreakingOutput, "o", breakingOutputText, "output format: "+strings.Join(ci.BreakingFormats(), ", "))
	f.broker.add(cmd)
	f.openapi.add(cmd)
	return cmd
}

func runBreaking(cmd *cobra.Command, e *env, f *breakingFlags) error {
	ctx := cmd.Context()
	if !slices.Contains(ci.BreakingFormats(), f.output) {
		return failWith(exitCantTell, fmt.Errorf("--%s %q: want one of %s", flagBreakingOutput, f.output, strings.Join(ci.BreakingFormats(), ", ")))
	}
	if f.openapi.base != "" || f.openapi.baseEnv != "" || cmd.Flags().Changed(flagBreakingOpenAPI) {
		return runBreakingOpenAPI(cmd, e, f)
	}
	if cmd.Flags().Changed(flagBreakingFailOn) {
		return failWith(exitCantTell, fmt.Errorf("--%s applies to --%s only: every protobuf finding is an error", flagBreakingFailOn, flagBreakingOpenAPI))
	}
	if len(f.old) == 0 || len(f.new) == 0 {
		return failWith(exitCantTell, fmt.Errorf("--%s OLD and --%s NEW are both required", flagBreakingProto, flagBreakingAgainst))
	}
	rules, err := breakingRules(f)
	if err != nil {
		return failWith(exitCantTell, err)
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
	oldImports := append(proto.SideImportPaths(f.importPaths, f.old, f.new), f.oldImports...)
	newImports := append(proto.SideImportPaths(f.importPaths, f.new, f.old), f.newImports...)
	// Compiling both schemas allocates much and keeps little garbage
	// for long: fewer collections cut the CPU time by about a sixth
	// (scripts/bench-breaking.sh).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	// The old schema is never reported on: compiled without source info,
	// it loads faster.
	old, err := loadProtoSchema(ctx, f.old, oldImports, proto.WithoutSourceInfo())
	if err != nil {
		return failWith(exitCantTell, fmt.Errorf("--%s: %w", flagBreakingProto, err))
	}
	new, err := loadProtoSchema(ctx, f.new, newImports)
	if err != nil {
		return failWith(exitCantTell, fmt.Errorf("--%s: %w", flagBreakingAgainst, err))
	}

	consumerAware := len(f.pacts) > 0 || fromBroker
	var usage breaking.Usage
	for _, p := range f.pacts {
		data, err := os.ReadFile(p)
		if err != nil {
			return failWith(exitCantTell, fmt.Errorf("read pact: %w", err))
		}
		if err := usage.AddPact(data, old); err != nil {
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
			if err := usage.AddPact(p.Content, old); err != nil {
				return failWith(exitCantTell, fmt.Errorf("%s (%s): %w", p, p.URL, err))
			}
		}
		pactCount += len(pacts)
		describeBrokerPacts(e.stderr, client.BaseURL(), f.broker.provider, pacts)
	}

	findings := breaking.CheckRules(old, new, rules)
	var classified []breaking.ClassifiedFinding
	if consumerAware {
		classified = breaking.Classify(findings, usage)
	} else {
		classified = breaking.Plain(findings)
	}
	if err := ci.WriteBreaking(e.stdout, protoReport(classified, consumerAware), f.output); err != nil {
		return failWith(exitCantTell, fmt.Errorf("write findings: %w", err))
	}

	breakingCount := 0
	for _, c := range classified {
		if c.Breaking {
			breakingCount++
		}
	}
	if consumerAware {
		fmt.Fprintf(e.stderr, "%s: %d break consumer interactions, %d unused by consumers (%s in %s)\n",
			countNoun(len(findings), "breaking change"), breakingCount, len(findings)-breakingCount,
			countNoun(len(usage.Interactions), "protobuf interaction"), countNoun(pactCount, "pact"))
	} else {
		fmt.Fprintln(e.stderr, countNoun(len(findings), "breaking change"))
	}
	if breakingCount > 0 {
		return failWith(exitNo, nil)
	}
	return nil
}

// protoReport turns protobuf findings into the report every breaking
// renderer takes.
func protoReport(classified []breaking.ClassifiedFinding, consumerAware bool) *ci.BreakingReport {
	r := &ci.BreakingReport{ConsumerAware: consumerAware, Subject: "protobuf schema", Findings: make([]ci.BreakingFinding, len(classified))}
	for i, c := range classified {
		bf := ci.BreakingFinding{RuleID: c.RuleID, BufRuleID: c.BufRuleID, Level: ci.LevelERR, Source: proto.Position{File: c.File, Line: c.Line}.String(),
			File: c.File, Line: c.Line, Element: c.Element, Message: c.Message, Breaking: c.Breaking}
		for _, b := range c.Breaks {
			bf.Breaks = append(bf.Breaks, ci.BreakRef{Consumer: b.Consumer, Interaction: b.Interaction})
		}
		r.Findings[i] = bf
	}
	return r
}

// breakingRulesHelp lists the rule IDs and what they catch, for --help.
func breakingRulesHelp() string {
	var b strings.Builder
	for _, r := range breaking.Rules() {
		cats := make([]string, len(r.Categories))
		for i, c := range r.Categories {
			cats[i] = string(c)
		}
		fmt.Fprintf(&b, "  %-40s %-46s %s\n", r.ID, r.BufID, strings.Join(cats, ","))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// countNoun is "1 noun" or "N nouns".
func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// loadProtoSchema loads one directory (a module root), .proto sources, a
// single FileDescriptorSet file, or the descriptors a single pact file
// (.json) carries.
func loadProtoSchema(ctx context.Context, files, importPaths []string, opts ...proto.LoadOption) (*proto.Files, error) {
	var sources, others []string
	for _, f := range files {
		if info, err := os.Stat(f); err == nil && info.IsDir() {
			if len(files) > 1 {
				return nil, fmt.Errorf("give one directory or files, not %s", strings.Join(files, ", "))
			}
			return proto.LoadDir(ctx, f, importPaths, opts...)
		}
		if strings.EqualFold(filepath.Ext(f), ".proto") {
			sources = append(sources, f)
		} else {
			others = append(others, f)
		}
	}
	if len(others) == 0 {
		return proto.Load(ctx, sources, importPaths, opts...)
	}
	if len(others) > 1 || len(sources) > 0 {
		return nil, fmt.Errorf("give either .proto files or one descriptor set or pact file, not %s", strings.Join(files, ", "))
	}
	path := others[0]
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	if !strings.EqualFold(filepath.Ext(path), ".json") {
		schema, err := proto.ParseDescriptorSet(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return schema, nil
	}
	sets, err := proto.PactDescriptors(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(sets) != 1 {
		keys := make([]string, 0, len(sets))
		for k := range sets {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("%s: want one protobuf descriptor set in metadata.plugins, found %d %v; give the .proto files instead", path, len(sets), keys)
	}
	var schema *proto.Files
	for _, only := range sets {
		schema = only
	}
	return schema, nil
}

// breakingRules chooses the rules: --category, else a buf.yaml (named, in
// the NEW directory, or in the current directory), else the default.
func breakingRules(f *breakingFlags) (breaking.RuleSet, error) {
	if len(f.categories) > 0 {
		set, err := breaking.Select(f.categories)
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", flagBreakingCategory, err)
		}
		return set, nil
	}
	path := f.bufYAML
	if path == "" {
		var candidates []string
		if len(f.new) == 1 {
			if info, err := os.Stat(f.new[0]); err == nil && info.IsDir() {
				candidates = append(candidates, filepath.Join(f.new[0], "buf.yaml"))
			}
		}
		candidates = append(candidates, "buf.yaml")
		for _, c := range candidates {
			if _, err := os.Stat(c); err == nil {
				path = c
				break
			}
		}
	}
	if path == "" {
		return breaking.Select(nil)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read buf.yaml: %w", err)
	}
	cfg, err := breaking.ParseBufConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg.Rules()
}
