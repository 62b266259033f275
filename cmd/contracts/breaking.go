package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/formats/proto/breaking"
)

// Flag names of the breaking command.
const (
	flagBreakingProto   = "proto"
	flagBreakingAgainst = "against"
	flagBreakingImport  = "import-path"
	flagBreakingPact    = "pact"
	flagBreakingOutput  = "output"
)

// Output formats of the breaking command.
const (
	breakingOutputText = "text"
	breakingOutputJSON = "json"
)

type breakingFlags struct {
	old, new    []string
	importPaths []string
	pacts       []string
	output      string
	broker      breakingBrokerFlags
}

func init() { register(newBreakingCmd) }

func newBreakingCmd(e *env) *cobra.Command {
	f := &breakingFlags{}
	cmd := &cobra.Command{
		Use:   "breaking --proto OLD --against NEW",
		Short: "Find breaking changes between two versions of a protobuf schema",
		Long: `Breaking compares two versions of a protobuf schema and reports the changes
that break existing clients on the wire or in the protobuf JSON mapping:
deleted messages, fields, oneofs, enums, enum values, services and RPCs,
changed field types, labels, names and JSON names, fields moved in or out of
oneofs, changed RPC request/response types and streaming, changed packages.

--proto names the OLD version (what clients were built against) and
--against the NEW version (what you are about to ship). Each takes .proto
files (imports are looked up in the --import-path directories, then next to
the file; the well-known types are built in), one compiled
FileDescriptorSet (any other extension, e.g. protoc --descriptor_set_out), or
one pact file (.json) whose protobuf plugin metadata carries the descriptors
the consumer was built against.

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

Each finding is printed as "file:line: rule-id: message"; --output json
prints one JSON document instead. A summary goes to stderr.

Rules:
` + breakingRulesHelp() + `

Exit status: 0 nothing breaks; 1 a change is breaking (with --pact or
--provider: a change breaks at least one consumer interaction); 2 a schema
or pact could not be loaded, the broker could not be reached or answered an
error, or the flags are wrong.`,
		Example: `  contracts breaking --proto v1/orders.proto --against orders.proto
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
	fl.StringArrayVarP(&f.importPaths, flagBreakingImport, "I", nil, "directory to look up imports in (repeatable)")
	fl.StringArrayVar(&f.pacts, flagBreakingPact, nil, "pact file whose protobuf interactions make the check consumer-aware (repeatable)")
	fl.StringVarP(&f.output, flagBreakingOutput, "o", breakingOutputText, "output format: text or json")
	f.broker.add(cmd)
	return cmd
}

func runBreaking(cmd *cobra.Command, e *env, f *breakingFlags) error {
	ctx := cmd.Context()
	if len(f.old) == 0 || len(f.new) == 0 {
		return failWith(exitCantTell, fmt.Errorf("--%s OLD and --%s NEW are both required", flagBreakingProto, flagBreakingAgainst))
	}
	if f.output != breakingOutputText && f.output != breakingOutputJSON {
		return failWith(exitCantTell, fmt.Errorf("--%s %q: want %s or %s", flagBreakingOutput, f.output, breakingOutputText, breakingOutputJSON))
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
	old, err := loadProtoSchema(ctx, f.old, f.importPaths)
	if err != nil {
		return failWith(exitCantTell, fmt.Errorf("--%s: %w", flagBreakingProto, err))
	}
	new, err := loadProtoSchema(ctx, f.new, f.importPaths)
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

	findings := breaking.Check(old, new)
	var classified []breaking.ClassifiedFinding
	if consumerAware {
		classified = breaking.Classify(findings, usage)
	} else {
		classified = breaking.Plain(findings)
	}
	if f.output == breakingOutputJSON {
		err = breaking.WriteJSON(e.stdout, classified, consumerAware)
	} else {
		err = breaking.WriteText(e.stdout, classified, consumerAware)
	}
	if err != nil {
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

// breakingRulesHelp lists the rule IDs and what they catch, for --help.
func breakingRulesHelp() string {
	var b strings.Builder
	for _, r := range breaking.Rules() {
		fmt.Fprintf(&b, "  %-30s %s\n", r.ID, r.Summary)
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

// loadProtoSchema loads .proto sources, a single FileDescriptorSet file, or
// the descriptors a single pact file (.json) carries.
func loadProtoSchema(ctx context.Context, files, importPaths []string) (*proto.Files, error) {
	var sources, others []string
	for _, f := range files {
		if strings.EqualFold(filepath.Ext(f), ".proto") {
			sources = append(sources, f)
		} else {
			others = append(others, f)
		}
	}
	if len(others) == 0 {
		return proto.Load(ctx, sources, importPaths)
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
