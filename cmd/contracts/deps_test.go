package main_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/contracts-dev/contracts"

// drivers are database driver packages: only the store adapters
// (broker/sqlite, broker/postgres) and cmd may depend on them.
var drivers = []string{"modernc.org/sqlite", "github.com/jackc/pgx", "github.com/lib/pq"}

// policy is the dependency rule of STYLE.md section 1 as a table, in the
// spirit of Go's own go/build/deps_test.go: packages under the key must not
// depend, directly or through others, on packages under any listed prefix.
// Store adapters are exempt from the driver ban (wrapping a driver is their job).
var policy = []struct {
	under  string
	except []string
	banned []string
	// allow lists dependencies permitted although a banned prefix covers them.
	allow []string
}{
	{under: "/formats", banned: append([]string{"/verify", "/broker", "/ci", "/cmd", "database/sql"}, drivers...),
		// oasdiff's checker uses cloud.google.com/go/civil dates, which
		// implement the driver.Valuer interface; no database is reached.
		allow: []string{"database/sql/driver"}},
	{under: "/verify", banned: append([]string{"/broker", "/ci", "/cmd", "database/sql"}, drivers...)},
	{under: "/broker", except: []string{"/broker/sqlite", "/broker/postgres"}, banned: append([]string{"/verify", "/ci", "/cmd"}, drivers...)},
	{under: "/broker", banned: []string{"/verify", "/ci", "/cmd"}},
	{under: "/ci", banned: append([]string{"/cmd", "/broker/sqlite", "/broker/postgres", "/broker/server", "/broker/web", prometheus}, drivers...)},
	// The HTTP server alone speaks Prometheus; the domain, the stores, the
	// wire types and the client do not, and the client does not pull in the
	// server.
	{under: "/broker", except: []string{"/broker/server"}, banned: []string{prometheus}},
	{under: "/broker/api", banned: []string{"/broker/server", "/broker/web", "/broker/sqlite", "/broker/postgres"}},
	{under: "/broker/server", banned: []string{"/broker/web", "/broker/sqlite", "/broker/postgres"}},
	// Build and test helpers (scripts/testsummary) stand apart from the product.
	{under: "/scripts", banned: []string{"/formats", "/verify", "/broker", "/ci", "/cmd"}},
	// deploy holds only tests of the Dockerfile and Kubernetes manifests;
	// the Kubernetes API types are test imports, never linked into a binary.
	{under: "/deploy", banned: append([]string{"/cmd", "k8s.io", "sigs.k8s.io"}, drivers...)},
	{under: module, banned: []string{"k8s.io/api", "k8s.io/apimachinery", "sigs.k8s.io/yaml"}},
}

// prometheus is the metrics client library.
const prometheus = "github.com/prometheus"

func TestPackageDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}:{{join .Deps \" \"}}", module+"/...").CombinedOutput()
	require.NoError(t, err, string(out))
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, ":")
		for _, rule := range policy {
			if !within(pkg, resolve(rule.under)) || withinAny(pkg, rule.except) {
				continue
			}
			checked++
			for _, dep := range strings.Fields(deps) {
				if withinAny(dep, rule.banned) && !slices.Contains(rule.allow, dep) {
					t.Errorf("%s depends on %s: forbidden by the layering policy (STYLE.md section 1)", pkg, dep)
				}
			}
		}
	}
	require.Positive(t, checked, "no package was checked: the module path or the go list output changed")
}

// resolve turns a "/x" shorthand into a package path of this module.
func resolve(p string) string {
	if strings.HasPrefix(p, "/") {
		return module + p
	}
	return p
}

func within(pkg, prefix string) bool {
	return pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
}

func withinAny(pkg string, prefixes []string) bool {
	for _, p := range prefixes {
		if within(pkg, resolve(p)) {
			return true
		}
	}
	return false
}
