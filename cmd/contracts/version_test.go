package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadVersion(t *testing.T) {
	t.Parallel()
	stamped := &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v1.4.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"}}}
	for _, tc := range []struct {
		name                    string
		info                    *debug.BuildInfo
		linkVersion, linkCommit string
		wantVersion, wantCommit string
		wantModified            bool
	}{
		{name: "build information", info: stamped, wantVersion: "v1.4.0", wantCommit: "0123abcd", wantModified: true},
		{name: "link-time values win", info: stamped, linkVersion: "v2.0.0", linkCommit: "feed", wantVersion: "v2.0.0", wantCommit: "feed"},
		{name: "nothing known", wantVersion: "(devel)", wantCommit: "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			read := func() (*debug.BuildInfo, bool) { return tc.info, tc.info != nil }
			v := readVersion(read, tc.linkVersion, tc.linkCommit)
			require.Equal(t, tc.wantVersion, v.Version)
			require.Equal(t, tc.wantCommit, v.Commit)
			require.Equal(t, tc.wantModified, v.Modified)
			require.NotEmpty(t, v.Go)
		})
	}
	require.Contains(t, readVersion(func() (*debug.BuildInfo, bool) { return stamped, true }, "", "").String(), "commit: 0123abcd (modified)\ngo: go1.26.1 ")
}

func TestVersionCommandAndFlag(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, stderr := runCLI(context.Background(), nil, args...)
		require.Equal(t, exitOK, code, stderr)
		require.Regexp(t, `^contracts \S+\ncommit: \S+.*\ngo: go\S* \S+/\S+\n$`, stdout)
	}
}

// A binary built with -ldflags -X reports those values, through the
// subcommand and the flag alike.
func TestVersionOfALinkedBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "contracts")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=v9.8.7 -X main.commit=c0ffee", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, arg := range []string{"version", "--version"} {
		out, err := exec.Command(bin, arg).CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.Equal(t, "contracts v9.8.7\ncommit: c0ffee\ngo: "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+"\n", string(out))
	}
}
