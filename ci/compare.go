package ci

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/contracts-dev/contracts/formats/compare"
)

// ComparedPact is one pact compared with a provider's documents.
type ComparedPact struct {
	// File names the pact (a path or URL); empty when it came from elsewhere.
	File               string
	Consumer, Provider string
	Results            []compare.Result
}

// groups returns the results of p by operation, operations in first-seen
// order.
func groups(p ComparedPact) (order []string, by map[string][]compare.Result) {
	by = map[string][]compare.Result{}
	for _, r := range p.Results {
		if _, ok := by[r.Operation]; !ok {
			order = append(order, r.Operation)
		}
		by[r.Operation] = append(by[r.Operation], r)
	}
	return order, by
}

func counts(rs []compare.Result) (errs, warns int) {
	for _, r := range rs {
		switch r.Type {
		case compare.TypeError:
			errs++
		case compare.TypeWarning:
			warns++
		}
	}
	return errs, warns
}

// WriteCompareText writes the results of each pact grouped by operation,
// each result with its type, code, message and where it is in the pact.
func WriteCompareText(w io.Writer, pacts []ComparedPact) error {
	var b strings.Builder
	for _, p := range pacts {
		errs, warns := counts(p.Results)
		fmt.Fprintf(&b, "Comparing the pact between %s and %s", p.Consumer, p.Provider)
		if p.File != "" {
			fmt.Fprintf(&b, " (%s)", p.File)
		}
		b.WriteString("\n")
		order, by := groups(p)
		for _, op := range order {
			fmt.Fprintf(&b, "  %s\n", op)
			for _, r := range by[op] {
				if r.Type == compare.TypeInfo {
					continue
				}
				fmt.Fprintf(&b, "    %-7s %s: %s\n", r.Type, r.Code, r.Message)
				if r.MockDetails != nil {
					fmt.Fprintf(&b, "            interaction %q at %s\n", r.MockDetails.InteractionDescription, r.MockDetails.Location)
				}
				for _, c := range r.Causes {
					fmt.Fprintf(&b, "            - %s: %s\n", c.Code, c.Message)
				}
			}
		}
		verdict := "compatible"
		if errs > 0 {
			verdict = "INCOMPATIBLE"
		}
		fmt.Fprintf(&b, "  %s: %d errors, %d warnings\n", verdict, errs, warns)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CompareAnnotations returns one error annotation per pact operation with
// errors, and one warning annotation per operation with only warnings.
func CompareAnnotations(pacts []ComparedPact) []Annotation {
	var out []Annotation
	for _, p := range pacts {
		order, by := groups(p)
		for _, op := range order {
			errs, warns := counts(by[op])
			if errs == 0 && warns == 0 {
				continue
			}
			var msg []string
			for _, r := range by[op] {
				if r.Type == compare.TypeError || (errs == 0 && r.Type == compare.TypeWarning) {
					msg = append(msg, r.Code+": "+r.Message)
				}
			}
			sort.Strings(msg)
			a := Annotation{Level: LevelError, Title: fmt.Sprintf("%s -> %s: %s is incompatible", p.Consumer, p.Provider, op),
				File: annotationFile(p.File), Message: strings.Join(msg, "\n")}
			if errs == 0 {
				a.Level = LevelWarning
				a.Title = fmt.Sprintf("%s -> %s: %s has warnings", p.Consumer, p.Provider, op)
			}
			out = append(out, a)
		}
	}
	return limitAnnotations(out)
}

// WriteCompareAnnotations writes CompareAnnotations as workflow commands.
func WriteCompareAnnotations(w io.Writer, pacts []ComparedPact) error {
	return WriteAnnotations(w, CompareAnnotations(pacts))
}

// WriteCompareMarkdown writes a job summary: the verdict, a table of the
// pacts with their error and warning counts, then each pact's errors and
// warnings grouped by operation.
func WriteCompareMarkdown(w io.Writer, pacts []ComparedPact) error {
	mw := &mdWriter{w: w}
	failed := false
	for _, p := range pacts {
		if compare.HasErrors(p.Results) {
			failed = true
		}
	}
	verdict := "✅ The pacts are compatible with the provider's documents"
	if failed {
		verdict = "❌ Some pacts are incompatible with the provider's documents"
	}
	mw.printf("## %s\n\n| Consumer | Provider | Errors | Warnings |\n| --- | --- | ---: | ---: |\n", verdict)
	for _, p := range pacts {
		errs, warns := counts(p.Results)
		mw.printf("| %s | %s | %d | %d |\n", mdCell(p.Consumer), mdCell(p.Provider), errs, warns)
	}
	for _, p := range pacts {
		order, by := groups(p)
		first := true
		for _, op := range order {
			rows := 0
			for _, r := range by[op] {
				if r.Type == compare.TypeInfo {
					continue
				}
				if first {
					mw.printf("\n### %s → %s\n", mdText(p.Consumer), mdText(p.Provider))
					first = false
				}
				if rows == 0 {
					mw.printf("\n**%s**\n\n| Type | Code | Message | Where |\n| --- | --- | --- | --- |\n", mdText(op))
				}
				rows++
				if mw.n > maxSummaryBytes {
					continue
				}
				where := ""
				if r.MockDetails != nil {
					where = r.MockDetails.Location
				}
				mw.printf("| %s | `%s` | %s | %s |\n", r.Type, strings.ReplaceAll(r.Code, "`", ""), mdCell(r.Message), mdCell(where))
			}
		}
	}
	mw.printf("\n")
	return mw.err
}
