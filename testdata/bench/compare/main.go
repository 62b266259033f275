// Command compare writes the bi-directional benchmark set: an OpenAPI 3.0
// document with N operations (path, query and header parameters, nested
// schemas behind $ref components, enums, arrays, allOf) and P pacts of I
// interactions each, of which every tenth pact has one incompatible
// interaction. It prints the names of the pacts that must fail.
//
//	go run ./testdata/bench/compare -out DIR [-ops 500] [-pacts 100] [-interactions 20]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "", "directory to write openapi.json and pacts/ to")
	ops := flag.Int("ops", 500, "operations in the document")
	pacts := flag.Int("pacts", 100, "pacts")
	per := flag.Int("interactions", 20, "interactions per pact")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "compare: -out is required")
		os.Exit(2)
	}
	if err := write(*out, *ops, *pacts, *per); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(2)
	}
}

func write(dir string, nOps, nPacts, per int) error {
	if err := os.MkdirAll(filepath.Join(dir, "pacts"), 0o755); err != nil {
		return err
	}
	paths := map[string]any{}
	schemas := map[string]any{
		"Money": obj([]string{"amount", "currency"}, map[string]any{
			"amount":   map[string]any{"type": "number", "minimum": 0},
			"currency": map[string]any{"type": "string", "enum": []any{"EUR", "USD", "GBP"}},
		}),
		"Audit": obj([]string{"createdAt"}, map[string]any{
			"createdAt": map[string]any{"type": "string", "format": "date-time"},
			"by":        map[string]any{"type": "string"},
		}),
	}
	for i := 0; i < nOps/2; i++ {
		res := fmt.Sprintf("Resource%d", i)
		item := fmt.Sprintf("Item%d", i)
		schemas[item] = obj([]string{"sku", "quantity"}, map[string]any{
			"sku":      map[string]any{"type": "string", "pattern": "^[A-Z]{3}-[0-9]+$"},
			"quantity": map[string]any{"type": "integer", "minimum": 1, "format": "int32"},
			"price":    ref("Money"),
		})
		schemas[res] = map[string]any{"allOf": []any{ref("Audit"), obj([]string{"id", "status", "items"}, map[string]any{
			"id":     map[string]any{"type": "integer", "format": "int64"},
			"status": map[string]any{"type": "string", "enum": []any{"open", "closed", "pending"}},
			"name":   map[string]any{"type": "string", "nullable": true},
			"items":  map[string]any{"type": "array", "items": ref(item)},
			"total":  ref("Money"),
		})}}
		base := fmt.Sprintf("/api/v1/resources%d", i)
		paths[base+"/{id}"] = map[string]any{
			"get": map[string]any{
				"operationId": fmt.Sprintf("get%d", i),
				"parameters": []any{
					map[string]any{"name": "id", "in": "path", "required": true, "schema": map[string]any{"type": "integer"}},
					map[string]any{"name": "expand", "in": "query", "schema": map[string]any{"type": "string", "enum": []any{"items", "none"}}},
					map[string]any{"name": "X-Tenant", "in": "header", "required": true, "schema": map[string]any{"type": "string"}},
				},
				"responses": map[string]any{
					"200": map[string]any{"description": "ok", "content": map[string]any{"application/json": map[string]any{"schema": ref(res)}}},
					"404": map[string]any{"description": "not found"},
				},
			},
		}
		paths[base] = map[string]any{
			"post": map[string]any{
				"operationId": fmt.Sprintf("create%d", i),
				"parameters": []any{
					map[string]any{"name": "X-Tenant", "in": "header", "required": true, "schema": map[string]any{"type": "string"}},
				},
				"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{
					"schema": obj([]string{"items"}, map[string]any{"items": map[string]any{"type": "array", "minItems": 1, "items": ref(item)}, "name": map[string]any{"type": "string"}}),
				}}},
				"responses": map[string]any{
					"201": map[string]any{"description": "created", "content": map[string]any{"application/json": map[string]any{"schema": ref(res)}}},
					"400": map[string]any{"description": "bad", "content": map[string]any{"application/json": map[string]any{"schema": obj(nil, map[string]any{"message": map[string]any{"type": "string"}})}}},
				},
			},
		}
	}
	doc := map[string]any{
		"openapi":    "3.0.3",
		"info":       map[string]any{"title": "bench", "version": "1"},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas},
	}
	if err := writeJSON(filepath.Join(dir, "openapi.json"), doc); err != nil {
		return err
	}
	rng := rand.New(rand.NewSource(1))
	for p := 0; p < nPacts; p++ {
		broken := p%10 == 3
		var interactions []any
		for k := 0; k < per; k++ {
			i := rng.Intn(nOps / 2)
			base := fmt.Sprintf("/api/v1/resources%d", i)
			resource := map[string]any{
				"id": 1000 + k, "status": "open", "createdAt": "2026-01-02T03:04:05Z", "name": nil,
				"items": []any{map[string]any{"sku": "ABC-1", "quantity": 2, "price": map[string]any{"amount": 9.5, "currency": "EUR"}}},
				"total": map[string]any{"amount": 19, "currency": "EUR"},
			}
			var in map[string]any
			if k%2 == 0 {
				in = map[string]any{
					"description": fmt.Sprintf("get resource %d (%d)", i, k),
					"request": map[string]any{"method": "GET", "path": fmt.Sprintf("%s/%d", base, k+1), "query": "expand=items",
						"headers": map[string]any{"X-Tenant": "t1", "Accept": "application/json"}},
					"response": map[string]any{"status": 200, "headers": map[string]any{"Content-Type": "application/json"}, "body": resource},
				}
			} else {
				in = map[string]any{
					"description": fmt.Sprintf("create resource %d (%d)", i, k),
					"request": map[string]any{"method": "POST", "path": base,
						"headers": map[string]any{"X-Tenant": "t1", "Content-Type": "application/json"},
						"body":    map[string]any{"items": []any{map[string]any{"sku": "ABC-1", "quantity": 1}}}},
					"response": map[string]any{"status": 201, "headers": map[string]any{"Content-Type": "application/json"}, "body": resource},
				}
			}
			if broken && k == per/2 {
				// An undocumented property the consumer expects.
				resource["colour"] = "red"
			}
			interactions = append(interactions, in)
		}
		pact := map[string]any{
			"consumer":     map[string]any{"name": fmt.Sprintf("consumer-%03d", p)},
			"provider":     map[string]any{"name": "bench"},
			"interactions": interactions,
			"metadata":     map[string]any{"pactSpecification": map[string]any{"version": "2.0.0"}},
		}
		name := filepath.Join(dir, "pacts", fmt.Sprintf("consumer-%03d.json", p))
		if err := writeJSON(name, pact); err != nil {
			return err
		}
		if broken {
			fmt.Println(filepath.Base(name))
		}
	}
	return nil
}

func obj(required []string, props map[string]any) map[string]any {
	m := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		r := make([]any, len(required))
		for i, s := range required {
			r[i] = s
		}
		m["required"] = r
	}
	return m
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
