package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker/postgres/pgtest"
)

// benchClients is the number of concurrent HTTP clients.
const benchClients = 32

// BenchmarkReplicasHTTP measures HTTP throughput with 32 concurrent
// clients spread over two `contracts broker` processes on one durable
// PostgreSQL cluster: publish, pacts-for-verification and can-i-deploy,
// b.N requests each, reporting requests/s, p50/p99 and the number of 5xx
// answers (which fails the benchmark). CONTRACTS_BENCH_HTTP_SCALE
// ("pacticipants x versions", default 20x50) sizes the seeded history.
//
//	go test ./cmd/contracts -run '^$' -bench BenchmarkReplicasHTTP -benchtime 2000x
func BenchmarkReplicasHTTP(b *testing.B) {
	pacticipants, versions := 20, 50
	if v := os.Getenv("CONTRACTS_BENCH_HTTP_SCALE"); v != "" {
		if _, err := fmt.Sscanf(v, "%dx%d", &pacticipants, &versions); err != nil {
			b.Fatalf("CONTRACTS_BENCH_HTTP_SCALE must look like 20x50, got %q", v)
		}
	}
	pg := pgtest.Start(b, "fsync=on", "synchronous_commit=on", "full_page_writes=on", "max_connections=100")
	rc := &replicaCluster{pg: pg, bin: mustBuildContracts(b)}
	dsn := pg.NewDatabase(b)
	var rs []*replica
	for i := 0; i < 2; i++ {
		r, err := startReplica(b, rc.bin, dsn)
		if err != nil {
			b.Fatal(err)
		}
		rs = append(rs, r)
	}
	svcName := func(i int) string { return fmt.Sprintf("svc-%02d", ((i%pacticipants)+pacticipants)%pacticipants) }

	// Seed through the replicas: each pacticipant consumes the next two
	// and publishes on main; the last versions are deployed to prod.
	start := time.Now()
	mustOK := func(code int, body []byte, err error) {
		b.Helper()
		if err != nil || code/100 != 2 {
			b.Fatalf("seed: %d %v %s", code, err, body)
		}
	}
	code, envBody, err := send("POST", rs[0].URL+"/environments", map[string]any{"name": "prod", "production": true})
	mustOK(code, envBody, err)
	for k := 1; k <= versions; k++ {
		for i := 0; i < pacticipants; i++ {
			c := svcName(i)
			req := publishBodyFor(c, strconv.Itoa(k), svcName(i+1), "get thing", fmt.Sprint("change ", k/5))
			req["contracts"] = append(req["contracts"].([]map[string]any), publishBodyFor(c, strconv.Itoa(k), svcName(i+2), "get thing", fmt.Sprint("change ", k/5))["contracts"].([]map[string]any)...)
			code, body, err := send("POST", rs[i%2].URL+"/contracts/publish", req)
			mustOK(code, body, err)
		}
	}
	var env struct{ UUID string }
	if err := json.Unmarshal(envBody, &env); err != nil || env.UUID == "" {
		b.Fatalf("seed: environment: %v %s", err, envBody)
	}
	for i := 0; i < pacticipants; i++ {
		code, body, err := send("POST", fmt.Sprintf("%s/pacticipants/%s/versions/%d/deployed-versions/environment/%s", rs[i%2].URL, svcName(i), versions, env.UUID), map[string]any{})
		mustOK(code, body, err)
	}
	b.Logf("seeded %dx%d through the replicas in %s", pacticipants, versions, time.Since(start))

	ops := []struct {
		name string
		req  func(i int) (method, path string, body any)
	}{
		{"Publish", func(i int) (string, string, any) {
			c := svcName(i)
			return "POST", "/contracts/publish", publishBodyFor(c, fmt.Sprint("bench-", i), svcName(i+1), "get thing", fmt.Sprint("bench ", i))
		}},
		{"PactsForVerification", func(i int) (string, string, any) {
			return "POST", "/pacts/provider/" + url.PathEscape(svcName(i)) + "/for-verification", map[string]any{
				"consumerVersionSelectors": []map[string]any{{"mainBranch": true}, {"deployedOrReleased": true}},
				"providerVersionBranch":    "main", "includePendingStatus": true, "includeWipPactsSince": "2026-01-01",
			}
		}},
		{"CanIDeploy", func(i int) (string, string, any) {
			return "GET", "/can-i-deploy?pacticipant=" + url.QueryEscape(svcName(i)) + "&version=" + strconv.Itoa(versions-i%5) + "&environment=prod", nil
		}},
	}
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			var (
				next   atomic.Int64
				fiveXX atomic.Int64
				mu     sync.Mutex
				lat    = make([]time.Duration, 0, b.N)
				failed atomic.Value
			)
			b.ResetTimer()
			t0 := time.Now()
			var wg sync.WaitGroup
			for c := 0; c < benchClients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1)) - 1
						if i >= b.N {
							return
						}
						method, path, body := op.req(i)
						s := time.Now()
						code, out, err := send(method, rs[i%2].URL+path, body)
						d := time.Since(s)
						if err != nil {
							failed.Store(err.Error())
							return
						}
						if code >= 500 {
							fiveXX.Add(1)
						} else if code/100 != 2 {
							failed.Store(fmt.Sprintf("%s %s: %d %s", method, path, code, out))
						}
						mu.Lock()
						lat = append(lat, d)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(t0)
			b.StopTimer()
			if f := failed.Load(); f != nil {
				b.Fatal(f)
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[(len(lat)-1)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(fiveXX.Load()), "5xx")
			if fiveXX.Load() > 0 {
				b.Fatalf("%d answers were 5xx", fiveXX.Load())
			}
		})
	}
}
