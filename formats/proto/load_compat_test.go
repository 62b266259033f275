package proto_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	protov2 "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/contracts-dev/contracts/formats/proto"
)

// phpGenericServicesTrue is FileOptions field 42 (php_generic_services)
// set to true, as protoc wrote it while the option existed.
var phpGenericServicesTrue = protowire.AppendVarint(protowire.AppendTag(nil, 42, protowire.VarintType), 1)

// mustFileProto is fd's descriptor without source info, as descriptor
// sets carry it.
func mustFileProto(tb testing.TB, files *proto.Files) *descriptorpb.FileDescriptorProto {
	tb.Helper()
	require.Len(tb, files.Files(), 1)
	fdp := protodesc.ToFileDescriptorProto(files.Files()[0])
	fdp.SourceCodeInfo = nil
	return fdp
}

// requireSameSchema checks that two files declare the same messages and
// services (names, fields, methods).
func requireSameSchema(tb testing.TB, want, got *descriptorpb.FileDescriptorProto) {
	tb.Helper()
	require.Equal(tb, want.GetPackage(), got.GetPackage())
	require.Equal(tb, len(want.GetMessageType()), len(got.GetMessageType()))
	for i := range want.GetMessageType() {
		require.True(tb, protov2.Equal(want.GetMessageType()[i], got.GetMessageType()[i]), "message %s differs", want.GetMessageType()[i].GetName())
	}
	require.Equal(tb, len(want.GetService()), len(got.GetService()))
	for i := range want.GetService() {
		require.True(tb, protov2.Equal(want.GetService()[i], got.GetService()[i]), "service %s differs", want.GetService()[i].GetName())
	}
	require.Equal(tb, len(want.GetEnumType()), len(got.GetEnumType()))
}

// pactProtoFiles are the .proto sources a pact embeds in
// metadata.plugins[].configuration[key].protoFile, keyed by descriptor key.
func pactProtoFiles(tb testing.TB, data []byte) map[string]string {
	tb.Helper()
	var doc struct {
		Metadata struct {
			Plugins []struct {
				Configuration map[string]struct {
					ProtoFile string `json:"protoFile"`
				} `json:"configuration"`
			} `json:"plugins"`
		} `json:"metadata"`
	}
	require.NoError(tb, json.Unmarshal(data, &doc))
	out := map[string]string{}
	for _, p := range doc.Metadata.Plugins {
		for k, c := range p.Configuration {
			if c.ProtoFile != "" {
				out[k] = c.ProtoFile
			}
		}
	}
	return out
}

// TestLoadSharedPluginProtos loads every .proto under the shared plugin
// pacts, and every .proto source those pacts embed (the area calculator's
// sets the removed php_generic_services option), and compares each with
// the descriptors the pacts carry.
func TestLoadSharedPluginProtos(t *testing.T) {
	t.Parallel()
	dir := mustSharedPacts(t)
	var protos, pacts []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(path) {
		case ".proto":
			protos = append(protos, path)
		case ".json":
			pacts = append(pacts, path)
		}
		return nil
	}))
	require.NotEmpty(t, protos)
	require.NotEmpty(t, pacts)

	// pactSchema is the one file of the one descriptor set of the pact
	// in dir, and the sources it embeds.
	pactSchema := func(t *testing.T, pactPath string) (map[string]*descriptorpb.FileDescriptorProto, map[string]string) {
		data, err := os.ReadFile(pactPath)
		require.NoError(t, err)
		sets, err := proto.PactDescriptors(data)
		require.NoError(t, err)
		require.NotEmpty(t, sets)
		out := map[string]*descriptorpb.FileDescriptorProto{}
		for k, f := range sets {
			out[k] = mustFileProto(t, f)
		}
		return out, pactProtoFiles(t, data)
	}

	for _, p := range protos {
		rel, _ := filepath.Rel(dir, p)
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			files, err := proto.Load(context.Background(), []string{p}, nil)
			require.NoError(t, err)
			got := mustFileProto(t, files)
			var matched int
			for _, pp := range pacts {
				if filepath.Dir(pp) != filepath.Dir(p) {
					continue
				}
				sets, _ := pactSchema(t, pp)
				for _, want := range sets {
					requireSameSchema(t, want, got)
					matched++
				}
			}
			require.NotZero(t, matched, "no pact next to %s", rel)
		})
	}

	var embeddedWithRemovedOption int
	for _, pp := range pacts {
		rel, _ := filepath.Rel(dir, pp)
		sets, sources := pactSchema(t, pp)
		require.NotEmpty(t, sources, "%s embeds no .proto source", rel)
		for key, src := range sources {
			want := sets[key]
			require.NotNil(t, want, "%s: no descriptors under key %s", rel, key)
			if strings.Contains(src, "php_generic_services") {
				embeddedWithRemovedOption++
			}
			t.Run(rel+"/"+key, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), filepath.Base(want.GetName()))
				require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
				files, err := proto.Load(context.Background(), []string{path}, nil)
				require.NoError(t, err)
				got := mustFileProto(t, files)
				requireSameSchema(t, want, got)
				// The options too: the removed one is kept as protoc wrote it.
				require.True(t, protov2.Equal(want.GetOptions(), got.GetOptions()), "options: want %v, got %v", want.GetOptions(), got.GetOptions())
			})
		}
	}
	require.NotZero(t, embeddedWithRemovedOption, "no shared pact embeds a source with php_generic_services any more")
}

func TestLoadRemovedFileOption(t *testing.T) {
	t.Parallel()
	files, err := proto.Load(context.Background(),
		[]string{testdata("removed-option", "legacy", "billing.proto")},
		[]string{testdata("removed-option")})
	require.NoError(t, err)
	fdp := mustFileProto(t, files)
	require.Equal(t, "legacy/billing.proto", fdp.GetName())
	opts := fdp.GetOptions()
	require.Equal(t, "example.com/legacy/billing", opts.GetGoPackage())
	require.True(t, opts.GetJavaMultipleFiles())
	require.Equal(t, []byte(phpGenericServicesTrue), []byte(opts.ProtoReflect().GetUnknown()))

	// The descriptor serializes and reads back with the option.
	set, err := protov2.Marshal(&descriptorpb.FileDescriptorSet{File: []*descriptorpb.FileDescriptorProto{fdp}})
	require.NoError(t, err)
	back, err := proto.ParseDescriptorSet(set)
	require.NoError(t, err)
	requireSameSchema(t, fdp, mustFileProto(t, back))
	require.True(t, protov2.Equal(fdp.GetOptions(), mustFileProto(t, back).GetOptions()))

	method, err := files.FindMethod("legacy.billing.Invoices/GetInvoice")
	require.NoError(t, err)
	require.Equal(t, "legacy.billing.Invoice", string(method.Output().FullName()))
	wire, err := files.ValueToBinary("legacy.billing.Invoice", map[string]any{"number": "F-1", "total_cents": 1250})
	require.NoError(t, err)
	v, err := files.BinaryToValue("legacy.billing.Invoice", wire, proto.ValueOptions{})
	require.NoError(t, err)
	require.Equal(t, "F-1", v.(map[string]any)["number"])
}

// TestLoadRemovedOptionWithCustomOptions: a file that imports
// descriptor.proto for its own options may set the removed option too.
func TestLoadRemovedOptionWithCustomOptions(t *testing.T) {
	t.Parallel()
	files, err := proto.Load(context.Background(), []string{testdata("removed-option", "annotated", "ledger.proto")}, nil)
	require.NoError(t, err)
	fdp := mustFileProto(t, files)
	require.Equal(t, []byte(phpGenericServicesTrue), []byte(fdp.GetOptions().ProtoReflect().GetUnknown()))
	require.Len(t, fdp.GetExtension(), 1)
	require.Equal(t, ".google.protobuf.FieldOptions", fdp.GetExtension()[0].GetExtendee())
	account := fdp.GetMessageType()[0].GetField()[0]
	optData, err := protov2.Marshal(account.GetOptions())
	require.NoError(t, err)
	wantOpt := protowire.AppendString(protowire.AppendTag(nil, 50001, protowire.BytesType), "internal")
	require.Equal(t, wantOpt, optData, "the custom option value is kept")
	md, err := files.FindMessage("annotated.ledger.Entry")
	require.NoError(t, err)
	require.Equal(t, 2, md.Fields().Len())
}

func TestLoadRemovedOptionStillChecked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, dir string
		want      []string
	}{
		{"a value of the wrong type", "wrong-type", []string{"billing.proto:6:", "php_generic_services"}},
		{"an option no descriptor.proto had", "unknown", []string{"billing.proto:6:", "ruby_generic_services", "does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := proto.Load(context.Background(), []string{testdata("removed-option", tt.dir, "billing.proto")}, nil)
			require.Error(t, err)
			var ce *proto.CompileError
			require.True(t, errors.As(err, &ce), "%v", err)
			require.Equal(t, 6, ce.Line)
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}
