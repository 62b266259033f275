package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/contracts-dev/contracts/ci"
)

// Flag names of the CI output flags, shared by verify and can-i-deploy.
const (
	flagGitHubAnnotations = "github-annotations"
	flagMarkdownSummary   = "markdown-summary"
)

// Environment variables GitHub Actions sets in every step.
const (
	envGitHubActions     = "GITHUB_ACTIONS"
	envGitHubStepSummary = "GITHUB_STEP_SUMMARY"
)

// ciOutputFlags are the flags that report a result to the CI system:
// GitHub workflow-command annotations and a Markdown job summary.
type ciOutputFlags struct {
	annotations bool
	summaryFile string
}

// add registers the flags.
func (c *ciOutputFlags) add(fs *pflag.FlagSet) {
	fs.BoolVar(&c.annotations, flagGitHubAnnotations, false,
		"print GitHub Actions annotations (workflow commands) for failures (default true when GITHUB_ACTIONS=true)")
	fs.StringVar(&c.summaryFile, flagMarkdownSummary, "",
		"append a Markdown summary to this file (default $GITHUB_STEP_SUMMARY; '' for none)")
}

// resolve applies the environment defaults of the flags not given:
// annotations under GitHub Actions, the summary to GitHub's step summary
// file.
func (c *ciOutputFlags) resolve(cmd *cobra.Command, e *env) error {
	if f := cmd.Flags().Lookup(flagGitHubAnnotations); f != nil && !f.Changed {
		c.annotations = e.getenv(envGitHubActions) == "true"
	}
	return bindEnv(cmd, e, flagMarkdownSummary, envGitHubStepSummary)
}

// write prints the annotations to w (when enabled) and appends the summary
// to the summary file (when set). Each renderer writes to a buffer first so
// that a failing one leaves nothing half-written.
func (c *ciOutputFlags) write(w io.Writer, annotate, summarize func(io.Writer) error) error {
	if c.annotations {
		var buf bytes.Buffer
		if err := annotate(&buf); err != nil {
			return err
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("write GitHub annotations: %w", err)
		}
	}
	if c.summaryFile == "" {
		return nil
	}
	var buf bytes.Buffer
	if err := summarize(&buf); err != nil {
		return err
	}
	// Appended, as GitHub expects: earlier steps and commands of the step
	// may have written their own summaries to the same file.
	file, err := os.OpenFile(c.summaryFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("--%s: %w", flagMarkdownSummary, err)
	}
	if _, err := file.Write(buf.Bytes()); err != nil {
		file.Close()
		return fmt.Errorf("--%s: write %s: %w", flagMarkdownSummary, c.summaryFile, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("--%s: write %s: %w", flagMarkdownSummary, c.summaryFile, err)
	}
	return nil
}

// fence writes text with render; when annotations are on, between
// stop-commands and resume-commands workflow commands with a random token,
// so that pact or provider text in it cannot run workflow commands.
func (c *ciOutputFlags) fence(w io.Writer, render func(io.Writer) error) error {
	if !c.annotations {
		return render(w)
	}
	token := rand.Text()
	if _, err := fmt.Fprintln(w, ci.StopCommands(token)); err != nil {
		return err
	}
	if err := render(w); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, ci.ResumeCommands(token))
	return err
}

// writeAnnotations writes annotations with their files made absolute: the
// GitHub runner turns an absolute path inside the workspace into the
// repository path an annotation needs, whatever directory the command ran
// in, while a relative path is taken as relative to the repository root.
func writeAnnotations(w io.Writer, as []ci.Annotation) error {
	for i, a := range as {
		if a.File == "" || filepath.IsAbs(filepath.FromSlash(a.File)) {
			continue
		}
		if abs, err := filepath.Abs(filepath.FromSlash(a.File)); err == nil {
			as[i].File = abs
		}
	}
	return ci.WriteAnnotations(w, as)
}
