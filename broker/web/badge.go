package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/contracts-dev/contracts/broker"
)

// Badge statuses, the right-hand text of a pact badge. They follow the
// Pact Broker's "pseudo branch" status: the latest pact of a consumer and
// provider (with a tag, or untagged) against the latest verification of
// that line of pacts.
const (
	badgeVerified      = "verified"         // the latest pact's content passed
	badgeFailed        = "failed"           // the latest verification failed
	badgeFailedPending = "failed (pending)" // it failed, but the pact never passed before: pending, not blocking
	badgeChanged       = "changed"          // the last verification passed, then the pact changed
	badgeUnknown       = "unknown"          // never verified
	badgeNotFound      = "not found"        // no such pacticipant, pact or version
)

// Badge colours (shields-style names in comments).
const (
	colourGreen  = "#3a9a38" // brightgreen, darkened for contrast with white text
	colourRed    = "#c7382b" // red
	colourOrange = "#c2571a" // orange
	colourYellow = "#9a6b00" // yellow
	colourGrey   = "#6b7682" // lightgrey
	colourLeft   = "#3f4a55"
)

func badgeColour(status string) string {
	switch status {
	case badgeVerified, "yes":
		return colourGreen
	case badgeFailed, "no":
		return colourRed
	case badgeChanged:
		return colourOrange
	case badgeFailedPending:
		return colourYellow
	}
	return colourGrey
}

// badgeWalk bounds how many pacts of a line are read to find its latest
// verification: a line whose newest badgeWalk pacts were never verified
// shows "unknown".
const badgeWalk = 20

// pactBadge serves the three pact badges.
func (h *handler) pactBadge(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	consumer, provider, tag := r.PathValue("consumer"), r.PathValue("provider"), r.PathValue("tag")
	untagged := strings.HasSuffix(r.URL.Path, "/latest-untagged/badge")
	pick := func(broker.Pact) (bool, error) { return true, nil }
	switch {
	case tag != "":
		pick = func(p broker.Pact) (bool, error) {
			v, err := h.store.GetVersion(ctx, p.Consumer, p.ConsumerVersion)
			return err == nil && contains(v.Tags, tag), ignoreNotFound(err)
		}
	case untagged:
		pick = func(p broker.Pact) (bool, error) {
			v, err := h.store.GetVersion(ctx, p.Consumer, p.ConsumerVersion)
			return err == nil && len(v.Tags) == 0, ignoreNotFound(err)
		}
	}
	status, err := h.lineStatus(ctx, consumer, provider, pick)
	left := badgeTitle(r, consumer, provider, tag, "")
	h.writeBadge(w, r, left, status, err)
}

// lineStatus is the Pact Broker's pseudo-branch status of the pacts
// between consumer and provider that pick accepts.
func (h *handler) lineStatus(ctx context.Context, consumer, provider string, pick func(broker.Pact) (bool, error)) (string, error) {
	return h.lineStatusWalk(ctx, consumer, provider, pick, badgeWalk)
}

// lineStatusWalk is lineStatus reading at most walk picked pacts (and
// at most five pages of walk pacts).
func (h *handler) lineStatusWalk(ctx context.Context, consumer, provider string, pick func(broker.Pact) (bool, error), walk int) (string, error) {
	var latest *broker.Pact
	seen := 0
	for offset := 0; seen < walk && offset < 5*walk; offset += walk {
		pacts, err := h.store.ListPactVersions(ctx, consumer, provider, broker.Page{Offset: offset, Limit: walk})
		if errors.Is(err, broker.ErrNotFound) {
			return badgeNotFound, nil
		}
		if err != nil {
			return "", err
		}
		for i := range pacts {
			ok, err := pick(pacts[i])
			if err != nil {
				return "", err
			}
			if !ok {
				continue
			}
			if latest == nil {
				latest = &pacts[i]
			}
			seen++
			v, err := h.store.LatestVerification(ctx, consumer, provider, pacts[i].SHA)
			if errors.Is(err, broker.ErrNotFound) {
				if seen >= walk {
					break
				}
				continue
			}
			if err != nil {
				return "", err
			}
			return h.verificationBadgeStatus(ctx, latest.SHA, v)
		}
		if len(pacts) < walk {
			break
		}
	}
	if latest == nil {
		return badgeNotFound, nil
	}
	return badgeUnknown, nil
}

// verificationBadgeStatus is the status of a line whose latest pact has
// content latestSHA and whose latest verification is v.
func (h *handler) verificationBadgeStatus(ctx context.Context, latestSHA string, v broker.Verification) (string, error) {
	switch {
	case v.Success && v.PactSHA == latestSHA:
		return badgeVerified, nil
	case v.Success:
		return badgeChanged, nil
	}
	pending, err := h.pendingWhenVerified(ctx, v)
	if err != nil {
		return "", err
	}
	if pending {
		return badgeFailedPending, nil
	}
	return badgeFailed, nil
}

// pendingWhenVerified reports whether v's pact was pending when v ran: it
// had never been verified successfully before (by any provider version).
func (h *handler) pendingWhenVerified(ctx context.Context, v broker.Verification) (bool, error) {
	if v.WIP {
		return true, nil
	}
	before := v.ExecutionDate
	ok, err := h.store.SuccessfullyVerified(ctx, broker.VerifiedQuery{Consumer: v.Consumer, Provider: v.Provider, SHA: v.PactSHA, Before: &before})
	return !ok, err
}

// matrixBadge serves /matrix/provider/{p}/latest/{ptag}/consumer/{c}/latest/{ctag}/badge:
// the latest verification of the latest consumer version tagged ctag by
// the latest provider version tagged ptag.
func (h *handler) matrixBadge(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	consumer, provider := r.PathValue("consumer"), r.PathValue("provider")
	ctag, ptag := r.PathValue("ctag"), r.PathValue("ptag")
	left := badgeTitle(r, consumer, provider, ctag, ptag)
	status, err := func() (string, error) {
		p, err := h.store.LatestPact(ctx, consumer, provider, broker.PactFilter{Tag: ctag})
		if errors.Is(err, broker.ErrNotFound) {
			return badgeNotFound, nil
		}
		if err != nil {
			return "", err
		}
		pv, err := h.store.LatestVersion(ctx, provider, broker.VersionFilter{Tag: ptag})
		if errors.Is(err, broker.ErrNotFound) {
			return badgeUnknown, nil
		}
		if err != nil {
			return "", err
		}
		rows, err := h.store.MatrixRows(ctx, broker.MatrixRowQuery{Mode: broker.RowsBetween, Versions: []broker.VersionRef{
			{Pacticipant: consumer, Number: p.ConsumerVersion}, {Pacticipant: provider, Number: pv.Number}}})
		if err != nil {
			return "", err
		}
		for _, row := range rows {
			if row.Consumer == consumer && row.Provider == provider && row.Verification != nil {
				if row.Verification.Success {
					return badgeVerified, nil
				}
				return badgeFailed, nil
			}
		}
		return badgeUnknown, nil
	}()
	h.writeBadge(w, r, left, status, err)
}

// canIDeployBadge serves the two can-i-deploy badges: the latest version
// with a tag to a tag, and a branch head to an environment.
func (h *handler) canIDeployBadge(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("pacticipant")
	sel := broker.MatrixSelector{Pacticipant: name, Latest: true, Tag: r.PathValue("tag"), Branch: r.PathValue("branch")}
	q := broker.MatrixQuery{Selectors: []broker.MatrixSelector{sel}, LatestBy: broker.LatestByCVP}
	var from, to string
	if env := r.PathValue("environment"); env != "" {
		q.Environment, q.LatestBy = env, broker.LatestByCVPV
		from, to = sel.Branch, env
	} else {
		q.Tag, q.Latest = r.PathValue("to"), true
		from, to = sel.Tag, q.Tag
	}
	left := "can-i-deploy"
	if l := r.URL.Query().Get("label"); l != "" {
		left = l
	}
	verdict, err := func() (string, error) {
		if _, err := h.store.LatestVersion(r.Context(), name, broker.VersionFilter{Tag: sel.Tag, Branch: sel.Branch}); err != nil {
			if errors.Is(err, broker.ErrNotFound) {
				return badgeNotFound, nil
			}
			return "", err
		}
		res, err := broker.QueryMatrix(r.Context(), h.store, q)
		if errors.Is(err, broker.ErrNotFound) || errors.Is(err, broker.ErrInvalid) {
			return badgeNotFound, nil
		}
		if err != nil {
			return "", err
		}
		switch d := res.Summary.Deployable; {
		case d == nil:
			return badgeUnknown, nil
		case *d:
			return "yes", nil
		}
		return "no", nil
	}()
	if err != nil {
		h.writeBadge(w, r, left, "", err)
		return
	}
	right := from + " to " + to + ": " + verdict
	svg := renderBadge(left, right, badgeColour(verdict))
	h.sendBadge(w, r, svg)
}

// badgeTitle is a pact badge's left text: "consumer/provider pact", or
// one side with ?label=consumer|provider, or ?label's own text; names
// shortened to initials with ?initials=true; tags in brackets.
func badgeTitle(r *http.Request, consumer, provider, ctag, ptag string) string {
	q := r.URL.Query()
	initials := q.Get("initials") == "true"
	c, p := badgeName(consumer, initials, ctag), badgeName(provider, initials, ptag)
	switch label := q.Get("label"); strings.ToLower(label) {
	case "":
		return c + "/" + p + " pact"
	case "consumer":
		return c + " pact"
	case "provider":
		return p + " pact"
	default:
		return label
	}
}

func badgeName(name string, initials bool, tag string) string {
	out := strings.ToLower(name)
	if initials {
		if parts := nameParts(name); len(parts) > 1 {
			var b strings.Builder
			for _, p := range parts {
				r := []rune(p)
				b.WriteRune(unicode.ToLower(r[0]))
			}
			out = b.String()
		}
	}
	if tag != "" {
		out += " (" + tag + ")"
	}
	return out
}

// nameParts splits a name at spaces, dashes and underscores, or, when
// there are none, at camel-case humps ("OrderService" -> Order, Service;
// "HTTPServer" -> HTTP, Server).
func nameParts(name string) []string {
	parts := strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '-' || r == '_' || unicode.IsSpace(r) })
	if len(parts) != 1 {
		return parts
	}
	rs := []rune(name)
	var out []string
	start := 0
	for i := 1; i < len(rs); i++ {
		lowerToUpper := unicode.IsUpper(rs[i]) && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]))
		acronymEnd := unicode.IsUpper(rs[i]) && unicode.IsUpper(rs[i-1]) && i+1 < len(rs) && unicode.IsLower(rs[i+1])
		if lowerToUpper || acronymEnd {
			out = append(out, string(rs[start:i]))
			start = i
		}
	}
	return append(out, string(rs[start:]))
}

func (h *handler) writeBadge(w http.ResponseWriter, r *http.Request, left, status string, err error) {
	if err != nil {
		h.log.ErrorContext(r.Context(), "web: badge failed", "path", r.URL.Path, "error", err.Error())
		status = "error"
	}
	h.sendBadge(w, r, renderBadge(left, status, badgeColour(status)))
}

func (h *handler) sendBadge(w http.ResponseWriter, r *http.Request, svg []byte) {
	hd := w.Header()
	hd.Set("Content-Type", "image/svg+xml; charset=utf-8")
	hd.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	// A badge shows live state: caches (a README host's image proxy
	// included) must ask again.
	hd.Set("Cache-Control", "no-cache, max-age=0")
	hd.Set("Content-Length", strconv.Itoa(len(svg)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(svg)
	}
}

// renderBadge draws a two-part flat badge. Text widths are estimated from
// per-character widths of an 11px sans-serif font, so no font file is
// needed; textLength makes the renderer fit the text to the estimate.
func renderBadge(left, right, colour string) []byte {
	const pad = 6
	lw, rw := textWidth(left)+2*pad, textWidth(right)+2*pad
	total := lw + rw
	label := left + ": " + right
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s">`, total, esc(label))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(label))
	b.WriteString(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	fmt.Fprintf(&b, `<clipPath id="r"><rect width="%d" height="20" rx="3" fill="#fff"/></clipPath>`, total)
	fmt.Fprintf(&b, `<g clip-path="url(#r)"><rect width="%d" height="20" fill="%s"/><rect x="%d" width="%d" height="20" fill="%s"/><rect width="%d" height="20" fill="url(#s)"/></g>`,
		lw, colourLeft, lw, rw, colour, total)
	b.WriteString(`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`)
	for _, t := range []struct {
		x, w int
		s    string
	}{{lw / 2, lw - 2*pad, left}, {lw + rw/2, rw - 2*pad, right}} {
		fmt.Fprintf(&b, `<text x="%d" y="15" fill="#010101" fill-opacity=".3" textLength="%d" lengthAdjust="spacingAndGlyphs">%s</text>`, t.x, t.w, esc(t.s))
		fmt.Fprintf(&b, `<text x="%d" y="14" textLength="%d" lengthAdjust="spacingAndGlyphs">%s</text>`, t.x, t.w, esc(t.s))
	}
	b.WriteString(`</g></svg>`)
	return b.Bytes()
}

// textWidth estimates the width in pixels of s in 11px Verdana.
func textWidth(s string) int {
	w := 0.0
	for _, r := range s {
		switch {
		case strings.ContainsRune("il.,:;|!'", r):
			w += 3.5
		case strings.ContainsRune("fjrt()[]/ ", r):
			w += 4.8
		case strings.ContainsRune("mwMW", r):
			w += 10.5
		case unicode.IsUpper(r) || unicode.IsDigit(r) && r > '9':
			w += 8
		case r < 128:
			w += 6.9
		default:
			w += 9
		}
	}
	if w < 1 {
		w = 1
	}
	return int(w + 0.5)
}

func esc(s string) string { return html.EscapeString(s) }

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

func ignoreNotFound(err error) error {
	if errors.Is(err, broker.ErrNotFound) {
		return nil
	}
	return err
}
