package compare_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/contracts-dev/contracts/formats/asyncapi"
	"github.com/contracts-dev/contracts/formats/compare"
)

func mustOpenAPI(tb testing.TB, path string) map[string]any {
	tb.Helper()
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	var doc *openapi3.T
	if strings.Contains(string(data), "swagger:") {
		var y any
		require.NoError(tb, yaml.Unmarshal(data, &y))
		js, err := json.Marshal(y)
		require.NoError(tb, err)
		var v2 openapi2.T
		require.NoError(tb, json.Unmarshal(js, &v2))
		doc, err = openapi2conv.ToV3(&v2)
		require.NoError(tb, err)
	} else {
		l := openapi3.NewLoader()
		l.IsExternalRefsAllowed = true
		abs, err := filepath.Abs(path)
		require.NoError(tb, err)
		doc, err = l.LoadFromFile(abs)
		require.NoError(tb, err)
	}
	m, err := compare.OpenAPIDocument(doc)
	require.NoError(tb, err)
	return m
}

func mustAsyncAPI(tb testing.TB, path string) *asyncapi.Document {
	tb.Helper()
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	doc, err := asyncapi.Parse(data, path)
	require.NoError(tb, err)
	return doc
}
