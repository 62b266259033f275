package compare

import (
	"context"
	"encoding/json"
	"fmt"

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
