package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/broker/web"
	"github.com/contracts-dev/contracts/broker/webhook"
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
	flagWebhookDelay        = "webhook-delay"
	flagWebhookRetries      = "webhook-retry-schedule"
	flagWebhookTimeout      = "webhook-timeout"
	flagWebhookSuccess      = "webhook-success-codes"
	flagWebhookSchemes      = "webhook-allow-schemes"
	flagWebhookMethods      = "webhook-allow-methods"
	flagWebhookHosts        = "webhook-allow-hosts"
)

// shutdownTimeout bounds how long in-flight requests may take to finish
// once the serve command is asked to stop.
const shutdownTimeout = 15 * time.Second

type serveFlags struct {
	addr, db, baseURL, logLevel    string
	allowPublicRead                bool
	publicBadges                   bool
	allowOverwrite                 bool
	maxBody                        int64
	mainBranches                   []string
	firstTagBranch                 time.Duration
	deployForTags                  bool
	webhookDelay, webhookTimeout   time.Duration
	webhookRetries, webhookSuccess string
	webhookSchemes, webhookMethods string
	webhookHosts                   string
}

func init() { register(newBrokerCmd) }

func newBrokerCmd(e *env) *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "broker",
		Short: "Run the contract broker (Pact Broker compatible HTTP API)",
		Long: `Broker serves the Pact-Broker-compatible HAL JSON API over a SQLite database,
with GET /health and GET /metrics (Prometheus), and a web view for browsers at
the same paths. Logs are JSON lines on stdout.

Credentials come from the environment only (never flags, which other users of
the machine can see):
  CONTRACTS_WRITE_TOKEN, CONTRACTS_READ_TOKEN            bearer tokens
  CONTRACTS_BASIC_AUTH_USERNAME/PASSWORD                  read-write Basic auth
  CONTRACTS_READ_ONLY_BASIC_AUTH_USERNAME/PASSWORD        read-only Basic auth
  CONTRACTS_SECRET_KEY          encrypts webhook credentials at rest (AES-GCM)
With none set, the broker is open to anyone (a warning is logged).

Links in responses are absolute: built from --base-url when set, otherwise
from the request's Host and X-Forwarded-Proto/Host/Prefix headers (set
--base-url when the broker is reachable directly and behind a proxy).

The server stops gracefully on interrupt: in-flight requests finish first.`,
		Example: `  contracts broker --addr :9292 --db ./contracts.db
  CONTRACTS_WRITE_TOKEN=s3cret CONTRACTS_ALLOW_PUBLIC_READ=true contracts broker`,
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
				{flagWebhookDelay, "CONTRACTS_WEBHOOK_DELAY"},
				{flagWebhookRetries, "CONTRACTS_WEBHOOK_RETRY_SCHEDULE"},
				{flagWebhookTimeout, "CONTRACTS_WEBHOOK_TIMEOUT"},
				{flagWebhookSuccess, "CONTRACTS_WEBHOOK_SUCCESS_CODES"},
				{flagWebhookSchemes, "CONTRACTS_WEBHOOK_ALLOW_SCHEMES"},
				{flagWebhookMethods, "CONTRACTS_WEBHOOK_ALLOW_METHODS"},
				{flagWebhookHosts, "CONTRACTS_WEBHOOK_ALLOW_HOSTS"},
			} {
				if err := bindEnv(cmd, e, b.flag, b.env); err != nil {
					return err
				}
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
	fs.DurationVar(&f.webhookDelay, flagWebhookDelay, webhook.DefaultDelay, "wait before a triggered webhook's first attempt (env CONTRACTS_WEBHOOK_DELAY)")
	fs.StringVar(&f.webhookRetries, flagWebhookRetries, "10s,60s,120s,300s,600s,1200s", "waits before each retry of a failed webhook, comma separated; empty: no retries (env CONTRACTS_WEBHOOK_RETRY_SCHEDULE)")
	fs.DurationVar(&f.webhookTimeout, flagWebhookTimeout, webhook.DefaultTimeout, "time limit of one webhook attempt (env CONTRACTS_WEBHOOK_TIMEOUT)")
	fs.StringVar(&f.webhookSuccess, flagWebhookSuccess, "", "response statuses that make a webhook attempt a success, comma separated; empty: any 2xx (env CONTRACTS_WEBHOOK_SUCCESS_CODES)")
	fs.StringVar(&f.webhookSchemes, flagWebhookSchemes, "https", "URL schemes webhooks may use (env CONTRACTS_WEBHOOK_ALLOW_SCHEMES)")
	fs.StringVar(&f.webhookMethods, flagWebhookMethods, "POST", "HTTP methods webhooks may use (env CONTRACTS_WEBHOOK_ALLOW_METHODS)")
	fs.StringVar(&f.webhookHosts, flagWebhookHosts, "", "when set, the only hosts webhooks may call: names, *.example.com, IPs, CIDRs, comma or space separated; they may be internal addresses (env CONTRACTS_WEBHOOK_ALLOW_HOSTS)")
	return cmd
}

// webhookConfig checks the webhook flags and returns the runner's
// configuration.
func webhookConfig(f *serveFlags, log *slog.Logger) (webhook.Config, error) {
	cfg := webhook.Config{Delay: f.webhookDelay, Logger: log}
	if f.webhookDelay < 0 {
		return cfg, fmt.Errorf("--%s must not be negative, got %s", flagWebhookDelay, f.webhookDelay)
	}
	if f.webhookTimeout <= 0 {
		return cfg, fmt.Errorf("--%s must be positive, got %s", flagWebhookTimeout, f.webhookTimeout)
	}
	cfg.Timeout = f.webhookTimeout
	for _, r := range webhook.ParseList(f.webhookRetries) {
		d, err := time.ParseDuration(r)
		if err != nil || d < 0 {
			return cfg, fmt.Errorf("--%s %q: %q is not a duration such as 10s or 5m", flagWebhookRetries, f.webhookRetries, r)
		}
		cfg.Retry = append(cfg.Retry, d)
	}
	for _, c := range webhook.ParseList(f.webhookSuccess) {
		n, err := strconv.Atoi(c)
		if err != nil || n < 100 || n > 599 {
			return cfg, fmt.Errorf("--%s %q: %q is not an HTTP status code", flagWebhookSuccess, f.webhookSuccess, c)
		}
		cfg.SuccessCodes = append(cfg.SuccessCodes, n)
	}
	for _, sc := range webhook.ParseList(f.webhookSchemes) {
		sc = strings.ToLower(sc)
		if sc != "http" && sc != "https" {
			return cfg, fmt.Errorf("--%s %q: %q is not http or https", flagWebhookSchemes, f.webhookSchemes, sc)
		}
		cfg.Policy.Schemes = append(cfg.Policy.Schemes, sc)
	}
	for _, m := range webhook.ParseList(f.webhookMethods) {
		cfg.Policy.Methods = append(cfg.Policy.Methods, strings.ToUpper(m))
	}
	cfg.Policy.Hosts = webhook.ParseList(f.webhookHosts)
	if err := cfg.Policy.Check(); err != nil {
		return cfg, fmt.Errorf("--%s: %w", flagWebhookHosts, err)
	}
	return cfg, nil
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
	if f.baseURL != "" && !strings.HasPrefix(f.baseURL, "http://") && !strings.HasPrefix(f.baseURL, "https://") {
		return failWith(exitCantTell, fmt.Errorf("--%s %q: must be an absolute http or https URL", flagServeBaseURL, f.baseURL))
	}
	log := slog.New(slog.NewJSONHandler(e.stdout, &slog.HandlerOptions{Level: level}))
	hooks, err := webhookConfig(f, log)
	if err != nil {
		return failWith(exitCantTell, err)
	}
	if key := e.getenv("CONTRACTS_SECRET_KEY"); key != "" {
		if hooks.Sealer, err = webhook.NewSealer(key); err != nil {
			return failWith(exitCantTell, fmt.Errorf("CONTRACTS_SECRET_KEY: %w", err))
		}
	}
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
	store, err := sqlite.Open(f.db)
	if err != nil {
		return failWith(exitCantTell, fmt.Errorf("open database %s: %w", f.db, err))
	}
	defer store.Close()

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return failWith(exitCantTell, fmt.Errorf("listen on %s: %w", f.addr, err))
	}
	hooks.BaseURL = f.baseURL
	if hooks.BaseURL == "" {
		hooks.BaseURL = listenURL(ln.Addr())
	}
	runner := webhook.NewRunner(store, hooks)
	handler := server.New(store, server.Config{
		Webhooks:       runner,
		BaseURL:        f.baseURL,
		Logger:         log,
		Auth:           auth,
		AllowOverwrite: f.allowOverwrite,
		MaxBodyBytes:   f.maxBody,
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
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("broker listening", "addr", ln.Addr().String(), "db", f.db)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	// The webhook worker runs until shutdown; attempts in flight finish.
	wctx, stopHooks := context.WithCancel(context.WithoutCancel(ctx))
	hooksDone := make(chan struct{})
	go func() { defer close(hooksDone); runner.Run(wctx) }()
	stopWorker := func() { stopHooks(); <-hooksDone }
	defer stopWorker()
	select {
	case err := <-served:
		return failWith(exitCantTell, fmt.Errorf("serve: %w", err))
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return failWith(exitCantTell, fmt.Errorf("shutdown: %w", err))
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return failWith(exitCantTell, fmt.Errorf("serve: %w", err))
	}
	stopWorker()
	log.Info("stopped")
	return nil
}

// listenURL is the broker's URL on its listening address, for webhook
// links when --base-url is not set.
func listenURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
