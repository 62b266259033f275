package pact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"mime"
	"slices"
	"strings"
	"unicode/utf8"
)

// Content types DetectContentType returns for structured text.
const (
	ContentTypeJSON   = "application/json"
	ContentTypeXML    = "application/xml"
	ContentTypeText   = "text/plain"
	ContentTypeHTML   = "text/html"
	ContentTypeBinary = "application/octet-stream"
)

// MediaType returns the lower-case media type of a Content-Type value
// without parameters: "Application/JSON; charset=UTF-8" gives
// "application/json".
func MediaType(contentType string) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// IsJSONType reports whether a content type denotes JSON: application/json,
// any "+json" suffix (application/hal+json, application/vnd.api+json), or a
// subtype containing "json" (text/x-json, application/json-patch).
func IsJSONType(contentType string) bool {
	mt := MediaType(contentType)
	_, sub, ok := strings.Cut(mt, "/")
	return ok && strings.Contains(sub, "json")
}

// IsXMLType reports whether a content type denotes XML (application/xml,
// text/xml, any "+xml" suffix).
func IsXMLType(contentType string) bool {
	mt := MediaType(contentType)
	_, sub, ok := strings.Cut(mt, "/")
	return ok && (sub == "xml" || strings.HasSuffix(sub, "+xml"))
}

// IsTextType reports whether bodies of a content type are text rather than
// binary: text/*, JSON, XML, forms, JavaScript, YAML.
func IsTextType(contentType string) bool {
	mt := MediaType(contentType)
	if strings.HasPrefix(mt, "text/") || IsJSONType(mt) || IsXMLType(mt) {
		return true
	}
	switch mt {
	case "application/x-www-form-urlencoded", "application/javascript", "application/ecmascript",
		"application/yaml", "application/x-yaml", "application/graphql", "application/sql":
		return true
	}
	return false
}

// DetectContentType guesses the content type of a body that declares none:
// a JSON object, array or string gives application/json (as the Rust core
// and pact-jvm detect a body such as "\"text\""), well-formed XML gives
// application/xml (text/html for HTML), other UTF-8 text gives text/plain,
// and anything else a binary type recognised by its leading bytes (PNG,
// JPEG, GIF, PDF, ZIP, gzip) or application/octet-stream.
func DetectContentType(data []byte) string {
	t := bytes.TrimSpace(data)
	if len(t) > 0 && (t[0] == '{' || t[0] == '[' || t[0] == '"') && json.Valid(t) {
		return ContentTypeJSON
	}
	if len(t) > 0 && t[0] == '<' {
		lower := strings.ToLower(string(t[:min(len(t), 64)]))
		if strings.HasPrefix(lower, "<!doctype html") || strings.HasPrefix(lower, "<html") {
			return ContentTypeHTML
		}
		if wellFormedXML(t) {
			return ContentTypeXML
		}
	}
	if isText(data) {
		return ContentTypeText
	}
	for _, m := range magic {
		if bytes.HasPrefix(data, []byte(m.prefix)) {
			return m.contentType
		}
	}
	return ContentTypeBinary
}

// magic lists the leading bytes of common binary formats.
var magic = []struct{ prefix, contentType string }{
	{"\x89PNG\r\n\x1a\n", "image/png"},
	{"\xff\xd8\xff", "image/jpeg"},
	{"GIF87a", "image/gif"},
	{"GIF89a", "image/gif"},
	{"%PDF-", "application/pdf"},
	{"PK\x03\x04", "application/zip"},
	{"\x1f\x8b\x08", "application/gzip"},
}

// isText reports whether data is UTF-8 without control characters other
// than whitespace.
func isText(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	for _, c := range data {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			return false
		}
		if c == 0x7f {
			return false
		}
	}
	return true
}

func wellFormedXML(data []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	elements := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return elements > 0
		}
		if err != nil {
			return false
		}
		if _, ok := tok.(xml.StartElement); ok {
			elements++
		}
	}
}

// EffectiveContentType is ContentType, or the detected type when none is
// declared.
func (b Body) EffectiveContentType() string {
	if b.ContentType != "" {
		return b.ContentType
	}
	if b.State != BodyPresent {
		return ""
	}
	return DetectContentType(b.Content)
}

// IsJSON reports whether the body holds JSON: its content type is a JSON
// type, or, with no declared type, its content is a JSON object or array.
func (b Body) IsJSON() bool {
	if b.ContentType != "" {
		return IsJSONType(b.ContentType)
	}
	return b.State == BodyPresent && DetectContentType(b.Content) == ContentTypeJSON
}

// JSON decodes the body's content as JSON, numbers as json.Number. A
// missing, null or empty body gives nil.
func (b Body) JSON() (any, error) {
	if b.State != BodyPresent {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(b.Content))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("invalid JSON: data after the top-level value")
	}
	return v, nil
}

// SetJSON replaces the body with v encoded as JSON (keeping ContentType, or
// setting application/json when none is set) and clears Raw.
func (b *Body) SetJSON(v any) error {
	data, err := marshal(v)
	if err != nil {
		return err
	}
	b.Content = data
	b.State = BodyPresent
	b.Raw = nil
	if b.Encoded == "base64" {
		b.Encoded = ""
	}
	if b.ContentType == "" {
		b.ContentType = ContentTypeJSON
	}
	return nil
}

// NewBody returns a present body with the given content and content type.
func NewBody(content []byte, contentType string) Body {
	if len(content) == 0 {
		return Body{State: BodyEmpty, Content: []byte{}, ContentType: contentType}
	}
	return Body{State: BodyPresent, Content: content, ContentType: contentType}
}

// parseBodyV3 reads a V1-V3 body or message contents: a raw JSON value. ct
// is the content type declared by the headers or metadata ("" if none).
func parseBodyV3(path string, raw json.RawMessage, ct string) (Body, error) {
	b := Body{Raw: raw, ContentType: ct}
	switch jsonKind(raw) {
	case "null":
		b.State = BodyNull
		return b, nil
	case "string":
		s, err := asString(path, raw)
		if err != nil {
			return Body{}, err
		}
		if s == "" {
			b.State = BodyEmpty
			b.Content = []byte{}
			return b, nil
		}
		b.State = BodyPresent
		b.Content = []byte(s)
		if data, ok := base64Binary(s, ct); ok {
			// writeBodyV3 writes bytes that are not UTF-8 as base64.
			b.Content = data
		}
		if ct != "" && IsJSONType(ct) && !json.Valid(b.Content) {
			// A JSON body given as a plain string is the JSON string value.
			b.Content = mustMarshal(s)
		}
		if ct == "" {
			b.ContentType = DetectContentType(b.Content)
		}
		return b, nil
	default:
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return Body{}, perr(path, "invalid JSON: %v", err)
		}
		b.State = BodyPresent
		b.Content = buf.Bytes()
		if ct == "" {
			b.ContentType = ContentTypeJSON
		}
		return b, nil
	}
}

// v4BodyKeys are the members of a V4 body object besides "content".
var v4BodyKeys = set("contentType", "contentTypeHint", "encoded")

// parseBodyV4 reads a V4 body object {content, contentType, encoded,
// contentTypeHint}. ct is the content type the headers or metadata declare
// ("" if none).
func parseBodyV4(path string, raw json.RawMessage, ct string) (Body, error) {
	b := Body{Raw: raw}
	if isNull(raw) {
		b.State = BodyNull
		return b, nil
	}
	o, err := asObject(path, raw)
	if err != nil {
		return Body{}, err
	}
	if _, ok := o["content"]; !ok {
		return oldV4Body(path, raw, o, ct)
	}
	if v, ok := o["contentType"]; ok && !isNull(v) {
		if b.ContentType, err = asString(childPath(path, "contentType"), v); err != nil {
			return Body{}, err
		}
	}
	if v, ok := o["contentTypeHint"]; ok && !isNull(v) {
		if b.ContentTypeHint, err = asString(childPath(path, "contentTypeHint"), v); err != nil {
			return Body{}, err
		}
	}
	if v, ok := o["encoded"]; ok && !isNull(v) {
		switch jsonKind(v) {
		case "boolean":
			on, _ := asBool(path, v)
			if on {
				b.Encoded = "base64"
			}
		case "string":
			s, _ := asString(path, v)
			switch strings.ToLower(s) {
			case "base64":
				b.Encoded = "base64"
			case "json":
				b.Encoded = "json"
			case "false", "":
			default:
				return Body{}, perr(childPath(path, "encoded"), `expected false, "base64" or "json", got string %q`, s)
			}
		default:
			return Body{}, expected(childPath(path, "encoded"), `false, "base64" or "json"`, v)
		}
	}
	content := o["content"]
	cpath := childPath(path, "content")
	switch jsonKind(content) {
	case "null":
		b.State = BodyNull
		return b, nil
	case "string":
		s, err := asString(cpath, content)
		if err != nil {
			return Body{}, err
		}
		switch {
		case b.Encoded == "base64":
			data, err := decodeBase64(s)
			if err != nil {
				return Body{}, perr(cpath, "expected base64 content (encoded is \"base64\"): %v", err)
			}
			b.Content = data
		case b.Encoded == "" && s != "" && IsJSONType(b.ContentType) && !jsonTextInString(s):
			// The Pact FFI writes a JSON body that is a string as the
			// string itself: {"content": "Fulfilling", "encoded": false}.
			// The JSON text of an object, array or string held in a
			// string is read as that JSON, as before (and as written).
			b.Content = mustMarshal(s)
		default:
			b.Content = []byte(s)
		}
	default:
		if b.Encoded == "base64" {
			return Body{}, expected(cpath, "a base64 string (encoded is \"base64\")", content)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, content); err != nil {
			return Body{}, perr(cpath, "invalid JSON: %v", err)
		}
		b.Content = buf.Bytes()
	}
	if len(b.Content) == 0 {
		b.State = BodyEmpty
		b.Content = []byte{}
	} else {
		b.State = BodyPresent
	}
	if b.ContentType == "" && b.State == BodyPresent {
		b.ContentType = DetectContentType(b.Content)
	}
	return b, nil
}

// jsonTextInString reports whether s is the JSON text of an object, an
// array or a string.
func jsonTextInString(s string) bool {
	t := strings.TrimSpace(s)
	return t != "" && (t[0] == '{' || t[0] == '[' || t[0] == '"') && json.Valid([]byte(t))
}

// oldV4Body reads a V4 body object with no "content" member, from the
// early V4 layout (the Pact Broker's fixtures have them) where the body
// was written as is: the whole object is the JSON body. An object holding
// only the V4 body members (contentType, encoded) is refused rather than
// read as a body nobody meant.
func oldV4Body(path string, raw json.RawMessage, o map[string]json.RawMessage, ct string) (Body, error) {
	if len(o) > 0 && len(extra(o, v4BodyKeys)) == 0 {
		return Body{}, perr(path, `expected a "content" member beside %s`, strings.Join(slices.Sorted(maps.Keys(o)), ", "))
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return Body{}, perr(path, "invalid JSON: %v", err)
	}
	if ct == "" || !IsJSONType(ct) {
		ct = ContentTypeJSON
	}
	return Body{State: BodyPresent, Content: buf.Bytes(), ContentType: ct, Raw: raw}, nil
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if data, err := base64.StdEncoding.DecodeString(s); err == nil {
		return data, nil
	}
	if data, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err == nil {
		return data, nil
	}
	return base64.URLEncoding.DecodeString(s)
}

// base64Binary decodes a V1-V3 string body of a binary content type that
// holds base64 of bytes that are not UTF-8 (as writeBodyV3 writes them).
// Bodies of a known binary type (image/*, application/pdf, ...) are always
// base64 when they decode, as Pact reads them, whatever the bytes are.
func base64Binary(s, ct string) ([]byte, bool) {
	if ct == "" || IsTextType(ct) || IsJSONType(ct) || IsXMLType(ct) {
		return nil, false
	}
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, false
	}
	if strings.HasPrefix(MediaType(ct), "multipart/") {
		// pact-jvm writes multipart bodies base64-encoded, even when the
		// parts are text. A multipart body as text starts with "--", which
		// is not base64, so it never gets here.
		return data, true
	}
	if utf8.Valid(data) && !knownBinaryType(ct) {
		return nil, false
	}
	return data, true
}

// knownBinaryType reports whether a content type is one whose bodies are
// bytes, never text: images, audio, video, protobuf, PDF, archives.
func knownBinaryType(ct string) bool {
	if ct == "" || IsTextType(ct) {
		return false
	}
	mt := MediaType(ct)
	return strings.HasPrefix(mt, "image/") || strings.HasPrefix(mt, "audio/") || strings.HasPrefix(mt, "video/") ||
		strings.Contains(mt, "protobuf") || strings.Contains(mt, "grpc") || mt == ContentTypeBinary ||
		mt == "application/pdf" || mt == "application/zip" || mt == "application/gzip"
}

// isBinaryBody reports whether a body must be written base64-encoded in V4.
func isBinaryBody(b Body) bool {
	switch strings.ToUpper(b.ContentTypeHint) {
	case "BINARY":
		return true
	case "TEXT":
		return !utf8.Valid(b.Content)
	}
	if b.Encoded == "base64" {
		return true
	}
	if knownBinaryType(b.EffectiveContentType()) {
		return true
	}
	return !utf8.Valid(b.Content)
}

// writeBodyV3 returns the V1-V3 JSON form of b, whose headers or metadata
// declare the content type declared; ok is false when the body field is to
// be left out.
func writeBodyV3(b Body, declared string) (any, bool) {
	switch b.State {
	case BodyMissing:
		return nil, false
	case BodyNull:
		return nil, true
	case BodyEmpty:
		return "", true
	}
	if b.IsJSON() && json.Valid(b.Content) && (jsonKind(b.Content) != "string" || IsJSONType(declared)) {
		return json.RawMessage(b.Content), true
	}
	// A JSON string body without a declared JSON type is written as its
	// text, quotes included, as pact-jvm writes it: written as a JSON
	// string it would read back as plain text.
	if utf8.Valid(b.Content) && !knownBinaryType(b.EffectiveContentType()) {
		return string(b.Content), true
	}
	return base64.StdEncoding.EncodeToString(b.Content), true
}

// writeBodyV4 returns the V4 JSON form of b; ok is false when the body
// field is to be left out.
func writeBodyV4(b Body) (any, bool) {
	out := map[string]any{}
	if b.ContentType != "" {
		out["contentType"] = b.ContentType
	}
	if b.ContentTypeHint != "" {
		out["contentTypeHint"] = b.ContentTypeHint
	}
	switch b.State {
	case BodyMissing:
		return nil, false
	case BodyNull:
		out["content"] = nil
		return out, true
	case BodyEmpty:
		out["content"] = ""
		out["encoded"] = false
		return out, true
	}
	ct := b.EffectiveContentType()
	if ct != "" {
		out["contentType"] = ct
	}
	switch {
	case b.Encoded == "json" && json.Valid(b.Content):
		out["content"] = json.RawMessage(b.Content)
		out["encoded"] = "json"
	case isBinaryBody(b):
		out["content"] = base64.StdEncoding.EncodeToString(b.Content)
		out["encoded"] = "base64"
	case IsJSONType(ct) && json.Valid(b.Content) && jsonKind(b.Content) != "string":
		out["content"] = json.RawMessage(b.Content)
		out["encoded"] = false
	case IsJSONType(ct) && jsonKind(b.Content) == "string" && json.Valid(b.Content) &&
		jsonStringValue(b.Content) != "" && !jsonTextInString(jsonStringValue(b.Content)):
		// A JSON string body is written as the string, as the Pact FFI
		// writes it (parseBodyV4 reads it back as the JSON string).
		out["content"] = json.RawMessage(b.Content)
		out["encoded"] = false
	default:
		out["content"] = string(b.Content)
		out["encoded"] = false
	}
	return out, true
}

// sameBody reports whether two bodies have the same meaning when written.
func sameBody(a, b Body, v4 bool) bool {
	if a.State != b.State || !bytes.Equal(a.Content, b.Content) {
		return false
	}
	if v4 {
		return a.ContentType == b.ContentType && a.Encoded == b.Encoded && a.ContentTypeHint == b.ContentTypeHint
	}
	return true
}

// jsonStringValue decodes the JSON text of a string.
func jsonStringValue(data []byte) string {
	var s string
	_ = json.Unmarshal(data, &s)
	return s
}
