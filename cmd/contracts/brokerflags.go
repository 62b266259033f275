package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/ci"
)

// Flag names shared by the commands that talk to a broker.
const (
	flagBrokerURL      = "broker-url"
	flagBrokerToken    = "broker-token"
	flagBrokerUsername = "broker-username"
	flagBrokerPassword = "broker-password"
	flagOutput         = "output"
)

// brokerFlags are the connection flags of broker client commands.
type brokerFlags struct {
	url, token, username, password string
}

// add registers the flags on cmd.
func (b *brokerFlags) add(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&b.url, flagBrokerURL, "", "base URL of the broker (env PACT_BROKER_BASE_URL)")
	fs.StringVar(&b.token, flagBrokerToken, "", "bearer token for the broker (env PACT_BROKER_TOKEN)")
	fs.StringVar(&b.username, flagBrokerUsername, "", "Basic auth username for the broker (env PACT_BROKER_USERNAME)")
	fs.StringVar(&b.password, flagBrokerPassword, "", "Basic auth password for the broker (env PACT_BROKER_PASSWORD)")
}

// client applies the environment defaults and returns a broker client.
func (b *brokerFlags) client(cmd *cobra.Command, e *env) (*api.Client, error) {
	for _, bind := range []struct{ flag, env string }{
		{flagBrokerURL, "PACT_BROKER_BASE_URL"},
		{flagBrokerToken, "PACT_BROKER_TOKEN"},
		{flagBrokerUsername, "PACT_BROKER_USERNAME"},
		{flagBrokerPassword, "PACT_BROKER_PASSWORD"},
	} {
		if err := bindEnv(cmd, e, bind.flag, bind.env); err != nil {
			return nil, err
		}
	}
	if b.url == "" {
		return nil, failWith(exitCantTell, fmt.Errorf("--%s (or PACT_BROKER_BASE_URL) is required", flagBrokerURL))
	}
	c, err := api.NewClient(b.url)
	if err != nil {
		return nil, failWith(exitCantTell, err)
	}
	c.Token, c.Username, c.Password = b.token, b.username, b.password
	return c, nil
}

// fillFromCI sets each of version, branch and buildURL that is empty to
// what the CI environment (read with getenv) says: its commit, branch and
// build URL.
func fillFromCI(getenv func(string) string, version, branch, buildURL *string) {
	detected := ci.Detect(getenv)
	for _, f := range []struct {
		dst *string
		v   string
	}{{version, detected.Commit}, {branch, detected.Branch}, {buildURL, detected.BuildURL}} {
		if *f.dst == "" {
			*f.dst = f.v
		}
	}
}

// required fails with a usage error naming the first empty flag.
func required(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return failWith(exitCantTell, fmt.Errorf("--%s is required", pairs[i]))
		}
	}
	return nil
}

// checkOutput validates an --output value.
func checkOutput(v string) error {
	if v != "table" && v != "json" {
		return failWith(exitCantTell, fmt.Errorf("--%s must be table or json, got %q", flagOutput, v))
	}
	return nil
}

// writeJSONOut writes v as indented JSON.
func writeJSONOut(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// brokerFailure turns a client error into exit code 2 (could not tell).
func brokerFailure(err error) error { return failWith(exitCantTell, err) }
