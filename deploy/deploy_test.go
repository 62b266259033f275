package deploy_test

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/sqlite"
)

// manifests decodes every document of the Kubernetes example strictly:
// an unknown or misspelt field is an error.
type manifests struct {
	deployment *appsv1.Deployment
	service    *corev1.Service
	secret     *corev1.Secret
}

func mustManifests(t *testing.T) manifests {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("kubernetes", "broker.yaml"))
	require.NoError(t, err)
	var m manifests
	for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var meta struct {
			Kind string `json:"kind"`
		}
		require.NoError(t, yaml.Unmarshal([]byte(doc), &meta), "document %d", i)
		var target any
		switch meta.Kind {
		case "Deployment":
			m.deployment = &appsv1.Deployment{}
			target = m.deployment
		case "Service":
			m.service = &corev1.Service{}
			target = m.service
		case "Secret":
			m.secret = &corev1.Secret{}
			target = m.secret
		default:
			t.Fatalf("document %d: unexpected kind %q", i, meta.Kind)
		}
		require.NoError(t, yaml.UnmarshalStrict([]byte(doc), target), "document %d (%s)", i, meta.Kind)
	}
	require.NotNil(t, m.deployment, "a Deployment")
	require.NotNil(t, m.service, "a Service")
	require.NotNil(t, m.secret, "a Secret")
	return m
}

func TestStrictDecodingRefusesUnknownFields(t *testing.T) {
	var d appsv1.Deployment
	require.Error(t, yaml.UnmarshalStrict([]byte("apiVersion: apps/v1\nkind: Deployment\nspec:\n  replica: 2\n"), &d),
		"the decoder this test relies on refuses a misspelt field")
}

func TestKubernetesExample(t *testing.T) {
	m := mustManifests(t)
	d := m.deployment
	require.NotNil(t, d.Spec.Replicas)
	require.EqualValues(t, 2, *d.Spec.Replicas)
	require.Equal(t, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels, "the selector selects the pods")
	require.Equal(t, d.Spec.Template.Labels, m.service.Spec.Selector, "the Service selects the pods")
	require.Len(t, d.Spec.Template.Spec.Containers, 1)
	c := d.Spec.Template.Spec.Containers[0]

	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	// The Secret holds the database URL and the tokens, and reaches the
	// container whole.
	for _, k := range []string{"CONTRACTS_DATABASE_URL", "CONTRACTS_WRITE_TOKEN", "CONTRACTS_READ_TOKEN"} {
		require.Contains(t, m.secret.StringData, k)
		require.NotContains(t, env, k, "%s comes from the Secret, not a plain value", k)
	}
	require.Len(t, c.EnvFrom, 1)
	require.NotNil(t, c.EnvFrom[0].SecretRef)
	require.Equal(t, m.secret.Name, c.EnvFrom[0].SecretRef.Name)

	// Every CONTRACTS_* variable is one the broker command reads.
	src := commandSource(t)
	names := append([]string{}, mapKeys(env)...)
	names = append(names, mapKeys(m.secret.StringData)...)
	for _, k := range names {
		if !strings.HasPrefix(k, "CONTRACTS_") {
			continue
		}
		require.Contains(t, src, `"`+k+`"`, "the broker command reads %s", k)
	}

	// Ports agree: the container listens where CONTRACTS_ADDR says, the
	// probes and the Service target that named port, the image exposes it.
	require.Len(t, c.Ports, 1)
	port := c.Ports[0]
	_, addrPort, err := net.SplitHostPort(env["CONTRACTS_ADDR"])
	require.NoError(t, err)
	require.Equal(t, addrPort, itoa(port.ContainerPort))
	require.Equal(t, intstr.FromString(port.Name), m.service.Spec.Ports[0].TargetPort)
	require.Contains(t, dockerfile(t).finalStage().exposed, addrPort, "the image exposes the port")

	// Both probes exist, use the named port and the broker's real routes,
	// which answer 200 without credentials on a broker that has them.
	srv := brokerWithAuth(t)
	for name, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		require.NotNil(t, p, name)
		require.NotNil(t, p.HTTPGet, name)
		require.Equal(t, intstr.FromString(port.Name), p.HTTPGet.Port, name)
		resp, err := http.Get(srv.URL + p.HTTPGet.Path)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s probe path %s", name, p.HTTPGet.Path)
	}
	require.Equal(t, "/health/live", c.LivenessProbe.HTTPGet.Path, "liveness must not depend on the database")
	require.Equal(t, "/health/ready", c.ReadinessProbe.HTTPGet.Path)

	// Shutdown: the broker's own grace ends before Kubernetes kills it,
	// and the drain delay is part of the grace.
	grace, err := time.ParseDuration(env["CONTRACTS_SHUTDOWN_GRACE"])
	require.NoError(t, err)
	delay, err := time.ParseDuration(env["CONTRACTS_SHUTDOWN_DELAY"])
	require.NoError(t, err)
	require.Less(t, delay, grace)
	require.NotNil(t, d.Spec.Template.Spec.TerminationGracePeriodSeconds)
	require.Less(t, grace, time.Duration(*d.Spec.Template.Spec.TerminationGracePeriodSeconds)*time.Second)

	// Non-root, as the image; the soft memory limit is below the hard one.
	sc := d.Spec.Template.Spec.SecurityContext
	require.NotNil(t, sc)
	require.True(t, sc.RunAsNonRoot != nil && *sc.RunAsNonRoot)
	require.Equal(t, dockerfile(t).finalStage().user, itoa64(*sc.RunAsUser)+":"+itoa64(*sc.RunAsGroup))
	limit := c.Resources.Limits[corev1.ResourceMemory]
	soft := resource.MustParse(strings.TrimSuffix(env["GOMEMLIMIT"], "B"))
	require.Equal(t, -1, soft.Cmp(limit), "GOMEMLIMIT below the memory limit")
}

// brokerWithAuth serves the real broker handler with credentials set.
func brokerWithAuth(t *testing.T) *httptest.Server {
	t.Helper()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "b.db"))
	require.NoError(t, err)
	srv := httptest.NewServer(server.New(store, server.Config{Auth: server.AuthConfig{WriteToken: "w"}}))
	t.Cleanup(func() { srv.Close(); _ = store.Close() })
	return srv
}

func commandSource(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "cmd", "contracts", "*.go"))
	require.NoError(t, err)
	var b strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		b.Write(data)
	}
	return b.String()
}

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct{ cmd, args string }

type stage struct {
	from, name string
	body       []instruction
	user       string
	exposed    []string
}

type parsedDockerfile struct{ stages []stage }

func (p parsedDockerfile) finalStage() stage { return p.stages[len(p.stages)-1] }

// dockerfile parses the Dockerfile's instructions: enough to check its
// properties, not a general parser (no parser directives, no heredocs,
// which the test refuses).
func dockerfile(t *testing.T) parsedDockerfile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "Dockerfile"))
	require.NoError(t, err)
	require.False(t, bytes.Contains(data, []byte("<<")), "heredocs are not understood by this test")
	var ins []instruction
	var cur strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		ins = append(ins, instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
		cur.Reset()
	}
	var p parsedDockerfile
	for _, in := range ins {
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			st := stage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			p.stages = append(p.stages, st)
			continue
		}
		require.NotEmpty(t, p.stages, "%s before FROM", in.cmd)
		st := &p.stages[len(p.stages)-1]
		st.body = append(st.body, in)
		switch in.cmd {
		case "USER":
			st.user = in.args
		case "EXPOSE":
			for _, e := range strings.Fields(in.args) {
				st.exposed = append(st.exposed, strings.TrimSuffix(e, "/tcp"))
			}
		}
	}
	return p
}

func TestDockerfile(t *testing.T) {
	p := dockerfile(t)
	require.GreaterOrEqual(t, len(p.stages), 2, "multi-stage")
	build, final := p.stages[0], p.finalStage()
	var built bool
	for _, in := range build.body {
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
			require.Contains(t, in.args, "CGO_ENABLED=0", "a static binary")
			require.Contains(t, in.args, "./cmd/contracts")
			built = true
		}
	}
	require.True(t, built, "the build stage builds the command")

	require.Regexp(t, `^(scratch|gcr\.io/distroless/static[-\w]*(:[\w.-]+)?)$`, final.from, "a final image without a shell")
	require.NotEmpty(t, final.user, "USER is set")
	require.NotContains(t, []string{"0", "root", "0:0", "root:root"}, final.user, "non-root")
	for _, in := range final.body {
		require.NotEqual(t, "RUN", in.cmd, "the final image has no shell to RUN with")
		if in.cmd == "ENTRYPOINT" || in.cmd == "CMD" {
			require.True(t, strings.HasPrefix(in.args, "["), "%s in exec form: there is no shell (%s)", in.cmd, in.args)
		}
		if in.cmd == "COPY" && strings.Contains(in.args, "--from=") {
			require.Contains(t, in.args, "--from="+build.name, "copies from the build stage")
		}
	}
}

func mapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func itoa(n int32) string   { return itoa64(int64(n)) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
