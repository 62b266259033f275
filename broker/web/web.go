// Package web is the broker's server-rendered web view: integrations,
// pacticipants and their versions, the matrix of a consumer/provider pair
// and the matrix query form, pacts rendered as readable documentation and
// their diffs, verification results with their mismatches, environments,
// the network of integrations as SVG, and status badges.
//
// Pages are plain HTML built with html/template from embedded templates and
// one embedded stylesheet; they need no JavaScript and load nothing from
// other hosts. The pages live at the same paths as the matching API
// resources where there is one (/pacticipants/{name},
// /pacts/provider/{p}/consumer/{c}/version/{v}, /environments), so a
// server can send a request to the web view or to the API by WantsHTML.
//
//	api := server.New(store, server.Config{})
//	ui := web.NewHandler(store, web.Options{Fallback: api})
//	http.ListenAndServe(addr, web.Negotiate(api, ui))
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

// StylePath is the path (below the prefix) of the view's stylesheet.
const StylePath = "/ui/style.css"

// IconPath is the path (below the prefix) of the view's icon.
const IconPath = "/ui/icon.svg"

// icon is the view's favicon: the brand mark. Without one, browsers ask
// for /favicon.ico and log the 404 as an error.
var icon = []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2251cc"/><path d="M8 12h14l-4-4M24 20H10l4 4" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/></svg>`)

// versionsPerPage and listPerPage size the paginated lists.
const (
	versionsPerPage = 20
	listPerPage     = 50
)

// Options configures NewHandler. The zero value is usable.
type Options struct {
	// BaseURL is what links start with: an absolute URL
	// ("https://broker.example.com/pact") or a path prefix ("/pact"). Its
	// path is also stripped from request paths that start with it, so the
	// handler works both behind http.StripPrefix and mounted as is. Empty
	// means links are root-relative paths.
	BaseURL string
	// Logger receives store failures. nil discards them.
	Logger *slog.Logger
	// Now is the clock relative times ("3 hours ago") are computed from;
	// nil means time.Now.
	Now func() time.Time
	// Fallback, when set, serves the requests for paths the web view has
	// no page for (typically the API handler, so that a browser following
	// an API link gets the JSON). When nil they get an HTML 404 page.
	Fallback http.Handler
}

type handler struct {
	store       broker.Store
	opts        Options
	log         *slog.Logger
	base        string // BaseURL without the trailing slash
	prefix      string // path of BaseURL without the trailing slash
	styleOrigin string // extra CSP style source (BaseURL's origin) or ""
	pages       map[string]*template.Template
	mux         *http.ServeMux
}

// NewHandler returns the web view over store. Pages:
//
//	/ and /ui/                                           integrations
//	/pacticipants                                        pacticipants
//	/pacticipants/{name}                                 a pacticipant and its versions
//	/matrix/provider/{p}/consumer/{c}                    the matrix of an integration
//	/pacts/provider/{p}/consumer/{c}/version/{v}         a pact as documentation
//	/pacts/provider/{p}/consumer/{c}/latest              the latest pact as documentation
//	/pacts/provider/{p}/consumer/{c}/latest/{tag}        the latest pact with a tag
//	/pacts/provider/{p}/consumer/{c}/branch/{b}/latest   the latest pact from a branch
//	/pacts/provider/{p}/consumer/{c}/pact-version/{sha}  a pact version as documentation
//	/environments                                        environments and what is deployed there
//	/environments/{uuid}                                 one environment, with what was deployed there
//	/matrix?p1=&k1=&v1=...&environment=&latestby=        the matrix query form and its answer
//	/network, /pacticipants/{name}/network               the network of integrations as SVG
//	/integrations                                        the integrations page; DOT for Accept: text/vnd.graphviz
//	/pacts/.../version/{v}/diff/previous-distinct        what changed since the previous distinct pact
//	/pacts/.../version/{v}/diff/version/{other}          what changed since another version's pact
//	/pacticipants/{name}/versions/{v}                    a version: branches, tags, deployments, pacts, verifications
//	/pacts/.../pact-version/{sha}/verification-results/{n} a verification result and why it failed
//	/pacts/provider/{p}/consumer/{c}/webhooks            an integration's webhooks, triggered webhooks and their logs
//	/contracts/provider/{p}/version/{v}                  a provider contract (OpenAPI, AsyncAPI) and its comparisons
//
// Badges (SVG, see README): .../latest/badge, .../latest/{tag}/badge,
// .../latest-untagged/badge under /pacts/provider/{p}/consumer/{c};
// /matrix/provider/{p}/latest/{ptag}/consumer/{c}/latest/{ctag}/badge;
// /pacticipants/{p}/latest-version/{tag}/can-i-deploy/to/{tag}/badge;
// /pacticipants/{p}/branches/{b}/latest-version/can-i-deploy/to-environment/{env}/badge.
//
// Lists take ?page=N (from 1).
func NewHandler(store broker.Store, opts Options) http.Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &handler{store: store, opts: opts, log: log, mux: http.NewServeMux()}
	h.base = strings.TrimRight(opts.BaseURL, "/")
	if u, err := url.Parse(h.base); err == nil {
		h.prefix = strings.TrimRight(u.Path, "/")
		if u.Scheme != "" && u.Host != "" {
			h.styleOrigin = u.Scheme + "://" + u.Host
		}
	}
	h.pages = mustParsePages(h.funcs())
	h.routes()
	return h
}

func (h *handler) routes() {
	h.mux.HandleFunc("GET "+StylePath, h.style)
	h.mux.HandleFunc("GET "+IconPath, h.icon)
	h.handle("GET /{$}", (*handler).index)
	h.handle("GET /ui", (*handler).index)
	h.handle("GET /ui/{$}", (*handler).index)
	h.handle("GET /pacticipants", (*handler).pacticipants)
	h.handle("GET /pacticipants/{name}", (*handler).pacticipant)
	h.handle("GET /matrix/provider/{provider}/consumer/{consumer}", (*handler).matrix)
	h.handle("GET /pacts/provider/{provider}/consumer/{consumer}/version/{version}", (*handler).contract)
	h.handle("GET /pacts/provider/{provider}/consumer/{consumer}/latest", (*handler).contract)
	h.handle("GET /pacts/provider/{provider}/consumer/{consumer}/latest/{tag}", (*handler).contract)
	h.handle("GET /pacts/provider/{provider}/consumer/{consumer}/branch/{branch}/latest", (*handler).contract)
	h.handle("GET /pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}", (*handler).contract)
	h.handle("GET /environments", (*handler).environments)
	h.handle("GET /environments/{uuid}", (*handler).environment)
	h.handle("GET /matrix", (*handler).matrixQuery)
	h.handle("GET /network", (*handler).network)
	h.handle("GET /pacticipants/{name}/network", (*handler).pacticipantNetwork)
	h.mux.HandleFunc("GET /integrations", h.integrations)
	h.handle("GET /pacts/provider/{provider}/consumer/{consumer}/version/{version}/diff/previous-distinct", (*handler).diff)
	h.handle("GET /pacts/provider/{provider}/consumer/{consumer}/version/{version}/diff/version/{other}", (*handler).diff)
	h.handle("GET /pacticipants/{name}/versions/{version}", (*handler).version)
	h.handle("GET /pacts/provider/{provider}/consumer/{consumer}/webhooks", (*handler).webhooks)
	h.handle("GET /contracts/provider/{provider}/version/{version}", (*handler).providerContract)
	h.handle("GET /pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results/latest", (*handler).verification)
	h.handle("GET /pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results/{number}", (*handler).verification)
	h.mux.HandleFunc("GET /pacts/provider/{provider}/consumer/{consumer}/latest/badge", h.pactBadge)
	h.mux.HandleFunc("GET /pacts/provider/{provider}/consumer/{consumer}/latest/{tag}/badge", h.pactBadge)
	h.mux.HandleFunc("GET /pacts/provider/{provider}/consumer/{consumer}/latest-untagged/badge", h.pactBadge)
	h.mux.HandleFunc("GET /matrix/provider/{provider}/latest/{ptag}/consumer/{consumer}/latest/{ctag}/badge", h.matrixBadge)
	h.mux.HandleFunc("GET /pacticipants/{pacticipant}/latest-version/{tag}/can-i-deploy/to/{to}/badge", h.canIDeployBadge)
	h.mux.HandleFunc("GET /pacticipants/{pacticipant}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}/badge", h.canIDeployBadge)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if h.opts.Fallback != nil {
			// The fallback gets the request as it came, prefix and all.
			if orig, ok := r.Context().Value(originalRequest{}).(*http.Request); ok {
				r = orig
			}
			h.opts.Fallback.ServeHTTP(w, r)
			return
		}
		h.forRequest(r).fail(w, r, notFound("there is no page at %s", r.URL.Path))
	})
}

// originalRequest is the context key of the request before ServeHTTP
// stripped the BaseURL's path from it.
type originalRequest struct{}

// ServeHTTP strips the BaseURL's path and dispatches.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.prefix != "" {
		if p, ok := strings.CutPrefix(r.URL.Path, h.prefix); ok && (p == "" || p[0] == '/') {
			r2 := r.WithContext(context.WithValue(r.Context(), originalRequest{}, r))
			u := *r.URL
			u.Path = p
			if u.Path == "" {
				u.Path = "/"
			}
			u.RawPath = ""
			if r.URL.RawPath != "" {
				u.RawPath = strings.TrimPrefix(r.URL.RawPath, h.prefix)
			}
			r2.URL = &u
			r = r2
		}
	}
	h.mux.ServeHTTP(w, r)
}

// page renders a page; a handler returns the template name and its data.
type page struct {
	name  string
	title string
	nav   string // which top-level section is active
	data  any
	// json is the URL of the resource's JSON (the same URL the page is at,
	// usually); the layout links it with ?format=json.
	json string
}

func (h *handler) handle(pattern string, f func(h *handler, r *http.Request) (*page, error)) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		rh := h.forRequest(r)
		p, err := f(rh, r)
		if err != nil {
			rh.fail(w, r, err)
			return
		}
		if p.json == "" {
			// Most pages are at the URL of their API resource.
			p.json = rh.base + r.URL.EscapedPath()
		}
		rh.render(w, r, http.StatusOK, p)
	})
}

// forRequest returns the handler to build r's page with: without a
// BaseURL, links start with the X-Forwarded-Prefix a proxy sent (as the
// API's links do).
func (h *handler) forRequest(r *http.Request) *handler {
	if h.opts.BaseURL != "" {
		return h
	}
	prefix, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Prefix"), ",")
	prefix = strings.TrimRight(strings.TrimSpace(prefix), "/")
	if prefix == "" || !strings.HasPrefix(prefix, "/") || strings.Contains(prefix, "//") {
		return h
	}
	c := *h
	c.base = prefix
	return &c
}

// noJSON marks a page with no API resource behind it.
const noJSON = "-"

// layout is what every page template receives.
type layout struct {
	Title   string
	Nav     string
	Base    string
	Style   string
	Icon    string
	JSONURL string
	Data    any
}

func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, p *page) {
	t, ok := h.pages[p.name]
	if !ok {
		h.log.ErrorContext(r.Context(), "web: unknown page template", "page", p.name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	l := layout{Title: p.title, Nav: p.nav, Base: h.base, Style: h.link(StylePath), Icon: h.link(IconPath), Data: p.data}
	if p.json != "" && p.json != noJSON {
		l.JSONURL = withQuery(p.json, "format=json")
	}
	err := t.ExecuteTemplate(&buf, "layout", l)
	if err != nil {
		h.log.ErrorContext(r.Context(), "web: render page", "page", p.name, "path", r.URL.Path, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h.headers(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Pages show live state and may sit behind authentication.
	w.Header().Set("Cache-Control", "private, no-cache")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// headers sets the security headers every response carries: no scripts,
// no frames, styles only from this server.
func (h *handler) headers(w http.ResponseWriter) {
	style := "'self'"
	if h.styleOrigin != "" {
		style += " " + h.styleOrigin
	}
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src "+style+"; img-src "+style+"; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Vary", "Accept")
}

func (h *handler) style(w http.ResponseWriter, r *http.Request) {
	h.headers(w)
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("Content-Length", strconv.Itoa(len(styleCSS)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(styleCSS)
	}
}

func (h *handler) icon(w http.ResponseWriter, r *http.Request) {
	h.headers(w)
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("Content-Length", strconv.Itoa(len(icon)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(icon)
	}
}

// errorPage is the data of the error page.
type errorPage struct {
	Status  int
	Heading string
	Message string
}

// fail answers err as an HTML page: 404 for ErrNotFound, 400 for
// ErrInvalid, 500 (with the details only in the log) for anything else.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	ep := errorPage{Status: http.StatusInternalServerError, Heading: "Something went wrong",
		Message: "The broker could not build this page. The details are in the server log."}
	switch {
	case errors.Is(err, broker.ErrNotFound):
		ep = errorPage{Status: http.StatusNotFound, Heading: "Not found", Message: capitalise(err.Error()) + "."}
	case errors.Is(err, broker.ErrInvalid):
		ep = errorPage{Status: http.StatusBadRequest, Heading: "Bad request", Message: capitalise(err.Error()) + "."}
	default:
		h.log.ErrorContext(r.Context(), "web: page failed", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	}
	h.render(w, r, ep.Status, &page{name: "error", title: ep.Heading, data: ep})
}

// notFoundError is a not-found condition worded for the page.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }

// Is makes errors.Is(err, broker.ErrNotFound) true.
func (e *notFoundError) Is(target error) bool { return target == broker.ErrNotFound }

func notFound(format string, args ...any) error {
	return &notFoundError{msg: fmt.Sprintf(format, args...)}
}

// wrapf adds context to a store failure for the log. Not-found and
// invalid-input errors are returned as they are: their text is shown on the
// page, and the store's own words ("pacticipant \"X\": not found") say it
// best.
func wrapf(err error, format string, args ...any) error {
	if errors.Is(err, broker.ErrNotFound) || errors.Is(err, broker.ErrInvalid) {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// link builds the URL of a page from path segments, escaping each one:
// link("/pacticipants", name) gives BaseURL + "/pacticipants/" + escaped name.
func (h *handler) link(path string, segments ...string) string {
	var b strings.Builder
	b.WriteString(h.base)
	b.WriteString(path)
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// absolute makes a link built by link absolute: as it is when BaseURL is
// absolute, else on the request's host (and the scheme and host a proxy
// sent in X-Forwarded-Proto and X-Forwarded-Host).
func (h *handler) absolute(r *http.Request, link string) string {
	if strings.HasPrefix(link, "http://") || strings.HasPrefix(link, "https://") {
		return link
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ","); strings.TrimSpace(p) == "https" || strings.TrimSpace(p) == "http" {
		scheme = strings.TrimSpace(p)
	}
	host := r.Host
	if fh, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Host"), ","); strings.TrimSpace(fh) != "" {
		host = strings.TrimSpace(fh)
	}
	return scheme + "://" + host + link
}

// withQuery appends a query parameter to a URL.
func withQuery(u, param string) string {
	if strings.Contains(u, "?") {
		return u + "&" + param
	}
	return u + "?" + param
}

func (h *handler) versionLink(pacticipant, version string) string {
	return h.link("/pacticipants", pacticipant, "versions", version)
}

func (h *handler) pacticipantLink(name string) string { return h.link("/pacticipants", name) }

func (h *handler) matrixLink(consumer, provider string) string {
	return h.link("/matrix/provider", provider, "consumer", consumer)
}

func (h *handler) pactLink(consumer, provider, version string) string {
	return h.link("/pacts/provider", provider, "consumer", consumer, "version", version)
}

// pageNumber reads ?page= (1 when absent). A bad value is ErrInvalid.
func pageNumber(r *http.Request) (int, error) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, broker.Invalid("page", "must be a page number from 1, got %q", v)
	}
	return n, nil
}

// pager links the neighbours of page n of a list.
type pager struct {
	Page    int
	PrevURL string
	NextURL string
	// Total, Pages, From and To are set for lists whose length is known.
	Total, Pages, From, To int
}

func (h *handler) pagerFor(r *http.Request, n int, more bool) pager {
	p := pager{Page: n}
	at := func(k int) string {
		q := r.URL.Query()
		if k == 1 {
			q.Del("page")
		} else {
			q.Set("page", strconv.Itoa(k))
		}
		u := h.base + r.URL.EscapedPath()
		if enc := q.Encode(); enc != "" {
			u += "?" + enc
		}
		return u
	}
	if n > 1 {
		p.PrevURL = at(n - 1)
	}
	if more {
		p.NextURL = at(n + 1)
	}
	return p
}

// mustParsePages parses each page template with the layout. The
// templates are embedded, so a parse error is a programming error caught
// by every test.
func mustParsePages(funcs template.FuncMap) map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t := template.Must(template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
		pages[base] = t
	}
	return pages
}
