package verify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

// Config says how to verify.
type Config struct {
	// ProviderBaseURL is where the provider listens, e.g.
	// "http://localhost:8080"; interaction paths are appended to its path.
	// Required when there are HTTP interactions to verify.
	ProviderBaseURL string
	// StateChangeURL receives a POST {"state", "params", "action"} before
	// (action "setup") and after (action "teardown") each interaction. When
	// empty, interactions with provider states get a warning.
	StateChangeURL string
	// NoStateChangeTeardown skips the teardown calls.
	NoStateChangeTeardown bool
	// Headers are added to every request sent to the provider, replacing
	// headers of the same name from the contract (e.g. Authorization).
	Headers http.Header
	// RequestTimeout bounds each request to the provider and each state
	// change call; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// FilterDescription, when set, verifies only interactions whose
	// description it matches.
	FilterDescription *regexp.Regexp
	// FilterState, when set, verifies only interactions with a provider
	// state whose name it matches.
	FilterState *regexp.Regexp
	// FilterNoState verifies only interactions without provider states.
	FilterNoState bool
	// RequestFilter, when set, may change each request just before it is
	// sent to the provider (not state change calls). It is called from
	// several goroutines at once when interactions run concurrently.
	RequestFilter func(*http.Request)
	// Client sends the requests; nil means a client with keep-alive
	// connections sized for Concurrency.
	Client *http.Client
	// Now is the clock, for durations and date generators; nil means time.Now.
	Now func() time.Time
	// Logger receives progress and warnings; nil discards them.
	Logger *slog.Logger
	// Concurrency is how many interactions are verified at once when no
	// state change URL is configured (provider states are global, so with
	// one every interaction runs alone); 0 means DefaultConcurrency.
	Concurrency int
	// Transports replay interactions of other kinds, keyed by TransportKey
	// ("message", "sync-message", "grpc", ...). An entry "http" replaces
	// the built-in HTTP transport. Like RequestFilter, a Transport may be
	// called concurrently.
	Transports map[string]Transport
}

// Defaults for Config fields left zero.
const (
	DefaultRequestTimeout = 5 * time.Second
	DefaultConcurrency    = 4
)

// ErrConfig is wrapped by errors about the configuration.
var ErrConfig = errors.New("invalid verification config")

// Transport replays interactions of one kind against the provider.
type Transport interface {
	// Verify replays call.Interaction, whose provider states are already
	// set up, and returns what it found. An Outcome with an Err means the
	// interaction could not be exercised; the interaction fails either way.
	Verify(ctx context.Context, call Call) Outcome
}

// StateCarrier is implemented by transports that pass the provider states
// to the provider themselves: the Pact message convention sends them with
// each message request, and in-process producers run their own state
// handlers. Without a state change URL, verify then gives no "no state
// change URL" warning for their interactions; with one, it still calls it.
type StateCarrier interface {
	CarriesStates() bool
}

// Call is one interaction to replay.
type Call struct {
	Pact        *pact.Pact
	Interaction *pact.Interaction
	// StateValues are the values the state change calls returned, for
	// ProviderState generators.
	StateValues map[string]any
}

// Outcome is what a Transport found.
type Outcome struct {
	Mismatches []match.Mismatch
	// Err is set when the interaction could not be exercised (connection
	// refused, timeout, ...).
	Err error
	// ExpectedBody and ActualBody are the bodies compared, for the text
	// report's diff; optional.
	ExpectedBody, ActualBody []byte
	// Warnings are worth reporting but do not fail the interaction.
	Warnings []string
}

// TransportKey names the transport that replays in: "http" for HTTP
// interactions, the V4 transport ("grpc", ...) when a message interaction
// has one, else "message" (asynchronous) or "sync-message".
func TransportKey(in *pact.Interaction) string {
	switch in.Type {
	case pact.HTTP, "":
		return "http"
	case pact.AsyncMessage:
		if in.Transport != "" {
			return in.Transport
		}
		return "message"
	default:
		if in.Transport != "" {
			return in.Transport
		}
		return "sync-message"
	}
}

// settings is a Config with defaults applied and URLs parsed.
type settings struct {
	Config
	base     *url.URL
	stateURL string
	log      *slog.Logger
}

func newSettings(cfg Config) (*settings, error) {
	s := &settings{Config: cfg}
	if s.RequestTimeout <= 0 {
		s.RequestTimeout = DefaultRequestTimeout
	}
	if s.Concurrency <= 0 {
		s.Concurrency = DefaultConcurrency
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	s.log = s.Logger
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.ProviderBaseURL != "" {
		u, err := parseHTTPURL(s.ProviderBaseURL)
		if err != nil {
			return nil, fmt.Errorf("%w: provider base URL: %w", ErrConfig, err)
		}
		u.Path = strings.TrimSuffix(u.Path, "/")
		u.RawPath = ""
		s.base = u
	}
	if s.StateChangeURL != "" {
		u, err := parseHTTPURL(s.StateChangeURL)
		if err != nil {
			return nil, fmt.Errorf("%w: provider state change URL: %w", ErrConfig, err)
		}
		s.stateURL = u.String()
	}
	if s.Client == nil {
		s.Client = NewClient(s.Concurrency)
	}
	return s, nil
}

func parseHTTPURL(raw string) (*url.URL, error) {
	if !strings.Contains(raw, "://") {
		// url.Parse reads "127.0.0.1:8080" as a path or an odd scheme;
		// say what is missing instead.
		return nil, fmt.Errorf("%q has no scheme: want an http:// or https:// URL, such as http://%s", raw, raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%q: want an http:// or https:// URL with a host", raw)
	}
	return u, nil
}

// NewClient returns an HTTP client for verification: keep-alive
// connections, enough idle connections per host for concurrency workers,
// and no redirects followed (a redirect is a response to check, not to
// follow).
func NewClient(concurrency int) *http.Client {
	if concurrency < 1 {
		concurrency = 1
	}
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: concurrency + 2,
		IdleConnTimeout:     90 * time.Second,
		// The provider's bytes are compared as they are; never ask for gzip
		// behind the contract's back.
		DisableCompression: true,
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// ParseHeader splits a "Name: value" header flag.
func ParseHeader(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t") {
		return "", "", fmt.Errorf("header %q: want 'Name: value'", s)
	}
	return name, strings.TrimSpace(value), nil
}
