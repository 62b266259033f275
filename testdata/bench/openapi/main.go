// Command openapi generates a pair of OpenAPI 3.0 documents and consumer
// pacts for the OpenAPI breaking-change benchmark and differential tests:
//
//	go run ./testdata/bench/openapi -ops 500 -pacts 50 -out bench/out/openapi
//
// writes base.json, revision.json and pacts/consumer-N.json. Each resource
// has two operations (GET /rN/items/{id}, POST /rN/items) with $ref
// components, nested objects, arrays and enums; the revision removes,
// retypes and adds properties, parameters, enum values and operations on
// some resources, deterministically (the same flags give the same files).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

type obj = map[string]any

func main() {
	ops := flag.Int("ops", 500, "operations (two per resource)")
	pacts := flag.Int("pacts", 50, "consumer pacts")
	interactions := flag.Int("interactions", 20, "interactions per pact")
	out := flag.String("out", "bench/out/openapi", "output directory")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(*ops/2, *pacts, *interactions, *out, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "openapi:", err)
		os.Exit(2)
	}
}

func run(resources, pacts, interactions int, out string, seed uint64) error {
	if err := os.MkdirAll(filepath.Join(out, "pacts"), 0o755); err != nil {
		return err
	}
	if err := write(filepath.Join(out, "base.json"), document(resources, false)); err != nil {
		return err
	}
	if err := write(filepath.Join(out, "revision.json"), document(resources, true)); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	for p := 0; p < pacts; p++ {
		var its []any
		for i := 0; i < interactions; i++ {
			its = append(its, interaction(rng, resources, i))
		}
		doc := obj{
			"consumer":     obj{"name": fmt.Sprintf("consumer-%d", p)},
			"provider":     obj{"name": "bench-provider"},
			"interactions": its,
			"metadata":     obj{"pactSpecification": obj{"version": "3.0.0"}},
		}
		if err := write(filepath.Join(out, "pacts", fmt.Sprintf("consumer-%d.json", p)), doc); err != nil {
			return err
		}
	}
	return nil
}

func write(path string, v any) error {
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// document builds the base, or the revision with its changes.
func document(resources int, revised bool) obj {
	paths := obj{}
	schemas := obj{
		"Address": obj{"type": "object", "required": []any{"city"}, "properties": obj{
			"street": obj{"type": "string"}, "city": obj{"type": "string"}, "zip": obj{"type": "string", "maxLength": 10}}},
		"Status": obj{"type": "string", "enum": []any{"open", "shipped", "cancelled"}},
	}
	for r := 0; r < resources; r++ {
		change := func(every int) bool { return revised && r%every == every-1 }
		props := obj{
			"id":       obj{"type": "string"},
			"name":     obj{"type": "string"},
			"quantity": obj{"type": "integer"},
			"status":   obj{"$ref": "#/components/schemas/Status"},
			"address":  obj{"$ref": "#/components/schemas/Address"},
			"tags":     obj{"type": "array", "items": obj{"type": "string"}},
			"lines": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
				"sku": obj{"type": "string"}, "price": obj{"type": "number"}}}},
		}
		if change(10) {
			delete(props, "name") // response property removed
		}
		if change(15) {
			props["quantity"] = obj{"type": "string"} // retyped
		}
		if change(12) {
			props["lines"].(obj)["items"].(obj)["properties"] = obj{"price": obj{"type": "number"}} // nested property removed
		}
		item := fmt.Sprintf("Item%d", r)
		schemas[item] = obj{"type": "object", "required": []any{"id"}, "properties": props}

		reqProps := obj{"name": obj{"type": "string"}, "quantity": obj{"type": "integer"},
			"priority": obj{"type": "string", "enum": []any{"low", "normal", "high"}}}
		required := []any{"name"}
		if change(20) {
			reqProps["currency"] = obj{"type": "string"}
			required = append(required, "currency") // new required request property
		}
		if change(25) {
			reqProps["priority"] = obj{"type": "string", "enum": []any{"low", "normal"}} // enum value removed
		}
		params := []any{
			obj{"name": "id", "in": "path", "required": true, "schema": obj{"type": "string"}},
			obj{"name": "expand", "in": "query", "schema": obj{"type": "string", "enum": []any{"lines", "address"}}},
		}
		if change(30) {
			params = append(params, obj{"name": "tenant", "in": "query", "required": true, "schema": obj{"type": "string"}})
		}
		get := obj{
			"operationId": fmt.Sprintf("get%d", r),
			"parameters":  params,
			"responses": obj{
				"200": obj{"description": "ok", "content": obj{"application/json": obj{"schema": obj{"$ref": "#/components/schemas/" + item}}}},
				"404": obj{"description": "not found"},
			},
		}
		post := obj{
			"operationId": fmt.Sprintf("create%d", r),
			"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": obj{
				"type": "object", "required": required, "properties": reqProps}}}},
			"responses": obj{"201": obj{"description": "created", "content": obj{"application/json": obj{"schema": obj{"$ref": "#/components/schemas/" + item}}}}},
		}
		if !change(50) {
			paths[fmt.Sprintf("/r%d/items/{id}", r)] = obj{"get": get}
		}
		paths[fmt.Sprintf("/r%d/items", r)] = obj{"post": post}
	}
	version := "1.0.0"
	if revised {
		version = "2.0.0"
	}
	return obj{
		"openapi":    "3.0.3",
		"info":       obj{"title": "bench", "version": version},
		"paths":      paths,
		"components": obj{"schemas": schemas},
	}
}

// interaction is a GET or a POST of a random resource, using a random part
// of its properties.
func interaction(rng *rand.Rand, resources, i int) obj {
	r := rng.IntN(resources)
	body := obj{"id": fmt.Sprintf("i-%d", i)}
	for _, p := range []string{"name", "quantity", "status", "tags"} {
		if rng.IntN(2) == 0 {
			switch p {
			case "quantity":
				body[p] = 2
			case "status":
				body[p] = "open"
			case "tags":
				body[p] = []any{"a"}
			default:
				body[p] = "x"
			}
		}
	}
	if rng.IntN(3) == 0 {
		body["lines"] = []any{obj{"sku": "s-1", "price": 1.5}}
	}
	if rng.IntN(2) == 0 {
		query := obj{}
		if rng.IntN(4) == 0 {
			query["tenant"] = []any{"acme"}
		}
		return obj{
			"description": fmt.Sprintf("get item %d of r%d", i, r),
			"request":     obj{"method": "GET", "path": fmt.Sprintf("/r%d/items/i-%d", r, i), "query": query},
			"response":    obj{"status": 200, "headers": obj{"Content-Type": "application/json"}, "body": body},
		}
	}
	req := obj{"name": "x"}
	if rng.IntN(2) == 0 {
		req["priority"] = []string{"low", "normal", "high"}[rng.IntN(3)]
	}
	if rng.IntN(3) == 0 {
		req["currency"] = "EUR"
	}
	return obj{
		"description": fmt.Sprintf("create item %d in r%d", i, r),
		"request":     obj{"method": "POST", "path": fmt.Sprintf("/r%d/items", r), "headers": obj{"Content-Type": "application/json"}, "body": req},
		"response":    obj{"status": 201, "headers": obj{"Content-Type": "application/json"}, "body": body},
	}
}
