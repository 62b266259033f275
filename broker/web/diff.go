package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
)

// diffLine is one line of a line diff: Op is ' ' (both), '-' (only in the
// older pact) or '+' (only in the newer).
type diffLine struct {
	Op   string
	Text string
}

type interactionDiff struct {
	Title string
	// Change is "added", "removed" or "changed".
	Change string
	Lines  []diffLine
}

type pactSide struct {
	Version   string
	URL       string
	SHA       string
	Published time.Time
}

type diffData struct {
	Consumer, Provider       string
	ConsumerURL, ProviderURL string
	MatrixURL                string
	Old, New                 *pactSide
	// NoPrevious is set when the version has no earlier pact with other
	// content.
	NoPrevious bool
	Same       bool
	Changes    []interactionDiff
	Unchanged  int
	// Other holds the changes outside the interactions (metadata left
	// out: the writer's version differs between any two pacts).
	Other []diffLine
}

// diff compares the pact of a consumer version with the previous distinct
// one, or with the pact of another version, interaction by interaction.
func (h *handler) diff(r *http.Request) (*page, error) {
	ctx := r.Context()
	consumer, provider, version := r.PathValue("consumer"), r.PathValue("provider"), r.PathValue("version")
	newer, err := h.store.GetPact(ctx, consumer, provider, version)
	if errors.Is(err, broker.ErrNotFound) {
		return nil, notFound("%s has no pact with %s for version %q", consumer, provider, version)
	}
	if err != nil {
		return nil, wrapf(err, "pact of %q %q", consumer, version)
	}
	d := diffData{Consumer: consumer, Provider: provider, ConsumerURL: h.pacticipantLink(consumer), ProviderURL: h.pacticipantLink(provider),
		MatrixURL: h.matrixLink(consumer, provider), New: h.side(newer)}
	var older *broker.Pact
	if other := r.PathValue("other"); other != "" {
		p, err := h.store.GetPact(ctx, consumer, provider, other)
		if errors.Is(err, broker.ErrNotFound) {
			return nil, notFound("%s has no pact with %s for version %q", consumer, provider, other)
		}
		if err != nil {
			return nil, wrapf(err, "pact of %q %q", consumer, other)
		}
		older = &p
	} else {
		older, err = h.previousDistinct(r, newer)
		if err != nil {
			return nil, err
		}
	}
	title := fmt.Sprintf("%s → %s: changes in %s", consumer, provider, version)
	if older == nil {
		d.NoPrevious = true
		return &page{name: "diff", title: title, nav: "integrations", data: d, json: noJSON}, nil
	}
	d.Old = h.side(*older)
	d.Same = older.SHA == newer.SHA
	if !d.Same {
		oldContent, err := h.store.GetPact(ctx, consumer, provider, older.ConsumerVersion)
		if err != nil {
			return nil, wrapf(err, "pact of %q %q", consumer, older.ConsumerVersion)
		}
		d.Changes, d.Unchanged, d.Other = diffPacts(oldContent.Content, newer.Content)
	}
	return &page{name: "diff", title: title, nav: "integrations", data: d, json: noJSON}, nil
}

func (h *handler) side(p broker.Pact) *pactSide {
	return &pactSide{Version: p.ConsumerVersion, URL: h.pactLink(p.Consumer, p.Provider, p.ConsumerVersion), SHA: p.SHA, Published: p.CreatedAt}
}

// previousDistinct finds the newest pact of an older consumer version
// whose content differs from p's, or nil.
func (h *handler) previousDistinct(r *http.Request, p broker.Pact) (*broker.Pact, error) {
	found := false
	for offset := 0; ; offset += broker.MaxPageSize {
		pacts, err := h.store.ListPactVersions(r.Context(), p.Consumer, p.Provider, broker.Page{Offset: offset, Limit: broker.MaxPageSize})
		if err != nil {
			return nil, wrapf(err, "pacts of %q and %q", p.Consumer, p.Provider)
		}
		for i := range pacts {
			if pacts[i].ConsumerVersion == p.ConsumerVersion {
				found = true
				continue
			}
			if found && pacts[i].SHA != p.SHA {
				return &pacts[i], nil
			}
		}
		if len(pacts) < broker.MaxPageSize {
			return nil, nil
		}
	}
}

// diffPacts compares two pact documents by interaction: interactions are
// matched by description and provider states.
func diffPacts(older, newer []byte) (changes []interactionDiff, unchanged int, other []diffLine) {
	oi, orest := splitPact(older)
	ni, nrest := splitPact(newer)
	seen := map[string]bool{}
	for _, n := range ni {
		seen[n.key] = true
		o, ok := find(oi, n.key)
		switch {
		case !ok:
			changes = append(changes, interactionDiff{Title: n.title, Change: "added", Lines: lineDiff(nil, n.lines)})
		case strings.Join(o.lines, "\n") == strings.Join(n.lines, "\n"):
			unchanged++
		default:
			changes = append(changes, interactionDiff{Title: n.title, Change: "changed", Lines: lineDiff(o.lines, n.lines)})
		}
	}
	for _, o := range oi {
		if !seen[o.key] {
			changes = append(changes, interactionDiff{Title: o.title, Change: "removed", Lines: lineDiff(o.lines, nil)})
		}
	}
	if strings.Join(orest, "\n") != strings.Join(nrest, "\n") {
		other = lineDiff(orest, nrest)
	}
	return changes, unchanged, other
}

type keyedInteraction struct {
	key, title string
	lines      []string
}

func find(xs []keyedInteraction, key string) (keyedInteraction, bool) {
	for _, x := range xs {
		if x.key == key {
			return x, true
		}
	}
	return keyedInteraction{}, false
}

// splitPact returns a pact's interactions (or V3 messages), each as
// indented JSON lines, and the rest of the document without metadata.
func splitPact(content []byte) ([]keyedInteraction, []string) {
	var doc map[string]any
	if json.Unmarshal(content, &doc) != nil {
		return nil, strings.Split(indentJSON(content), "\n")
	}
	var out []keyedInteraction
	for _, field := range []string{"interactions", "messages"} {
		list, _ := doc[field].([]any)
		delete(doc, field)
		for i, it := range list {
			m, _ := it.(map[string]any)
			desc, _ := m["description"].(string)
			states, _ := json.Marshal([]any{m["providerState"], m["providerStates"]})
			if desc == "" {
				desc = fmt.Sprintf("%s %d", field, i+1)
			}
			b, _ := json.MarshalIndent(it, "", "  ")
			out = append(out, keyedInteraction{key: desc + "\x00" + string(states), title: desc, lines: strings.Split(string(b), "\n")})
		}
	}
	delete(doc, "metadata")
	b, _ := json.MarshalIndent(doc, "", "  ")
	return out, strings.Split(string(b), "\n")
}

// maxDiffLines caps the lines compared by lineDiff; longer texts are shown
// as removed and added whole.
const maxDiffLines = 1000

// lineDiff is a longest-common-subsequence line diff.
func lineDiff(a, b []string) []diffLine {
	if len(a) > maxDiffLines || len(b) > maxDiffLines {
		var out []diffLine
		for _, l := range a {
			out = append(out, diffLine{Op: "-", Text: l})
		}
		for _, l := range b {
			out = append(out, diffLine{Op: "+", Text: l})
		}
		return out
	}
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []diffLine
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, diffLine{Op: " ", Text: a[i]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, diffLine{Op: "-", Text: a[i]})
			i++
		default:
			out = append(out, diffLine{Op: "+", Text: b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, diffLine{Op: "-", Text: a[i]})
	}
	for ; j < m; j++ {
		out = append(out, diffLine{Op: "+", Text: b[j]})
	}
	return out
}
