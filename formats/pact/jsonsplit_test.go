package pact

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzSplit checks the container scanner against encoding/json on every
// valid input: same members, same items, byte for byte.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":1,"b":[1,2,{"c":"}"}],"d\"e":"x\\"}`, ` [ 1 , "a,b" , {"k" : null} ] `, `{"\u00e9":true}`} {
		f.Add([]byte(s))
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "pact", "*", "*.json"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		switch jsonKind(data) {
		case "object":
			var want map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(data, &want))
			got, err := splitObject(data)
			require.NoError(t, err)
			require.Equal(t, len(want), len(got))
			for k, v := range want {
				require.Equal(t, string(v), string(got[k]), "member %q", k)
			}
		case "array":
			var want []json.RawMessage
			require.NoError(t, json.Unmarshal(data, &want))
			got, err := splitArray(data)
			require.NoError(t, err)
			require.Equal(t, len(want), len(got))
			for i := range want {
				require.Equal(t, string(want[i]), string(got[i]), "item %d", i)
			}
		}
	})
}
