package match

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// The fast JSON parser is internal; this test pins it to encoding/json.

func stdDecode(data []byte) (any, error) {
	if !json.Valid(data) {
		return nil, errJSONString
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e3,-0,"x\u00e9\ud83d\ude00",true,false,null]}`, `[]`, `"\ud800"`, `1.`, `{"a":1,"a":2}`, "\"\xff\"", `  7 `, `[1,]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, gerr := parseJSON(data)
		want, werr := stdDecode(data)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("%q: parseJSON error %v, encoding/json error %v", data, gerr, werr)
		}
		if gerr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: parseJSON %#v, encoding/json %#v", data, got, want)
		}
	})
}
