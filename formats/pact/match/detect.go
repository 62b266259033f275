package match

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/contracts-dev/contracts/formats/pact"
)

// detectContentType guesses a media type (without parameters) from the
// first bytes of a body, like net/http.DetectContentType with a few more
// formats Pact contracts carry.
func detectContentType(data []byte) string {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(data) == 0:
		return "text/plain"
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "image/gif"
	case len(data) > 12 && bytes.Equal(data[8:12], []byte("WEBP")) && bytes.HasPrefix(data, []byte("RIFF")):
		return "image/webp"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "application/zip"
	case bytes.HasPrefix(data, []byte{0x1F, 0x8B}):
		return "application/gzip"
	case len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[' || trimmed[0] == '"') && json.Valid(trimmed):
		return "application/json"
	case bytes.HasPrefix(trimmed, []byte("<?xml")):
		return "application/xml"
	case len(trimmed) > 0 && trimmed[0] == '<' && pact.DetectContentType(data) == pact.ContentTypeXML:
		// A well-formed document without an XML declaration (pact-jvm
		// writes them) is XML, not the text/plain sniffing gives.
		return "application/xml"
	}
	ct := http.DetectContentType(data)
	base := baseType(ct)
	if base == "text/plain" && !utf8.Valid(data) {
		return "application/octet-stream"
	}
	if base == "text/xml" {
		return "application/xml"
	}
	return base
}

// baseType strips parameters and lower-cases a media type.
func baseType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// sameMediaType compares two media types by their base type.
func sameMediaType(a, b string) bool { return baseType(a) == baseType(b) }

func isJSONType(ct string) bool {
	b := baseType(ct)
	if b == "" {
		return false
	}
	i := strings.IndexByte(b, '/')
	sub := b[i+1:]
	return sub == "json" || strings.HasSuffix(sub, "+json") || strings.HasSuffix(sub, "-json") ||
		(strings.HasPrefix(b, "application/") && strings.HasSuffix(sub, "json"))
}

func isXMLType(ct string) bool {
	b := baseType(ct)
	i := strings.IndexByte(b, '/')
	if i < 0 {
		return false
	}
	sub := b[i+1:]
	return sub == "xml" || strings.HasSuffix(sub, "+xml")
}

func isTextType(ct string) bool {
	b := baseType(ct)
	switch {
	case strings.HasPrefix(b, "text/"):
		return true
	case b == "application/javascript", b == "application/x-javascript", b == "application/yaml",
		b == "application/x-yaml", b == "application/graphql", b == "application/sql":
		return true
	}
	return false
}

func isFormType(ct string) bool { return baseType(ct) == "application/x-www-form-urlencoded" }

func isMultipartType(ct string) bool { return strings.HasPrefix(baseType(ct), "multipart/") }

// mediaParams returns the parameters of a content type.
func mediaParams(ct string) map[string]string {
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil
	}
	return params
}

// compatibleTypes reports whether an actual content type can carry the
// expected body: same base type, the same structured family (JSON, XML),
// or a generic binary type on either side.
func compatibleTypes(expected, actual string) bool {
	e, a := baseType(expected), baseType(actual)
	switch {
	case e == "" || a == "" || e == a:
		return true
	case isJSONType(e) && isJSONType(a):
		return true
	case isXMLType(e) && isXMLType(a):
		return true
	case e == "application/octet-stream" || a == "application/octet-stream":
		return !isJSONType(e) && !isXMLType(e) && !isJSONType(a) && !isXMLType(a)
	}
	return false
}
