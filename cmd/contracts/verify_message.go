package main

import (
	"fmt"
	"net/http"

	"github.com/spf13/pflag"

	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/message"
)

// Flag names of the verify command's message options.
const (
	flagMessageURL = "message-url"
	envMessageURL  = "CONTRACTS_MESSAGE_URL"
)

// messageFlags are the verify command's options for message interactions.
// The Pact verifier POSTs message requests to the provider base URL, so
// that is the default message URL; --message-url points elsewhere (a
// dedicated endpoint such as http://localhost:8080/pact-messages).
type messageFlags struct {
	url string
}

// addFlags adds the message flags to the verify command's flag set.
func (m *messageFlags) addFlags(fl *pflag.FlagSet) {
	fl.StringVar(&m.url, flagMessageURL, "", "URL the message requests of message interactions are POSTed to (env "+envMessageURL+"; default: the HTTP provider base URL)")
}

// hasProviderAddress reports whether the flags name some provider to
// verify against: an HTTP base URL, a gRPC address or a message URL.
func (f *verifyFlags) hasProviderAddress() bool {
	return f.providerBaseURL != "" || f.grpc.grpcURL != "" || len(f.grpc.transports) > 0 || f.message.url != ""
}

// wireTransports completes cfg with the transports the flags ask for:
// gRPC (see grpcFlags.resolve), which may take over --provider-base-url, and
// the HTTP message transport for asynchronous and synchronous messages,
// posting to --message-url or else the HTTP provider base URL. The custom
// provider headers and the request timeout apply to message requests too.
// Call the returned function when the verification is done.
func (f *verifyFlags) wireTransports(cfg *verify.Config) (func(), error) {
	httpBase, transports, err := f.grpc.resolve(f.providerBaseURL, grpcOptions(*cfg))
	if err != nil {
		return nil, err
	}
	cfg.ProviderBaseURL = httpBase
	messageURL := f.message.url
	if messageURL != "" && !verify.IsURL(messageURL) {
		closeAll(transports)
		return nil, fmt.Errorf("--%s %q: want an http:// or https:// URL", flagMessageURL, messageURL)
	}
	if messageURL == "" && verify.IsURL(httpBase) {
		// A malformed base URL is left to verify.Verify, which names it.
		messageURL = httpBase
	}
	if messageURL != "" {
		if transports == nil {
			transports = map[string]verify.Transport{}
		}
		client := verify.NewClient(1)
		client.Timeout = cfg.RequestTimeout
		if len(cfg.Headers) > 0 {
			client.Transport = headerTransport{next: client.Transport, headers: cfg.Headers}
		}
		t := message.NewHTTPTransport(messageURL, client)
		transports[message.KeyAsync] = t
		transports[message.KeySync] = t
	}
	cfg.Transports = transports
	return func() { closeAll(transports) }, nil
}

// headerTransport sets the custom provider headers on each message request.
type headerTransport struct {
	next    http.RoundTripper
	headers http.Header
}

// RoundTrip implements http.RoundTripper.
func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for name, values := range h.headers {
		r.Header[http.CanonicalHeaderKey(name)] = append([]string(nil), values...)
	}
	return h.next.RoundTrip(r)
}
