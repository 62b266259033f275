package ci

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/verify"
)

// Bounds of a Markdown summary: GitHub accepts at most 1 MiB of step
// summary per step and drops a larger one whole, so the summary shows the
// first failures, mismatches, list items and bytes of each text, and says
// how many more the log has (the text report always lists everything).
// No details block starts past maxSummaryBytes, and one block is at most
// about 50 rows x 4 cells x 500 bytes plus two 2000-byte bodies.
const (
	maxSummaryBytes      = 300 << 10 // bytes written before failures are only counted
	maxSummaryBody       = 2000      // bytes of each body
	maxSummaryCell       = 500       // bytes of each table cell or list item text
	maxSummaryFailures   = 50        // details blocks of each section
	maxSummaryMismatches = 50        // mismatch rows of each failure
	maxSummaryItems      = 100       // warnings, skipped interactions
)

// WriteMarkdownSummary writes the report as GitHub-flavoured Markdown for a
// job summary ($GITHUB_STEP_SUMMARY): the verdict, a table of the pacts with
// their interaction counts by status, then each failure (pending ones
// apart) in a details block with its mismatches and bodies, the warnings,
// and the skipped interactions with their reasons. Text from pacts and
// providers is escaped: it cannot add markup.
func WriteMarkdownSummary(w io.Writer, r *verify.Report) error {
	mw := &mdWriter{w: w}
	c := r.Counts()
	verdict := "✅ Contract verification passed"
	if !r.Success() {
		verdict = "❌ Contract verification failed"
	}
	if r.Provider != "" {
		verdict += ": " + r.Provider
	}
	mw.printf("### %s\n\n", mdText(verdict))
	mw.printf("%d interactions: %d passed, %d failed, %d pending, %d skipped", c.Total(), c.Passed, c.Failed, c.Pending, c.Skipped)
	if r.Duration > 0 {
		mw.printf(" in %s", r.Duration.Round(time.Millisecond))
	}
	mw.printf(".\n\n")

	mw.printf("| Pact | Source | Interactions | Passed | Failed | Pending | Skipped |\n")
	mw.printf("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n")
	for _, p := range r.Pacts {
		pc := (&verify.Report{Pacts: []verify.PactResult{p}}).Counts()
		name := p.Consumer + " → " + p.Provider
		if p.Pending {
			name += " (pending)"
		}
		mw.printf("| %s | %s | %d | %d | %d | %d | %d |\n", mdText(name), mdText(p.Source), pc.Total(), pc.Passed, pc.Failed, pc.Pending, pc.Skipped)
	}
	mw.printf("| **Total** | | **%d** | **%d** | **%d** | **%d** | **%d** |\n\n", c.Total(), c.Passed, c.Failed, c.Pending, c.Skipped)

	mw.failures(r, verify.StatusFailed, "Failures", "❌")
	mw.failures(r, verify.StatusPending, "Pending failures (they do not fail the verification)", "⏳")

	var warnings, skipped []string
	for _, p := range r.Pacts {
		for _, in := range p.Interactions {
			name := p.Consumer + " → " + p.Provider + ": " + in.Description
			for _, wa := range in.Warnings {
				warnings = append(warnings, mdCell(name)+": "+mdCell(wa))
			}
			if in.Status == verify.StatusSkipped {
				skipped = append(skipped, mdCell(name)+": "+mdCell(orNone(in.SkipReason)))
			}
		}
	}
	if len(warnings) > 0 {
		mw.printf("#### Warnings\n\n")
		mw.list(warnings)
		mw.printf("\n")
	}
	if len(skipped) > 0 {
		mw.printf("<details>\n<summary>Skipped interactions (%d)</summary>\n\n", len(skipped))
		mw.list(skipped)
		mw.printf("\n</details>\n\n")
	}
	return mw.err
}

// list writes a bulleted list of the first items, and how many more.
func (mw *mdWriter) list(items []string) {
	for i, l := range items {
		if i == maxSummaryItems {
			mw.printf("- … and %d more, listed in the log\n", len(items)-i)
			return
		}
		mw.printf("- %s\n", l)
	}
}

// failures writes a section with a details block for each interaction of
// the report with the status.
func (mw *mdWriter) failures(r *verify.Report, status verify.Status, heading, icon string) {
	shown, more := 0, 0
	for _, p := range r.Pacts {
		for _, in := range p.Interactions {
			if in.Status != status {
				continue
			}
			if shown == maxSummaryFailures || mw.n > maxSummaryBytes {
				more++
				continue
			}
			if shown == 0 {
				mw.printf("#### %s\n\n", heading)
			}
			shown++
			var sums []string
			for _, f := range in.Failures {
				sums = append(sums, f.Summary)
			}
			summary := p.Consumer + " → " + p.Provider + ": " + in.Description
			if len(sums) > 0 {
				summary += " — " + strings.Join(sums, ", ")
			}
			mw.printf("<details>\n<summary>%s %s</summary>\n\n", icon, htmlText(summary))
			mw.interaction(p, in)
			mw.printf("</details>\n\n")
		}
	}
	if more > 0 {
		if shown == 0 {
			mw.printf("#### %s\n\n", heading)
		}
		mw.printf("… and %d more, listed in the log.\n\n", more)
	}
}

func (mw *mdWriter) interaction(p verify.PactResult, in verify.InteractionResult) {
	mw.printf("Pact: %s\n\n", mdText(p.Source))
	for _, st := range in.States {
		mw.printf("Given %s\n\n", mdText(st.Name+stateParams(st.Params)))
	}
	if in.Request != "" {
		mw.printf("Request: %s\n\n", mdText(in.Request))
	}
	for _, f := range in.Failures {
		mw.printf("**%s**", mdText(f.Summary))
		if f.Error != "" {
			mw.printf(": %s", mdText(f.Error))
		}
		mw.printf("\n\n")
		if len(f.Mismatches) > 0 {
			mw.printf("| Path | Expected | Actual | Mismatch |\n| --- | --- | --- | --- |\n")
			for i, m := range f.Mismatches {
				if i == maxSummaryMismatches {
					mw.printf("| … | | | and %d more mismatches, listed in the log |\n", len(f.Mismatches)-i)
					break
				}
				where := m.Path
				if where == "" {
					where = m.Kind
				}
				mw.printf("| %s | %s | %s | %s |\n", mdCell(where), mdCell(m.Expected), mdCell(m.Actual), mdCell(m.Message))
			}
			mw.printf("\n")
		}
		if f.ID == verify.FailureBody && (in.ExpectedBody != "" || in.ActualBody != "") {
			mw.body("Expected body", in.ExpectedBody)
			mw.body("Actual body", in.ActualBody)
		}
	}
}

// body writes a body in a fenced code block, JSON indented, long bodies cut.
func (mw *mdWriter) body(label, body string) {
	if body == "" {
		mw.printf("%s: empty\n\n", label)
		return
	}
	lang := ""
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(body), "", "  ") == nil {
		body, lang = buf.String(), "json"
	}
	body = strings.TrimRight(body, "\r\n")
	cut := ""
	if len(body) > maxSummaryBody {
		cut = fmt.Sprintf(" (first %d of %d bytes)", maxSummaryBody, len(body))
		body = strings.ToValidUTF8(body[:maxSummaryBody], "")
	}
	fence := codeFence(body)
	mw.printf("%s%s:\n\n%s%s\n%s\n%s\n\n", label, cut, fence, lang, body, fence)
}

// WriteCanIDeployMarkdown writes a can-i-deploy answer as GitHub-flavoured
// Markdown for a job summary: the verdict and the broker's reason, the
// matrix rows as a table (consumer and provider versions, the verification
// result with a link to its build), and the broker's notices.
func WriteCanIDeployMarkdown(w io.Writer, res *broker.MatrixResult) error {
	mw := &mdWriter{w: w}
	verdict := "❌ Can I deploy? No"
	switch d := res.Summary.Deployable; {
	case d == nil:
		verdict = "❔ Can I deploy? Cannot tell"
	case *d:
		verdict = "✅ Can I deploy? Yes"
	}
	mw.printf("### %s\n\n", verdict)
	if res.Summary.Reason != "" {
		mw.printf("%s\n\n", mdText(res.Summary.Reason))
	}
	s := res.Summary
	mw.printf("%d successful, %d failed, %d unknown", s.Success, s.Failed, s.Unknown)
	if s.Ignored != nil {
		mw.printf(", %d ignored", *s.Ignored)
	}
	mw.printf(".\n\n")
	if len(res.Rows) > 0 {
		mw.printf("| Consumer | Consumer version | Provider | Provider version | Verification |\n")
		mw.printf("| --- | --- | --- | --- | --- |\n")
		for _, row := range res.Rows {
			pv := "—"
			if row.ProviderVersion != nil {
				pv = mdText(row.ProviderVersion.Number)
			}
			result := "❔ not verified"
			if v := row.Verification; v != nil {
				result = "❌ failed"
				if v.Success {
					result = "✅ passed"
				}
				if link := linkURL(v.BuildURL); link != "" {
					result += " ([build](" + link + "))"
				}
			}
			if row.Ignored {
				result += " (ignored)"
			}
			mw.printf("| %s | %s | %s | %s | %s |\n", mdText(row.Consumer), mdText(row.ConsumerVersion.Number), mdText(row.Provider), pv, result)
		}
		mw.printf("\n")
	}
	for _, n := range res.Notices {
		mw.printf("- **%s:** %s\n", mdText(strings.ToUpper(n.Type)), mdText(n.Text))
	}
	if len(res.Notices) > 0 {
		mw.printf("\n")
	}
	return mw.err
}

type mdWriter struct {
	w   io.Writer
	n   int // bytes written
	err error
}

func (mw *mdWriter) printf(format string, args ...any) {
	if mw.err == nil {
		n, err := fmt.Fprintf(mw.w, format, args...)
		mw.n += n
		if err != nil {
			mw.err = fmt.Errorf("write Markdown summary: %w", err)
		}
	}
}

// mdCell is mdText of the first maxSummaryCell bytes of s.
func mdCell(s string) string {
	if len(s) > maxSummaryCell {
		s = strings.ToValidUTF8(s[:maxSummaryCell], "") + "…"
	}
	return mdText(s)
}

// mdText escapes text for a Markdown paragraph or table cell: HTML special
// characters become entities, Markdown punctuation is backslash-escaped,
// and line breaks become <br> so that a cell stays on its row.
func mdText(s string) string {
	return mdEscaper.Replace(s)
}

var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "|", `\|`, "~", `\~`, "#", `\#`, "$", `\$`, // GitHub renders $...$ as math
	"\r\n", "<br>", "\n", "<br>", "\r", "<br>",
)

// htmlText escapes text for an HTML element such as <summary>, where
// Markdown is not rendered.
func htmlText(s string) string {
	return htmlEscaper.Replace(s)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\r\n", " ", "\n", " ", "\r", " ")

// codeFence returns a backtick fence longer than any run of backticks in
// s, so the code block cannot be closed early.
func codeFence(s string) string {
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// linkURL returns u for use as a Markdown link target when it is an
// http(s) URL, with the characters that would end the target escaped;
// "" otherwise.
func linkURL(u string) string {
	if !verify.IsURL(u) {
		return ""
	}
	return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E").Replace(u)
}
