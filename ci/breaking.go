package ci

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Finding levels of a breaking-change report, as oasdiff names them.
// Protobuf findings are all LevelERR.
const (
	LevelERR  = "ERR"
	LevelWARN = "WARN"
	LevelINFO = "INFO"
)

// LevelRank orders levels: INFO 1, WARN 2, ERR 3; 0 for anything else.
func LevelRank(level string) int {
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

// BreakingReport is the result of a breaking-change check of a protobuf
// schema or an OpenAPI document, the one model every breaking renderer
// takes. As JSON it is
// {"consumerAware", "breaking", "findings": [...]}.
type BreakingReport struct {
	// ConsumerAware is true when consumers' pacts were checked: then only
	// findings that break an interaction are Breaking.
	ConsumerAware bool `json:"consumerAware"`
	// Breaking counts the findings with Breaking set (see Count).
	Breaking int `json:"breaking"`
	// Findings in the order the check produced them.
	Findings []BreakingFinding `json:"findings"`
	// Levels makes the text output show each finding's level and operation
	// (OpenAPI); protobuf findings have one level and no operation, and
	// keep the "file:line: rule-id: message" form.
	Levels bool `json:"-"`
	// Subject names what was checked in summaries ("protobuf schema",
	// "OpenAPI document").
	Subject string `json:"-"`
}

// BreakingFinding is one change.
type BreakingFinding struct {
	// RuleID is the check's stable ID (oasdiff's for OpenAPI).
	RuleID string `json:"ruleId"`
	// BufRuleID is buf's ID of the same protobuf rule (FIELD_SAME_TYPE).
	BufRuleID string `json:"bufRuleId,omitempty"`
	// Level is LevelERR, LevelWARN or LevelINFO.
	Level string `json:"level"`
	// Operation is "METHOD /path" for an OpenAPI change to an operation.
	Operation string `json:"operation,omitempty"`
	// Source is where the change is, "file:line", or "file".
	Source string `json:"source,omitempty"`
	// File and Line are Source's parts (Line 0 when unknown).
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Element is the protobuf element's full name.
	Element string `json:"element,omitempty"`
	Message string `json:"message"`
	// Breaking is true when the finding counts toward the exit code: at or
	// above the --fail-on level and, in consumer-aware mode, breaking at
	// least one interaction.
	Breaking bool `json:"breaking"`
	// Breaks lists the consumer interactions the change breaks, sorted;
	// empty when none uses what changed (or the check is not consumer-aware).
	Breaks []BreakRef `json:"breaks"`
}

// BreakRef names a consumer's interaction.
type BreakRef struct {
	Consumer    string `json:"consumer"`
	Interaction string `json:"interaction"`
}

// SourceOf formats a file and line as "file:line", or "file" when line is 0.
func SourceOf(file string, line int) string {
	if line > 0 {
		return file + ":" + strconv.Itoa(line)
	}
	return file
}

// Count sets r.Breaking from the findings and returns it.
func (r *BreakingReport) Count() int {
	r.Breaking = 0
	for _, f := range r.Findings {
		if f.Breaking {
			r.Breaking++
		}
	}
	return r.Breaking
}

// Breaking output formats.
const (
	BreakingText          = "text"
	BreakingJSON          = "json"
	BreakingMarkdown      = "markdown"
	BreakingGitHubActions = "githubactions"
	BreakingJUnit         = "junit"
)

// BreakingFormats lists the output formats WriteBreaking knows.
func BreakingFormats() []string {
	return []string{BreakingText, BreakingJSON, BreakingMarkdown, BreakingGitHubActions, BreakingJUnit}
}

// WriteBreaking writes r in format, one of BreakingFormats.
func WriteBreaking(w io.Writer, r *BreakingReport, format string) error {
	r.Count()
	switch format {
	case BreakingText:
		return WriteBreakingText(w, r)
	case BreakingJSON:
		return WriteBreakingJSON(w, r)
	case BreakingMarkdown:
		return WriteBreakingMarkdown(w, r)
	case BreakingGitHubActions:
		return WriteAnnotations(w, BreakingAnnotations(r))
	case BreakingJUnit:
		return WriteBreakingJUnit(w, r)
	}
	return fmt.Errorf("unknown output format %q: want one of %s", format, strings.Join(BreakingFormats(), ", "))
}

// WriteBreakingText writes one line per finding: "source: rule-id: message"
// (with Levels, "source: LEVEL rule-id: METHOD /path: message"). In
// consumer-aware mode each line ends with the consumers it breaks,
// `[breaks consumer web: "get an order", "list orders"]`, one bracket per
// consumer, or `[unused by consumers]`.
func WriteBreakingText(w io.Writer, r *BreakingReport) error {
	var b strings.Builder
	for _, f := range r.Findings {
		if f.Source != "" {
			b.WriteString(f.Source + ": ")
		}
		if r.Levels {
			b.WriteString(f.Level + " ")
		}
		b.WriteString(f.RuleID)
		if f.BufRuleID != "" {
			b.WriteString(" (" + f.BufRuleID + ")")
		}
		b.WriteString(": ")
		if r.Levels && f.Operation != "" {
			b.WriteString(f.Operation + ": ")
		}
		b.WriteString(f.Message)
		if r.ConsumerAware {
			b.WriteString(breaksText(f.Breaks))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// breaksText is the consumer-aware suffix of a text line.
func breaksText(breaks []BreakRef) string {
	if len(breaks) == 0 {
		return " [unused by consumers]"
	}
	var b strings.Builder
	for i := 0; i < len(breaks); {
		consumer := breaks[i].Consumer
		var names []string
		for ; i < len(breaks) && breaks[i].Consumer == consumer; i++ {
			names = append(names, strconv.Quote(breaks[i].Interaction))
		}
		fmt.Fprintf(&b, " [breaks consumer %s: %s]", consumer, strings.Join(names, ", "))
	}
	return b.String()
}

// WriteBreakingJSON writes r as one indented JSON object.
func WriteBreakingJSON(w io.Writer, r *BreakingReport) error {
	out := *r
	out.Findings = make([]BreakingFinding, len(r.Findings))
	for i, f := range r.Findings {
		if f.Breaks == nil {
			f.Breaks = []BreakRef{}
		}
		out.Findings[i] = f
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WriteBreakingMarkdown writes r as GitHub-flavoured Markdown for a job
// summary: the verdict, then a table of the findings (level, rule,
// operation or element, message, consumers broken). Text from documents and
// pacts is escaped.
func WriteBreakingMarkdown(w io.Writer, r *BreakingReport) error {
	mw := &mdWriter{w: w}
	subject := r.Subject
	if subject == "" {
		subject = "schema"
	}
	if r.Breaking > 0 {
		noun := "breaking changes"
		if r.Breaking == 1 {
			noun = "breaking change"
		}
		mw.printf("### ❌ %d %s in the %s\n\n", r.Breaking, noun, mdText(subject))
	} else {
		mw.printf("### ✅ No breaking changes in the %s\n\n", mdText(subject))
	}
	if len(r.Findings) == 0 {
		mw.printf("No changes found.\n")
		return mw.err
	}
	mw.printf("%d findings, %d breaking", len(r.Findings), r.Breaking)
	if r.ConsumerAware {
		mw.printf(" (judged by the consumers' pacts)")
	}
	mw.printf(".\n\n")
	header := "| | Level | Rule | Where | Change |"
	sep := "| --- | --- | --- | --- | --- |"
	if r.ConsumerAware {
		header += " Breaks |"
		sep += " --- |"
	}
	mw.printf("%s\n%s\n", header, sep)
	for i, f := range r.Findings {
		if i >= maxSummaryFailures*4 {
			mw.printf("\n… and %d more findings: see the log.\n", len(r.Findings)-i)
			break
		}
		icon := "⚪"
		if f.Breaking {
			icon = "❌"
		}
		where := f.Operation
		if where == "" {
			where = f.Element
		}
		if f.Source != "" {
			where = strings.TrimSpace(where + " (" + f.Source + ")")
		}
		mw.printf("| %s | %s | `%s` | %s | %s |", icon, mdCell(f.Level), mdCell(f.RuleID), mdCell(where), mdCell(f.Message))
		if r.ConsumerAware {
			mw.printf(" %s |", mdCell(strings.TrimSpace(breaksText(f.Breaks))))
		}
		mw.printf("\n")
	}
	return mw.err
}

// BreakingAnnotations turns findings into GitHub annotations: an error for
// each breaking finding, a warning for a non-breaking WARN or ERR one, a
// notice for the rest; at the file and line of the change when known.
func BreakingAnnotations(r *BreakingReport) []Annotation {
	var as []Annotation
	for _, f := range r.Findings {
		level := LevelNotice
		switch {
		case f.Breaking:
			level = LevelError
		case LevelRank(f.Level) >= LevelRank(LevelWARN) && !r.ConsumerAware:
			level = LevelWarning
		}
		title := f.RuleID
		if f.Operation != "" {
			title += " " + f.Operation
		} else if f.Element != "" {
			title += " " + f.Element
		}
		msg := f.Message
		if r.ConsumerAware {
			msg += strings.TrimRight(breaksText(f.Breaks), " ")
		}
		as = append(as, Annotation{Level: level, Title: title, File: annotationFile(f.File), Line: f.Line, Message: msg})
	}
	return limitAnnotations(as)
}

// JUnit XML of a breaking report.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure"`
	Output    string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteBreakingJUnit writes r as JUnit XML: one test case per finding,
// failed when the finding is breaking.
func WriteBreakingJUnit(w io.Writer, r *BreakingReport) error {
	suite := junitSuite{Name: "breaking changes", Tests: len(r.Findings)}
	if r.Subject != "" {
		suite.Name = "breaking changes in the " + r.Subject
	}
	for _, f := range r.Findings {
		where := f.Operation
		if where == "" {
			where = f.Element
		}
		c := junitCase{Name: strings.TrimSpace(f.RuleID + " " + where), Classname: f.Level, File: f.File, Line: f.Line}
		text := f.Message
		if r.ConsumerAware {
			text += breaksText(f.Breaks)
		}
		if f.Breaking {
			suite.Failures++
			c.Failure = &junitFailure{Message: f.Message, Type: f.RuleID, Text: text}
		} else {
			c.Output = text
		}
		suite.Cases = append(suite.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{suite}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
