package openapi_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/openapi"
)

const loadCases = "../../testdata/openapi/load"

func TestLoadFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, version string
	}{
		{"swagger2.yaml", "2.0"},
		{"openapi30.json", "3.0.3"},
		{"openapi31.yaml", "3.1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			doc, err := openapi.LoadFile(filepath.Join(loadCases, tt.file), openapi.Options{Origin: true})
			require.NoError(t, err)
			require.Equal(t, tt.version, doc.Version)
			op := doc.Spec.Paths.Find("/orders/{id}").Get
			require.NotNil(t, op)
			schema := op.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
			require.Contains(t, schema.Properties, "total")
			require.True(t, schema.Properties["id"].Value.Type.Is("string"))
		})
	}
}

func TestLoadFileRefsAcrossFiles(t *testing.T) {
	t.Parallel()
	doc, err := openapi.LoadFile(filepath.Join(loadCases, "multi", "openapi.yaml"), openapi.Options{})
	require.NoError(t, err)
	op := doc.Spec.Paths.Find("/orders/{id}").Get
	require.Equal(t, "id", op.Parameters[0].Value.Name)
	order := op.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	line := order.Properties["lines"].Value.Items.Value
	require.True(t, line.Properties["quantity"].Value.Type.Is("integer"))

	// Swagger 2.0 too: converted, then its $refs resolved.
	doc, err = openapi.LoadFile(filepath.Join(loadCases, "swagger2-multi", "swagger.yaml"), openapi.Options{})
	require.NoError(t, err)
	require.Equal(t, "2.0", doc.Version)
	order = doc.Spec.Paths.Find("/orders/{id}").Get.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	require.True(t, order.Properties["total"].Value.Type.Is("number"))
}

func TestLoadFileRefusesBadDocuments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		line    int
		pointer string
		msg     string
	}{
		{file: "syntax.yaml", line: 6, msg: "not valid YAML or JSON"},
		{file: "dangling-ref.yaml", line: 14, pointer: "/paths/~1orders~1{id}/get/responses/200/content/application~1json/schema/$ref",
			msg: `$ref "#/components/schemas/Missing": ` + filepath.Join(loadCases, "bad", "dangling-ref.yaml") + ` has nothing at #/components/schemas/Missing`},
		{file: "missing-file.yaml", line: 10, pointer: "/paths/~1orders/get/responses/200/$ref", msg: `cannot read ` + filepath.Join(loadCases, "bad", "nowhere.yaml")},
		{file: "no-version.yaml", line: 1, msg: "neither an openapi nor a swagger field"},
		{file: "version-4.yaml", line: 1, pointer: "/openapi", msg: `unsupported OpenAPI version "4.0.0"`},
		{file: "wrong-type.yaml", line: 6, pointer: "/paths/~1orders/get/responses", msg: "cannot construct !!str `nope` into map"},
		{file: "absent.yaml", msg: "cannot read the document: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(loadCases, "bad", tt.file)
			_, err := openapi.LoadFile(path, openapi.Options{})
			require.Error(t, err)
			var le *openapi.Error
			require.True(t, errors.As(err, &le), "%T %v", err, err)
			require.Equal(t, path, le.File)
			require.Equal(t, tt.line, le.Line, err.Error())
			require.Equal(t, tt.pointer, le.Pointer, err.Error())
			require.Contains(t, err.Error(), tt.msg)
			require.Contains(t, err.Error(), path)
		})
	}
}

func TestParseRefusesRefsToFiles(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(loadCases, "multi", "openapi.yaml"))
	require.NoError(t, err)
	_, err = openapi.Parse(data, "upload.yaml", openapi.Options{})
	require.ErrorContains(t, err, "upload.yaml:9: at #/paths/~1orders~1{id}/get/parameters/0/$ref")
	require.ErrorContains(t, err, "cannot be resolved")

	data, err = os.ReadFile(filepath.Join(loadCases, "openapi31.yaml"))
	require.NoError(t, err)
	doc, err := openapi.Parse(data, "upload.yaml", openapi.Options{})
	require.NoError(t, err)
	require.Equal(t, "3.1.0", doc.Version)
}

// FuzzParse: no input makes the loader panic, and every refusal is an *Error
// that names the document.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"swagger2.yaml", "openapi30.json", "openapi31.yaml", "multi/openapi.yaml", "bad/syntax.yaml", "bad/dangling-ref.yaml"} {
		data, err := os.ReadFile(filepath.Join(loadCases, name))
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(`{"openapi":"3.0.0","paths":{"/a":{"$ref":"#/paths/~1a"}}}`))
	f.Add([]byte("swagger: '2.0'\npaths: {/a: {get: {parameters: [{in: body, name: b, schema: {$ref: '#/definitions/X'}}]}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := openapi.Parse(data, "fuzz.yaml", openapi.Options{Origin: true})
		if err != nil {
			var le *openapi.Error
			if !errors.As(err, &le) || le.File != "fuzz.yaml" {
				t.Fatalf("error does not name the document: %T %v", err, err)
			}
			return
		}
		if doc.Spec == nil {
			t.Fatal("no error and no document")
		}
	})
}
