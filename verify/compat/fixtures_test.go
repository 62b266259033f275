package compat_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/cucumber/godog"

	"github.com/contracts-dev/contracts/formats/pact"
)

// spec is the specification version of the running feature (its folder).
func (w *world) spec() pact.Spec {
	switch {
	case strings.HasPrefix(w.feature, "V1/"):
		return pact.V1
	case strings.HasPrefix(w.feature, "V2/"):
		return pact.V2
	case strings.HasPrefix(w.feature, "V3/"):
		return pact.V3
	}
	return pact.V4
}

// fixture reads a file of the suite's fixtures folder.
func (w *world) fixture(name string) ([]byte, error) {
	path := filepath.Join(w.dir, "fixtures", name)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fixture %s: %w", name, err)
	}
	return data, nil
}

// table turns a data table into rows of cells keyed by the header row.
func table(t *godog.Table) []map[string]string {
	if t == nil || len(t.Rows) == 0 {
		return nil
	}
	var head []string
	for _, c := range t.Rows[0].Cells {
		head = append(head, strings.TrimSpace(c.Value))
	}
	var out []map[string]string
	for _, r := range t.Rows[1:] {
		row := map[string]string{}
		for i, c := range r.Cells {
			if i < len(head) {
				row[head[i]] = strings.TrimSpace(c.Value)
			}
		}
		out = append(out, row)
	}
	return out
}

// interactionRow is one row of a "the following HTTP interactions have been
// defined" table, as an HTTP interaction.
type interactionRow struct {
	no int
	in *pact.Interaction
}

func (w *world) interactionsDefined(t *godog.Table) error {
	for _, row := range table(t) {
		no, err := strconv.Atoi(row["No"])
		if err != nil {
			return fmt.Errorf("interaction number %q: %w", row["No"], err)
		}
		in, err := w.buildInteraction(no, row)
		if err != nil {
			return fmt.Errorf("interaction %d: %w", no, err)
		}
		w.interactions[no] = &interactionRow{no: no, in: in}
	}
	return nil
}

// buildInteraction makes an HTTP interaction from a table row with any of
// the columns method, path, query, headers, raw headers, body, matching
// rules, response, response headers, response content, response body,
// response matching rules.
func (w *world) buildInteraction(no int, row map[string]string) (*pact.Interaction, error) {
	req := &pact.Request{Method: "GET", Path: "/", Query: pact.Query{}, Headers: pact.Headers{}}
	resp := &pact.Response{Status: 200, Headers: pact.Headers{}}
	in := &pact.Interaction{
		Type:        pact.HTTP,
		Description: fmt.Sprintf("Interaction %d", no),
		Request:     req,
		Response:    resp,
	}
	if err := w.applyRequest(req, row); err != nil {
		return nil, err
	}
	if err := w.applyResponse(resp, row); err != nil {
		return nil, err
	}
	return in, nil
}

// applyRequest changes req by the request columns of row that are present.
func (w *world) applyRequest(req *pact.Request, row map[string]string) error {
	if v, ok := row["method"]; ok && v != "" {
		req.Method = v
	}
	if v, ok := row["path"]; ok && v != "" {
		req.Path = v
	}
	if v, ok := row["query"]; ok && v != "" {
		q, err := pact.ParseQueryString(v)
		if err != nil {
			return fmt.Errorf("query %q: %w", v, err)
		}
		req.Query = q
	}
	for _, col := range []string{"headers", "raw headers"} {
		if v, ok := row[col]; ok && v != "" {
			hs, err := parseHeaders(v)
			if err != nil {
				return err
			}
			// The cell replaces the headers, all but the body's content type.
			ct := req.Headers.Values("Content-Type")
			req.Headers = pact.Headers{}
			if len(ct) > 0 {
				req.Headers["Content-Type"] = ct
			}
			for _, h := range hs {
				req.Headers[h[0]] = append(req.Headers[h[0]], h[1])
			}
		}
	}
	ct := row["content type"]
	if v, ok := row["body"]; ok && v != "" {
		prev := req.Body.EffectiveContentType()
		b, err := w.body(v, ct, prev)
		if err != nil {
			return err
		}
		req.Body = b
		if b.ContentType != "" {
			req.Headers.Del("Content-Type")
			req.Headers["Content-Type"] = []string{b.ContentType}
		}
	} else if ct != "" {
		req.Headers["Content-Type"] = []string{ct}
	}
	if v, ok := row["matching rules"]; ok && v != "" {
		rules, err := w.rules(v)
		if err != nil {
			return err
		}
		req.Rules = rules
	}
	return nil
}

// applyResponse changes resp by the response columns of row that are
// present.
func (w *world) applyResponse(resp *pact.Response, row map[string]string) error {
	if v, ok := row["response"]; ok && v != "" {
		st, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("response status %q: %w", v, err)
		}
		resp.Status = st
	}
	if v, ok := row["status"]; ok && v != "" {
		st, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("status %q: %w", v, err)
		}
		resp.Status = st
	}
	if v, ok := row["response headers"]; ok && v != "" {
		hs, err := parseHeaders(v)
		if err != nil {
			return err
		}
		resp.Headers = pact.Headers{}
		for _, h := range hs {
			resp.Headers[h[0]] = append(resp.Headers[h[0]], h[1])
		}
	}
	ct := row["response content"]
	if v, ok := row["response body"]; ok && v != "" {
		prev := resp.Body.EffectiveContentType()
		if c := resp.Headers.Get("Content-Type"); c != "" {
			prev = c
		}
		b, err := w.body(v, ct, prev)
		if err != nil {
			return err
		}
		resp.Body = b
		if b.ContentType != "" {
			resp.Headers.Del("Content-Type")
			resp.Headers["Content-Type"] = []string{b.ContentType}
		}
	} else if ct != "" {
		resp.Headers["Content-Type"] = []string{ct}
		if resp.Body.State == pact.BodyPresent {
			resp.Body.ContentType = ct
		}
	}
	for _, col := range []string{"response matching rules"} {
		if v, ok := row[col]; ok && v != "" {
			rules, err := w.rules(v)
			if err != nil {
				return err
			}
			resp.Rules = rules
		}
	}
	if v, ok := row["matching rules"]; ok && v != "" && row["status"] != "" {
		rules, err := w.rules(v)
		if err != nil {
			return err
		}
		resp.Rules = rules
	}
	return nil
}

var headerCell = regexp.MustCompile(`'([^']*)'`)

// parseHeaders reads a cell such as "'X-TEST: 1', 'X-TEST: 2'" into
// name/value pairs, in order.
func parseHeaders(cell string) ([][2]string, error) {
	var out [][2]string
	for _, m := range headerCell.FindAllStringSubmatch(cell, -1) {
		name, value, ok := strings.Cut(m[1], ":")
		if !ok {
			return nil, fmt.Errorf("header %q: want 'Name: value'", m[1])
		}
		out = append(out, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("headers %q: want 'Name: value' items", cell)
	}
	return out, nil
}

// rules reads a matching-rules cell: a fixture file name or "JSON: {...}".
func (w *world) rules(cell string) (pact.MatchingRules, error) {
	data, err := w.jsonCell(cell)
	if err != nil {
		return nil, err
	}
	rules, err := pact.ParseMatchingRules(data)
	if err != nil {
		return nil, fmt.Errorf("matching rules %s: %w", cell, err)
	}
	return rules, nil
}

// jsonCell returns the JSON of a cell naming a fixture file (with or
// without "file: ") or holding "JSON: ...".
func (w *world) jsonCell(cell string) ([]byte, error) {
	switch {
	case strings.HasPrefix(cell, "JSON:"):
		return []byte(strings.TrimSpace(strings.TrimPrefix(cell, "JSON:"))), nil
	case strings.HasPrefix(cell, "file:"):
		return w.fixture(strings.TrimSpace(strings.TrimPrefix(cell, "file:")))
	}
	return w.fixture(cell)
}

// body reads a body cell:
//
//	file: NAME        a fixture (NAME-body.xml files hold a content type and contents)
//	JSON: ...         a JSON document
//	XML: ...          an XML document
//	EMPTY             an empty body
//	anything else     the text itself
//
// ct, when set, is the content type to give the body; prev is the content
// type of the body being replaced, kept for plain text.
func (w *world) body(cell, ct, prev string) (pact.Body, error) {
	var content []byte
	kind := ""
	switch {
	case cell == "EMPTY":
		return pact.Body{State: pact.BodyEmpty, Content: []byte{}, ContentType: ct}, nil
	case strings.HasPrefix(cell, "JSON:"):
		content, kind = []byte(strings.TrimSpace(strings.TrimPrefix(cell, "JSON:"))), pact.ContentTypeJSON
	case strings.HasPrefix(cell, "XML:"):
		content, kind = []byte(strings.TrimSpace(strings.TrimPrefix(cell, "XML:"))), pact.ContentTypeXML
	case strings.HasPrefix(cell, "file:"):
		name := strings.TrimSpace(strings.TrimPrefix(cell, "file:"))
		data, err := w.fixture(name)
		if err != nil {
			return pact.Body{}, err
		}
		if strings.HasSuffix(name, "-body.xml") {
			content, kind, err = bodyFile(name, data)
			if err != nil {
				return pact.Body{}, err
			}
		} else {
			content, kind = data, typeByExtension(name)
		}
	default:
		content, kind = []byte(cell), prev
		if kind == "" {
			kind = pact.ContentTypeText
		}
	}
	if ct != "" {
		kind = ct
	}
	return pact.NewBody(content, kind), nil
}

func typeByExtension(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return pact.ContentTypeJSON
	case ".xml":
		return pact.ContentTypeXML
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".pdf":
		return "application/pdf"
	case ".txt":
		return pact.ContentTypeText
	}
	return pact.ContentTypeBinary
}

// bodyFile reads a *-body.xml fixture: <body><contentType/><contents
// eol="CRLF"/></body>. The contents are trimmed of the indentation around
// them; eol="CRLF" turns line ends into CRLF.
func bodyFile(name string, data []byte) ([]byte, string, error) {
	var doc struct {
		ContentType string `xml:"contentType"`
		Contents    struct {
			EOL  string `xml:"eol,attr"`
			Text string `xml:",chardata"`
		} `xml:"contents"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, "", fmt.Errorf("body fixture %s: %w", name, err)
	}
	text := strings.TrimSpace(doc.Contents.Text)
	if strings.EqualFold(doc.Contents.EOL, "CRLF") {
		text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
	}
	ct := strings.TrimSpace(doc.ContentType)
	if ct == "" {
		ct = pact.ContentTypeText
	}
	return []byte(text), ct, nil
}

// ordinal reads "first", "second", ... as a 0-based index.
func ordinal(s string) (int, error) {
	for i, o := range []string{"first", "second", "third", "fourth", "fifth"} {
		if s == o {
			return i, nil
		}
	}
	return 0, fmt.Errorf("ordinal %q not understood", s)
}

// unquote undoes the \" escapes of a quoted step argument.
func unquote(s string) string { return strings.ReplaceAll(s, `\"`, `"`) }

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(a, b []byte) (bool, error) {
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		return false, fmt.Errorf("decode %s: %w", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		return false, fmt.Errorf("decode %s: %w", b, err)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return string(ja) == string(jb), nil
}

// interaction returns the Background interaction numbered no.
func (w *world) interaction(no int) (*pact.Interaction, error) {
	r, ok := w.interactions[no]
	if !ok {
		return nil, fmt.Errorf("no interaction %d defined", no)
	}
	return r.in, nil
}

// numbers reads "1, 2" or "1".
func numbers(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("interaction number %q: %w", f, err)
		}
		out = append(out, n)
	}
	return out, nil
}
