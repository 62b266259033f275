package grpcmock_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/verify/internal/grpctest"
	"github.com/contracts-dev/contracts/verify/mock/grpcmock"
)

// TestDescriptorKeyOfARemovedOption: the plugin's area calculator pact was
// made from a .proto setting php_generic_services, an option newer
// descriptor.proto versions removed. The mock loads that source and files
// its descriptors under the same key as the plugin: the descriptor set is
// byte for byte the one protoc wrote, the option included.
func TestDescriptorKeyOfARemovedOption(t *testing.T) {
	t.Parallel()
	dir := grpctest.PluginPactsDir(t)
	data := mustReadFile(t, filepath.Join(dir, "area_calculator", "protobuf-consumer-area-calculator-provider.json"))
	var doc struct {
		Metadata struct {
			Plugins []struct {
				Configuration map[string]struct {
					ProtoFile string `json:"protoFile"`
				} `json:"configuration"`
			} `json:"plugins"`
		} `json:"metadata"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.Len(t, doc.Metadata.Plugins, 1)
	require.Len(t, doc.Metadata.Plugins[0].Configuration, 1)
	for key, c := range doc.Metadata.Plugins[0].Configuration {
		require.Contains(t, c.ProtoFile, "option php_generic_services = true;")
		src := filepath.Join(t.TempDir(), "area_calculator.proto")
		require.NoError(t, os.WriteFile(src, []byte(c.ProtoFile), 0o644))
		m := grpcmock.New(t, []string{src}, nil, grpcmock.Between("c", "p"))
		got := m.Pact()
		var plugins []struct {
			Configuration map[string]json.RawMessage `json:"configuration"`
		}
		require.NoError(t, json.Unmarshal(got.Metadata["plugins"], &plugins))
		require.Contains(t, plugins[0].Configuration, key)
	}
}
