package match

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime/multipart"
	"mime/quotedprintable"
	"strconv"
	"strings"
)

// part is one decoded multipart body part.
type part struct {
	name        string
	contentType string
	data        []byte
}

// parseMultipart reads every part, decoding base64 and quoted-printable
// transfer encodings. Content types default to text/plain as in RFC 2046.
func parseMultipart(ct string, data []byte) ([]part, error) {
	boundary := mediaParams(ct)["boundary"]
	if boundary == "" {
		return nil, fmt.Errorf("content type %q has no boundary", ct)
	}
	r := multipart.NewReader(bytes.NewReader(data), boundary)
	var parts []part
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return parts, nil
		}
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(p)
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(p.Header.Get("Content-Transfer-Encoding")) {
		case "base64":
			dec, derr := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(body)), ""))
			if derr == nil {
				body = dec
			}
		case "quoted-printable":
			if dec, derr := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body))); derr == nil {
				body = dec
			}
		}
		pct := p.Header.Get("Content-Type")
		if pct == "" {
			pct = "text/plain"
		}
		parts = append(parts, part{name: p.FormName(), contentType: pct, data: body})
	}
}

func (bc *bodyCmp) multipart(ect, act string, exp, actData []byte) []Mismatch {
	eparts, err := parseMultipart(ect, exp)
	if err != nil {
		return []Mismatch{{Kind: KindBody, Path: "$", Message: fmt.Sprintf("Failed to parse the expected body: '%v'", err)}}
	}
	aparts, err := parseMultipart(act, actData)
	if err != nil {
		return []Mismatch{{Kind: KindBody, Path: "$", Message: fmt.Sprintf("Failed to parse the actual body: '%v'", err)}}
	}
	var out []Mismatch
	used := make([]bool, len(aparts))
	for i, ep := range eparts {
		key := ep.name
		if key == "" {
			key = strconv.Itoa(i)
		}
		loc := []string{"$", key}
		ai := -1
		if ep.name != "" {
			for j, ap := range aparts {
				if !used[j] && ap.name == ep.name {
					ai = j
					break
				}
			}
		} else if i < len(aparts) && !used[i] {
			ai = i
		}
		if ai < 0 {
			out = append(out, Mismatch{Kind: KindBody, Path: formatPath(loc),
				Message: fmt.Sprintf("Expected a multipart part '%s' but was missing", key)})
			continue
		}
		used[ai] = true
		ap := aparts[ai]
		if r := bc.rules.exact(loc); r != nil {
			var a any = ap.data
			for _, msg := range applyList(&r.list, ep.data, a, false, false) {
				out = append(out, Mismatch{Kind: KindBody, Path: formatPath(loc), Message: msg})
			}
			continue
		}
		if !compatibleTypes(ep.contentType, ap.contentType) {
			out = append(out, Mismatch{Kind: KindBody, Path: formatPath(loc), Expected: ep.contentType, Actual: ap.contentType,
				Message: fmt.Sprintf("Expected a part with content type '%s' but was '%s'", baseType(ep.contentType), baseType(ap.contentType))})
			continue
		}
		switch {
		case isJSONType(ep.contentType):
			out = append(out, bc.jsonAt(rootLoc(key), ep.data, ap.data)...)
		case isTextType(ep.contentType) || isXMLType(ep.contentType):
			if !bytes.Equal(bytes.TrimSpace(ep.data), bytes.TrimSpace(ap.data)) {
				out = append(out, Mismatch{Kind: KindBody, Path: formatPath(loc), Expected: string(ep.data), Actual: string(ap.data),
					Message: fmt.Sprintf("Expected body '%s' to match '%s' using equality but did not match", ep.data, ap.data)})
			}
		default:
			out = append(out, binaryEqual(formatPath(loc), ep.contentType, ap.contentType, ep.data, ap.data)...)
		}
	}
	if !bc.allowUnexpected {
		for j, ap := range aparts {
			if !used[j] && ap.name != "" {
				out = append(out, Mismatch{Kind: KindBody, Path: formatPath([]string{"$", ap.name}),
					Message: fmt.Sprintf("Unexpected multipart part '%s' received", ap.name)})
			}
		}
	}
	return out
}
