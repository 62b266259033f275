package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
)

// DefaultMaxResponseBytes caps how much of a response is read and kept.
const DefaultMaxResponseBytes = 16 << 10

// Executor makes webhook requests under a Policy.
type Executor struct {
	Policy Policy
	// Timeout bounds one attempt (connection, request and response).
	Timeout time.Duration
	// SuccessCodes are the statuses that count as success; empty means
	// any 2xx.
	SuccessCodes []int
	// MaxResponseBytes caps the response body read (0: the default).
	MaxResponseBytes int64
	// Now is the clock for the logged times.
	Now func() time.Time
}

// Sent is a request as made, for the log; secret values are redacted.
type Sent struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
}

// Received is a response, for the log; the body is capped.
type Received struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
}

// Result is one attempt.
type Result struct {
	Success  bool
	Request  Sent
	Response *Received
	// Error says why there is no response (refused target, timeout, ...).
	Error     string
	StartedAt time.Time
	Duration  time.Duration
}

// StatusCode is the response's status, 0 without a response.
func (r Result) StatusCode() int {
	if r.Response == nil {
		return 0
	}
	return r.Response.Status
}

// Log renders the attempt as text: request line, headers (redacted),
// body, then the response status, headers and capped body or the error.
func (r Result) Log() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.Request.Method, r.Request.URL)
	writeHeaders(&b, r.Request.Headers)
	if r.Request.Body != "" {
		fmt.Fprintf(&b, "\n%s\n", r.Request.Body)
	}
	b.WriteString("\n")
	switch {
	case r.Response != nil:
		fmt.Fprintf(&b, "HTTP %d %s\n", r.Response.Status, http.StatusText(r.Response.Status))
		writeHeaders(&b, r.Response.Headers)
		if r.Response.Body != "" {
			fmt.Fprintf(&b, "\n%s\n", r.Response.Body)
		}
	default:
		fmt.Fprintf(&b, "error: %s\n", r.Error)
	}
	return b.String()
}

func writeHeaders(b *strings.Builder, hs map[string]string) {
	keys := make([]string, 0, len(hs))
	for k := range hs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(b, "%s: %s\n", k, hs[k])
	}
}

// Rendered is a webhook request with its variables filled in.
type Rendered struct {
	Method   string
	URL      string
	Headers  map[string]string
	Body     []byte
	Username string
	Password string
}

// Render fills in req's template variables.
func Render(req Request, vars Variables) (Rendered, error) {
	body, err := vars.Body(req.Body)
	if err != nil {
		return Rendered{}, fmt.Errorf("request.body: %w", err)
	}
	out := Rendered{Method: strings.ToUpper(req.Method), URL: vars.URL(req.URL), Body: body, Username: req.Username, Password: req.Password, Headers: map[string]string{}}
	for k, v := range req.Headers {
		out.Headers[k] = vars.Header(v)
	}
	return out, nil
}

func (r Rendered) sent() Sent {
	s := Sent{Method: r.Method, URL: r.URL, Body: string(r.Body), Headers: redactHeaders(r.Headers)}
	if r.Username != "" {
		s.Headers["Authorization"] = "Basic " + Redacted
	}
	return s
}

func redactHeaders(hs map[string]string) map[string]string {
	out := make(map[string]string, len(hs))
	for k, v := range hs {
		if SecretHeader(k) {
			v = Redacted
		}
		out[k] = v
	}
	return out
}

// Do makes one attempt of r. Targets the policy refuses are not
// contacted; the check covers the address actually dialled (after name
// resolution, with no second resolution) and redirects are not followed.
func (e *Executor) Do(ctx context.Context, r Rendered) Result {
	now := e.Now
	if now == nil {
		now = time.Now
	}
	res := Result{Request: r.sent(), StartedAt: now()}
	defer func() { res.Duration = now().Sub(res.StartedAt) }()
	fail := func(err error) Result {
		res.Error = err.Error()
		res.Duration = now().Sub(res.StartedAt)
		return res
	}
	if err := e.Policy.CheckRequest(Request{Method: r.Method, URL: r.URL}); err != nil {
		return fail(err)
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return fail(err)
	}
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return fail(err)
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	if r.Username != "" {
		req.SetBasicAuth(r.Username, r.Password)
	}
	if len(r.Body) > 0 && req.Header.Get("Content-Type") == "" && json.Valid(r.Body) {
		req.Header.Set("Content-Type", "application/json")
	}
	client := e.client(u.Hostname())
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		// The URL is in the log's request line already; left out of the
		// error, it stays out of the service's logs (it may hold a token).
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fail(err)
	}
	defer resp.Body.Close()
	limit := e.MaxResponseBytes
	if limit <= 0 {
		limit = DefaultMaxResponseBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil && !errors.Is(err, io.EOF) {
		return fail(fmt.Errorf("read response: %w", err))
	}
	hs := map[string]string{}
	for k := range resp.Header {
		hs[k] = resp.Header.Get(k)
	}
	res.Response = &Received{Status: resp.StatusCode, Headers: redactHeaders(hs), Body: string(body)}
	res.Success = e.success(resp.StatusCode)
	res.Duration = now().Sub(res.StartedAt)
	return res
}

func (e *Executor) success(code int) bool {
	if len(e.SuccessCodes) == 0 {
		return code >= 200 && code < 300
	}
	return slices.Contains(e.SuccessCodes, code)
}

// client returns a client for one request to host: no proxy (the check
// must see the target), no redirects, and a dialer that checks each
// resolved address before connecting to it.
func (e *Executor) client(host string) *http.Client {
	d := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("dial %s: %w", address, err)
			}
			return e.Policy.dialAllowed(host, ap.Addr())
		},
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: e.Timeout,
		DisableKeepAlives:     true,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
