package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/web"
)

// Flag names of the broker command.
const (
	flagServeAddr           = "addr"
	flagServeDB             = "db"
	flagServeAllowPublic    = "allow-public-read"
	flagServePublicBadges   = "public-badges"
	flagServeAllowOverwrite = "allow-overwrite"
	flagServeBaseURL        = "base-url"
	flagServeLogLevel       = "log-level"
	flagServeMaxBody        = "max-body-bytes"
	flagServeMainBranches   = "main-branch-candidates"
	flagServeFirstTagBranch = "first-tag-as-branch-within"
	flagServeDeployForTags  = "deployed-versions-for-tags"
	flagServeMaxInFlight    = "max-inflight-body-bytes"
	flagServeHeaderTimeout  = "read-header-timeout"
	flagServeBodyTimeout    = "read-body-timeout"
	flagServeShutdownGrace  = "shutdown-grace"
	flagServeShutdownDelay  = "shutdown-delay"
)

type serveFlags struct {
	addr, db, baseURL, logLevel string
	allowPublicRead             bool
	publicBadges                bool
	allowOverwrite              bool
	maxBody, maxInFlight        int64
	headerTimeout, bodyTimeout  time.Duration
	// shutdownGrace bounds the time from the stop signal to exit;
	// shutdownDelay is the part of it during which the broker still
	// accepts requests while /health/ready answers 503.
	shutdownGrace, shutdownDelay time.Duration
	mainBranches                 []string
	firstTagBranch               time.Duration
	deployForTags                bool
	store                        storeFlags
}

func init() { register(newBrokerCmd) }

func newBrokerCmd(e *env) *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "broker",
		Short: "Run the contract broker (Pact Broker compatible HTTP API)",
		Long: `Broker serves the Pact-Broker-compatible HAL JSON API over a SQLite database
(--db) or, with --database-url, PostgreSQL (several replicas may share it),
with GET /health and GET /metrics (Prometheus), and a web view for browsers at
the same paths. Logs are JSON lines on stdout.

Credentials come from the environment only (never flags, which other users of
the machine can see):
  CONTRACTS_WRITE_TOKEN, CONTRACTS_READ_TOKEN            bearer tokens
  CONTRACTS_BASIC_AUTH_USERNAME/PASSWORD                  read-write Basic auth
  CONTRACTS_READ_ONLY_BASIC_AUTH_USERNAME/PASSWORD        read-only Basic auth
With none set, the broker is open to anyone (a warning is logged).

Links in responses are absolute: built from --base-url when set, otherwise
from the request's Host and X-Forwarded-Proto/Host/Prefix headers (set
--base-url when the broker is reachable directly and behind a proxy).

The server stops gracefully on SIGTERM or interrupt: GET /health/ready turns
503 at once, requests are still accepted for --shutdown-delay, then in-flight
requests finish; the process exits at the latest --shutdown-grace after the
signal. GET /health/live answers 200 while the process serves.`,
		Example: `  contracts broker --addr :9292 --db ./contracts.db
  CONTRACTS_WRITE_TOKEN=s3cret CONTRACTS_ALLOW_PUBLIC_READ=true contracts broker
  CONTRACTS_DATABASE_URL=postgres://broker@db:5432/contracts contracts broker   # one of several replicas`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, b := range []struct{ flag, env string }{
				{flagServeAddr, "CONTRACTS_ADDR"},
				{flagServeDB, "CONTRACTS_DB"},
				{flagServeAllowPublic, "CONTRACTS_ALLOW_PUBLIC_READ"},
				{flagServePublicBadges, "CONTRACTS_PUBLIC_BADGES"},
				{flagServeAllowOverwrite, "CONTRACTS_ALLOW_OVERWRITE"},
				{flagServeBaseURL, "CONTRACTS_BASE_URL"},
				{flagServeLogLevel, "CONTRACTS_LOG_LEVEL"},
				{flagServeMaxBody, "CONTRACTS_MAX_BODY_BYTES"},
				{flagServeMainBranches, "CONTRACTS_MAIN_BRANCH_CANDIDATES"},
				{flagServeFirstTagBranch, "CONTRACTS_FIRST_TAG_AS_BRANCH_WITHIN"},
				{flagServeDeployForTags, "CONTRACTS_DEPLOYED_VERSIONS_FOR_TAGS"},
				{flagServeMaxInFlight, "CONTRACTS_MAX_INFLIGHT_BODY_BYTES"},
				{flagServeHeaderTimeout, "CONTRACTS_READ_HEADER_TIMEOUT"},
				{flagServeBodyTimeout, "CONTRACTS_READ_BODY_TIMEOUT"},
				{flagServeShutdownGrace, "CONTRACTS_SHUTDOWN_GRACE"},
				{flagServeShutdownDelay, "CONTRACTS_SHUTDOWN_DELAY"},
			} {
				if err := bindEnv(cmd, e, b.flag, b.env); err != nil {
					return err
				}
			}
			if err := bindStoreEnv(cmd, e); err != nil {
				return err
			}
			return runBroker(cmd.Context(), e, f)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.addr, flagServeAddr, ":9292", "address to listen on (env CONTRACTS_ADDR)")
	fs.StringVar(&f.db, flagServeDB, "./contracts.db", "SQLite database file (env CONTRACTS_DB)")
	fs.BoolVar(&f.allowPublicRead, flagServeAllowPublic, false, "let requests without credentials read (env CONTRACTS_ALLOW_PUBLIC_READ)")
	fs.BoolVar(&f.publicBadges, flagServePublicBadges, false, "serve the status badges (paths ending in /badge) without credentials (env CONTRACTS_PUBLIC_BADGES)")
	fs.BoolVar(&f.allowOverwrite, flagServeAllowOverwrite, false, "let a publication change a pact already published for the same consumer version (env CONTRACTS_ALLOW_OVERWRITE)")
	fs.StringVar(&f.baseURL, flagServeBaseURL, "", "absolute URL the broker is reached at, for links (env CONTRACTS_BASE_URL; default: from each request)")
	fs.StringVar(&f.logLevel, flagServeLogLevel, "info", "log level: debug, info, warn or error (env CONTRACTS_LOG_LEVEL)")
	fs.Int64Var(&f.maxBody, flagServeMaxBody, server.DefaultMaxBodyBytes, "largest request body accepted, in bytes (env CONTRACTS_MAX_BODY_BYTES)")
	rules := broker.DefaultRules()
	fs.StringSliceVar(&f.mainBranches, flagServeMainBranches, rules.MainBranchCandidates, "branch or tag names that become a pacticipant's main branch when it has none; empty disables (env CONTRACTS_MAIN_BRANCH_CANDIDATES)")
	fs.DurationVar(&f.firstTagBranch, flagServeFirstTagBranch, rules.FirstTagAsBranch, "a version's first tag, applied within this time of its creation, also becomes its branch when it has none; 0 disables (env CONTRACTS_FIRST_TAG_AS_BRANCH_WITHIN)")
	fs.BoolVar(&f.deployForTags, flagServeDeployForTags, rules.DeployedVersionsForTags, "tagging a version with an environment's name records it as deployed there (env CONTRACTS_DEPLOYED_VERSIONS_FOR_TAGS)")
	fs.Int64Var(&f.maxInFlight, flagServeMaxInFlight, server.DefaultMaxInFlightBodyBytes, "total size of large (1 MiB+) request bodies handled at once; more wait (env CONTRACTS_MAX_INFLIGHT_BODY_BYTES)")
	fs.DurationVar(&f.headerTimeout, flagServeHeaderTimeout, 10*time.Second, "time a client has to send the request headers (env CONTRACTS_READ_HEADER_TIMEOUT)")
	fs.DurationVar(&f.bodyTimeout, flagServeBodyTimeout, server.DefaultBodyReadTimeout, "time a client has to send the request body; a stalled body gets 408 (env CONTRACTS_READ_BODY_TIMEOUT)")
	fs.DurationVar(&f.shutdownGrace, flagServeShutdownGrace, 25*time.Second, "on SIGTERM or interrupt, exit at the latest this long after the signal; in-flight requests still running then are cut (env CONTRACTS_SHUTDOWN_GRACE)")
	fs.DurationVar(&f.shutdownDelay, flagServeShutdownDelay, 0, "on SIGTERM, keep accepting requests this long (part of the grace period) while /health/ready answers 503, so that load balancers stop sending first (env CONTRACTS_SHUTDOWN_DELAY)")
	addStoreFlags(cmd, &f.store)
	return cmd
}

func runBroker(ctx context.Context, e *env, f *serveFlags) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return failWith(exitCantTell, fmt.Errorf("--%s %q: must be debug, info, warn or error", flagServeLogLevel, f.logLevel))
	}
	if f.maxBody <= 0 {
		return failWith(exitCantTell, fmt.Errorf("--%s must be positive, got %d", flagServeMaxBody, f.maxBody))
	}
	if f.firstTagBranch < 0 {
		return failWith(exitCantTell, fmt.Errorf("--%s must not be negative, got %s", flagServeFirstTagBranch, f.firstTagBranch))
	}
	var mainBranches []string
	for _, b := range f.mainBranches {
		if b = strings.TrimSpace(b); b != "" {
			mainBranches = append(mainBranches, b)
		}
	}
	if f.maxInFlight <= 0 {
		// A body larger than the bound takes all of it: it runs alone.
		return failWith(exitCantTell, fmt.Errorf("--%s must be positive, got %d", flagServeMaxInFlight, f.maxInFlight))
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{flagServeHeaderTimeout, f.headerTimeout}, {flagServeBodyTimeout, f.bodyTimeout}, {flagServeShutdownGrace, f.shutdownGrace}} {
		if d.v <= 0 {
			return failWith(exitCantTell, fmt.Errorf("--%s must be positive, got %s", d.flag, d.v))
		}
	}
	if f.shutdownDelay < 0 || f.shutdownDelay >= f.shutdownGrace {
		return failWith(exitCantTell, fmt.Errorf("--%s %s must be at least 0 and shorter than --%s %s", flagServeShutdownDelay, f.shutdownDelay, flagServeShutdownGrace, f.shutdownGrace))
	}
	if f.baseURL != "" && !strings.HasPrefix(f.baseURL, "http://") && !strings.HasPrefix(f.baseURL, "https://") {
		return failWith(exitCantTell, fmt.Errorf("--%s %q: must be an absolute http or https URL", flagServeBaseURL, f.baseURL))
	}
	log := slog.New(slog.NewJSONHandler(e.stdout, &slog.HandlerOptions{Level: level}))
	auth := server.AuthConfig{
		ReadToken:       e.getenv("CONTRACTS_READ_TOKEN"),
		WriteToken:      e.getenv("CONTRACTS_WRITE_TOKEN"),
		WriteUsername:   e.getenv("CONTRACTS_BASIC_AUTH_USERNAME"),
		WritePassword:   e.getenv("CONTRACTS_BASIC_AUTH_PASSWORD"),
		ReadUsername:    e.getenv("CONTRACTS_READ_ONLY_BASIC_AUTH_USERNAME"),
		ReadPassword:    e.getenv("CONTRACTS_READ_ONLY_BASIC_AUTH_PASSWORD"),
		AllowPublicRead: f.allowPublicRead,
		PublicBadges:    f.publicBadges,
	}
	if (auth.WriteUsername == "") != (auth.WritePassword == "") || (auth.ReadUsername == "") != (auth.ReadPassword == "") {
		return failWith(exitCantTell, errors.New("a Basic auth username needs its password and the other way round (CONTRACTS_*BASIC_AUTH_USERNAME/PASSWORD)"))
	}
	store, dbDesc, err := openBrokerStore(ctx, f.store, f.db)
	if err != nil {
		return failWith(exitCantTell, err)
	}
	defer store.Close()

	draining := make(chan struct{})
	handler := server.New(store, server.Config{
		BaseURL:              f.baseURL,
		Logger:               log,
		Auth:                 auth,
		AllowOverwrite:       f.allowOverwrite,
		MaxBodyBytes:         f.maxBody,
		MaxInFlightBodyBytes: f.maxInFlight,
		BodyReadTimeout:      f.bodyTimeout,
		Draining:             draining,
		Rules: &broker.Rules{
			MainBranchCandidates:    mainBranches,
			FirstTagAsBranch:        f.firstTagBranch,
			DeployedVersionsForTags: f.deployForTags,
		},
		// Browsers get the web view at the API's paths, behind the same
		// authentication, logs and metrics.
		Frontend: func(api http.Handler) http.Handler {
			ui := web.NewHandler(store, web.Options{BaseURL: f.baseURL, Logger: log, Fallback: api})
			return web.Negotiate(api, ui)
		},
	})
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return failWith(exitCantTell, fmt.Errorf("listen on %s: %w", f.addr, err))
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: f.headerTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("broker listening", "addr", ln.Addr().String(), "db", dbDesc)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return failWith(exitCantTell, fmt.Errorf("serve: %w", err))
	case <-ctx.Done():
	}
	// Draining: readiness fails at once and connections are not kept
	// alive, so clients reconnect to other replicas; requests are still
	// served during the delay, then the listener closes and in-flight
	// requests get what is left of the grace period.
	deadline := time.Now().Add(f.shutdownGrace)
	close(draining)
	srv.SetKeepAlivesEnabled(false)
	log.Info("draining", "delay", f.shutdownDelay.String(), "grace", f.shutdownGrace.String())
	if f.shutdownDelay > 0 {
		select {
		case <-time.After(f.shutdownDelay):
		case err := <-served:
			return failWith(exitCantTell, fmt.Errorf("serve: %w", err))
		}
	}
	log.Info("shutting down")
	sctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		log.Warn("grace period over: in-flight requests were cut", "grace", f.shutdownGrace.String())
		return failWith(exitCantTell, fmt.Errorf("shutdown: grace period of %s over: %w", f.shutdownGrace, err))
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return failWith(exitCantTell, fmt.Errorf("serve: %w", err))
	}
	log.Info("stopped")
	return nil
}
