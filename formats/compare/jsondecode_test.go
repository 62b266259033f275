package compare

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// stdDecode is what decodeJSON returned before its fast path: the value
// encoding/json decodes, when b holds exactly one JSON value.
func stdDecode(b []byte) (any, bool) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

var jsonSeeds = []string{
	`{"a": [1, -2.5e+3, 0, 0.1, true, false, null, "x"], "b": {}, "c": [], "d": {"e": "ü\u00fc\n\"q\""}}`,
	` [ 1 , 2 ] `, `"plain"`, `-0`, `1E9`, `{"a":1,"a":2}`, `"\ud83d\ude00"`, `"\ud800"`, "\"\xff\"",
	`01`, `1.`, `.5`, `-`, `1e`, `{"a" 1}`, `{"a":1,}`, `[1,]`, `[1 2]`, `tru`, `nul`, `{"a":1}}`, `{"a":1} x`,
	"\"a\tb\"", `"\q"`, `"abc`, ``, `   `, "\ufeff{}", `{"k\u0000":"v"}`, `[[[[[]]]]]`,
}

func TestDecodeJSONFastReadsWhatEncodingJSONReads(t *testing.T) {
	t.Parallel()
	for _, s := range jsonSeeds {
		want, wantOK := stdDecode([]byte(s))
		got, ok := decodeJSONFast([]byte(s))
		if ok {
			require.True(t, wantOK, "%q: the fast path accepts what encoding/json refuses", s)
			require.Equal(t, want, got, "%q", s)
		}
	}
	// The fast path does read the usual contract: else it is no fast path.
	_, ok := decodeJSONFast([]byte(jsonSeeds[0]))
	require.True(t, ok)
}

func FuzzDecodeJSONFast(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := decodeJSONFast(b)
		if !ok {
			return
		}
		want, wantOK := stdDecode(b)
		if !wantOK {
			t.Fatalf("%q: the fast path accepts what encoding/json refuses", b)
		}
		require.Equal(t, want, got, "%q", b)
	})
}
