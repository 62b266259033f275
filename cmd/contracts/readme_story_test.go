//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// readmeStoryMarker is the comment before the README's broker story block.
const readmeStoryMarker = "<!-- readme-story"

// storyCommand is one command of the README's story with the outcomes the
// README states for it.
type storyCommand struct {
	text       string   // as written, continuation lines included
	background bool     // ends with &
	exit       int      // stated "(exit N)", else 0
	want       []string // stated output lines
}

// mustReadStory extracts the story block from README.md: commands (lines
// joined at a trailing backslash), and after each, comment lines "#   TEXT"
// (hash, exactly three spaces) stating its output, or "#   (exit N)" its
// status. Other comments (a step's text continues with four spaces) are
// prose.
func mustReadStory(tb testing.TB, readme string) []storyCommand {
	tb.Helper()
	data, err := os.ReadFile(readme)
	require.NoError(tb, err)
	_, after, ok := strings.Cut(string(data), readmeStoryMarker)
	require.True(tb, ok, "%s: no %q marker before the broker story", readme, readmeStoryMarker)
	_, after, _ = strings.Cut(after, "\n")
	block, ok := strings.CutPrefix(after, "```sh\n")
	require.True(tb, ok, "%s: the line after the story marker must open a ```sh block", readme)
	block, _, ok = strings.Cut(block, "\n```\n")
	require.True(tb, ok, "%s: the story block is not closed", readme)

	exitRE := regexp.MustCompile(`^\(exit (\d+)\)$`)
	var cmds []storyCommand
	var cont *strings.Builder
	for _, line := range strings.Split(block, "\n") {
		if cont != nil {
			cont.WriteString("\n" + line)
			if !strings.HasSuffix(line, `\`) {
				cmds[len(cmds)-1].text, cont = cont.String(), nil
			}
			continue
		}
		switch {
		case strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "#   ") && len(line) > 4 && line[4] != ' ':
			require.NotEmpty(tb, cmds, "%s: outcome %q before any command", readme, line)
			c := &cmds[len(cmds)-1]
			stated := strings.TrimSpace(strings.TrimPrefix(line, "#"))
			if m := exitRE.FindStringSubmatch(stated); m != nil {
				c.exit, _ = strconv.Atoi(m[1])
			} else {
				c.want = append(c.want, stated)
			}
		case strings.HasPrefix(line, "#"):
		default:
			cmds = append(cmds, storyCommand{text: line})
			if strings.HasSuffix(line, `\`) {
				cont = &strings.Builder{}
				cont.WriteString(line)
			}
		}
	}
	for i := range cmds {
		cmds[i].background = strings.HasSuffix(strings.TrimSpace(cmds[i].text), "&")
	}
	return cmds
}

// mustCopyRepository copies the repository's files (tracked, and untracked
// unless ignored: what a clone plus the work at hand holds) into dir.
func mustCopyRepository(tb testing.TB, root, dir string) {
	tb.Helper()
	var names []string
	if out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output(); err == nil {
		names = strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	} else {
		// Not a git checkout (an unpacked archive): every file but the
		// tools, builds and databases a run leaves behind.
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			switch {
			case d.IsDir() && (rel == ".git" || rel == ".tools" || rel == "bin" || d.Name() == "node_modules"):
				return filepath.SkipDir
			case !d.IsDir() && !strings.Contains(d.Name(), ".db"):
				names = append(names, rel)
			}
			return nil
		})
		require.NoError(tb, err)
	}
	for _, name := range names {
		src := filepath.Join(root, name)
		info, err := os.Lstat(src)
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted in the working tree
		}
		require.NoError(tb, err)
		if !info.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(src)
		require.NoError(tb, err)
		dst := filepath.Join(dir, name)
		require.NoError(tb, os.MkdirAll(filepath.Dir(dst), 0o755))
		require.NoError(tb, os.WriteFile(dst, data, info.Mode().Perm()))
	}
}

// mustFreeAddr returns a loopback address with a port nothing listens on
// (the README's fixed ports may be taken where the test runs).
func mustFreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	addr := ln.Addr().String()
	require.NoError(tb, ln.Close())
	return addr
}

// TestReadmeStory runs the README's broker story as written, in bash, on a
// copy of the repository: it builds the binary with the README's command,
// starts the real broker and the real provider, and checks each command's
// stated exit status and output, then that a browser (no credentials) gets
// the web view and a write without the token is refused.
func TestReadmeStory(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatalf("the README story needs bash: %v", err)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatalf("the README story needs curl: %v", err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	cmds := mustReadStory(t, filepath.Join(root, "README.md"))
	require.GreaterOrEqual(t, len(cmds), 10, "the story has its commands")

	dir := t.TempDir()
	mustCopyRepository(t, root, dir)
	brokerAddr, providerAddr := mustFreeAddr(t), mustFreeAddr(t)
	ports := strings.NewReplacer("127.0.0.1:9292", brokerAddr, "127.0.0.1:18081", providerAddr)

	// One shell runs the story, as a reader's would (exports and the PATH
	// carry over); each foreground command's output and status go to files.
	results := filepath.Join(dir, ".story")
	require.NoError(t, os.Mkdir(results, 0o755))
	var script strings.Builder
	for i, c := range cmds {
		text := ports.Replace(c.text)
		if c.background {
			script.WriteString(text + "\n")
			continue
		}
		fmt.Fprintf(&script, "{\n%s\n} > .story/%d.out 2>&1\necho $? > .story/%d.rc\n", text, i, i)
	}

	// Under go test's default 10-minute timeout, so that the cleanup runs.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	sh := exec.CommandContext(ctx, "bash", "-s")
	sh.Dir = dir
	sh.Stdin = strings.NewReader(script.String())
	sh.Env = storyEnv()
	// A file, not a pipe: the background servers inherit the shell's
	// stderr, and a pipe would stay open as long as they run.
	shellLog, err := os.Create(filepath.Join(results, "shell.log"))
	require.NoError(t, err)
	defer shellLog.Close()
	sh.Stdout, sh.Stderr = shellLog, shellLog
	// The broker and the provider stay in the shell's process group after
	// it exits: stop the whole group at the end.
	sh.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	sh.Cancel = func() error { return syscall.Kill(-sh.Process.Pid, syscall.SIGKILL) }
	require.NoError(t, sh.Start())
	t.Cleanup(func() { _ = syscall.Kill(-sh.Process.Pid, syscall.SIGTERM) })
	err = sh.Wait()
	out, _ := os.ReadFile(shellLog.Name())
	require.NoError(t, err, "the story's shell: %s", out)

	for i, c := range cmds {
		if c.background {
			continue
		}
		rc, err := os.ReadFile(filepath.Join(results, fmt.Sprintf("%d.rc", i)))
		require.NoError(t, err, "command %d did not run: %s", i, c.text)
		output, err := os.ReadFile(filepath.Join(results, fmt.Sprintf("%d.out", i)))
		require.NoError(t, err)
		code, err := strconv.Atoi(strings.TrimSpace(string(rc)))
		require.NoError(t, err)
		require.Equal(t, c.exit, code, "exit status of\n%s\noutput:\n%s", c.text, output)
		for _, want := range c.want {
			require.Contains(t, string(output), want, "output of\n%s", c.text)
		}
	}

	// 7. The web view opens in a browser: no credentials, HTML.
	base := "http://" + brokerAddr
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", page)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	require.Contains(t, string(page), "inventory")

	// Writes still need the token.
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, base+"/environments", strings.NewReader(`{"name":"staging"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// The binary the story built is on the PATH it set, and is what ran.
	_, err = os.Stat(filepath.Join(dir, "bin", "contracts"))
	require.NoError(t, err)
}

// storyEnv is this process's environment without the settings a reader's
// fresh shell would not have (broker, contracts and CI variables).
func storyEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "PACT_") || strings.HasPrefix(name, "CONTRACTS_") || strings.HasPrefix(name, "GITHUB_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// TestReadStory checks the parser of the story block on a small README.
func TestReadStory(t *testing.T) {
	t.Parallel()
	readme := filepath.Join(t.TempDir(), "README.md")
	mustWriteFile(t, readme, "text\n"+readmeStoryMarker+" -->\n```sh\n# 1. a step\n#    more of the step\nserver --addr x > log &\nexport A=b\n"+
		"tool check \\\n  --flag y\n#   (exit 2)\n#   cannot tell\n\ntool ok\n#   yes\n```\nafter\n")
	cmds := mustReadStory(t, readme)
	require.Equal(t, []storyCommand{
		{text: "server --addr x > log &", background: true},
		{text: "export A=b"},
		{text: "tool check \\\n  --flag y", exit: 2, want: []string{"cannot tell"}},
		{text: "tool ok", want: []string{"yes"}},
	}, cmds)
}

// Outside a git checkout the copy takes every file but tools, builds and
// databases.
func TestCopyRepositoryWithoutGit(t *testing.T) {
	t.Parallel()
	src, dst := t.TempDir(), t.TempDir()
	for _, name := range []string{"go.mod", "cmd/x/main.go", ".tools/pact/bin/pact", "bin/contracts", "contracts.db", ".git/HEAD"} {
		mustWriteFile(t, filepath.Join(src, name), name)
	}
	mustCopyRepository(t, src, dst)
	var got []string
	require.NoError(t, filepath.WalkDir(dst, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dst, path)
			got = append(got, filepath.ToSlash(rel))
		}
		return err
	}))
	require.ElementsMatch(t, []string{"go.mod", "cmd/x/main.go"}, got)
}
