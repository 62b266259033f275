package mock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/contracts-dev/contracts/formats/pact"
)

// What the HTTP, gRPC (grpcmock) and message (messagemock) mocks share:
// one error for "the mock saw problems", one verdict over the problems,
// and one way to name and write the pact of a consumer-provider pair.

// ErrNotOK is wrapped by every mock's Verify and WritePact error when the
// mock saw unexpected, mismatched or missing requests, calls or messages.
var ErrNotOK = errors.New("mock server expectations not met")

// PactWriter is what every mock offers once its consumer test or run is
// over: the HTTP mock (Server), grpcmock.Server, grpcmock.Mock and
// messagemock.Pact. Verify returns nil when the mock saw nothing wrong,
// else an error wrapping ErrNotOK. WritePact writes one pact file per
// consumer-provider pair into dir (PactPath) and returns the paths
// written; it writes nothing and returns an error wrapping ErrNotOK when
// Verify does not pass. What differs between mocks (the pair's names, the
// files to merge into, the specification) is given when the mock is
// created or through its options, never to WritePact.
type PactWriter interface {
	Verify() error
	WritePact(dir string) ([]string, error)
}

var _ PactWriter = (*Server)(nil)

// Verdict returns nil when there are no problems, else an error wrapping
// ErrNotOK that lists them, one a line.
func Verdict[P fmt.Stringer](problems []P) error {
	if len(problems) == 0 {
		return nil
	}
	lines := make([]string, len(problems))
	for i, p := range problems {
		lines[i] = "  " + p.String()
	}
	return fmt.Errorf("%w:\n%s", ErrNotOK, strings.Join(lines, "\n"))
}

// Ledger records the problems a mock sees, in arrival order. The zero
// value is ready; it is safe for concurrent use.
type Ledger[P fmt.Stringer] struct {
	mu       sync.Mutex
	problems []P
}

// Add records p.
func (l *Ledger[P]) Add(p P) {
	l.mu.Lock()
	l.problems = append(l.problems, p)
	l.mu.Unlock()
}

// Seen returns a copy of the problems recorded so far.
func (l *Ledger[P]) Seen() []P {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]P(nil), l.problems...)
}

// Uses counts how often one expectation was used; one never used is a
// missing request. The zero value is ready; it is safe for concurrent use.
type Uses struct{ n atomic.Int64 }

// Use records one use.
func (u *Uses) Use() { u.n.Add(1) }

// Count is the number of uses so far.
func (u *Uses) Count() int64 { return u.n.Load() }

// Exercise is an interaction a mock served, with the pact it came from.
type Exercise struct {
	Pact        *pact.Pact
	Interaction *pact.Interaction
}

// PairPacts groups exercised interactions into one pact per
// consumer-provider pair, in the order the pairs are first seen: a copy of
// the pair's first pact (its metadata kept) holding the pair's
// interactions in order, with the highest specification among its pacts.
// merge, when not nil, is called once for each further pact a pair's
// interactions come from, to fold its metadata into the pair's pact.
func PairPacts(exercised []Exercise, merge func(into, from *pact.Pact)) []*pact.Pact {
	type pair struct{ consumer, provider string }
	var pacts []*pact.Pact
	byPair := map[pair]*pact.Pact{}
	sources := map[pair]map[*pact.Pact]bool{}
	for _, e := range exercised {
		k := pair{e.Pact.Consumer.Name, e.Pact.Provider.Name}
		p := byPair[k]
		if p == nil {
			c := *e.Pact
			c.Interactions = nil
			c.Messages = false
			p = &c
			byPair[k] = p
			sources[k] = map[*pact.Pact]bool{e.Pact: true}
			pacts = append(pacts, p)
		} else if !sources[k][e.Pact] {
			if merge != nil {
				merge(p, e.Pact)
			}
			sources[k][e.Pact] = true
		}
		if e.Pact.Spec > p.Spec {
			p.Spec = e.Pact.Spec
		}
		p.Interactions = append(p.Interactions, e.Interaction)
	}
	return pacts
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// PactPath is where a mock writes the pact of consumer and provider in
// dir: dir/<consumer>-<provider>.json, characters other than letters,
// digits, '.', '_' and '-' replaced by '_'.
func PactPath(dir, consumer, provider string) string {
	return filepath.Join(dir, unsafeName.ReplaceAllString(consumer, "_")+"-"+unsafeName.ReplaceAllString(provider, "_")+".json")
}

// WritePactFile writes data to PactPath(dir, consumer, provider), creating
// dir, through a temporary file renamed into place so that a reader never
// sees half a pact. It returns the path written.
func WritePactFile(dir, consumer, provider string, data []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("write pact: %w", err)
	}
	path := PactPath(dir, consumer, provider)
	tmp, err := os.CreateTemp(dir, ".pact-*.json")
	if err != nil {
		return "", fmt.Errorf("write pact: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return "", fmt.Errorf("write pact %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return "", fmt.Errorf("write pact %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return "", fmt.Errorf("write pact %s: %w", path, err)
	}
	return path, nil
}
