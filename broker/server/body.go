package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"golang.org/x/sync/semaphore"
)

// DefaultBodyReadTimeout is how long a request body may take to arrive when
// ServerConfig leaves BodyReadTimeout zero.
const DefaultBodyReadTimeout = time.Minute

// DefaultMaxInFlightBodyBytes is the total size of large request bodies
// read at once when ServerConfig leaves MaxInFlightBodyBytes zero.
const DefaultMaxInFlightBodyBytes = 32 << 20

// largeBody is the size from which a request body counts against
// MaxInFlightBodyBytes; smaller bodies never wait.
const largeBody = 1 << 20

// errRequestTimeout is answered with 408.
var errRequestTimeout = &statusError{status: http.StatusRequestTimeout}

// readBody reads the whole request body into one buffer sized from
// Content-Length (no doubling copies). A body cut short is malformed
// input (400) and a body that stops arriving is a timeout (408), never a
// server error.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		// MaxBytesReader refuses more than the limit anyway; the +1 lets
		// ReadFrom see EOF without growing the buffer.
		buf.Grow(int(r.ContentLength) + 1)
	}
	_, err := buf.ReadFrom(r.Body)
	switch {
	case err == nil:
		return buf.Bytes(), nil
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, invalid("body", "request body ended after %d of the %d bytes its Content-Length announced", buf.Len(), r.ContentLength)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, fmt.Errorf("request body did not arrive in time (%d bytes read): %w", buf.Len(), errRequestTimeout)
	}
	return nil, fmt.Errorf("read request body: %w", err)
}

// loneSurrogate returns the offset of the first JSON escape of a UTF-16
// surrogate that is not part of a pair (encoding/json would quietly turn it
// into U+FFFD), or -1. Backslashes only occur inside JSON strings, so
// escapes are found without tracking strings.
func loneSurrogate(data []byte) int {
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		cp, ok := unicodeEscape(data, i)
		if !ok {
			i++ // a two-character escape such as \\ or \"
			continue
		}
		switch {
		case cp >= 0xD800 && cp <= 0xDBFF:
			if lo, ok := unicodeEscape(data, i+6); ok && lo >= 0xDC00 && lo <= 0xDFFF {
				i += 11
				continue
			}
			return i
		case cp >= 0xDC00 && cp <= 0xDFFF:
			return i
		}
		i += 5
	}
	return -1
}

// unicodeEscape decodes a \uXXXX escape at data[i:].
func unicodeEscape(data []byte, i int) (rune, bool) {
	if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
		return 0, false
	}
	var cp rune
	for _, c := range data[i+2 : i+6] {
		switch {
		case c >= '0' && c <= '9':
			cp = cp<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			cp = cp<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			cp = cp<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return cp, true
}

// bodyGate bounds the memory held by large request bodies: a request whose
// body is large waits until the bodies being read and handled weigh less
// than the limit, then gets its body read deadline.
type bodyGate struct {
	sem     *semaphore.Weighted
	limit   int64
	maxBody int64
	timeout time.Duration
}

func newBodyGate(limit, maxBody int64, timeout time.Duration) *bodyGate {
	return &bodyGate{sem: semaphore.NewWeighted(limit), limit: limit, maxBody: maxBody, timeout: timeout}
}

// enter waits for room for r's body and sets its read deadline; release
// must be called when the handler is done. An error means the client gave
// up waiting.
func (g *bodyGate) enter(ctx context.Context, w http.ResponseWriter, r *http.Request) (release func(), err error) {
	release = func() {}
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return release, nil
	}
	weight := r.ContentLength
	if weight < 0 { // chunked: as large as it may be
		weight = g.maxBody
	}
	weight = min(weight, g.maxBody, g.limit)
	if weight >= largeBody {
		if err := g.sem.Acquire(ctx, weight); err != nil {
			return release, err
		}
		release = func() { g.sem.Release(weight) }
	}
	// The deadline starts once the body may be read, so that waiting for
	// room does not eat into it. Servers that cannot set deadlines (tests
	// with recorders) keep their own.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(g.timeout))
	return release, nil
}
