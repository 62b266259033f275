package server

import "net/http"

// otherMethod is the /metrics method label of every method not in
// knownMethods: a client can send any token as a method, and each distinct
// label value is a time series the server keeps forever.
const otherMethod = "OTHER"

var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
	http.MethodConnect: true, http.MethodTrace: true,
}

// methodLabel is the /metrics label of an HTTP method: the method itself
// for the standard ones, otherMethod for the rest.
func methodLabel(method string) string {
	if knownMethods[method] {
		return method
	}
	return otherMethod
}
