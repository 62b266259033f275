// Package proto loads protobuf schemas and converts protobuf messages to and
// from the JSON-like values the pact matching engine compares.
//
// Schemas come from .proto sources (compiled with protocompile, the
// well-known types always available) or from compiled FileDescriptorSets,
// including the base64 "protoDescriptors" the Pact protobuf plugin stores in
// pact metadata. Either way the result is a *Files: linked descriptors in a
// registry, with source positions kept when the input had them.
//
// Messages convert between the protobuf binary encoding, dynamicpb messages
// and JSON-like Go values (map[string]any, []any, string, json.Number, bool,
// nil). Object keys are the fields' proto names by default, which is how the
// Pact protobuf plugin addresses fields in matching rules ("$.rectangle.length",
// "$.value.*").
package proto
