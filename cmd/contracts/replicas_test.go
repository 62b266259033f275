package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/postgres"
	"github.com/contracts-dev/contracts/broker/postgres/pgtest"
	"github.com/contracts-dev/contracts/broker/storetest"
)

// replica is a `contracts broker` process.
type replica struct {
	URL string
	cmd *exec.Cmd
}

// startReplica starts `contracts broker` on a free loopback port with
// the database dsn (and the extra KEY=value variables) and reads the
// address it bound from its log. The process is killed when tb ends.
func startReplica(tb testing.TB, bin, dsn string, extra ...string) (*replica, error) {
	cmd := exec.Command(bin, "broker", "--addr", "127.0.0.1:0")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + tb.TempDir(), "CONTRACTS_DATABASE_URL=" + dsn,
		"CONTRACTS_DB_MAX_CONNS=8", "CONTRACTS_LOG_LEVEL=info"}, extra...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "broker listening" {
				addr <- line.Addr
				break
			}
		}
		// Keep draining so that logging never blocks the process.
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case a := <-addr:
		return &replica{URL: "http://" + a, cmd: cmd}, nil
	case <-time.After(2 * time.Minute): // only turns a hang into a failure
		return nil, fmt.Errorf("the broker did not log its address; stderr: %s", stderr.String())
	}
}

// replicaCluster is PostgreSQL with a database per subtest and the built
// binary.
type replicaCluster struct {
	pg  *pgtest.Cluster
	bin string
}

// mustStartReplicas starts n replicas on a new database and opens a
// service on it for arranging and checking state.
func (rc *replicaCluster) mustStartReplicas(t *testing.T, n int) ([]*replica, *broker.Service, *postgres.Store) {
	t.Helper()
	dsn := rc.pg.NewDatabase(t)
	// Replicas started together: the migrations run once, under the lock.
	rs := make([]*replica, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs[i], errs[i] = startReplica(t, rc.bin, dsn)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	store, err := postgres.Open(t.Context(), dsn, postgres.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	return rs, broker.NewService(store, broker.DefaultRules()), store
}

// send makes one request and returns its status and body; err is a
// connection error (no HTTP response).
func send(method, u string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/hal+json")
	resp, err := replicaHTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

var replicaHTTP = &http.Client{Timeout: time.Minute}

func publishBodyFor(consumer, version, provider string, descriptions ...string) map[string]any {
	return map[string]any{
		"pacticipantName": consumer, "pacticipantVersionNumber": version, "branch": "main",
		"contracts": []map[string]any{{
			"consumerName": consumer, "providerName": provider, "specification": "pact", "contentType": "application/json",
			"content": base64.StdEncoding.EncodeToString(storetest.PactJSON(consumer, provider, descriptions...)),
		}},
	}
}

// concurrently runs fn(i) for i in [0, n) at once (released together)
// and returns the statuses.
func concurrently(t *testing.T, n int, fn func(i int) (int, error)) []int {
	t.Helper()
	statuses := make([]int, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i], errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	return statuses
}

// TestReplicas runs several `contracts broker` processes on one
// PostgreSQL database and checks that they behave as one broker.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts processes")
	}
	rc := &replicaCluster{pg: pgtest.Start(t)}
	rc.bin = mustBuildContracts(t)
	ctx := context.Background()

	t.Run("conflicting publishes of one consumer version: one succeeds, the rest 409", func(t *testing.T) {
		rs, svc, _ := rc.mustStartReplicas(t, 2)
		for _, r := range rs {
			code, body, err := send("GET", r.URL+"/health", nil)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, code, "%s", body)
		}
		const n = 8
		statuses := concurrently(t, n, func(i int) (int, error) {
			code, _, err := send("POST", rs[i%2].URL+"/contracts/publish", publishBodyFor("Web", "1.0.0", "API", fmt.Sprint("interaction ", i)))
			return code, err
		})
		ok, conflict := 0, 0
		winner := -1
		for i, code := range statuses {
			switch {
			case code/100 == 2:
				ok++
				winner = i
			case code == http.StatusConflict:
				conflict++
			}
		}
		require.Equal(t, 1, ok, "statuses %v", statuses)
		require.Equal(t, n-1, conflict, "statuses %v", statuses)
		p, err := svc.GetPact(ctx, "Web", "API", "1.0.0")
		require.NoError(t, err)
		require.Contains(t, string(p.Content), fmt.Sprint("interaction ", winner), "the stored pact is the acknowledged one")
		require.Equal(t, 1, p.Revision)
	})

	t.Run("concurrent verification results get unique numbers", func(t *testing.T) {
		rs, svc, store := rc.mustStartReplicas(t, 2)
		shas := storetest.MustPublish(t, store, storetest.Publication{Consumer: "Web", Version: "1", Pacts: map[string][]string{"API": {"a"}}})
		const n = 10
		statuses := concurrently(t, n, func(i int) (int, error) {
			u := fmt.Sprintf("%s/pacts/provider/API/consumer/Web/pact-version/%s/verification-results", rs[i%2].URL, shas["API"])
			code, _, err := send("POST", u, map[string]any{"success": true, "providerApplicationVersion": fmt.Sprint("p", i)})
			return code, err
		})
		for _, code := range statuses {
			require.Equal(t, http.StatusCreated, code, "statuses %v", statuses)
		}
		vs, err := svc.ListVerifications(ctx, "Web", "API", shas["API"], broker.Page{Limit: 100})
		require.NoError(t, err)
		require.Len(t, vs, n)
		numbers := map[int]bool{}
		providers := map[string]bool{}
		for _, v := range vs {
			numbers[v.Number] = true
			providers[v.ProviderVersion] = true
		}
		require.Len(t, numbers, n, "numbers are unique")
		for i := 1; i <= n; i++ {
			require.True(t, numbers[i], "numbers are 1..%d: %v", n, numbers)
		}
		require.Len(t, providers, n)
	})

	t.Run("concurrent record-deployment of one version: exactly one currently deployed", func(t *testing.T) {
		rs, svc, store := rc.mustStartReplicas(t, 2)
		env := storetest.MustEnvironment(t, store, "production", true)
		for _, v := range []string{"1", "2"} {
			_, _, err := svc.PutVersion(ctx, "API", v, "")
			require.NoError(t, err)
		}
		storetest.MustDeploy(t, store, "API", "1", env, "")
		const n = 8
		statuses := concurrently(t, n, func(i int) (int, error) {
			code, _, err := send("POST", fmt.Sprintf("%s/pacticipants/API/versions/2/deployed-versions/environment/%s", rs[i%2].URL, env), map[string]any{})
			return code, err
		})
		for _, code := range statuses {
			require.Equal(t, 2, code/100, "statuses %v", statuses)
		}
		cur, err := svc.ListDeployedVersions(ctx, broker.DeploymentFilter{EnvironmentUUID: env, Pacticipant: "API", CurrentOnly: true})
		require.NoError(t, err)
		require.Len(t, cur, 1)
		require.Equal(t, "2", cur[0].Version)
		all, err := svc.ListDeployedVersions(ctx, broker.DeploymentFilter{EnvironmentUUID: env, Pacticipant: "API"})
		require.NoError(t, err)
		require.Len(t, all, 2, "one record for version 1 (undeployed), one for version 2")
	})

	t.Run("kill -9 of one replica under load: no 5xx, every acknowledged write readable", func(t *testing.T) {
		rs, svc, _ := rc.mustStartReplicas(t, 3)
		const (
			clients   = 6
			perClient = 12
			killAfter = 15 // acknowledged publications before the kill
		)
		var (
			acked    sync.Map // version -> true
			nAcked   atomic.Int64
			fiveXX   atomic.Int64
			killOnce sync.Once
			killed   atomic.Bool
			retries  atomic.Int64
		)
		kill := func() {
			killOnce.Do(func() {
				if rs[0].cmd.Process.Signal(syscall.SIGKILL) == nil {
					killed.Store(true)
				}
			})
		}
		// do sends one request starting at replica home, moving on to the
		// next replica only when there is no HTTP response at all.
		do := func(home int, method, path string, body any) (int, error) {
			var lastErr error
			for k := 0; k < len(rs); k++ {
				code, _, err := send(method, rs[(home+k)%len(rs)].URL+path, body)
				if err != nil {
					lastErr = err
					retries.Add(1)
					continue
				}
				if code >= 500 {
					fiveXX.Add(1)
				}
				return code, nil
			}
			return 0, fmt.Errorf("%s %s: no replica answered: %w", method, path, lastErr)
		}
		var wg sync.WaitGroup
		errs := make(chan error, clients*perClient)
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perClient; i++ {
					version := fmt.Sprintf("%d.%d", c, i)
					home := (c + i) % len(rs)
					code, err := do(home, "POST", "/contracts/publish", publishBodyFor("Web", version, "API", "get "+version))
					if err != nil {
						errs <- err
						return
					}
					if code/100 == 2 {
						acked.Store(version, true)
						if nAcked.Add(1) == killAfter {
							kill()
						}
					}
					// A read through another replica; do counts its 5xx.
					if _, err = do(home+1, "GET", "/pacts/provider/API/consumer/Web/latest", nil); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.True(t, killed.Load(), "the replica was killed during the load")
		require.Zero(t, fiveXX.Load(), "no replica answered 5xx")
		require.Positive(t, nAcked.Load())
		n := 0
		acked.Range(func(k, _ any) bool {
			n++
			code, _, err := send("GET", rs[1].URL+"/pacts/provider/API/consumer/Web/version/"+url.PathEscape(k.(string)), nil)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, code, "acknowledged version %s is readable", k)
			return true
		})
		require.Equal(t, int(nAcked.Load()), n)
		versions, err := svc.ListVersions(ctx, "Web", broker.Page{Limit: 1000})
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(versions), n)
		t.Logf("%d publications acknowledged, %d requests retried on another replica after the kill", n, retries.Load())
	})
}
