package api

import (
	"net/url"
	"strings"
)

// HALContentType is the media type of every API response body.
const HALContentType = "application/hal+json;charset=utf-8"

// Link is a HAL link: the value of an entry of a resource's _links.
type Link struct {
	Href      string `json:"href"`
	Title     string `json:"title,omitempty"`
	Name      string `json:"name,omitempty"`
	Templated bool   `json:"templated,omitempty"`
}

// PathOf joins path segments, escaping each one, into "/a/b%20c".
func PathOf(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}
