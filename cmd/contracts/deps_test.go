package main_test

import (
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/contracts-dev/contracts"

// allowed is the layering of STYLE.md section 1 as a statement of policy,
// in the spirit of Go's own go/build/deps_test.go: for each package of this
// module, the packages of this module it may import directly, and those its
// tests (internal and external) may import besides. Every package must be
// listed, so a new package is placed on purpose; an import not listed fails.
// Paths are relative to the module ("" is the module root).
var allowed = map[string]struct{ imports, tests []string }{
	"broker/api":               {imports: []string{"broker"}},
	"broker/sqlite":            {imports: []string{"broker", "broker/sqlstore"}, tests: []string{"broker/sqlite/sqlitetest", "broker/sqlstore/storebench", "broker/storetest"}},
	"broker/sqlite/sqlitetest": {imports: []string{"broker/sqlite"}},
	"broker/storetest":         {imports: []string{"broker"}},
	"formats":                  {},
	"formats/pact":             {},
	"formats/pact/generate":    {imports: []string{"formats/pact"}},
	"formats/pact/match":       {imports: []string{"formats/pact"}},
	"formats/proto":            {},
	"formats/proto/breaking":   {imports: []string{"formats/proto"}},
	"verify":                   {imports: []string{"formats/pact", "formats/pact/generate", "formats/pact/match"}, tests: []string{"verify/internal/pactclitest", "verify/mock"}},
	// The compatibility suite is an end-to-end test: its "via a Pact
	// broker" scenarios verify through the broker client, so its tests,
	// and only they, reach into broker.
	"verify/compat":               {tests: []string{"broker", "broker/api", "formats/pact", "formats/pact/generate", "formats/pact/match", "verify", "verify/message", "verify/mock", "verify/mock/messagemock"}},
	"verify/grpcverify":           {imports: []string{"formats/pact", "formats/pact/generate", "formats/pact/match", "formats/proto", "verify"}, tests: []string{"verify/internal/grpctest", "verify/mock/grpcmock"}},
	"verify/internal/grpctest":    {imports: []string{"formats/proto"}},
	"verify/internal/pactclitest": {imports: []string{"verify"}},
	"verify/message":              {imports: []string{"formats/pact", "formats/pact/generate", "formats/pact/match", "formats/proto", "verify"}, tests: []string{"verify/internal/pactclitest"}},
	"verify/mock":                 {imports: []string{"formats/pact", "formats/pact/generate", "formats/pact/match"}, tests: []string{"verify/mock/grpcmock", "verify/mock/messagemock"}},
	"verify/mock/grpcmock":        {imports: []string{"formats/pact", "formats/pact/generate", "formats/pact/match", "formats/proto", "verify", "verify/grpcverify", "verify/mock"}, tests: []string{"verify/internal/grpctest"}},
	"verify/mock/messagemock":     {imports: []string{"formats/pact", "formats/pact/generate", "formats/proto", "verify/mock"}, tests: []string{"verify", "verify/message"}},
	"broker":                      {imports: []string{"formats/asyncapi", "formats/compare", "formats/openapi", "formats/pact"}, tests: []string{"broker/api", "broker/server", "broker/sqlite", "broker/sqlite/sqlitetest", "broker/storetest", "broker/webhook"}},
	"broker/postgres":             {imports: []string{"broker", "broker/sqlstore"}, tests: []string{"broker/postgres/pgtest", "broker/sqlite", "broker/sqlstore/storebench", "broker/storetest"}},
	"broker/postgres/pgtest":      {},
	"broker/server":               {imports: []string{"broker", "broker/api", "broker/webhook"}},
	"broker/web":                  {imports: []string{"broker", "broker/webhook", "formats/pact", "formats/proto"}, tests: []string{"broker/server", "broker/sqlite", "broker/sqlite/sqlitetest", "broker/webhook", "verify"}},
	"broker/webhook":              {imports: []string{"broker"}, tests: []string{"broker/postgres", "broker/postgres/pgtest", "broker/sqlite", "broker/storetest"}},
	"ci":                          {imports: []string{"broker", "broker/api", "formats/compare", "verify"}, tests: []string{"broker/server", "broker/sqlite", "formats/pact", "verify/message", "verify/mock/messagemock"}},
	"cmd/contracts":               {imports: []string{"broker", "broker/api", "broker/postgres", "broker/server", "broker/sqlite", "broker/web", "broker/webhook", "ci", "formats/asyncapi", "formats/compare", "formats/openapi", "formats/openapi/breaking", "formats/pact", "formats/proto", "formats/proto/breaking", "verify", "verify/grpcverify", "verify/message", "verify/mock", "verify/mock/grpcmock"}, tests: []string{"broker/postgres/pgtest", "broker/sqlite/sqlitetest", "broker/storetest", "verify/mock/messagemock"}},
	"deploy":                      {tests: []string{"broker/server", "broker/sqlite"}},
	"formats/asyncapi":            {},
	"formats/compare":             {imports: []string{"formats/asyncapi", "formats/pact"}},
	"formats/openapi":             {},
	"formats/openapi/breaking":    {imports: []string{"formats/openapi", "formats/pact"}},
	"scripts/testsummary":         {},

	// The statements of both SQL stores (no driver: the adapters bring
	// theirs), and the benchmark both run (test support, like storetest).
	"broker/sqlstore":            {imports: []string{"broker"}},
	"broker/sqlstore/storebench": {imports: []string{"broker", "broker/sqlstore", "broker/storetest"}},
}

// drivers are database driver packages: only the store adapters
// (broker/sqlite, broker/postgres) and cmd may depend on them.
var drivers = []string{"modernc.org/sqlite", "github.com/jackc/pgx", "github.com/lib/pq"}

// prometheus is the metrics client library.
const prometheus = "github.com/prometheus"

// banned are third-party dependencies, direct or not, that packages under
// a prefix must not have (outside their tests).
var banned = []struct {
	under  string
	except []string
	banned []string
	// allow lists dependencies permitted although a banned prefix covers them.
	allow []string
}{
	{under: "/formats", banned: append([]string{"database/sql"}, drivers...),
		// oasdiff's checker uses cloud.google.com/go/civil dates, which
		// implement the driver.Valuer interface; no database is reached.
		allow: []string{"database/sql/driver"}},
	{under: "/verify", banned: append([]string{"database/sql"}, drivers...)},
	{under: "/broker", except: []string{"/broker/sqlite", "/broker/postgres"}, banned: drivers},
	{under: "/ci", banned: append([]string{prometheus}, drivers...)},
	// The HTTP server alone speaks Prometheus; the domain, the stores, the
	// wire types and the client do not.
	{under: "/broker", except: []string{"/broker/server"}, banned: []string{prometheus}},
	// The CLI does not link the testing package (grpcmock takes a small
	// interface instead of testing.TB).
	{under: "/cmd", banned: []string{"testing"}},
	// deploy holds only tests of the Dockerfile and Kubernetes manifests;
	// the Kubernetes API types are test imports, never linked into a binary.
	{under: "/deploy", banned: append([]string{"k8s.io", "sigs.k8s.io"}, drivers...)},
	{under: module, banned: []string{"k8s.io/api", "k8s.io/apimachinery", "sigs.k8s.io/yaml"}},
}

// listed runs go list with -deps -test over the module and returns, for
// each package of the module (test variants folded into their package),
// its direct imports of module packages, split into those of the package
// itself and those only its tests add.
func listed(t *testing.T) (imports, tests map[string]map[string]bool) {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-test", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}", module+"/...").CombinedOutput()
	require.NoError(t, err, string(out))
	imports, tests = map[string]map[string]bool{}, map[string]map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, deps, _ := strings.Cut(line, "|")
		variant := strings.Contains(path, " [")
		path, _, _ = strings.Cut(path, " ")
		if !within(path, module) || strings.HasSuffix(path, ".test") {
			continue // not ours, or a generated test main
		}
		if strings.HasSuffix(path, "_test") {
			path, variant = strings.TrimSuffix(path, "_test"), true
		}
		rel := relative(path)
		if imports[rel] == nil {
			imports[rel], tests[rel] = map[string]bool{}, map[string]bool{}
		}
		into := imports[rel]
		if variant {
			into = tests[rel]
		}
		for _, dep := range strings.Fields(deps) {
			dep, _, _ = strings.Cut(dep, " ")
			if within(dep, module) && dep != path {
				into[relative(dep)] = true
			}
		}
	}
	return imports, tests
}

func TestPackageImports(t *testing.T) {
	imports, tests := listed(t)
	require.Contains(t, imports, "formats/pact", "go list output changed: no module package found")
	require.True(t, tests["verify/compat"]["broker"], "go list output changed: the test imports of verify/compat are not seen")
	var pkgs []string
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		rule, ok := allowed[p]
		if !ok {
			t.Errorf("package %q is not in the allow-list of cmd/contracts/deps_test.go: place it in the layering on purpose (STYLE.md section 1)", p)
			continue
		}
		for dep := range imports[p] {
			if !slices.Contains(rule.imports, dep) {
				t.Errorf("%s imports %s: not allowed by the layering (cmd/contracts/deps_test.go, STYLE.md section 1)", p, dep)
			}
		}
		for dep := range tests[p] {
			if !slices.Contains(rule.imports, dep) && !slices.Contains(rule.tests, dep) {
				t.Errorf("the tests of %s import %s: not allowed by the layering (cmd/contracts/deps_test.go, STYLE.md section 1)", p, dep)
			}
		}
	}
	for p := range allowed {
		if _, ok := imports[p]; !ok {
			t.Errorf("allow-list entry %q names no package of the module: remove it", p)
		}
	}
}

func TestThirdPartyDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}:{{join .Deps \" \"}}", module+"/...").CombinedOutput()
	require.NoError(t, err, string(out))
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, ":")
		for _, rule := range banned {
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

// relative is a module package's path relative to the module.
func relative(pkg string) string {
	return strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
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
