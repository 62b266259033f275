package compare

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/getkin/kin-openapi/openapi3"
)

// OpenAPIDocument turns a loaded OpenAPI 3 document into the JSON values
// Documents.OpenAPI takes: references to other files are brought into the
// document's components first (the document is changed), so that every
// reference left is local.
func OpenAPIDocument(doc *openapi3.T) (map[string]any, error) {
	doc.InternalizeRefs(context.Background(), nil)
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode OpenAPI document: %w", err)
	}
	v, err := decodeJSON(b)
	if err != nil {
		return nil, fmt.Errorf("decode OpenAPI document: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("OpenAPI document is not an object")
	}
	return m, nil
}

// ParseOpenAPI reads an OpenAPI 3 document whose references are all local
// ("#/..."), JSON or YAML, straight into the JSON values Documents.OpenAPI
// takes, without building kin-openapi's model: about ten times faster on
// large documents. It reports ok false (and no error) for documents it
// leaves to a full loader: Swagger 2.0, or references to other files. A
// local reference that points nowhere is an error naming it.
func ParseOpenAPI(data []byte) (doc map[string]any, ok bool, err error) {
	var v any
	if d, jerr := decodeJSON(data); jerr == nil {
		v = d
	} else {
		var y any
		if yerr := yaml.Unmarshal(data, &y); yerr != nil {
			return nil, false, fmt.Errorf("not valid YAML or JSON: %w", yerr)
		}
		b, merr := json.Marshal(y)
		if merr != nil {
			return nil, false, fmt.Errorf("not representable as JSON: %w", merr)
		}
		if v, err = decodeJSON(b); err != nil {
			return nil, false, err
		}
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		return nil, false, fmt.Errorf("not an OpenAPI document: expected a mapping at the top")
	}
	version, _ := m["openapi"].(string)
	if !strings.HasPrefix(version, "3.") {
		return nil, false, nil
	}
	var bad error
	local := true
	// path holds the pointer's tokens down to the value being walked; the
	// pointer is only written out for an error.
	var path []string
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if ref, isRef := e.(string); isRef && k == "$ref" {
					if !strings.HasPrefix(ref, "#") {
						local = false
					} else if bad == nil {
						if _, found := lookup(m, ref); !found {
							bad = fmt.Errorf("%s/$ref: %q points nowhere in the document", pointerOf(path), ref)
						}
					}
					continue
				}
				switch e.(type) {
				case map[string]any, []any:
					path = append(path, k)
					walk(e)
					path = path[:len(path)-1]
				}
			}
		case []any:
			for i, e := range t {
				switch e.(type) {
				case map[string]any, []any:
					path = append(path, strconv.Itoa(i))
					walk(e)
					path = path[:len(path)-1]
				}
			}
		}
	}
	walk(m)
	if !local {
		return nil, false, nil
	}
	if bad != nil {
		return nil, false, bad
	}
	return m, true, nil
}

// pointerOf writes tokens as a JSON pointer.
func pointerOf(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapePointer(t))
	}
	return b.String()
}
