package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/ci"
)

// Flag names of the can-i-deploy command.
const (
	flagPacticipant       = "pacticipant"
	flagVersion           = "version"
	flagLatest            = "latest"
	flagToEnvironment     = "to-environment"
	flagTo                = "to"
	flagIgnore            = "ignore"
	flagRetryWhileUnknown = "retry-while-unknown"
	flagRetryInterval     = "retry-interval"
)

// selectorList collects --pacticipant/--version/--latest in command-line
// order: --pacticipant starts a selector, --version and --latest apply to
// the last one.
type selectorList struct{ sels []broker.MatrixSelector }

type pacticipantValue struct{ l *selectorList }

func (v pacticipantValue) String() string { return "" }
func (v pacticipantValue) Type() string   { return "name" }
func (v pacticipantValue) Set(s string) error {
	v.l.sels = append(v.l.sels, broker.MatrixSelector{Pacticipant: s})
	return nil
}

type versionValue struct{ l *selectorList }

func (v versionValue) String() string { return "" }
func (v versionValue) Type() string   { return "version" }
func (v versionValue) Set(s string) error {
	if len(v.l.sels) == 0 {
		return fmt.Errorf("--%s must follow a --%s", flagVersion, flagPacticipant)
	}
	last := &v.l.sels[len(v.l.sels)-1]
	if last.Version != "" || last.Latest {
		return fmt.Errorf("--%s %s: pacticipant %s already has a version", flagVersion, s, last.Pacticipant)
	}
	last.Version = s
	return nil
}

// latestValue is --latest, optionally --latest=TAG.
type latestValue struct{ l *selectorList }

func (v latestValue) String() string   { return "" }
func (v latestValue) Type() string     { return "[tag]" }
func (v latestValue) IsBoolFlag() bool { return true }
func (v latestValue) Set(s string) error {
	if len(v.l.sels) == 0 {
		return fmt.Errorf("--%s must follow a --%s", flagLatest, flagPacticipant)
	}
	last := &v.l.sels[len(v.l.sels)-1]
	if last.Version != "" || last.Latest {
		return fmt.Errorf("--%s: pacticipant %s already has a version", flagLatest, last.Pacticipant)
	}
	last.Latest = true
	if s != "true" {
		last.Tag = s
	}
	return nil
}

type canIDeployFlags struct {
	broker        brokerFlags
	selectors     selectorList
	toEnvironment string
	to            string
	ignore        []string
	retries       int
	retryInterval time.Duration
	output        string
	ci            ciOutputFlags // GitHub annotations, Markdown summary (ciflags.go)
}

func init() { register(newCanIDeployCmd) }

func newCanIDeployCmd(e *env) *cobra.Command {
	f := &canIDeployFlags{}
	cmd := &cobra.Command{
		Use:   "can-i-deploy",
		Short: "Ask the broker whether versions can be deployed safely",
		Long: `Can-i-deploy asks the broker's matrix whether the given pacticipant versions
are compatible with what is deployed in the target environment (or has the
target tag, or with the latest versions of the others when no target is
given). Each --pacticipant is followed by --version or --latest [=TAG].

Exit status: 0 yes, safe to deploy; 1 no (a verification failed, or a given
version does not exist); 2 the broker cannot tell (results missing, still
unknown after the retries) or could not be asked.`,
		Example: `  contracts can-i-deploy --pacticipant web --version 1.2.3 --to-environment production
  contracts can-i-deploy --pacticipant web --version 1.2.3 --pacticipant api --latest \
    --retry-while-unknown 6 --retry-interval 10s --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(f.output); err != nil {
				return err
			}
			if len(f.selectors.sels) == 0 {
				return failWith(exitCantTell, fmt.Errorf("--%s is required", flagPacticipant))
			}
			for _, s := range f.selectors.sels {
				if s.Version == "" && !s.Latest {
					return failWith(exitCantTell, fmt.Errorf("--%s %s needs --%s or --%s", flagPacticipant, s.Pacticipant, flagVersion, flagLatest))
				}
			}
			if f.toEnvironment != "" && f.to != "" {
				return failWith(exitCantTell, fmt.Errorf("--%s and --%s cannot be combined", flagToEnvironment, flagTo))
			}
			if f.retries < 0 {
				return failWith(exitCantTell, fmt.Errorf("--%s must not be negative", flagRetryWhileUnknown))
			}
			if err := f.ci.resolve(cmd, e); err != nil {
				return err
			}
			c, err := f.broker.client(cmd, e)
			if err != nil {
				return err
			}
			return runCanIDeploy(cmd.Context(), e, c, f)
		},
	}
	f.broker.add(cmd)
	fs := cmd.Flags()
	fs.Var(pacticipantValue{&f.selectors}, flagPacticipant, "pacticipant to deploy (repeatable; each followed by --version or --latest)")
	fs.Var(versionValue{&f.selectors}, flagVersion, "version of the preceding --pacticipant")
	fs.Var(latestValue{&f.selectors}, flagLatest, "use the latest version of the preceding --pacticipant (--latest=TAG: the latest with the tag)")
	fs.Lookup(flagLatest).NoOptDefVal = "true"
	fs.StringVar(&f.toEnvironment, flagToEnvironment, "", "environment to deploy to")
	fs.StringVar(&f.to, flagTo, "", "tag of the versions to deploy alongside (legacy tag-based environments)")
	fs.StringArrayVar(&f.ignore, flagIgnore, nil, "pacticipant (NAME or NAME@VERSION) whose results do not count (repeatable)")
	fs.IntVar(&f.retries, flagRetryWhileUnknown, 0, "times to ask again while the answer is unknown")
	fs.DurationVar(&f.retryInterval, flagRetryInterval, 10*time.Second, "wait between retries")
	fs.StringVarP(&f.output, flagOutput, "o", "table", "output format: table or json")
	f.ci.add(fs)
	return cmd
}

func runCanIDeploy(ctx context.Context, e *env, c *api.Client, f *canIDeployFlags) error {
	req := api.CanIDeployRequest{
		Selectors:         f.selectors.sels,
		ToEnvironment:     f.toEnvironment,
		ToTag:             f.to,
		RetryWhileUnknown: f.retries,
		RetryInterval:     f.retryInterval,
	}
	for _, ig := range f.ignore {
		name, version, _ := strings.Cut(ig, "@")
		req.Ignore = append(req.Ignore, broker.MatrixSelector{Pacticipant: name, Version: version})
	}
	res, err := c.CanIDeploy(ctx, req)
	if err != nil {
		return brokerFailure(err)
	}
	if f.output == "json" {
		if err := ci.WriteCanIDeployJSON(e.stdout, res); err != nil {
			return failWith(exitCantTell, err)
		}
	} else if err := ci.WriteCanIDeployTable(e.stdout, res); err != nil {
		return failWith(exitCantTell, err)
	}
	annotationsOut := e.stdout
	if f.output == "json" {
		annotationsOut = e.stderr // stdout carries the JSON; GitHub reads both
	}
	if err := f.ci.write(annotationsOut,
		func(w io.Writer) error { return ci.WriteCanIDeployAnnotations(w, res) },
		func(w io.Writer) error { return ci.WriteCanIDeployMarkdown(w, res) }); err != nil {
		return failWith(exitCantTell, err)
	}
	switch d := res.Summary.Deployable; {
	case d == nil:
		return failWith(exitCantTell, nil)
	case !*d:
		return failWith(exitNo, nil)
	}
	return nil
}
