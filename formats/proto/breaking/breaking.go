// Package breaking finds changes between two versions of a protobuf schema
// that break existing clients, in the spirit of buf's WIRE_JSON rule set:
// changes that break the binary wire format or the protobuf JSON mapping.
//
// Check compares two schemas and returns findings with stable rule IDs;
// Classify then tells, for each finding, which consumers' pact interactions
// it breaks, using what those interactions send and expect (see PactUsage).
package breaking

import (
	"fmt"
	"sort"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/contracts-dev/contracts/formats/proto"
)

// Rule IDs. They are public API: tests, filters and CI configuration match
// them, so they never change once released.
const (
	RulePackageChanged            = "package-changed"
	RuleMessageDeleted            = "message-deleted"
	RuleFieldDeleted              = "field-deleted"
	RuleFieldTypeChanged          = "field-type-changed"
	RuleFieldCardinalityChanged   = "field-cardinality-changed"
	RuleFieldNameChanged          = "field-name-changed"
	RuleFieldJSONNameChanged      = "field-json-name-changed"
	RuleFieldOneofChanged         = "field-oneof-changed"
	RuleOneofDeleted              = "oneof-deleted"
	RuleEnumDeleted               = "enum-deleted"
	RuleEnumValueDeleted          = "enum-value-deleted"
	RuleEnumValueNameChanged      = "enum-value-name-changed"
	RuleServiceDeleted            = "service-deleted"
	RuleRPCDeleted                = "rpc-deleted"
	RuleRPCRequestTypeChanged     = "rpc-request-type-changed"
	RuleRPCResponseTypeChanged    = "rpc-response-type-changed"
	RuleRPCClientStreamingChanged = "rpc-client-streaming-changed"
	RuleRPCServerStreamingChanged = "rpc-server-streaming-changed"
)

// Rule describes one rule.
type Rule struct {
	ID      string
	Summary string
}

// Rules lists every rule Check applies, in a stable order.
func Rules() []Rule {
	return []Rule{
		{RulePackageChanged, "a file's package changed, renaming everything it declares"},
		{RuleMessageDeleted, "a message was deleted"},
		{RuleFieldDeleted, "a field was deleted without reserving both its number and its name"},
		{RuleFieldTypeChanged, "a field's type changed"},
		{RuleFieldCardinalityChanged, "a field's label changed (optional, required, repeated)"},
		{RuleFieldNameChanged, "a field was renamed (breaks the JSON mapping)"},
		{RuleFieldJSONNameChanged, "a field's JSON name changed"},
		{RuleFieldOneofChanged, "a field moved into, out of or between oneofs"},
		{RuleOneofDeleted, "a oneof was deleted"},
		{RuleEnumDeleted, "an enum was deleted"},
		{RuleEnumValueDeleted, "an enum value was deleted without reserving both its number and its name"},
		{RuleEnumValueNameChanged, "an enum value number got a different name (breaks the JSON mapping)"},
		{RuleServiceDeleted, "a service was deleted"},
		{RuleRPCDeleted, "an RPC was deleted"},
		{RuleRPCRequestTypeChanged, "an RPC's request type changed"},
		{RuleRPCResponseTypeChanged, "an RPC's response type changed"},
		{RuleRPCClientStreamingChanged, "an RPC's client streaming changed"},
		{RuleRPCServerStreamingChanged, "an RPC's server streaming changed"},
	}
}

// Finding is one breaking change.
type Finding struct {
	// RuleID is one of the Rule* constants.
	RuleID string `json:"ruleId"`
	// File and Line locate the change in the new schema; for a deletion,
	// the new parent (message, enum, service or file) it was deleted from,
	// or the element in the old schema when its parent is gone too. Line is
	// 0 when the descriptors carry no source info.
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	// Element is the full name of the element in the old schema:
	// "pkg.Msg.field", "pkg.Msg.oneof", "pkg.Enum.VALUE",
	// "pkg.Service.Method", or the old package name for RulePackageChanged.
	Element string `json:"element"`
	// Message explains the change for people.
	Message string `json:"message"`
}

// String formats f as "file:line: rule-id: message".
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s", proto.Position{File: f.File, Line: f.Line}, f.RuleID, f.Message)
}

// Check returns the breaking changes from old to new, ordered by file, line,
// rule ID and element. Elements are matched by full name across all files,
// so moving a declaration between files of the same package is not a change.
func Check(old, new *proto.Files) []Finding {
	c := &checker{old: old, new: new, oldIdx: index(old), newIdx: index(new)}
	c.pairs = pairFiles(c.oldIdx, c.newIdx)
	c.checkPackages()
	c.checkMessages()
	c.checkEnums()
	c.checkServices()
	sortFindings(c.findings)
	return c.findings
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if a.Element != b.Element {
			return a.Element < b.Element
		}
		return a.Message < b.Message
	})
}

type checker struct {
	old, new       *proto.Files
	oldIdx, newIdx *schemaIndex
	// pairs maps an old file path to the new file it became.
	pairs    map[string]protoreflect.FileDescriptor
	findings []Finding
}

// pairFiles matches old files to new ones by path. When exactly one file on
// each side is left unmatched, they are taken as the same file renamed, so
// "old.proto" against "new.proto" compares the two.
func pairFiles(oldIdx, newIdx *schemaIndex) map[string]protoreflect.FileDescriptor {
	pairs := map[string]protoreflect.FileDescriptor{}
	var oldLeft []string
	used := map[string]bool{}
	for p := range oldIdx.files {
		if nf, ok := newIdx.files[p]; ok {
			pairs[p] = nf
			used[p] = true
		} else {
			oldLeft = append(oldLeft, p)
		}
	}
	var newLeft []protoreflect.FileDescriptor
	for p, nf := range newIdx.files {
		if !used[p] {
			newLeft = append(newLeft, nf)
		}
	}
	if len(oldLeft) == 1 && len(newLeft) == 1 {
		pairs[oldLeft[0]] = newLeft[0]
	}
	return pairs
}

func (c *checker) add(rule string, at proto.Position, element, format string, args ...any) {
	c.findings = append(c.findings, Finding{
		RuleID:  rule,
		File:    at.File,
		Line:    at.Line,
		Element: element,
		Message: fmt.Sprintf(format, args...),
	})
}

// schemaIndex holds a schema's declarations by full name.
type schemaIndex struct {
	files    map[string]protoreflect.FileDescriptor
	messages map[protoreflect.FullName]protoreflect.MessageDescriptor
	enums    map[protoreflect.FullName]protoreflect.EnumDescriptor
	services map[protoreflect.FullName]protoreflect.ServiceDescriptor
}

func index(files *proto.Files) *schemaIndex {
	idx := &schemaIndex{
		files:    map[string]protoreflect.FileDescriptor{},
		messages: map[protoreflect.FullName]protoreflect.MessageDescriptor{},
		enums:    map[protoreflect.FullName]protoreflect.EnumDescriptor{},
		services: map[protoreflect.FullName]protoreflect.ServiceDescriptor{},
	}
	var addMessages func(protoreflect.MessageDescriptors)
	addEnums := func(es protoreflect.EnumDescriptors) {
		for i := 0; i < es.Len(); i++ {
			idx.enums[es.Get(i).FullName()] = es.Get(i)
		}
	}
	addMessages = func(ms protoreflect.MessageDescriptors) {
		for i := 0; i < ms.Len(); i++ {
			md := ms.Get(i)
			if md.IsMapEntry() {
				continue // compared through the map field's type
			}
			idx.messages[md.FullName()] = md
			addEnums(md.Enums())
			addMessages(md.Messages())
		}
	}
	for _, fd := range files.Files() {
		idx.files[fd.Path()] = fd
		addMessages(fd.Messages())
		addEnums(fd.Enums())
		for i := 0; i < fd.Services().Len(); i++ {
			idx.services[fd.Services().Get(i).FullName()] = fd.Services().Get(i)
		}
	}
	return idx
}

// sortedNames returns m's keys in order, so findings come out the same way
// on every run.
func sortedNames[D any](m map[protoreflect.FullName]D) []protoreflect.FullName {
	out := make([]protoreflect.FullName, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// filePackageSourcePath is the source path of a file's package statement
// (FileDescriptorProto.package is field 2).
var filePackageSourcePath = protoreflect.SourcePath{2}

// filePosition locates a file by its package statement, or its first line.
func filePosition(files *proto.Files, fd protoreflect.FileDescriptor) proto.Position {
	pos := proto.Position{File: files.DisplayPath(fd.Path())}
	if loc := fd.SourceLocations().ByPath(filePackageSourcePath); loc.Path != nil {
		pos.Line = loc.StartLine + 1
	} else if fd.SourceLocations().Len() > 0 {
		pos.Line = 1
	}
	return pos
}

// deletedAt locates the deletion of d, an element of the old schema: at its
// parent in the new schema when the parent survived, else at d in the old.
func (c *checker) deletedAt(d protoreflect.Descriptor) proto.Position {
	switch p := d.Parent().(type) {
	case protoreflect.FileDescriptor:
		if nf, ok := c.pairs[p.Path()]; ok {
			return filePosition(c.new, nf)
		}
	case protoreflect.MessageDescriptor:
		if nm, ok := c.newIdx.messages[c.newName(p)]; ok {
			return c.new.Position(nm)
		}
	case protoreflect.EnumDescriptor:
		if ne, ok := c.newIdx.enums[c.newName(p)]; ok {
			return c.new.Position(ne)
		}
	case protoreflect.ServiceDescriptor:
		if ns, ok := c.newIdx.services[c.newName(p)]; ok {
			return c.new.Position(ns)
		}
	}
	return c.old.Position(d)
}

// newName is the full name d would have in the new schema: its own, or,
// when its file's package changed, the same name under the new package.
// The package change is reported once (RulePackageChanged); declarations
// that moved with it are compared with their counterparts, not reported as
// deleted.
func (c *checker) newName(d protoreflect.Descriptor) protoreflect.FullName {
	name := d.FullName()
	of := d.ParentFile()
	if of == nil {
		return name
	}
	nf, ok := c.pairs[of.Path()]
	if !ok || nf.Package() == of.Package() {
		return name
	}
	rel := string(name)
	if of.Package() != "" {
		prefix := string(of.Package()) + "."
		if !strings.HasPrefix(rel, prefix) {
			return name
		}
		rel = strings.TrimPrefix(rel, prefix)
	}
	if nf.Package() == "" {
		return protoreflect.FullName(rel)
	}
	return nf.Package() + "." + protoreflect.FullName(rel)
}
