package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/contracts-dev/contracts/broker"
)

// Network layout: columns of boxes, consumers left of their providers.
const (
	netRowHeight  = 28 // vertical pitch of the boxes
	netBoxHeight  = 22
	netColumnGap  = 90  // horizontal room for the edges between columns
	netMaxRows    = 100 // a longer column is split into several (edges then cross the first part)
	netMaxLabel   = 240 // widest box, in pixels; longer names are cut
	netMargin     = 16
	netCharWidth  = 7.2 // per character of the 12px label font
	netSweeps     = 6   // barycenter ordering passes
	netEdgeColour = "#9aa5b1"
)

// netEdge is one integration in the network.
type netEdge struct {
	Consumer, Provider string
	Status             string // verification status of the latest pact
}

// netNode is a pacticipant placed in the layout.
type netNode struct {
	Name    string
	Layer   int // column, consumers first
	Row     int
	Column  int // after long layers are split
	X, Y, W int
}

type networkData struct {
	Focus     string
	SVG       template.HTML
	Nodes     int
	Edges     int
	Layers    int
	EstateURL string
	Counts    statusCounts
}

// network shows the estate: every integration as an edge from consumer
// to provider, laid out in columns.
func (h *handler) network(r *http.Request) (*page, error) {
	edges, err := h.networkEdges(r, "")
	if err != nil {
		return nil, err
	}
	d := h.networkData(edges, "")
	return &page{name: "network", title: "Network", nav: "network", data: d, json: h.link("/integrations")}, nil
}

// pacticipantNetwork shows one pacticipant with its consumers and
// providers.
func (h *handler) pacticipantNetwork(r *http.Request) (*page, error) {
	name := r.PathValue("name")
	if _, err := h.store.GetPacticipant(r.Context(), name); err != nil {
		return nil, wrapf(err, "pacticipant %q", name)
	}
	edges, err := h.networkEdges(r, name)
	if err != nil {
		return nil, err
	}
	d := h.networkData(edges, name)
	return &page{name: "network", title: name + " network", nav: "network", data: d, json: noJSON}, nil
}

func (h *handler) networkData(edges []netEdge, focus string) networkData {
	nodes := layoutNetwork(edges, focus)
	d := networkData{Focus: focus, Nodes: len(nodes), Edges: len(edges), EstateURL: h.link("/network")}
	for _, n := range nodes {
		d.Layers = max(d.Layers, n.Layer+1)
	}
	for _, e := range edges {
		d.Counts.add(e.Status)
	}
	d.SVG = h.renderNetwork(nodes, edges, focus)
	return d
}

// networkEdges lists the integrations (those of focus when set) with the
// status of their latest pact.
func (h *handler) networkEdges(r *http.Request, focus string) ([]netEdge, error) {
	ctx := r.Context()
	all, err := h.allIntegrations(ctx)
	if err != nil {
		return nil, err
	}
	var edges []netEdge
	for _, in := range all {
		if focus != "" && in.Consumer != focus && in.Provider != focus {
			continue
		}
		e := netEdge{Consumer: in.Consumer, Provider: in.Provider, Status: statusUnverified}
		pacts, err := h.store.ListPactVersions(ctx, in.Consumer, in.Provider, broker.Page{Limit: 1})
		if err != nil && !errors.Is(err, broker.ErrNotFound) {
			return nil, wrapf(err, "latest pact of %s and %s", in.Consumer, in.Provider)
		}
		if len(pacts) > 0 {
			v, err := h.store.LatestVerification(ctx, in.Consumer, in.Provider, pacts[0].SHA)
			switch {
			case err == nil:
				e.Status = verificationStatus(&v)
			case !errors.Is(err, broker.ErrNotFound):
				return nil, wrapf(err, "latest verification of %s and %s", in.Consumer, in.Provider)
			}
		}
		edges = append(edges, e)
	}
	return edges, nil
}

// layoutNetwork places the pacticipants of edges: each in the column after
// its furthest consumer (cycles broken where a depth-first walk meets
// them), long columns split, and the rows of each column ordered by the
// mean row of their neighbours to keep edges short and crossings few.
func layoutNetwork(edges []netEdge, focus string) []*netNode {
	byName := map[string]*netNode{}
	out := map[string][]string{}
	in := map[string][]string{}
	node := func(name string) {
		if _, ok := byName[name]; !ok {
			byName[name] = &netNode{Name: name}
		}
	}
	for _, e := range edges {
		node(e.Consumer)
		node(e.Provider)
		if e.Consumer != e.Provider {
			out[e.Consumer] = append(out[e.Consumer], e.Provider)
			in[e.Provider] = append(in[e.Provider], e.Consumer)
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)

	// Break cycles: a depth-first walk from the names in order drops the
	// edges that lead back onto its path.
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	forward := map[string][]string{}
	var walk func(string)
	walk = func(n string) {
		state[n] = onPath
		for _, p := range out[n] {
			switch state[p] {
			case unseen:
				forward[n] = append(forward[n], p)
				walk(p)
			case done:
				forward[n] = append(forward[n], p)
			}
		}
		state[n] = done
	}
	for _, n := range names {
		if state[n] == unseen && len(in[n]) == 0 {
			walk(n)
		}
	}
	for _, n := range names {
		if state[n] == unseen {
			walk(n)
		}
	}
	// Longest path from the pure consumers, in topological order.
	indeg := map[string]int{}
	for _, n := range names {
		for _, p := range forward[n] {
			indeg[p]++
		}
	}
	var queue []string
	for _, n := range names {
		if indeg[n] == 0 {
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, p := range forward[n] {
			byName[p].Layer = max(byName[p].Layer, byName[n].Layer+1)
			if indeg[p]--; indeg[p] == 0 {
				queue = append(queue, p)
			}
		}
	}
	// With a focus, its consumers go left of it and its providers right.
	if f, ok := byName[focus]; ok {
		f.Layer = 1
		for _, n := range names {
			switch {
			case n == focus:
			case contains(out[focus], n) && contains(in[focus], n):
				byName[n].Layer = 2
			case contains(out[focus], n):
				byName[n].Layer = 2
			default:
				byName[n].Layer = 0
			}
		}
	}

	layers := 0
	for _, n := range byName {
		layers = max(layers, n.Layer+1)
	}
	cols := make([][]*netNode, layers)
	for _, name := range names {
		n := byName[name]
		cols[n.Layer] = append(cols[n.Layer], n)
	}
	pos := func(n string) int { return byName[n].Row }
	renumber := func(col []*netNode) {
		for i, n := range col {
			n.Row = i
		}
	}
	for _, col := range cols {
		renumber(col)
	}
	mean := func(ns []string, layer int) (float64, bool) {
		sum, k := 0, 0
		for _, o := range ns {
			if byName[o].Layer == layer {
				sum += pos(o)
				k++
			}
		}
		if k == 0 {
			return 0, false
		}
		return float64(sum) / float64(k), true
	}
	for sweep := 0; sweep < netSweeps; sweep++ {
		down := sweep%2 == 0
		for li := range cols {
			l := li
			var neighbours map[string][]string
			var other int
			if down {
				neighbours, other = in, l-1
			} else {
				l = len(cols) - 1 - li
				neighbours, other = out, l+1
			}
			if other < 0 || other >= len(cols) {
				continue
			}
			col := cols[l]
			key := make(map[string]float64, len(col))
			for _, n := range col {
				if m, ok := mean(neighbours[n.Name], other); ok {
					key[n.Name] = m
				} else {
					key[n.Name] = float64(n.Row)
				}
			}
			sort.SliceStable(col, func(i, j int) bool { return key[col[i].Name] < key[col[j].Name] })
			renumber(col)
		}
	}

	// Place: split long layers into columns of at most netMaxRows, each
	// as wide as its widest label.
	x := netMargin
	column := 0
	var placed []*netNode
	for _, col := range cols {
		for start := 0; start < len(col); start += netMaxRows {
			part := col[start:min(start+netMaxRows, len(col))]
			w := 0
			for _, n := range part {
				w = max(w, labelWidth(n.Name))
			}
			for i, n := range part {
				n.Column, n.X, n.W = column, x, w
				n.Y = netMargin + 24 + i*netRowHeight
				placed = append(placed, n)
			}
			x += w + netColumnGap
			column++
		}
	}
	return placed
}

func labelWidth(name string) int {
	return min(netMaxLabel, int(float64(len([]rune(name)))*netCharWidth)+20)
}

// cutLabel shortens a name to fit a box of width w.
func cutLabel(name string, w int) string {
	if labelWidth(name) <= w {
		return name
	}
	rs := []rune(name)
	fit := int(float64(w-20) / netCharWidth)
	if len(rs) <= fit || fit < 2 {
		return name
	}
	return string(rs[:fit-1]) + "…"
}

func edgeColour(status string) string {
	switch status {
	case statusSuccess:
		return colourGreen
	case statusFailed:
		return colourRed
	}
	return netEdgeColour
}

// renderNetwork draws the laid-out nodes and the edges as SVG, each box a
// link to its pacticipant's page.
func (h *handler) renderNetwork(nodes []*netNode, edges []netEdge, focus string) template.HTML {
	byName := map[string]*netNode{}
	width, height := 2*netMargin, 2*netMargin+24
	for _, n := range nodes {
		byName[n.Name] = n
		width = max(width, n.X+n.W+netMargin)
		height = max(height, n.Y+netBoxHeight+netMargin)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg class="network" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="group" aria-label="Network of %d pacticipants and %d integrations">`,
		width, height, width, height, len(nodes), len(edges))
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#7b8794"/></marker></defs>`)
	b.WriteString(`<g class="edges" fill="none" stroke-width="1.3">`)
	for _, e := range edges {
		c, p := byName[e.Consumer], byName[e.Provider]
		if c == nil || p == nil {
			continue
		}
		x1, y1 := c.X+c.W, c.Y+netBoxHeight/2
		x2, y2 := p.X, p.Y+netBoxHeight/2
		var d string
		switch {
		case c == p:
			d = fmt.Sprintf("M%d,%d C%d,%d %d,%d %d,%d", x1, y1-4, x1+30, y1-24, x1+30, y1+24, x1, y1+4)
		case p.Column > c.Column:
			dx := max(30, (x2-x1)/2)
			d = fmt.Sprintf("M%d,%d C%d,%d %d,%d %d,%d", x1, y1, x1+dx, y1, x2-dx, y2, x2, y2)
		default:
			// A provider in the same or an earlier column (a cycle):
			// loop out right and come back in from the left.
			d = fmt.Sprintf("M%d,%d C%d,%d %d,%d %d,%d", x1, y1, x1+60, y1+netRowHeight, x2-60, y2+netRowHeight, x2, y2)
		}
		fmt.Fprintf(&b, `<path d="%s" stroke="%s" stroke-opacity="0.75" marker-end="url(#arrow)"><title>%s → %s: %s</title></path>`,
			d, edgeColour(e.Status), esc(e.Consumer), esc(e.Provider), statusText(e.Status))
	}
	b.WriteString(`</g><g class="nodes" font-family="system-ui, sans-serif" font-size="12">`)
	for _, n := range nodes {
		fill, stroke, weight := "#ffffff", "#cbd2d9", "500"
		if n.Name == focus {
			fill, stroke, weight = "#eef3fe", "#2251cc", "700"
		}
		fmt.Fprintf(&b, `<a href="%s"><title>%s</title><rect x="%d" y="%d" width="%d" height="%d" rx="5" fill="%s" stroke="%s"/><text x="%d" y="%d" fill="#1f2933" font-weight="%s">%s</text></a>`,
			esc(h.link("/pacticipants", n.Name, "network")), esc(n.Name), n.X, n.Y, n.W, netBoxHeight, fill, stroke, n.X+10, n.Y+15, weight, esc(cutLabel(n.Name, n.W)))
	}
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String()) //nolint:gosec // every name is escaped above
}

func statusText(s string) string {
	switch s {
	case statusSuccess:
		return "verified"
	case statusFailed:
		return "failed"
	}
	return "unverified"
}

// dot writes the integrations as a Graphviz digraph.
func (h *handler) dot(w http.ResponseWriter, r *http.Request) {
	edges, err := h.networkEdges(r, "")
	if err != nil {
		h.forRequest(r).fail(w, r, err)
		return
	}
	var b strings.Builder
	b.WriteString("digraph integrations {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n")
	for _, e := range edges {
		fmt.Fprintf(&b, "  %s -> %s [color=%q, tooltip=%q];\n", dotID(e.Consumer), dotID(e.Provider), edgeColour(e.Status), statusText(e.Status))
	}
	b.WriteString("}\n")
	hd := w.Header()
	hd.Set("Content-Type", "text/vnd.graphviz; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Vary", "Accept")
	hd.Set("Cache-Control", "private, no-cache")
	hd.Set("Content-Length", strconv.Itoa(b.Len()))
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(b.String()))
	}
}

// dotID quotes a name as a DOT identifier.
func dotID(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// integrations answers GET /integrations for the view: DOT when asked
// for text/vnd.graphviz, else the integrations page.
func (h *handler) integrations(w http.ResponseWriter, r *http.Request) {
	if strings.Contains(r.Header.Get("Accept"), "text/vnd.graphviz") {
		h.dot(w, r)
		return
	}
	rh := h.forRequest(r)
	p, err := rh.index(r)
	if err != nil {
		rh.fail(w, r, err)
		return
	}
	rh.render(w, r, http.StatusOK, p)
}
