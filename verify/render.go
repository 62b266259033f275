package verify

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// JSONSchemaVersion identifies the shape of the JSON report; it changes
// only when a field changes meaning or goes away.
const JSONSchemaVersion = "contracts.verify/v1"

// jsonReport is the JSON report: the Report plus its verdict and totals.
type jsonReport struct {
	Schema  string `json:"schema"`
	Success bool   `json:"success"`
	Summary struct {
		Total   int `json:"total"`
		Passed  int `json:"passed"`
		Failed  int `json:"failed"`
		Pending int `json:"pending"`
		Skipped int `json:"skipped"`
	} `json:"summary"`
	*Report
}

// WriteJSON writes the report as indented JSON: {"schema", "success",
// "summary", "provider", "started", "durationNs", "pacts": [...]}.
func WriteJSON(w io.Writer, r *Report) error {
	out := jsonReport{Schema: JSONSchemaVersion, Success: r.Success(), Report: r}
	c := r.Counts()
	out.Summary.Total, out.Summary.Passed, out.Summary.Failed = c.Total(), c.Passed, c.Failed
	out.Summary.Pending, out.Summary.Skipped = c.Pending, c.Skipped
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	return nil
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML: one testsuite per pact, one
// testcase per interaction. Pending failures are reported as skipped test
// cases (they must not fail a CI build) with the failure in the message.
func WriteJUnit(w io.Writer, r *Report) error {
	out := junitSuites{Name: "contracts verify", Time: seconds(r.Duration)}
	for _, p := range r.Pacts {
		s := junitSuite{Name: p.Consumer + " -> " + p.Provider}
		if !r.Started.IsZero() {
			s.Timestamp = r.Started.UTC().Format(time.RFC3339)
		}
		var total time.Duration
		for _, in := range p.Interactions {
			c := junitCase{Name: in.Description, Classname: p.Consumer + "." + p.Provider, Time: seconds(in.Duration)}
			total += in.Duration
			details := failureText(in)
			switch in.Status {
			case StatusFailed:
				c.Failure = &junitMessage{Message: summaries(in), Type: string(in.Failures[0].ID), Text: details}
				s.Failures++
			case StatusPending:
				c.Skipped = &junitMessage{Message: "pending: " + summaries(in), Text: details}
				s.Skipped++
			case StatusSkipped:
				c.Skipped = &junitMessage{Message: in.SkipReason}
				s.Skipped++
			}
			if len(in.Warnings) > 0 {
				c.SystemOut = "WARNING: " + strings.Join(in.Warnings, "\nWARNING: ")
			}
			s.Tests++
			s.Cases = append(s.Cases, c)
		}
		s.Time = seconds(total)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write JUnit report: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write JUnit report: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write JUnit report: %w", err)
	}
	return nil
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func summaries(in InteractionResult) string {
	var s []string
	for _, f := range in.Failures {
		s = append(s, f.Summary)
	}
	return strings.Join(s, ", ")
}

func failureText(in InteractionResult) string {
	var b strings.Builder
	for _, f := range in.Failures {
		b.WriteString(f.Summary)
		b.WriteByte('\n')
		if f.Error != "" {
			b.WriteString("  " + oneLine(f.Error) + "\n")
		}
		for _, m := range f.Mismatches {
			b.WriteString("  " + mismatchLine(m) + "\n")
		}
	}
	return b.String()
}
