package verify

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

// maxResponseBody bounds how much of a provider response is read.
const maxResponseBody = 32 << 20

// httpTransport replays HTTP interactions against the provider base URL.
type httpTransport struct{ s *settings }

// Verify implements Transport.
func (t *httpTransport) Verify(ctx context.Context, call Call) Outcome {
	in := call.Interaction
	if in.Request == nil || in.Response == nil {
		return Outcome{Err: errors.New("interaction has no request or no response")}
	}
	var warnings []string
	reqSpec, err := providerRequest(in.Request, call.StateValues, t.s.Now())
	if err != nil {
		// The example values stand in for what could not be generated.
		warnings = append(warnings, "request generators: "+oneLine(err.Error()))
	}
	if reqSpec == nil {
		reqSpec = in.Request
	}
	req, err := t.newRequest(ctx, reqSpec)
	if err != nil {
		return Outcome{Err: err, Warnings: warnings}
	}
	ctx, cancel := context.WithTimeout(ctx, t.s.RequestTimeout)
	defer cancel()
	req = req.WithContext(ctx)
	resp, err := t.s.Client.Do(req)
	if err != nil {
		// *url.Error repeats the method and URL said below.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no response within %s", t.s.RequestTimeout)
		}
		return Outcome{Err: fmt.Errorf("%s %s: %w", req.Method, req.URL, err), Warnings: warnings}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return Outcome{Err: fmt.Errorf("%s %s: read response: %w", req.Method, req.URL, err), Warnings: warnings}
	}
	if body, err = decodeContent(resp.Header.Get("Content-Encoding"), body); err != nil {
		return Outcome{Err: fmt.Errorf("%s %s: %w", req.Method, req.URL, err), Warnings: warnings}
	}
	actual := actualResponse(resp, body)
	expected := in.Response
	return Outcome{
		Mismatches:   match.Response(expected, actual),
		ExpectedBody: expected.Body.Content,
		ActualBody:   body,
		Warnings:     warnings,
	}
}

// newRequest turns the contract's request into an HTTP request to the
// provider: base URL path + request path, query, headers, body, then the
// configured headers and the request filter.
func (t *httpTransport) newRequest(ctx context.Context, r *pact.Request) (*http.Request, error) {
	u := *t.s.base
	path := r.Path
	if path == "" {
		path = "/"
	} else if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	// A pact's path is sent as written: percent-escapes in it (pacts written
	// by Ruby and JS clients have "/pacticipants/Pricing%20Service") are kept,
	// not escaped again; characters that need escaping (a space) are escaped.
	escaped := escapePathKeepingEscapes(path)
	unescaped, err := url.PathUnescape(escaped)
	if err != nil {
		return nil, fmt.Errorf("build request path %q: %w", r.Path, err)
	}
	u.RawPath = u.EscapedPath() + escaped
	u.Path = u.Path + unescaped
	u.RawQuery = encodeQuery(r.Query)
	var body io.Reader = http.NoBody
	if (r.Body.State == pact.BodyPresent || r.Body.State == pact.BodyEmpty) && len(r.Body.Content) > 0 {
		body = bytes.NewReader(r.Body.Content)
	}
	method := strings.ToUpper(r.Method)
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("build request %s %s: %w", method, r.Path, err)
	}
	for _, name := range sortedKeys(r.Headers) {
		for _, v := range r.Headers[name] {
			req.Header.Add(name, v)
		}
	}
	if r.Body.State == pact.BodyPresent && req.Header.Get("Content-Type") == "" {
		if ct := r.Body.EffectiveContentType(); ct != "" {
			req.Header.Set("Content-Type", ct)
		}
	}
	if host := req.Header.Get("Host"); host != "" {
		req.Host = host
	}
	for name, vs := range t.s.Headers {
		req.Header.Del(name)
		for _, v := range vs {
			req.Header.Add(name, v)
		}
	}
	if t.s.RequestFilter != nil {
		t.s.RequestFilter(req)
	}
	return req, nil
}

// escapePathKeepingEscapes percent-escapes the bytes of a path that may
// not appear in one, keeping the %XX escapes already there.
func escapePathKeepingEscapes(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]):
			b.WriteString(p[i : i+3])
			i += 2
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("/-._~!$&'()*+,;=:@", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// encodeQuery writes query parameters in key order, values in their order.
func encodeQuery(q pact.Query) string {
	if len(q) == 0 {
		return ""
	}
	var b strings.Builder
	for _, k := range sortedKeys(q) {
		vs := q[k]
		if len(vs) == 0 {
			vs = []string{""}
		}
		for _, v := range vs {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String()
}

// decodeContent undoes a gzip or deflate Content-Encoding, which the
// provider only applies when the pact's request asked for it
// (Accept-Encoding): the Pact verifier compares the decoded body. The
// Content-Encoding header itself is kept for header matching.
func decodeContent(encoding string, body []byte) ([]byte, error) {
	if len(body) == 0 {
		return body, nil // HEAD, 204 and 304 answers carry the header alone
	}
	var r io.ReadCloser
	var err error
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "gzip", "x-gzip":
		r, err = gzip.NewReader(bytes.NewReader(body))
	case "deflate":
		r, err = zlib.NewReader(bytes.NewReader(body))
	default:
		return body, nil
	}
	if err == nil {
		defer r.Close()
		body, err = io.ReadAll(io.LimitReader(r, maxResponseBody))
	}
	if err != nil {
		return nil, fmt.Errorf("decode %s response body: %w", encoding, err)
	}
	return body, nil
}

// actualResponse describes what the provider returned in the pact model,
// for the matching engine.
func actualResponse(resp *http.Response, body []byte) *pact.Response {
	h := pact.Headers{}
	for name, vs := range resp.Header {
		h[name] = append([]string(nil), vs...)
	}
	if resp.Close && resp.ProtoAtLeast(1, 1) && h.Get("Connection") == "" {
		// Go's client removes a "Connection: close" header from the
		// response and sets Close instead; on HTTP/1.1 Close is set only
		// by that header, so it was on the wire.
		h["Connection"] = []string{"close"}
	}
	b := pact.Body{State: pact.BodyEmpty}
	if len(body) > 0 {
		b = pact.Body{State: pact.BodyPresent, Content: body, ContentType: resp.Header.Get("Content-Type")}
	}
	return &pact.Response{Status: resp.StatusCode, Headers: h, Body: b}
}
