package compare

import (
	"sort"
	"strconv"
	"strings"
)

// matchMediaType returns the entry of available that a request's media
// type (a Content-Type, or an Accept list with q-values) selects, or ""
// when none does. It tries, in order: an exact match, a match without
// parameters, the same type and subtype suffix (application/vnd.x+json
// against application/json), a wildcard subtype in available, */* in
// available, a wildcard in the request.
func matchMediaType(requested string, available []string) (string, bool) {
	if len(available) == 0 {
		return "", false
	}
	// The usual case, one media type asked for and written as the
	// document writes it, is the first rule below without normalising.
	if plainMediaType(requested) {
		all := true
		for _, a := range available {
			if !plainMediaType(a) {
				all = false
				break
			}
		}
		if all {
			for _, a := range available {
				if a == requested {
					return a, true
				}
			}
		}
	}
	var wanted []string
	for _, a := range strings.Split(requested, ",") {
		wanted = append(wanted, strings.ToLower(strings.Join(strings.Fields(a), "")))
	}
	sort.SliceStable(wanted, func(i, j int) bool { return quality(wanted[i]) > quality(wanted[j]) })
	for i, w := range wanted {
		wanted[i] = dropQuality(w)
	}
	norm := make([]string, len(available))
	for i, a := range available {
		norm[i] = strings.ToLower(strings.Join(strings.Fields(a), ""))
	}
	find := func(ok func(w, a string) bool) (string, bool) {
		for _, w := range wanted {
			for i, a := range norm {
				if ok(w, a) {
					return available[i], true
				}
			}
		}
		return "", false
	}
	if m, ok := find(func(w, a string) bool { return w == a }); ok {
		return m, true
	}
	if m, ok := find(func(w, a string) bool { return noParams(w) == noParams(a) }); ok {
		return m, true
	}
	if m, ok := find(func(w, a string) bool {
		return mainType(w) == mainType(a) && subSuffix(w) == subSuffix(a)
	}); ok {
		return m, true
	}
	if m, ok := find(func(w, a string) bool { return subSuffix(a) == "*" && mainType(a) == mainType(w) }); ok {
		return m, true
	}
	for i, a := range norm {
		if noParams(a) == "*/*" {
			return available[i], true
		}
	}
	if m, ok := find(func(w, a string) bool { return subSuffix(w) == "*" && mainType(a) == mainType(w) }); ok {
		return m, true
	}
	for _, w := range wanted {
		if noParams(w) == "*/*" {
			return available[0], true
		}
	}
	return "", false
}

// plainMediaType reports whether normalising mt (lower case, no white
// space) leaves it as it is, and it is one media type without parameters.
func plainMediaType(mt string) bool {
	for i := 0; i < len(mt); i++ {
		switch c := mt[i]; {
		case c == ',' || c == ';' || c == ' ' || ('\t' <= c && c <= '\r'), 'A' <= c && c <= 'Z', c >= 0x80:
			return false
		}
	}
	return true
}

func quality(mt string) float64 {
	for _, p := range strings.Split(mt, ";")[1:] {
		if v, ok := strings.CutPrefix(p, "q="); ok {
			if q, err := strconv.ParseFloat(v, 64); err == nil {
				return q
			}
		}
	}
	return 1
}

func dropQuality(mt string) string {
	parts := strings.Split(mt, ";")
	kept := parts[:1]
	for _, p := range parts[1:] {
		if !strings.HasPrefix(p, "q=") {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ";")
}

func noParams(mt string) string { t, _, _ := strings.Cut(mt, ";"); return t }

func mainType(mt string) string { t, _, _ := strings.Cut(noParams(mt), "/"); return t }

// subSuffix is the subtype's structured-syntax suffix, or the subtype.
func subSuffix(mt string) string {
	_, sub, _ := strings.Cut(noParams(mt), "/")
	if i := strings.LastIndexByte(sub, '+'); i >= 0 {
		return sub[i+1:]
	}
	return sub
}

// validatable are the media types whose bodies are checked against schemas.
var validatable = []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}

type bodyCheck int

const (
	bodySkip bodyCheck = iota
	bodyWarn
	bodyValidate
)

func bodyStatus(contentType string, present bool) bodyCheck {
	if _, ok := matchMediaType(contentType, validatable); ok {
		return bodyValidate
	}
	if present {
		return bodyWarn
	}
	return bodySkip
}
