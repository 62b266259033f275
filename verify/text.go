package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteText writes the report for people, in the shape of the Pact
// verifier's output: each pact, each interaction with its states and
// outcome, each mismatch with its path, expectation and actual value, a
// diff of mismatched bodies, then a list of failures and the totals.
func WriteText(w io.Writer, r *Report) error {
	tw := &textWriter{w: w}
	for _, p := range r.Pacts {
		tw.pact(p)
	}
	tw.summary(r)
	return tw.err
}

type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func (t *textWriter) pact(p PactResult) {
	t.printf("Verifying a pact between %s and %s\n", p.Consumer, p.Provider)
	t.printf("  Source: %s\n", p.Source)
	if p.Pending {
		t.printf("  This pact is pending: its failures do not fail the verification\n")
	}
	if p.Broker != nil {
		for _, n := range p.Broker.Notices {
			if n.When == "" || n.When == "before_verification" {
				t.printf("  Notice: %s\n", oneLine(n.Text))
			}
		}
	}
	for _, in := range p.Interactions {
		t.interaction(in)
	}
	t.printf("\n")
}

func (t *textWriter) interaction(in InteractionResult) {
	t.printf("\n  %s", in.Description)
	// The mark goes with the pending count of the summary: a pending
	// interaction that passed counts as passed (its pact says pending).
	if in.Status == StatusPending {
		t.printf(" [pending]")
	}
	switch in.Status {
	case StatusPassed:
		t.printf(" (OK)\n")
	case StatusFailed:
		t.printf(" (FAILED)\n")
	case StatusPending:
		t.printf(" (FAILED, pending)\n")
	case StatusSkipped:
		t.printf(" (SKIPPED: %s)\n", in.SkipReason)
	}
	if in.TestName != "" {
		t.printf("    Test Name: %s\n", in.TestName)
	}
	for _, c := range in.Comments {
		t.printf("    Comment: %s\n", c)
	}
	for _, st := range in.States {
		t.printf("    Given %s%s\n", st.Name, params(st.Params))
	}
	if in.Request != "" && (in.Status == StatusFailed || in.Status == StatusPending) {
		t.printf("    Request: %s\n", in.Request)
	}
	for _, w := range in.Warnings {
		t.printf("    WARNING: %s\n", w)
	}
	for _, f := range in.Failures {
		t.printf("    %s\n", f.Summary)
		if f.Error != "" {
			t.printf("      %s\n", oneLine(f.Error))
		}
		for _, m := range f.Mismatches {
			t.printf("      %s\n", mismatchLine(m))
		}
		if f.ID == FailureBody {
			if d := bodyDiff(in.ExpectedBody, in.ActualBody); d != "" {
				t.printf("      Diff (- expected, + actual):\n")
				for _, line := range strings.Split(strings.TrimSuffix(d, "\n"), "\n") {
					t.printf("        %s\n", line)
				}
			}
		}
	}
}

func (t *textWriter) summary(r *Report) {
	var failed, pending []string
	for _, p := range r.Pacts {
		for _, in := range p.Interactions {
			if in.Status != StatusFailed && in.Status != StatusPending {
				continue
			}
			var sums []string
			for _, f := range in.Failures {
				sums = append(sums, f.Summary)
			}
			line := fmt.Sprintf("%s (%s -> %s): %s", in.Description, p.Consumer, p.Provider, strings.Join(sums, ", "))
			if in.Status == StatusFailed {
				failed = append(failed, line)
			} else {
				pending = append(pending, line)
			}
		}
	}
	if len(pending) > 0 {
		t.printf("Pending failures (they do not fail the verification):\n")
		for i, l := range pending {
			t.printf("  %d) %s\n", i+1, l)
		}
		t.printf("\n")
	}
	if len(failed) > 0 {
		t.printf("Failures:\n")
		for i, l := range failed {
			t.printf("  %d) %s\n", i+1, l)
		}
		t.printf("\n")
	}
	c := r.Counts()
	verdict := "Verification passed"
	if !r.Success() {
		verdict = "Verification FAILED"
	}
	t.printf("%s: %d interactions, %d passed, %d failed, %d pending, %d skipped (%s)\n",
		verdict, c.Total(), c.Passed, c.Failed, c.Pending, c.Skipped, r.Duration)
}

func params(p map[string]any) string {
	if len(p) == 0 {
		return ""
	}
	b, err := json.Marshal(p) // map keys are sorted: stable output
	if err != nil {
		return ""
	}
	return " " + string(b)
}

func mismatchLine(m Mismatch) string {
	where := m.Path
	if where == "" {
		where = m.Kind
	}
	if m.Message != "" {
		return where + ": " + oneLine(m.Message)
	}
	return fmt.Sprintf("%s: expected %s but was %s", where, m.Expected, m.Actual)
}

// maxDiffLines bounds the bodies diffed (the LCS table is quadratic).
const maxDiffLines = 400

// bodyDiff is a line diff of two bodies, JSON pretty-printed first, showing
// changed lines with two lines of context. Empty when there is nothing
// useful to show (binary or very large bodies).
func bodyDiff(expected, actual string) string {
	if expected == actual || !printable(expected) || !printable(actual) {
		return ""
	}
	a, b := strings.Split(pretty(expected), "\n"), strings.Split(pretty(actual), "\n")
	if len(a) > maxDiffLines || len(b) > maxDiffLines {
		return ""
	}
	// lcs[i][j] is the length of the longest common subsequence of a[i:], b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte
		text string
	}
	var lines []line
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			lines = append(lines, line{' ', a[i]})
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			lines = append(lines, line{'-', a[i]})
			i++
		default:
			lines = append(lines, line{'+', b[j]})
			j++
		}
	}
	const context = 2
	keep := make([]bool, len(lines))
	for k, l := range lines {
		if l.op != ' ' {
			for c := max(0, k-context); c <= min(len(lines)-1, k+context); c++ {
				keep[c] = true
			}
		}
	}
	var out strings.Builder
	skipped := false
	for k, l := range lines {
		if !keep[k] {
			skipped = true
			continue
		}
		if skipped && out.Len() > 0 {
			out.WriteString("...\n")
		}
		skipped = false
		out.WriteByte(l.op)
		out.WriteByte(' ')
		out.WriteString(l.text)
		out.WriteByte('\n')
	}
	return out.String()
}

// pretty indents JSON with object keys sorted, so that key order does not
// show as a difference; other text is returned without trailing space.
func pretty(s string) string {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) == nil && !dec.More() {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if enc.Encode(v) == nil {
			return strings.TrimRight(buf.String(), "\n")
		}
	}
	return strings.TrimRight(s, " \t\r\n")
}

func printable(s string) bool {
	for _, r := range s {
		if r == 0xFFFD || (r < 0x20 && r != '\n' && r != '\r' && r != '\t') {
			return false
		}
	}
	return true
}
