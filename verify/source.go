package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Source is one pact to verify: its raw bytes, where they came from, and,
// when it came from a Pact Broker's pacts-for-verification, what the broker
// said about it.
type Source struct {
	// Name says where the pact came from: a file path or a URL.
	Name string
	// Data is the pact file's contents.
	Data []byte
	// Broker is set for pacts fetched from a broker; nil otherwise.
	Broker *BrokerInfo
}

// BrokerInfo is what a Pact Broker said about a pact it asked us to verify.
type BrokerInfo struct {
	// PactURL is the pact's URL at the broker (the "self" link).
	PactURL string `json:"pactUrl,omitempty"`
	// PublishURL is the pact's pb:publish-verification-results link.
	PublishURL string `json:"publishUrl,omitempty"`
	// Pending means a failure of this pact must not fail the verification.
	Pending bool `json:"pending,omitempty"`
	// WIP marks a work-in-progress pact (always pending).
	WIP bool `json:"wip,omitempty"`
	// Notices are the broker's notices for this pact, in order.
	Notices []Notice `json:"notices,omitempty"`
}

// Notice is a broker notice: When says at which point it applies
// ("before_verification", "after_verification:success_true_published_false", ...).
type Notice struct {
	When string `json:"when,omitempty"`
	Text string `json:"text"`
}

// pending reports whether the whole source is pending.
func (s Source) pending() bool { return s.Broker != nil && (s.Broker.Pending || s.Broker.WIP) }

// LoadPath reads a pact file, or every *.json file of a directory (not
// recursive), sorted by name.
func LoadPath(path string) ([]Source, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read pact %s: %w", path, err)
	}
	if !info.IsDir() {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read pact %s: %w", path, err)
		}
		return []Source{{Name: path, Data: data}}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("read pact directory %s: %w", path, err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("read pact directory %s: no *.json files", path)
	}
	out := make([]Source, 0, len(names))
	for _, n := range names {
		p := filepath.Join(path, n)
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read pact %s: %w", p, err)
		}
		out = append(out, Source{Name: p, Data: data})
	}
	return out, nil
}

// maxPactSize bounds what FetchURL reads, so a wrong URL cannot exhaust memory.
const maxPactSize = 64 << 20

// FetchURL reads a pact over HTTP(S) with a GET carrying header (for example
// Authorization). client may be nil (http.DefaultClient).
func FetchURL(ctx context.Context, client *http.Client, url string, header http.Header) (Source, error) {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Source{}, fmt.Errorf("fetch pact %s: %w", url, err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Accept", "application/hal+json, application/json")
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error would repeat the URL said here.
		var ue *neturl.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Source{}, fmt.Errorf("fetch pact %s: %w", url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPactSize+1))
	if err != nil {
		return Source{}, fmt.Errorf("fetch pact %s: %w", url, err)
	}
	if resp.StatusCode/100 != 2 {
		return Source{}, fmt.Errorf("fetch pact %s: HTTP %s: %s", url, resp.Status, snippet(data))
	}
	if len(data) > maxPactSize {
		return Source{}, fmt.Errorf("fetch pact %s: larger than %d bytes", url, maxPactSize)
	}
	return Source{Name: url, Data: data}, nil
}

// IsURL reports whether arg names an HTTP(S) URL rather than a path.
func IsURL(arg string) bool {
	return strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://")
}

// snippet shortens a response body for an error message.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
