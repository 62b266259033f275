package ci

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/verify"
)

// Level is the kind of a GitHub Actions annotation, the workflow command's
// name.
type Level string

// Annotation levels.
const (
	LevelError   Level = "error"
	LevelWarning Level = "warning"
	LevelNotice  Level = "notice"
)

// Annotation is one GitHub Actions annotation. Written to a step's stdout
// or stderr as a workflow command (its String), it shows on the run's
// summary page and, when File names a file of the repository, beside that
// file in the pull request.
type Annotation struct {
	Level Level
	// Title is the annotation's heading.
	Title string
	// File is a path relative to the repository root; empty for none.
	File string
	// Line is the 1-based line in File; 0 for none.
	Line int
	// Message is the annotation's text; it may span lines.
	Message string
}

// String returns the annotation as a workflow command,
// "::error file=F,line=N,title=T::message", with its properties and
// message escaped as GitHub's runner decodes them, so that no value can end
// the command early or start another one.
func (a Annotation) String() string {
	var b strings.Builder
	b.WriteString("::")
	b.WriteString(string(a.Level))
	var props []string
	if a.File != "" {
		props = append(props, "file="+EscapeProperty(a.File))
	}
	if a.Line > 0 {
		props = append(props, "line="+strconv.Itoa(a.Line))
	}
	if a.Title != "" {
		props = append(props, "title="+EscapeProperty(a.Title))
	}
	if len(props) > 0 {
		b.WriteByte(' ')
		b.WriteString(strings.Join(props, ","))
	}
	b.WriteString("::")
	b.WriteString(EscapeData(a.Message))
	return b.String()
}

// EscapeData escapes the message of a workflow command: "%", carriage
// returns and line feeds become %25, %0D and %0A (a raw line feed would end
// the command, so a multi-line message must be escaped to stay one).
func EscapeData(s string) string {
	return dataEscaper.Replace(s)
}

// EscapeProperty escapes a property value of a workflow command: as
// EscapeData, and also ":" and "," (%3A, %2C), which end a value.
func EscapeProperty(s string) string {
	return propertyEscaper.Replace(s)
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// Annotations turns a verification report into GitHub annotations: an
// error for each failed interaction, with its failures and mismatches (path,
// what was expected, what was seen); a warning for each pending failure
// (it does not fail the build); then a warning for each distinct warning of
// a pact, naming the interactions that had it (a missing state change URL
// would otherwise repeat for every interaction, and GitHub shows only the
// first few annotations of a step). Annotations of a pact read from a local
// file name that file. Past MaxAnnotations of a level, one annotation lists
// the rest; past 50 mismatches of a failure, the message says how many more.
func Annotations(r *verify.Report) []Annotation {
	var out []Annotation
	for _, p := range r.Pacts {
		file := annotationFile(p.Source)
		for _, in := range p.Interactions {
			title := p.Consumer + " -> " + p.Provider + ": " + in.Description
			switch in.Status {
			case verify.StatusFailed:
				out = append(out, Annotation{Level: LevelError, Title: "Contract failed: " + title, File: file, Message: failureMessage(in)})
			case verify.StatusPending:
				out = append(out, Annotation{Level: LevelWarning, Title: "Pending contract failed: " + title, File: file,
					Message: "Pending: this failure does not fail the verification.\n" + failureMessage(in)})
			}
		}
	}
	for _, p := range r.Pacts {
		file := annotationFile(p.Source)
		var texts []string
		by := map[string][]string{} // warning text -> interactions
		for _, in := range p.Interactions {
			for _, w := range in.Warnings {
				if len(by[w]) == 0 {
					texts = append(texts, w)
				}
				if d := by[w]; len(d) == 0 || d[len(d)-1] != in.Description {
					by[w] = append(d, in.Description)
				}
			}
		}
		for _, w := range texts {
			descs := by[w]
			title := "Warning: " + p.Consumer + " -> " + p.Provider + ": " + descs[0]
			msg := w
			if len(descs) > 1 {
				title = fmt.Sprintf("Warning: %s -> %s (%d interactions)", p.Consumer, p.Provider, len(descs))
				msg += "\nInteractions: " + strings.Join(descs, "; ")
			}
			out = append(out, Annotation{Level: LevelWarning, Title: title, File: file, Message: msg})
		}
	}
	return limitAnnotations(out)
}

// MaxAnnotations is how many annotations of each level a step shows on
// GitHub; it ignores the others. Annotations keeps within it: past it, the
// last annotation of a level lists the titles of those it stands for.
const MaxAnnotations = 10

// maxListed bounds the titles listed in the annotation standing for others.
const maxListed = 50

func limitAnnotations(as []Annotation) []Annotation {
	count := map[Level]int{}
	for _, a := range as {
		count[a.Level]++
	}
	var out []Annotation
	rest := map[Level][]string{}
	var levels []Level
	kept := map[Level]int{}
	for _, a := range as {
		if count[a.Level] <= MaxAnnotations || kept[a.Level] < MaxAnnotations-1 {
			out = append(out, a)
			kept[a.Level]++
			continue
		}
		if len(rest[a.Level]) == 0 {
			levels = append(levels, a.Level)
		}
		rest[a.Level] = append(rest[a.Level], a.Title)
	}
	for _, l := range levels {
		titles := rest[l]
		msg := titles
		if len(msg) > maxListed {
			msg = append(msg[:maxListed:maxListed], fmt.Sprintf("... and %d more", len(titles)-maxListed))
		}
		out = append(out, Annotation{Level: l, Title: fmt.Sprintf("%d more %s annotations: see the log", len(titles), l), Message: strings.Join(msg, "\n")})
	}
	return out
}

// WriteGitHubAnnotations writes the annotations of the report
// (Annotations), one workflow command a line.
func WriteGitHubAnnotations(w io.Writer, r *verify.Report) error {
	return WriteAnnotations(w, Annotations(r))
}

// CanIDeployAnnotations turns a can-i-deploy answer into GitHub
// annotations: none when deploying is safe; otherwise one error with the
// broker's reason and the rows that stand in the way (failed or missing
// verifications, ignored rows left out).
func CanIDeployAnnotations(res *broker.MatrixResult) []Annotation {
	d := res.Summary.Deployable
	if d != nil && *d {
		return nil
	}
	title := "can-i-deploy: computer says no"
	if d == nil {
		title = "can-i-deploy: computer cannot tell"
	}
	lines := []string{}
	if res.Summary.Reason != "" {
		lines = append(lines, res.Summary.Reason)
	}
	listed := 0
	for _, row := range res.Rows {
		if row.Ignored || (row.Verification != nil && row.Verification.Success) {
			continue
		}
		if listed++; listed > maxListed {
			continue
		}
		what := "not verified"
		if row.Verification != nil {
			what = "verification failed"
		}
		lines = append(lines, fmt.Sprintf("%s %s -> %s %s: %s", row.Consumer, row.ConsumerVersion.Number, row.Provider, providerVersion(row), what))
	}
	if listed > maxListed {
		lines = append(lines, fmt.Sprintf("... and %d more", listed-maxListed))
	}
	return []Annotation{{Level: LevelError, Title: title, Message: strings.Join(lines, "\n")}}
}

// WriteCanIDeployAnnotations writes the annotations of a can-i-deploy
// answer (CanIDeployAnnotations), one workflow command a line.
func WriteCanIDeployAnnotations(w io.Writer, res *broker.MatrixResult) error {
	return WriteAnnotations(w, CanIDeployAnnotations(res))
}

// WriteAnnotations writes annotations, one workflow command a line.
func WriteAnnotations(w io.Writer, as []Annotation) error {
	for _, a := range as {
		if _, err := io.WriteString(w, a.String()+"\n"); err != nil {
			return fmt.Errorf("write GitHub annotations: %w", err)
		}
	}
	return nil
}

// annotationFile is the file an annotation names for a pact source: the
// path with forward slashes for a local file, "" for a URL.
func annotationFile(source string) string {
	if source == "" || verify.IsURL(source) || strings.Contains(source, "://") {
		return ""
	}
	return strings.TrimPrefix(filepath.ToSlash(filepath.Clean(source)), "./")
}

// failureMessage lists an interaction's provider states, request and
// failures with their mismatches, one a line.
func failureMessage(in verify.InteractionResult) string {
	var lines []string
	for _, st := range in.States {
		lines = append(lines, "Given "+st.Name+stateParams(st.Params))
	}
	if in.Request != "" {
		lines = append(lines, "Request: "+in.Request)
	}
	for _, f := range in.Failures {
		lines = append(lines, f.Summary)
		if f.Error != "" {
			lines = append(lines, "  "+strings.ReplaceAll(f.Error, "\n", "\n    "))
		}
		for i, m := range f.Mismatches {
			if i == maxListed {
				lines = append(lines, fmt.Sprintf("  ... and %d more mismatches", len(f.Mismatches)-i))
				break
			}
			lines = append(lines, "  "+mismatchText(m))
		}
	}
	return strings.Join(lines, "\n")
}

// mismatchText is "path: message (expected X, actual Y)", leaving out the
// expected and actual values when the message already shows both.
func mismatchText(m verify.Mismatch) string {
	where := m.Path
	if where == "" {
		where = m.Kind
	}
	msg := m.Message
	if m.Expected != "" || m.Actual != "" {
		if msg == "" || !strings.Contains(msg, m.Expected) || !strings.Contains(msg, m.Actual) {
			values := fmt.Sprintf("expected %s, actual %s", orNone(m.Expected), orNone(m.Actual))
			if msg == "" {
				msg = values
			} else {
				msg += " (" + values + ")"
			}
		}
	}
	return where + ": " + msg
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func stateParams(p map[string]any) string {
	if len(p) == 0 {
		return ""
	}
	b, err := json.Marshal(p) // map keys sorted: stable output
	if err != nil {
		return ""
	}
	return " " + string(b)
}

func providerVersion(row broker.MatrixRow) string {
	if row.ProviderVersion == nil {
		return "(no version)"
	}
	return row.ProviderVersion.Number
}

// StopCommands returns the workflow command after which the GitHub runner
// runs no workflow command until ResumeCommands(token): text printed in
// between, such as a report quoting pacts and provider responses, cannot
// run commands (the runner trims leading space, so an indented
// "::add-mask::..." line would otherwise be one). token must be hard to
// guess: the text must not be able to resume commands itself.
func StopCommands(token string) string { return "::stop-commands::" + token }

// ResumeCommands returns the workflow command that ends StopCommands(token).
func ResumeCommands(token string) string { return "::" + token + "::" }
