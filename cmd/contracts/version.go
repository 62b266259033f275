package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set at link time by release builds:
//
//	go build -ldflags "-X main.version=v1.2.3 -X main.commit=$(git rev-parse HEAD)" ./cmd/contracts
//
// Left empty, both come from the build information Go records in the
// binary (module version; VCS revision when built inside a git checkout).
var (
	version string
	commit  string
)

// buildVersion is what `contracts version` prints.
type buildVersion struct {
	Version, Commit, Go string
	Modified            bool // built from a tree with uncommitted changes
}

// readVersion combines the link-time values with the binary's build
// information (read is debug.ReadBuildInfo; tests pass their own).
func readVersion(read func() (*debug.BuildInfo, bool), linkVersion, linkCommit string) buildVersion {
	v := buildVersion{Version: linkVersion, Commit: linkCommit, Go: runtime.Version()}
	info, ok := read()
	if ok && info != nil {
		if info.GoVersion != "" {
			v.Go = info.GoVersion
		}
		if v.Version == "" {
			v.Version = info.Main.Version
		}
		if v.Commit == "" {
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					v.Commit = s.Value
				case "vcs.modified":
					v.Modified = s.Value == "true"
				}
			}
		}
	}
	if v.Version == "" {
		v.Version = "(devel)"
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	}
	return v
}

func (v buildVersion) String() string {
	commit := v.Commit
	if v.Modified {
		commit += " (modified)"
	}
	return fmt.Sprintf("contracts %s\ncommit: %s\ngo: %s %s/%s\n", v.Version, commit, v.Go, runtime.GOOS, runtime.GOARCH)
}

func init() { register(newVersionCmd) }

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version of this binary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(e.stdout, readVersion(debug.ReadBuildInfo, version, commit))
			return err
		},
	}
}
