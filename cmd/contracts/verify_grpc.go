package main

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"google.golang.org/grpc/metadata"

	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/grpcverify"
)

// Flag names of the verify command's gRPC options.
const (
	flagTransport  = "transport"
	flagGRPCURL    = "grpc-url"
	flagTransports = "transports"
)

// grpcFlags are the verify command's options for gRPC providers:
//
//	--transport grpc --provider-base-url grpc://host:5555   gRPC only
//	--provider-base-url grpc://host:5555                    the same (the scheme says it)
//	--provider-base-url http://host:8080 --grpc-url grpc://host:5555
//	--transports http:8080 grpc:5555                        as the Pact verifier, on the
//	                                                        --provider-base-url host or localhost
type grpcFlags struct {
	transport  string
	grpcURL    string
	transports []string
}

// addFlags adds the gRPC flags to the verify command's flag set.
func (g *grpcFlags) addFlags(fl *pflag.FlagSet) {
	fl.StringVar(&g.transport, flagTransport, "http", "transport of --provider-base-url: http or grpc")
	fl.StringVar(&g.grpcURL, flagGRPCURL, "", "address of the provider's gRPC server for gRPC interactions, grpc://host:port")
	fl.StringSliceVar(&g.transports, flagTransports, nil, "transports and their ports, e.g. http:8080 grpc:5555 (on the --provider-base-url host, else localhost)")
}

// resolve works out, from the flags and --provider-base-url, the HTTP base
// URL to verify HTTP interactions against ("" for none) and the transports
// for the other interactions, made with opts (see grpcOptions). Call
// closeAll on the transports when done.
func (g *grpcFlags) resolve(providerBaseURL string, opts grpcverify.Options) (httpBase string, transports map[string]verify.Transport, err error) {
	transports = map[string]verify.Transport{}
	fail := func(err error) (string, map[string]verify.Transport, error) {
		closeAll(transports)
		return "", nil, err
	}
	addGRPC := func(flag, target string) error {
		if _, dup := transports["grpc"]; dup {
			return fmt.Errorf("--%s %s: a gRPC provider address is already given", flag, target)
		}
		t, err := grpcverify.New(target, opts)
		if err != nil {
			return fmt.Errorf("--%s: %w", flag, err)
		}
		transports["grpc"] = t
		return nil
	}
	httpBase = providerBaseURL
	switch strings.ToLower(g.transport) {
	case "", "http", "https":
		if isGRPCURL(providerBaseURL) {
			if err := addGRPC(flagProviderBaseURL, providerBaseURL); err != nil {
				return fail(err)
			}
			httpBase = ""
		}
	case "grpc":
		if providerBaseURL != "" {
			if err := addGRPC(flagProviderBaseURL, providerBaseURL); err != nil {
				return fail(err)
			}
		}
		httpBase = ""
	default:
		return fail(fmt.Errorf("--%s %q: want http or grpc", flagTransport, g.transport))
	}
	if g.grpcURL != "" {
		if err := addGRPC(flagGRPCURL, g.grpcURL); err != nil {
			return fail(err)
		}
	}
	host := "localhost"
	if u, err := url.Parse(providerBaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	for _, spec := range g.transports {
		name, port, ok := strings.Cut(strings.TrimSpace(spec), ":")
		n, perr := strconv.Atoi(port)
		if !ok || perr != nil || n < 1 || n > 65535 {
			return fail(fmt.Errorf("--%s %q: want NAME:PORT, e.g. grpc:5555", flagTransports, spec))
		}
		addr := net.JoinHostPort(host, port)
		switch strings.ToLower(name) {
		case "http":
			httpBase = "http://" + addr
		case "https":
			httpBase = "https://" + addr
		case "grpc":
			if err := addGRPC(flagTransports, "grpc://"+addr); err != nil {
				return fail(err)
			}
		default:
			return fail(fmt.Errorf("--%s %q: unknown transport %q (want http, https or grpc)", flagTransports, spec, name))
		}
	}
	if len(transports) == 0 {
		transports = nil
	}
	return httpBase, transports, nil
}

// grpcOptions carries the verify settings that apply to gRPC calls: the
// custom provider headers become metadata (names lower-cased) and the
// request timeout bounds each call.
func grpcOptions(cfg verify.Config) grpcverify.Options {
	opts := grpcverify.Options{Timeout: cfg.RequestTimeout}
	if len(cfg.Headers) > 0 {
		opts.Metadata = metadata.MD{}
		for name, values := range cfg.Headers {
			key := strings.ToLower(name)
			opts.Metadata[key] = append(opts.Metadata[key], values...)
		}
	}
	return opts
}

func isGRPCURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "grpc://") || strings.HasPrefix(l, "grpcs://")
}

// closeAll closes the transports that hold connections.
func closeAll(transports map[string]verify.Transport) {
	for _, t := range transports {
		if c, ok := t.(interface{ Close() error }); ok {
			_ = c.Close()
		}
	}
}
