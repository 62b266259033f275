// Package breaking finds the changes between two versions of an OpenAPI
// document that can break clients, and tells which consumers' pact
// interactions each one breaks.
//
// The changes come from oasdiff, used as a library: its diff, its checker,
// its rule IDs and levels (ERR, WARN, INFO), run as `oasdiff breaking` and
// `oasdiff changelog` run them with their default options. This package
// adds only the consumer side: Usage reads what pact interactions send and
// expect, and Classify maps each finding to the interactions it reaches, at
// the level of operations, parameters, headers, statuses, media types,
// body properties and enum values.
package breaking

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/flatten/headers"
	"github.com/oasdiff/oasdiff/load"

	"github.com/contracts-dev/contracts/formats/openapi"
)

// Levels of findings, as oasdiff names them.
const (
	LevelERR  = "ERR"
	LevelWARN = "WARN"
	LevelINFO = "INFO"
)

// Finding is one change oasdiff's checker reports.
type Finding struct {
	// RuleID is oasdiff's check ID, e.g. "response-property-removed".
	RuleID string
	// Level is LevelERR, LevelWARN or LevelINFO.
	Level string
	// Method and Path name the operation ("GET", "/orders/{id}"); both empty
	// for a change outside the paths (a component, a security scheme).
	Method, Path string
	// Message is oasdiff's English text.
	Message string
	// File and Line locate the change: in the revision, or in the base for
	// something removed. Empty when oasdiff does not know.
	File string
	Line int

	change checker.Change
}

// Operation is "METHOD /path", or "" for a change outside the paths.
func (f Finding) Operation() string {
	if f.Method == "" && f.Path == "" {
		return ""
	}
	return strings.TrimSpace(f.Method + " " + f.Path)
}

// Args are the values oasdiff filled into the message, in its order.
func (f Finding) Args() []any {
	if f.change == nil {
		return nil
	}
	return f.change.GetArgs()
}

// propertyPath is the property a schema change is about, as oasdiff walks
// schemas: names joined by "/", "items" for array items, "allOf[...]" and
// the like for subschemas. oasdiff keeps it in an unexported field of
// checker.ApiChange (it prints it only inside the message), so it is read
// by reflection; TestMapping fails if an oasdiff upgrade moves it.
//
// Some rules about a property's place in its parent (became optional,
// became required) record the parent's path and name the property in their
// first argument ("items/amount" where the field holds "items"), so an
// argument that extends the field's path wins; a rule on a property of the
// body itself may record no path and name the property only in that
// argument.
func (f Finding) propertyPath() string {
	c, ok := f.change.(checker.ApiChange)
	if !ok {
		return ""
	}
	v := reflect.ValueOf(c).FieldByName("propertyPath")
	if !v.IsValid() || v.Kind() != reflect.String {
		return ""
	}
	path := v.String()
	args := f.Args()
	if len(args) == 0 || !strings.Contains(f.RuleID, "propert") {
		return path
	}
	first, ok := args[0].(string)
	if !ok || first == "" || strings.ContainsAny(first, " `") {
		return path
	}
	if path == "" || strings.HasPrefix(first, path+"/") {
		return first
	}
	return path
}

// Options tune Check.
type Options struct {
	// MinLevel is the lowest level reported: LevelWARN (the default, what
	// `oasdiff breaking` reports) or LevelINFO (everything, as `oasdiff
	// changelog` reports).
	MinLevel string
}

// Check compares base with revision as `oasdiff breaking` does (header names
// compared without case, inline and $ref subschemas matched, no allOf
// flattening) and returns the findings at or above opts.MinLevel in
// oasdiff's order. The documents should be loaded with openapi.Options
// Origin set, for File and Line. Header names of both documents are
// lower-cased in place, as oasdiff's loader does.
func Check(base, revision *openapi.Document, opts Options) ([]Finding, error) {
	level := checker.WARN
	switch opts.MinLevel {
	case "", LevelWARN:
	case LevelINFO:
		level = checker.INFO
	case LevelERR:
		level = checker.ERR
	default:
		return nil, fmt.Errorf("unknown level %q: want ERR, WARN or INFO", opts.MinLevel)
	}
	s1 := specInfo(base)
	s2 := specInfo(revision)
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	if err != nil {
		return nil, fmt.Errorf("diff %s and %s: %w", base.File, revision.File, err)
	}
	changes := checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, sources, level)
	l := checker.NewDefaultLocalizer()
	out := make([]Finding, 0, len(changes))
	for _, c := range changes {
		f := Finding{
			RuleID:  c.GetId(),
			Level:   levelName(c.GetLevel()),
			Method:  c.GetOperation(),
			Path:    c.GetPath(),
			Message: c.GetUncolorizedText(l),
			change:  c,
		}
		for _, src := range []*checker.Source{c.GetRevisionSource(), c.GetBaseSource()} {
			if src != nil && src.File != "" {
				f.File, f.Line = displayPath(src.File, base, revision), src.Line
				break
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// displayPath names a file the loader read (an absolute path) as the user
// named the documents: relative to the directory of the document given.
func displayPath(file string, docs ...*openapi.Document) string {
	for _, d := range docs {
		dir, err := filepath.Abs(filepath.Dir(d.File))
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(dir, file); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.Join(filepath.Dir(d.File), rel)
		}
	}
	return file
}

func specInfo(doc *openapi.Document) *load.SpecInfo {
	headers.Lowercase(doc.Spec)
	si := &load.SpecInfo{Source: load.NewSource(doc.File), Spec: doc.Spec}
	if doc.Spec.Info != nil {
		si.Version = doc.Spec.Info.Version
	}
	return si
}

func levelName(l checker.Level) string {
	switch l {
	case checker.ERR:
		return LevelERR
	case checker.WARN:
		return LevelWARN
	case checker.INFO:
		return LevelINFO
	}
	return l.String()
}

// AtLeast reports whether level is at or above min (INFO < WARN < ERR).
func AtLeast(level, min string) bool {
	return rank(level) >= rank(min)
}

func rank(level string) int {
	switch level {
	case LevelINFO:
		return 1
	case LevelWARN:
		return 2
	case LevelERR:
		return 3
	}
	return 0
}
