package pact_test

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
)

// TestMutatedFixturesAreStable complements FuzzParse with structure-aware
// mutations: each fixture is decoded, one value somewhere in it is
// replaced, removed or retyped, and the result is parsed. Whatever Parse
// accepts must write, read back and write again identically, at its own
// version and converted to the others.
func TestMutatedFixturesAreStable(t *testing.T) {
	t.Parallel()
	for _, f := range pactFixtures(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			r := rand.New(rand.NewPCG(uint64(len(data)), 42))
			rounds := 150
			if len(data) > 20000 {
				rounds = 25
			}
			accepted := 0
			for i := range rounds {
				var doc any
				require.NoError(t, json.Unmarshal(data, &doc))
				doc = mutate(doc, r, 0)
				in, err := json.Marshal(doc)
				require.NoError(t, err)
				p, err := pact.Parse(in)
				if err != nil {
					var pe *pact.ParseError
					require.ErrorAs(t, err, &pe, "round %d: every refusal is a ParseError", i)
					continue
				}
				accepted++
				for _, spec := range []pact.Spec{declared(p), pact.V2, pact.V3, pact.V4} {
					out, err := pact.Write(p, spec)
					if err != nil {
						continue // e.g. messages cannot be written as V2
					}
					q, err := pact.Parse(out)
					require.NoError(t, err, "round %d: re-read %s output of\n%s\nwritten as\n%s", i, spec, in, out)
					again, err := pact.Write(q, spec)
					require.NoError(t, err)
					require.JSONEq(t, string(out), string(again), "round %d: %s output is stable; input\n%s", i, spec, in)
				}
			}
			t.Logf("accepted %d of %d mutations", accepted, rounds)
			require.Positive(t, accepted)
		})
	}
}

// mutate changes one randomly chosen place in v.
func mutate(v any, r *rand.Rand, depth int) any {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 || (depth > 0 && r.IntN(6) == 0) {
			return randomValue(r)
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		k := keys[r.IntN(len(keys))]
		switch r.IntN(8) {
		case 0:
			delete(t, k)
		case 1:
			t[k+"_x"] = randomValue(r)
		default:
			t[k] = mutate(t[k], r, depth+1)
		}
		return t
	case []any:
		if len(t) == 0 || r.IntN(8) == 0 {
			return append(t, randomValue(r))
		}
		i := r.IntN(len(t))
		if r.IntN(8) == 0 {
			return append(t[:i], t[i+1:]...)
		}
		t[i] = mutate(t[i], r, depth+1)
		return t
	default:
		return randomValue(r)
	}
}

func randomValue(r *rand.Rand) any {
	switch r.IntN(10) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return float64(r.IntN(1000))
	case 3:
		return 200.5
	case 4:
		return ""
	case 5:
		return "application/json"
	case 6:
		return "a=1&b=%20"
	case 7:
		return []any{"x", float64(1)}
	case 8:
		return map[string]any{"content": "aGk=", "encoded": "base64"}
	default:
		return map[string]any{"match": "type", "min": float64(1)}
	}
}
