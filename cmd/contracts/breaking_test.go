package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	protov2 "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/formats/proto/breaking"
)

const breakingCases = "../../testdata/proto/breaking"

func breakingCase(parts ...string) string {
	return filepath.Join(append([]string{breakingCases}, parts...)...)
}

// runBreakingCLI runs the CLI in-process and returns exit code, stdout and stderr.
func runBreakingCLI(tb testing.TB, args ...string) (int, string, string) {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestBreakingPlain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		dir        string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{
			name:       "no breaking change",
			dir:        "ok-field-added",
			wantCode:   exitOK,
			wantStderr: "0 breaking changes\n",
		},
		{
			name:       "rpc deleted",
			dir:        "rpc-deleted",
			wantCode:   exitNo,
			wantStdout: breakingCase("rpc-deleted", "new.proto") + ":28: rpc-deleted (RPC_NO_DELETE): rpc ListOrders was deleted from service shop.v1.Orders\n",
			wantStderr: "1 breaking change\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runBreakingCLI(t, "breaking",
				"--proto", breakingCase(tt.dir, "old.proto"), "--against", breakingCase(tt.dir, "new.proto"))
			require.Equal(t, tt.wantCode, code, "stderr: %s", stderr)
			require.Equal(t, tt.wantStdout, stdout)
			require.Equal(t, tt.wantStderr, stderr)
		})
	}
}

func TestBreakingConsumerAware(t *testing.T) {
	t.Parallel()
	dir := breakingCase("consumer-aware")
	args := func(newFile string, extra ...string) []string {
		return append([]string{"breaking",
			"--proto", filepath.Join(dir, "old.proto"), "--against", filepath.Join(dir, newFile),
			"--pact", filepath.Join(dir, "mobile-app.json"), "--pact", filepath.Join(dir, "web-app.json"),
		}, extra...)
	}

	t.Run("breaks consumers", func(t *testing.T) {
		t.Parallel()
		code, stdout, stderr := runBreakingCLI(t, args("new.proto")...)
		require.Equal(t, exitNo, code, "stderr: %s", stderr)
		// The library's golden file names files from the repository root.
		want, err := os.ReadFile(filepath.Join(dir, "want.txt.golden"))
		require.NoError(t, err)
		require.Equal(t, string(want), strings.ReplaceAll(stdout, "../../", ""))
		require.Equal(t, "12 breaking changes: 7 break consumer interactions, 5 unused by consumers (3 protobuf interactions in 2 pacts)\n", stderr)
	})

	t.Run("only unused changes", func(t *testing.T) {
		t.Parallel()
		code, stdout, stderr := runBreakingCLI(t, args("new-unused.proto")...)
		require.Equal(t, exitOK, code, "stderr: %s", stderr)
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		require.Len(t, lines, 2)
		for _, l := range lines {
			require.True(t, strings.HasSuffix(l, "[unused by consumers]"), l)
		}
		require.Contains(t, stdout, "rpc-deleted")
		require.Contains(t, stdout, "field-deleted")
	})

	t.Run("json", func(t *testing.T) {
		t.Parallel()
		code, stdout, _ := runBreakingCLI(t, args("new.proto", "--output", "json")...)
		require.Equal(t, exitNo, code)
		var doc struct {
			ConsumerAware bool `json:"consumerAware"`
			Breaking      int  `json:"breaking"`
			Findings      []struct {
				RuleID   string `json:"ruleId"`
				Breaking bool   `json:"breaking"`
				Breaks   []struct{ Consumer, Interaction string }
			} `json:"findings"`
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
		require.True(t, doc.ConsumerAware)
		require.Equal(t, 7, doc.Breaking)
		require.Len(t, doc.Findings, 12)
	})
}

func TestBreakingDescriptorSet(t *testing.T) {
	t.Parallel()
	files, err := proto.Load(context.Background(), []string{breakingCase("rpc-deleted", "old.proto")}, nil)
	require.NoError(t, err)
	set := &descriptorpb.FileDescriptorSet{}
	for _, fd := range files.Files() {
		set.File = append(set.File, protodesc.ToFileDescriptorProto(fd))
	}
	data, err := protov2.Marshal(set)
	require.NoError(t, err)
	setPath := filepath.Join(t.TempDir(), "released.binpb")
	require.NoError(t, os.WriteFile(setPath, data, 0o600))

	code, stdout, stderr := runBreakingCLI(t, "breaking", "--proto", setPath, "--against", breakingCase("rpc-deleted", "new.proto"), "-o", "json")
	require.Equal(t, exitNo, code, "stderr: %s", stderr)
	require.Contains(t, stdout, `"ruleId": "rpc-deleted"`)
}

// The OLD schema can come from the descriptors a pact carries.
func TestBreakingAgainstPactDescriptors(t *testing.T) {
	t.Parallel()
	dir := breakingCase("consumer-aware")
	pact := filepath.Join(dir, "web-app.json")
	code, stdout, stderr := runBreakingCLI(t, "breaking", "--proto", pact, "--against", filepath.Join(dir, "new.proto"), "--pact", pact)
	require.Equal(t, exitNo, code, "stderr: %s", stderr)
	// Descriptors in pacts have no source info: deletions inside a kept
	// message point at the new file, which has lines.
	require.Contains(t, stdout, `field-name-changed (FIELD_SAME_NAME): field 4 "note" on message shop.v1.Order was renamed to "comment" [breaks consumer web-app: "get an order"]`)
	require.Contains(t, stdout, `rpc-deleted (RPC_NO_DELETE): rpc ListOrders was deleted from service shop.v1.Orders [unused by consumers]`)
	require.Contains(t, stderr, "(1 protobuf interaction in 1 pact)")

	noDescriptors := filepath.Join(t.TempDir(), "plain.json")
	require.NoError(t, os.WriteFile(noDescriptors, []byte(`{"consumer":{"name":"c"},"interactions":[],"metadata":{}}`), 0o600))
	code, _, stderr = runBreakingCLI(t, "breaking", "--proto", noDescriptors, "--against", filepath.Join(dir, "new.proto"))
	require.Equal(t, exitCantTell, code)
	require.Contains(t, stderr, "want one protobuf descriptor set")
}

func TestBreakingCantTell(t *testing.T) {
	t.Parallel()
	okOld, okNew := breakingCase("ok-field-added", "old.proto"), breakingCase("ok-field-added", "new.proto")
	badPact := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(badPact, []byte(`{"interactions": [`), 0o600))
	tests := []struct {
		name       string
		args       []string
		wantStderr []string
	}{
		{"missing against", []string{"--proto", okOld}, []string{"--against"}},
		{"bad output", []string{"--proto", okOld, "--against", okNew, "--output", "xml"}, []string{`"xml"`}},
		{"old does not compile", []string{"--proto", "../../testdata/proto/invalid/bad.proto", "--against", okNew}, []string{"--proto", "bad.proto:7:", "Missing"}},
		{"new missing", []string{"--proto", okOld, "--against", "nope.proto"}, []string{"--against", "nope.proto"}},
		{"bad pact", []string{"--proto", okOld, "--against", okNew, "--pact", badPact}, []string{"bad.json", "parse pact"}},
		{"missing pact", []string{"--proto", okOld, "--against", okNew, "--pact", "nope.json"}, []string{"nope.json"}},
		{"mixed inputs", []string{"--proto", okOld, "--proto", "x.binpb", "--against", okNew}, []string{"descriptor set"}},
		{"positional args", []string{"--proto", okOld, "--against", okNew, "extra"}, []string{"extra"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runBreakingCLI(t, append([]string{"breaking"}, tt.args...)...)
			require.Equal(t, exitCantTell, code)
			require.Empty(t, stdout)
			for _, w := range tt.wantStderr {
				require.Contains(t, stderr, w)
			}
		})
	}
}

func TestBreakingImportPaths(t *testing.T) {
	t.Parallel()
	kitchen := "../../testdata/proto/kitchen"
	order := filepath.Join(kitchen, "shop", "order.proto")
	code, stdout, stderr := runBreakingCLI(t, "breaking", "-I", kitchen, "--proto", order, "--against", order)
	require.Equal(t, exitOK, code, "stderr: %s", stderr)
	require.Empty(t, stdout)

	code, _, stderr = runBreakingCLI(t, "breaking", "--proto", order, "--against", order)
	require.Equal(t, exitCantTell, code)
	require.Contains(t, stderr, order+`:9:8: file "shop/common/money.proto" not found`)
}

func TestBreakingHelpListsRules(t *testing.T) {
	t.Parallel()
	code, stdout, _ := runBreakingCLI(t, "breaking", "--help")
	require.Equal(t, exitOK, code)
	require.Contains(t, stdout, "--proto names the OLD version")
	for _, r := range breaking.Rules() {
		require.Contains(t, stdout, r.ID)
	}
}

var update = flag.Bool("update", false, "rewrite golden files")

// requireBreakingGolden compares got with testdata/proto/breaking/<name>,
// rewriting the file with -update.
func requireBreakingGolden(tb testing.TB, name, got string) {
	tb.Helper()
	path := breakingCase(name)
	if *update {
		require.NoError(tb, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(tb, os.WriteFile(path, []byte(got), 0o600))
	}
	want, err := os.ReadFile(path)
	require.NoError(tb, err, "run with -update to create it")
	require.Equal(tb, string(want), got)
}

// mustPublishProtoPact publishes pact content as consumer's version on branch.
func mustPublishProtoPact(tb testing.TB, c *api.Client, consumer, version, branch string, content []byte) {
	tb.Helper()
	var doc struct{ Provider struct{ Name string } }
	require.NoError(tb, json.Unmarshal(content, &doc))
	_, err := c.PublishContracts(context.Background(), api.PublishInput{
		Pacticipant: consumer, Version: version, Branch: branch,
		Contracts: []api.ContractFile{{Consumer: consumer, Provider: doc.Provider.Name, Content: content}},
	})
	require.NoError(tb, err)
}

// mustReadPactWithout reads a pact file and drops the interactions with the
// given descriptions: a later consumer version that stopped using them.
func mustReadPactWithout(tb testing.TB, path string, dropped ...string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	var doc map[string]any
	require.NoError(tb, json.Unmarshal(data, &doc))
	var kept []any
	for _, it := range doc["interactions"].([]any) {
		if !slices.Contains(dropped, it.(map[string]any)["description"].(string)) {
			kept = append(kept, it)
		}
	}
	require.Len(tb, kept, len(doc["interactions"].([]any))-len(dropped))
	doc["interactions"] = kept
	out, err := json.Marshal(doc)
	require.NoError(tb, err)
	return out
}

// TestBreakingFromBroker takes the consumers' pacts from a real broker:
// web-app 1.0.0 and mobile-app 2.0.0 are the main branch heads; mobile-app
// 1.0.0, still deployed to production, is the only version that cancels
// orders.
func TestBreakingFromBroker(t *testing.T) {
	ctx := context.Background()
	dir := breakingCase("consumer-aware")
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "w-tok"})
	webApp, err := os.ReadFile(filepath.Join(dir, "web-app.json"))
	require.NoError(t, err)
	mobileApp, err := os.ReadFile(filepath.Join(dir, "mobile-app.json"))
	require.NoError(t, err)
	mustPublishProtoPact(t, b.Client, "web-app", "1.0.0", "main", webApp)
	mustPublishProtoPact(t, b.Client, "mobile-app", "1.0.0", "main", mobileApp)
	_, err = b.Client.CreateEnvironment(ctx, broker.Environment{Name: "production", Production: true})
	require.NoError(t, err)
	_, err = b.Client.RecordDeployment(ctx, "mobile-app", "1.0.0", "production", "")
	require.NoError(t, err)
	mustPublishProtoPact(t, b.Client, "mobile-app", "2.0.0", "main",
		mustReadPactWithout(t, filepath.Join(dir, "mobile-app.json"), "cancel an order"))

	vars := map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": "w-tok"}
	breakingRun := func(t *testing.T, want int, newFile string, extra ...string) (string, string) {
		t.Helper()
		args := append([]string{"breaking", "--proto", filepath.Join(dir, "old.proto"), "--against", filepath.Join(dir, newFile),
			"--provider", "orders-service"}, extra...)
		code, stdout, stderr := runCLI(ctx, vars, args...)
		require.Equal(t, want, code, "contracts %v\nstdout:\n%s\nstderr:\n%s", args, stdout, stderr)
		stdout = strings.ReplaceAll(stdout, "../../", "")
		stderr = strings.ReplaceAll(stderr, b.URL, "BROKER_URL")
		return stdout, stderr
	}
	golden := func(stdout, stderr string) string {
		return "-- stdout --\n" + stdout + "-- stderr --\n" + stderr
	}

	t.Run("default selectors: main branch heads and deployed versions", func(t *testing.T) {
		stdout, stderr := breakingRun(t, exitNo, "new.proto")
		requireBreakingGolden(t, "broker/default-selectors.golden", golden(stdout, stderr))
		// The same verdicts as with the same pacts given as files.
		want, err := os.ReadFile(filepath.Join(dir, "want.txt.golden"))
		require.NoError(t, err)
		require.Equal(t, string(want), stdout)
		require.Contains(t, stderr, "  mobile-app version 1.0.0 (")
		require.Contains(t, stderr, "(4 protobuf interactions in 3 pacts)")
	})

	t.Run("main branch only: the deployed version's usage is left out", func(t *testing.T) {
		stdout, stderr := breakingRun(t, exitNo, "new.proto", "--consumer-version-selectors", `{"mainBranch":true}`)
		requireBreakingGolden(t, "broker/main-branch.golden", golden(stdout, stderr))
		require.NotContains(t, stdout, "cancel an order")
		require.Contains(t, stdout, `field-type-changed (FIELD_SAME_TYPE): field 2 "quantity" on message shop.v1.Line changed type from int32 to int64 [unused by consumers]`)
		require.Contains(t, stdout, `field-name-changed (FIELD_SAME_NAME): field 4 "note" on message shop.v1.Order was renamed to "comment" [breaks consumer web-app: "get an order"]`)
	})

	t.Run("only the deployed version breaks", func(t *testing.T) {
		stdout, stderr := breakingRun(t, exitNo, "new.proto", "--consumer-version-selectors", `{"deployed":true}`)
		require.Contains(t, stdout, `field-type-changed (FIELD_SAME_TYPE): field 2 "quantity" on message shop.v1.Line changed type from int32 to int64 [breaks consumer mobile-app: "cancel an order"]`)
		require.Contains(t, stdout, `field-name-changed (FIELD_SAME_NAME): field 4 "note" on message shop.v1.Order was renamed to "comment" [unused by consumers]`)
		require.Contains(t, stderr, "1 pact for provider orders-service from the broker at BROKER_URL\n  mobile-app version 1.0.0")
	})

	t.Run("changes no consumer uses pass", func(t *testing.T) {
		stdout, stderr := breakingRun(t, exitOK, "new-unused.proto")
		requireBreakingGolden(t, "broker/unused.golden", golden(stdout, stderr))
		require.NotContains(t, stdout, "[breaks")
		require.Contains(t, stdout, "rpc-deleted")
	})

	t.Run("a pact file beside the broker's pacts", func(t *testing.T) {
		webOnly := filepath.Join(t.TempDir(), "web-app-local.json")
		local := bytes.ReplaceAll(webApp, []byte(`"name": "web-app"`), []byte(`"name": "web-app-local"`))
		require.NoError(t, os.WriteFile(webOnly, local, 0o600))
		stdout, stderr := breakingRun(t, exitNo, "new.proto", "--pact", webOnly,
			"--consumer-version-selectors", `{"mainBranch":true,"consumer":"mobile-app"}`)
		require.Contains(t, stdout, `[breaks consumer web-app-local: "get an order"]`)
		require.NotContains(t, stdout, `consumer web-app:`)
		require.Contains(t, stderr, "(2 protobuf interactions in 2 pacts)")
	})

	t.Run("json", func(t *testing.T) {
		stdout, _ := breakingRun(t, exitNo, "new.proto", "--output", "json")
		var doc struct {
			ConsumerAware bool `json:"consumerAware"`
			Breaking      int  `json:"breaking"`
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &doc))
		require.True(t, doc.ConsumerAware)
		require.Equal(t, 7, doc.Breaking)
	})

	t.Run("flags override the environment", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, map[string]string{"PACT_BROKER_BASE_URL": "http://127.0.0.1:1", "PACT_BROKER_TOKEN": "wrong"},
			"breaking", "--proto", filepath.Join(dir, "old.proto"), "--against", filepath.Join(dir, "new-unused.proto"),
			"--provider", "orders-service", "--broker-url", b.URL, "--broker-token", "w-tok")
		require.Equal(t, exitOK, code, "stderr: %s", stderr)
		require.Contains(t, stdout, "[unused by consumers]")
	})
}

// TestBreakingBrokerCantTell: without the consumers' pacts the check cannot
// tell what breaks them, so every broker failure is exit code 2.
func TestBreakingBrokerCantTell(t *testing.T) {
	ctx := context.Background()
	dir := breakingCase("consumer-aware")
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "w-tok"})
	webApp, err := os.ReadFile(filepath.Join(dir, "web-app.json"))
	require.NoError(t, err)
	mustPublishProtoPact(t, b.Client, "web-app", "1.0.0", "main", webApp)
	// A pact the broker accepts but whose RPC the descriptors it carries do
	// not have: refused whole, naming the pact.
	unknownRPC := bytes.ReplaceAll(webApp, []byte(`"name": "orders-service"`), []byte(`"name": "broken-service"`))
	unknownRPC = bytes.ReplaceAll(unknownRPC, []byte(`.shop.v1.Orders/GetOrder`), []byte(`.shop.v1.Orders/GetOrderz`))
	mustPublishProtoPact(t, b.Client, "web-app", "1.0.0", "main", unknownRPC)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	base := []string{"breaking", "--proto", filepath.Join(dir, "old.proto"), "--against", filepath.Join(dir, "new-unused.proto")}

	tests := []struct {
		name       string
		vars       map[string]string
		args       []string
		wantStderr []string
	}{
		{"broker unreachable", nil, []string{"--broker-url", closed.URL, "--provider", "orders-service"},
			[]string{"pacts for verification of orders-service", closed.URL}},
		{"broker refuses the credentials", map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": "wrong"}, []string{"--provider", "orders-service"},
			[]string{"pacts for verification of orders-service"}},
		{"no credentials", map[string]string{"PACT_BROKER_BASE_URL": b.URL}, []string{"--provider", "orders-service"},
			[]string{"pacts for verification of orders-service"}},
		{"no pacts for the provider", map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": "w-tok"}, []string{"--provider", "order-service"},
			[]string{`no pacts for provider "order-service"`, "--ignore-no-pacts-error"}},
		{"no selected pacts", map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": "w-tok"},
			[]string{"--provider", "orders-service", "--consumer-version-selectors", `{"deployed":true}`},
			[]string{`no pacts for provider "orders-service"`}},
		{"provider without a broker", nil, []string{"--provider", "orders-service"}, []string{"--broker-url", "PACT_BROKER_BASE_URL"}},
		{"broker without a provider", nil, []string{"--broker-url", b.URL}, []string{"--broker-url needs --provider"}},
		{"selector without a provider", nil, []string{"--consumer-version-selectors", `{"mainBranch":true}`}, []string{"--consumer-version-selectors needs --provider"}},
		{"bad selector", map[string]string{"PACT_BROKER_BASE_URL": b.URL}, []string{"--provider", "orders-service", "--consumer-version-selectors", `{"mainBrnch":true}`},
			[]string{"--consumer-version-selectors", "mainBrnch"}},
		{"unreadable pact from the broker", map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": "w-tok"}, []string{"--provider", "broken-service"},
			[]string{"pact of consumer web-app version 1.0.0 from the broker (", "/pacts/provider/broken-service/consumer/web-app/", `interaction 0 "get an order"`, "GetOrderz"}},
		{"bad broker URL", nil, []string{"--provider", "orders-service", "--broker-url", "::nope"}, []string{"::nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(ctx, tt.vars, append(append([]string(nil), base...), tt.args...)...)
			require.Equal(t, exitCantTell, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			require.Empty(t, stdout)
			for _, w := range tt.wantStderr {
				require.Contains(t, stderr, w)
			}
		})
	}

	t.Run("no pacts, ignored", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": "w-tok"},
			append(append([]string(nil), base...), "--provider", "order-service", "--ignore-no-pacts-error")...)
		require.Equal(t, exitOK, code, "stderr: %s", stderr)
		require.Contains(t, stdout, "[unused by consumers]")
		require.Contains(t, stderr, "(0 protobuf interactions in 0 pacts)")
	})

	t.Run("PACT_BROKER_BASE_URL alone does not make the check consumer-aware", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, map[string]string{"PACT_BROKER_BASE_URL": b.URL}, base...)
		require.Equal(t, exitNo, code, "stderr: %s", stderr)
		require.NotContains(t, stdout, "unused by consumers")
		require.Equal(t, "2 breaking changes\n", stderr)
	})
}

// TestBreakingFromBrokerPluginPact: a pact the Pact protobuf plugin wrote
// (../shared beside the repository), published with contracts publish, keeps
// its descriptors through the broker and makes the check consumer-aware.
func TestBreakingFromBrokerPluginPact(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join("..", "..", "..", "shared", "grpc-plugin-pacts", "area_calculator")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the gRPC plugin pacts are absent (%s): they come from ../shared beside the repository", dir)
	}
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "w-tok"})
	vars := map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": "w-tok"}
	code, stdout, stderr := runCLI(ctx, vars, "publish", dir, "--consumer-app-version", "3.1.0", "--branch", "main")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)

	// The next provider version: width becomes a double (the consumer's
	// rectangle sets it) and calculateMulti goes away (no consumer calls it).
	oldPath := filepath.Join(dir, "area_calculator.proto")
	src, err := os.ReadFile(oldPath)
	require.NoError(t, err)
	changed := strings.Replace(string(src), "float width = 2;", "double width = 2;", 1)
	changed = strings.Replace(changed, "rpc calculateMulti (AreaRequest) returns (AreaResponse) {}", "", 1)
	newPath := filepath.Join(t.TempDir(), "area_calculator.proto")
	require.NoError(t, os.WriteFile(newPath, []byte(changed), 0o600))

	code, stdout, stderr = runCLI(ctx, vars, "breaking", "--proto", oldPath, "--against", newPath, "--provider", "area-calculator-provider")
	require.Equal(t, exitNo, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 2, stdout)
	require.Contains(t, stdout, `rpc-deleted (RPC_NO_DELETE): rpc calculateMulti was deleted from service area_calculator.Calculator [unused by consumers]`)
	require.Contains(t, stdout, `field-type-changed (FIELD_SAME_TYPE): field 2 "width" on message area_calculator.Rectangle changed type from float to double [breaks consumer grpc-consumer-jvm: "calculate rectangle area request"]`)
	require.Contains(t, stderr, "  grpc-consumer-jvm version 3.1.0 (latest from main branch)\n")
	require.Contains(t, stderr, "(1 protobuf interaction in 1 pact)")

	// Without the width change only unused changes are left: exit 0.
	unusedOnly := strings.Replace(string(src), "rpc calculateMulti (AreaRequest) returns (AreaResponse) {}", "", 1)
	require.NoError(t, os.WriteFile(newPath, []byte(unusedOnly), 0o600))
	code, stdout, stderr = runCLI(ctx, vars, "breaking", "--proto", oldPath, "--against", newPath, "--provider", "area-calculator-provider")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.Contains(t, stdout, "rpc-deleted")
	require.Contains(t, stdout, "[unused by consumers]")
}

// Two trees with the same internal paths: Money.units changed from int64 to
// string in an imported file.
func TestBreakingTwoTrees(t *testing.T) {
	t.Parallel()
	trees := "../../testdata/proto/trees"
	oldRoot, newRoot := filepath.Join(trees, "old"), filepath.Join(trees, "new")
	oldOrder := filepath.Join(oldRoot, "shop", "v1", "order.proto")
	newOrder := filepath.Join(newRoot, "shop", "v1", "order.proto")
	moneyChanged := filepath.Join(newRoot, "shop", "v1", "money.proto") + ":8: field-wire-json-compatible-type (FIELD_WIRE_JSON_COMPATIBLE_TYPE): "
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"directories as module roots", []string{"--proto", oldRoot, "--against", newRoot}, exitNo, moneyChanged, ""},
		{"each root on both import paths", []string{"-I", oldRoot, "-I", newRoot, "--proto", oldOrder, "--against", newOrder}, exitNo, moneyChanged, ""},
		{"each side its own import path", []string{"--proto-import-path", oldRoot, "--against-import-path", newRoot, "--proto", oldOrder, "--against", newOrder}, exitNo, moneyChanged, ""},
		{"the other side's root is not used", []string{"-I", newRoot, "--proto", oldOrder, "--against", newOrder}, exitCantTell, "",
			`--proto: compile proto: ` + oldOrder + `:5:8: file "shop/v1/money.proto" not found in ` + filepath.Join(oldRoot, "shop", "v1")},
		{"a directory and a file", []string{"--proto", oldRoot, "--proto", oldOrder, "--against", newRoot}, exitCantTell, "", "give one directory or files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runBreakingCLI(t, append([]string{"breaking", "--category", "WIRE_JSON"}, tt.args...)...)
			require.Equal(t, tt.wantCode, code, "stderr: %s", stderr)
			if tt.wantStdout != "" {
				require.Equal(t, 1, strings.Count(stdout, "\n"), stdout)
				require.True(t, strings.HasPrefix(stdout, tt.wantStdout), stdout)
			} else {
				require.Empty(t, stdout)
			}
			require.Contains(t, stderr, tt.wantStderr)
		})
	}
}

func TestBreakingEditionsFeatureImports(t *testing.T) {
	t.Parallel()
	file := "../../testdata/proto/features/editions.proto"
	code, stdout, stderr := runBreakingCLI(t, "breaking", "--proto", file, "--against", file)
	require.Equal(t, exitOK, code, "stderr: %s", stderr)
	require.Empty(t, stdout)
}

// copyTree copies the directory src to dst.
func copyTree(tb testing.TB, src, dst string) {
	tb.Helper()
	require.NoError(tb, filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	}))
}

// ruleIDs returns the rule IDs of the text findings, in order.
func ruleIDs(stdout string) []string {
	out := []string{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if line == "" {
			continue
		}
		fields := strings.Fields(line)
		out = append(out, fields[1])
	}
	return out
}

// Categories chosen by --category, by a buf.yaml in the NEW directory, or
// by --buf-yaml; --category wins.
func TestBreakingCategories(t *testing.T) {
	t.Parallel()
	scalars := breakingCase("buf", "scalar-types-changed")
	oldDir, newDir := filepath.Join(scalars, "old"), filepath.Join(scalars, "new")
	// uint32 -> int32, int64 -> uint64, fixed32 -> sfixed32, fixed64 ->
	// sfixed64 and the enum swapped for a superset are wire- and
	// JSON-compatible; int32 -> int64 and sint32 -> sint64 are wire-only;
	// string <-> bytes and int32 -> bool differ in JSON, bytes -> string on
	// the wire too.
	wireJSON := []string{"field-wire-json-compatible-type", "field-wire-json-compatible-type", "field-wire-json-compatible-type",
		"field-wire-json-compatible-type", "field-wire-json-compatible-type"}
	wire := []string{"field-wire-compatible-type"}

	withBufYAML := t.TempDir()
	copyTree(t, newDir, withBufYAML)
	require.NoError(t, os.WriteFile(filepath.Join(withBufYAML, "buf.yaml"), []byte("version: v2\nbreaking:\n  use:\n    - WIRE\n"), 0o644))
	explicit := filepath.Join(t.TempDir(), "buf.yaml")
	require.NoError(t, os.WriteFile(explicit, []byte("version: v1\nbreaking:\n  use: [WIRE_JSON]\n  except: [FIELD_WIRE_JSON_COMPATIBLE_TYPE]\n"), 0o644))
	bad := filepath.Join(t.TempDir(), "buf.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("version: v2\nbreaking:\n  use: [WIRE_JSONN]\n"), 0o644))

	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantRules []string
		wantErr   string
	}{
		{"WIRE_JSON", []string{"--proto", oldDir, "--against", newDir, "--category", "WIRE_JSON"}, exitNo, wireJSON, ""},
		{"WIRE", []string{"--proto", oldDir, "--against", newDir, "--category", "WIRE"}, exitNo, wire, ""},
		{"a rule by buf's id", []string{"--proto", oldDir, "--against", newDir, "--category", "FIELD_WIRE_COMPATIBLE_TYPE"}, exitNo, wire, ""},
		{"repeated", []string{"--proto", oldDir, "--against", newDir, "--category", "WIRE", "--category", "ENUM_NO_DELETE"}, exitNo,
			[]string{"enum-deleted", "field-wire-compatible-type"}, ""},
		{"buf.yaml in the NEW directory", []string{"--proto", oldDir, "--against", withBufYAML}, exitNo, wire, ""},
		{"--category wins over buf.yaml", []string{"--proto", oldDir, "--against", withBufYAML, "--category", "WIRE_JSON"}, exitNo, wireJSON, ""},
		{"--buf-yaml with except", []string{"--proto", oldDir, "--against", newDir, "--buf-yaml", explicit}, exitOK, []string{}, ""},
		{"unknown category", []string{"--proto", oldDir, "--against", newDir, "--category", "WIRE-JSON"}, exitCantTell, []string{}, `--category: unknown category or rule "WIRE-JSON"`},
		{"bad buf.yaml", []string{"--proto", oldDir, "--against", newDir, "--buf-yaml", bad}, exitCantTell, []string{}, `breaking.use: unknown category or rule "WIRE_JSONN"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runBreakingCLI(t, append([]string{"breaking"}, tt.args...)...)
			require.Equal(t, tt.wantCode, code, "stderr: %s", stderr)
			require.Equal(t, tt.wantRules, ruleIDs(stdout), stdout)
			require.Contains(t, stderr, tt.wantErr)
		})
	}
}

// The default is FILE, buf's: a message moved to another file of its
// package is a change, as generated code per file changes.
func TestBreakingDefaultCategoryIsFile(t *testing.T) {
	t.Parallel()
	moved := breakingCase("buf", "moved-between-files")
	code, stdout, stderr := runBreakingCLI(t, "breaking", "--proto", filepath.Join(moved, "old"), "--against", filepath.Join(moved, "new"))
	require.Equal(t, exitNo, code, "stderr: %s", stderr)
	require.Equal(t, []string{"enum-deleted", "message-deleted", "service-deleted"}, ruleIDs(stdout))
	code, stdout, _ = runBreakingCLI(t, "breaking", "--proto", filepath.Join(moved, "old"), "--against", filepath.Join(moved, "new"), "--category", "PACKAGE")
	require.Equal(t, exitOK, code)
	require.Empty(t, stdout)
}
