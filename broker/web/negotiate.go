package web

import (
	"net/http"
	"strings"
)

// apiAcceptTypes are the Accept header fragments that mark an API request.
var apiAcceptTypes = []string{"json", "csv", "yaml", "text/plain"}

// assetExtensions are the path endings browsers fetch with "Accept: */*".
var assetExtensions = []string{".js", ".woff", ".woff2", ".css", ".png", ".html", ".map", ".ttf", ".ico"}

// WantsHTML reports whether a request is for the web view rather than the
// API, by the Pact Broker's rule: it is an API request when the Accept
// header is absent or empty, when it names JSON (hal+json, problem+json,
// json), CSV, YAML or text/plain, or when it is exactly "*/*" (curl's
// default) on a path that is not a web asset; anything else, such as a
// browser's "text/html,...,*/*;q=0.8", is for the web view.
func WantsHTML(r *http.Request) bool {
	accept := strings.ToLower(strings.TrimSpace(strings.Join(r.Header.Values("Accept"), ",")))
	if accept == "" {
		return false
	}
	for _, t := range apiAcceptTypes {
		if strings.Contains(accept, t) {
			return false
		}
	}
	if accept == "*/*" {
		return isAssetPath(r.URL.Path)
	}
	return true
}

// withoutFormat removes ?format=json, which the API does not know.
func withoutFormat(r *http.Request) *http.Request {
	q := r.URL.Query()
	q.Del("format")
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.RawQuery = q.Encode()
	r2.URL = &u
	r2.RequestURI = u.RequestURI()
	return r2
}

func isBadgePath(path string) bool { return strings.HasSuffix(path, "/badge") }

func isAssetPath(path string) bool {
	for _, ext := range assetExtensions {
		if strings.HasSuffix(path, ext) {
			return true
		}
	}
	return false
}

// Negotiate serves requests for which WantsHTML is true with ui and all
// others with api; ?format=json (the pages' "JSON" links) asks for the
// API's answer whatever the Accept header. Badges (paths ending in /badge) are images and go to ui
// whatever the Accept header. Since the answer at one URL depends on the
// Accept header, every response says so (Vary: Accept); each also gets
// X-Content-Type-Options: nosniff and, unless the handler sets its own,
// Cache-Control: private, no-cache (the API shows live state and may sit
// behind authentication).
func Negotiate(api, ui http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Accept")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "private, no-cache")
		if r.URL.Query().Get("format") == "json" {
			// A page's "JSON" link: the API's answer, in the browser.
			r = withoutFormat(r)
			api.ServeHTTP(w, r)
			return
		}
		if WantsHTML(r) || isBadgePath(r.URL.Path) {
			ui.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}
