package breaking_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/proto/breaking"
)

func TestParseBufConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		yaml    string
		want    []string // rule IDs chosen, spot-checked
		notWant []string
		wantErr string
	}{
		{"v2 WIRE_JSON", "version: v2\nbreaking:\n  use: [WIRE_JSON]\n", []string{breaking.RuleFieldWireJSONTypeChanged, breaking.RuleMessageReservedDeleted},
			[]string{breaking.RuleFieldTypeChanged, breaking.RuleMessageDeleted}, ""},
		{"v1 with except", "version: v1\nbreaking:\n  use:\n    - FILE\n  except:\n    - RPC_NO_DELETE\n    - field-deleted\n",
			[]string{breaking.RuleMessageDeleted}, []string{breaking.RuleRPCDeleted, breaking.RuleFieldDeleted}, ""},
		{"no breaking section: FILE", "version: v2\nmodules:\n  - path: proto\n", []string{breaking.RuleFileDeleted, breaking.RuleMessageDeleted},
			[]string{breaking.RulePackageMessageDeleted}, ""},
		{"unknown rule", "version: v2\nbreaking:\n  use: [FILE, NOPE]\n", nil, nil, `breaking.use: unknown category or rule "NOPE"`},
		{"unknown version", "version: v3\n", nil, nil, `version "v3"`},
		{"not yaml", "version: [\n", nil, nil, "parse buf.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := breaking.ParseBufConfig([]byte(tt.yaml))
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			set, err := cfg.Rules()
			require.NoError(t, err)
			for _, id := range tt.want {
				require.True(t, set[id], "want %s", id)
			}
			for _, id := range tt.notWant {
				require.False(t, set[id], "do not want %s", id)
			}
		})
	}
}
