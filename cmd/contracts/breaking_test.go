package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	protov2 "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"

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
			wantStdout: breakingCase("rpc-deleted", "new.proto") + ":28: rpc-deleted: rpc ListOrders was deleted from service shop.v1.Orders\n",
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
		require.Equal(t, "10 breaking changes: 6 break consumer interactions, 4 unused by consumers (3 protobuf interactions in 2 pacts)\n", stderr)
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
		require.Equal(t, 6, doc.Breaking)
		require.Len(t, doc.Findings, 10)
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
	require.Contains(t, stdout, `field-name-changed: field 4 on message shop.v1.Order was renamed from "note" to "comment" [breaks consumer web-app: "get an order"]`)
	require.Contains(t, stdout, `rpc-deleted: rpc ListOrders was deleted from service shop.v1.Orders [unused by consumers]`)
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
