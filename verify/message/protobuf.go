package message

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/verify"
)

// isProtobuf reports whether a content type denotes protobuf contents.
func isProtobuf(ct string) bool {
	mt := pact.MediaType(ct)
	return mt == "application/protobuf" || mt == "application/x-protobuf" || mt == "application/vnd.google.protobuf"
}

// protoSchema returns the descriptors the pact carries for the message
// named name: the set named by the interaction's protobuf plugin
// configuration (descriptorKey), else any set that has the message. nil
// when the pact has none.
func protoSchema(p *pact.Pact, in *pact.Interaction, name string) (*proto.Files, error) {
	if p == nil || len(p.Metadata["plugins"]) == 0 {
		return nil, nil
	}
	sets, err := proto.PluginsDescriptors(p.Metadata["plugins"])
	if err != nil {
		return nil, err
	}
	if cfg, ok, err := proto.InteractionPluginConfig(in.PluginConfiguration); ok && err == nil && sets[cfg.DescriptorKey] != nil {
		return sets[cfg.DescriptorKey], nil
	}
	for _, files := range sets {
		if _, err := files.FindMessage(name); err == nil {
			return files, nil
		}
	}
	return nil, nil
}

// compareProtobuf compares protobuf contents field by field: both sides
// are decoded with the pact's descriptors into JSON-like values (keyed by
// proto field names, the paths the rules use) and matched as JSON; the
// metadata is compared as usual. ok is false when the contents are not
// protobuf or the pact carries no schema for them (they are then
// compared byte for byte).
func compareProtobuf(call verify.Call, expected *pact.Message, actual Message) (verify.Outcome, bool) {
	ect := expected.Contents.ContentType
	if ect == "" {
		ect = expected.MetadataContentType()
	}
	if !isProtobuf(ect) || expected.Contents.State != pact.BodyPresent {
		return verify.Outcome{}, false
	}
	name := strings.TrimPrefix(proto.ContentTypeMessage(ect), ".")
	if name == "" {
		return verify.Outcome{}, false
	}
	files, err := protoSchema(call.Pact, call.Interaction, name)
	if err != nil {
		return verify.Outcome{Err: fmt.Errorf("protobuf descriptors of the pact: %w", err)}, true
	}
	if files == nil {
		return verify.Outcome{}, false
	}
	var out verify.Outcome
	bodyMismatch := func(msg string) {
		out.Mismatches = append(out.Mismatches, match.Mismatch{Kind: match.KindBody, Path: "$", Expected: name, Message: msg})
	}
	// Only a declared content type is checked: protobuf bytes detect as
	// binary.
	if act := actual.ContentType; act != "" && !isProtobuf(act) {
		bodyMismatch(fmt.Sprintf("Expected message with content type %s but was %s", ect, act))
	} else if an := strings.TrimPrefix(proto.ContentTypeMessage(act), "."); an != "" && an != name {
		bodyMismatch(fmt.Sprintf("Expected a %s protobuf message but was %s", name, an))
	}
	expV, err := files.BinaryToValue(name, expected.Contents.Content, proto.ValueOptions{})
	if err != nil {
		return verify.Outcome{Err: fmt.Errorf("expected contents: %w", err)}, true
	}
	// proto3 does not put fields holding their default value on the wire:
	// the actual side shows them, so that a zero is compared as a zero
	// rather than reported missing.
	actV, err := files.BinaryToValue(name, actual.Contents, proto.ValueOptions{EmitUnpopulated: true})
	if err != nil {
		bodyMismatch(fmt.Sprintf("Actual contents are not a %s protobuf message: %v", name, err))
	}
	expJSON, _ := json.Marshal(expV)
	out.ExpectedBody = expJSON
	if len(out.Mismatches) == 0 {
		actJSON, _ := json.Marshal(actV)
		out.ActualBody = actJSON
		e := &pact.Message{Contents: pact.NewBody(expJSON, pact.ContentTypeJSON), Rules: pact.MatchingRules{
			pact.CategoryBody: expected.Rules[pact.CategoryBody], pact.CategoryContent: expected.Rules[pact.CategoryContent],
		}}
		a := &pact.Message{Contents: pact.NewBody(actJSON, pact.ContentTypeJSON)}
		out.Mismatches = append(out.Mismatches, match.Message(e, a)...)
	}
	// The metadata, with the contents out of the way (both sides the
	// expected bytes, the actual content type kept for content-type keys).
	a := &pact.Message{Contents: expected.Contents, Metadata: actual.Metadata}
	a.Contents.ContentType = actual.contentType()
	for _, m := range match.Message(expected, a) {
		if m.Kind == match.KindMetadata {
			out.Mismatches = append(out.Mismatches, m)
		}
	}
	return out, true
}
