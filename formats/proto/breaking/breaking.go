// Package breaking finds changes between two versions of a protobuf schema
// that break existing clients, rule for rule as buf breaking does: each rule
// has a stable kebab-case ID of ours and buf's ID, and belongs to buf's
// categories (FILE, PACKAGE, WIRE_JSON, WIRE), which Select turns into the
// set of rules CheckRules applies.
//
// CheckRules compares two schemas and returns findings as values; Classify
// then tells, for each finding, which consumers' pact interactions it
// breaks, using what those interactions send and expect (see PactUsage).
package breaking

import (
	"fmt"
	"sort"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/contracts-dev/contracts/formats/proto"
)

// Finding is one breaking change.
type Finding struct {
	// RuleID is one of the Rule* constants.
	RuleID string `json:"ruleId"`
	// BufRuleID is buf's ID for the same rule (FIELD_SAME_TYPE).
	BufRuleID string `json:"bufRuleId"`
	// File and Line locate the change in the new schema, as buf does: for
	// a deletion, the new parent (message, enum or service) it was deleted
	// from, or the new file with no line when the parent is the file; for
	// a deleted file or package, the old file. Line is 0 when there is no
	// line to give or the descriptors carry no source info.
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	// Element is the full name of the element in the old schema:
	// "pkg.Msg.field", "pkg.Msg.oneof", "pkg.Enum.VALUE",
	// "pkg.Service.Method", "pkg.Msg.ext" for extensions, the old package
	// name for package-changed, package-deleted and file-deleted, the old
	// file's path for the syntax and file-option rules, or "pkg.Msg:5-10"
	// and "pkg.Msg:name" for reserved ranges and names.
	Element string `json:"element"`
	// Message explains the change for people.
	Message string `json:"message"`
}

// String formats f as "file:line: rule-id (BUF_RULE_ID): message".
func (f Finding) String() string {
	if f.BufRuleID == "" {
		return fmt.Sprintf("%s: %s: %s", proto.Position{File: f.File, Line: f.Line}, f.RuleID, f.Message)
	}
	return fmt.Sprintf("%s: %s (%s): %s", proto.Position{File: f.File, Line: f.Line}, f.RuleID, f.BufRuleID, f.Message)
}

// Check returns the breaking changes from old to new under
// DefaultCategories (see CheckRules).
func Check(old, new *proto.Files) []Finding {
	set, _ := Select(nil)
	return CheckRules(old, new, set)
}

// CheckRules returns the breaking changes from old to new that the rules
// in set report, ordered by file, line, rule ID and element. As buf does,
// messages, enums, services and extensions are matched by full name across
// all files for the rules on their contents, and by file (FILE rules) or
// package (PACKAGE rules) for deletions; files are matched by path, and
// when each side is a single file, the two are compared whatever their
// names.
func CheckRules(old, new *proto.Files, set RuleSet) []Finding {
	c := &checker{old: old, new: new, oldIdx: index(old), newIdx: index(new), rules: set}
	c.pairs = pairFiles(c.oldIdx, c.newIdx)
	for _, fd := range c.newIdx.files {
		c.newHasSource = c.newHasSource || fd.SourceLocations().Len() > 0
	}
	c.checkFiles()
	c.checkPackages()
	c.checkMessages()
	c.checkExtensions()
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
	rules          RuleSet
	newHasSource   bool
	// pairs maps an old file path to the new file it became.
	pairs    map[string]protoreflect.FileDescriptor
	findings []Finding
}

// pairFiles matches old files to new ones by path; when each side is a
// single file, the two are paired whatever their paths, so "old.proto"
// against "new.proto" compares the two.
func pairFiles(oldIdx, newIdx *schemaIndex) map[string]protoreflect.FileDescriptor {
	pairs := map[string]protoreflect.FileDescriptor{}
	if len(oldIdx.files) == 1 && len(newIdx.files) == 1 {
		for p := range oldIdx.files {
			for _, nf := range newIdx.files {
				pairs[p] = nf
			}
		}
		return pairs
	}
	for p := range oldIdx.files {
		if nf, ok := newIdx.files[p]; ok {
			pairs[p] = nf
		}
	}
	return pairs
}

// on reports whether rule is applied.
func (c *checker) on(rule string) bool { return c.rules[rule] }

func (c *checker) add(rule string, at proto.Position, element, format string, args ...any) {
	if !c.rules[rule] {
		return
	}
	c.findings = append(c.findings, Finding{
		RuleID:    rule,
		BufRuleID: BufID(rule),
		File:      at.File,
		Line:      at.Line,
		Element:   element,
		Message:   fmt.Sprintf(format, args...),
	})
}

// schemaIndex holds a schema's declarations by full name.
type schemaIndex struct {
	files    map[string]protoreflect.FileDescriptor
	messages map[protoreflect.FullName]protoreflect.MessageDescriptor
	enums    map[protoreflect.FullName]protoreflect.EnumDescriptor
	services map[protoreflect.FullName]protoreflect.ServiceDescriptor
	// extensions by extendee and number.
	extensions map[extKey]protoreflect.FieldDescriptor
}

type extKey struct {
	extendee protoreflect.FullName
	number   protoreflect.FieldNumber
}

func index(files *proto.Files) *schemaIndex {
	idx := &schemaIndex{
		files:      map[string]protoreflect.FileDescriptor{},
		messages:   map[protoreflect.FullName]protoreflect.MessageDescriptor{},
		enums:      map[protoreflect.FullName]protoreflect.EnumDescriptor{},
		services:   map[protoreflect.FullName]protoreflect.ServiceDescriptor{},
		extensions: map[extKey]protoreflect.FieldDescriptor{},
	}
	addEnums := func(es protoreflect.EnumDescriptors) {
		for i := 0; i < es.Len(); i++ {
			idx.enums[es.Get(i).FullName()] = es.Get(i)
		}
	}
	addExtensions := func(xs protoreflect.ExtensionDescriptors) {
		for i := 0; i < xs.Len(); i++ {
			x := xs.Get(i)
			idx.extensions[extKey{x.ContainingMessage().FullName(), x.Number()}] = x
		}
	}
	var addMessages func(protoreflect.MessageDescriptors)
	addMessages = func(ms protoreflect.MessageDescriptors) {
		for i := 0; i < ms.Len(); i++ {
			md := ms.Get(i)
			// Map entries are messages too: a map's key and value types
			// are compared as the entry's fields, as buf does.
			idx.messages[md.FullName()] = md
			addEnums(md.Enums())
			addExtensions(md.Extensions())
			addMessages(md.Messages())
		}
	}
	for _, fd := range files.Files() {
		idx.files[fd.Path()] = fd
		addMessages(fd.Messages())
		addEnums(fd.Enums())
		addExtensions(fd.Extensions())
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

// nestedName is d's name inside its package: "Outer.Inner".
func nestedName(d protoreflect.Descriptor) string {
	pkg := d.ParentFile().Package()
	name := string(d.FullName())
	if pkg != "" {
		name = strings.TrimPrefix(name, string(pkg)+".")
	}
	return name
}

// fileOnly locates a change in a file as a whole, at its first line as buf
// does (no line when the new schema carries no source info): a deleted
// top-level element, an option the new file does not set, or a file or
// package deleted from the old schema (which may be compiled without
// source info).
func (c *checker) fileOnly(files *proto.Files, fd protoreflect.FileDescriptor) proto.Position {
	pos := proto.Position{File: files.DisplayPath(fd.Path())}
	if c.newHasSource {
		pos.Line = 1
	}
	return pos
}

// deletedIn locates the deletion of the old element named nested (nested
// name) from the new file nf: the closest enclosing message that survived
// in nf, else the file with no line.
func (c *checker) deletedIn(nf protoreflect.FileDescriptor, nested string) proto.Position {
	parts := strings.Split(nested, ".")
	for i := len(parts) - 1; i > 0; i-- {
		name := protoreflect.FullName(strings.Join(parts[:i], "."))
		if nf.Package() != "" {
			name = nf.Package() + "." + name
		}
		if md, ok := c.newIdx.messages[name]; ok && md.ParentFile() == nf {
			return c.new.Position(md)
		}
	}
	return c.fileOnly(c.new, nf)
}
