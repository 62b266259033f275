package broker_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
)

// BenchmarkHTTPLoad drives the real server on loopback (SQLite store) with
// concurrent clients mixing publish, pacts-for-verification (main branch,
// deployed or released, pending status and WIP) and can-i-deploy, and
// prints requests per second, p50/p99 per endpoint, the 5xx count and the
// CPU time per request (server and clients: they share the process).
// Each iteration sends CONTRACTS_LOAD_REQUESTS requests (default 3,000) from
// CONTRACTS_LOAD_CLIENTS clients (default 50).
//
//	go test ./broker -run '^$' -bench HTTPLoad -benchtime 1x
//	go test ./broker -run '^$' -bench HTTPLoad -benchtime 1x -cpuprofile cpu.out
func BenchmarkHTTPLoad(b *testing.B) {
	clients, requests := envInt(b, "CONTRACTS_LOAD_CLIENTS", 50), envInt(b, "CONTRACTS_LOAD_REQUESTS", 3000)
	ctx := context.Background()
	tb := mustBroker(b, server.Config{Logger: slog.New(slog.DiscardHandler), Now: time.Now})
	c := tb.client(b)
	_, err := c.CreateEnvironment(ctx, broker.Environment{Name: "prod", Production: true})
	require.NoError(b, err)
	const consumers, versions = 10, 30
	for ci := range consumers {
		consumer := fmt.Sprintf("Web%d", ci)
		for v := range versions {
			branch := "main"
			if v%5 == 4 {
				branch = fmt.Sprintf("feat-%d", v)
			}
			ver := strconv.Itoa(v)
			mustPublish(b, c, consumer, ver, branch, map[string][]byte{"API": pactJSON(consumer, "API", fmt.Sprintf("/%s/%d", consumer, v%7))})
			if branch == "main" {
				p, err := c.FetchPact(ctx, fmt.Sprintf("/pacts/provider/API/consumer/%s/version/%s", consumer, ver))
				require.NoError(b, err)
				require.NoError(b, c.PublishVerificationResult(ctx, p.PublishVerificationResultsURL, api.VerificationResult{Success: true, ProviderVersion: "p" + ver}))
				require.NoError(b, c.EnsureVersionBranch(ctx, "API", "p"+ver, "main"))
			}
		}
		_, err := c.RecordDeployment(ctx, consumer, "20", "prod", "")
		require.NoError(b, err)
	}
	_, err = c.RecordDeployment(ctx, "API", "p20", "prod", "")
	require.NoError(b, err)

	pact := base64.StdEncoding.EncodeToString(pactJSON("Load", "API", "/load"))
	pfv := `{"consumerVersionSelectors":[{"mainBranch":true},{"deployedOrReleased":true}],"providerVersionBranch":"main","includePendingStatus":true,"includeWipPactsSince":"2020-01-01"}`
	endpoints := []string{"publish", "pacts-for-verification", "can-i-deploy"}
	var published atomic.Int64
	send := func(kind string) (*http.Response, error) {
		switch kind {
		case "publish":
			n := published.Add(1)
			body := fmt.Sprintf(`{"pacticipantName":"Load","pacticipantVersionNumber":"%d","branch":"main","contracts":[{"consumerName":"Load","providerName":"API","specification":"pact","contentType":"application/json","content":%q}]}`, n, pact)
			return http.Post(tb.srv.URL+"/contracts/publish", "application/json", strings.NewReader(body))
		case "pacts-for-verification":
			return http.Post(tb.srv.URL+"/pacts/provider/API/for-verification", "application/json", strings.NewReader(pfv))
		default:
			return http.Get(tb.srv.URL + "/can-i-deploy?pacticipant=Web3&version=25&environment=prod")
		}
	}
	http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost = clients
	b.ResetTimer()
	for range b.N {
		lat := map[string][]time.Duration{}
		var mu sync.Mutex
		var next, fivexx atomic.Int64
		start, cpu0 := time.Now(), cpuTime(b)
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				for {
					i := next.Add(1) - 1
					if i >= int64(requests) {
						return
					}
					kind := endpoints[i%int64(len(endpoints))]
					t0 := time.Now()
					resp, err := send(kind)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					d := time.Since(t0)
					if resp.StatusCode >= 500 {
						fivexx.Add(1)
					} else if resp.StatusCode >= 300 {
						b.Errorf("%s: status %d", kind, resp.StatusCode)
					}
					mu.Lock()
					lat[kind] = append(lat[kind], d)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		elapsed, cpu := time.Since(start), cpuTime(b)-cpu0
		b.ReportMetric(float64(requests)/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(fivexx.Load()), "5xx")
		b.ReportMetric(ms(cpu)/float64(requests), "cpu-ms/req")
		fmt.Printf("%d clients, %d requests: %.0f req/s, %d 5xx, %.2f ms of CPU per request (server and clients)\n",
			clients, requests, float64(requests)/elapsed.Seconds(), fivexx.Load(), ms(cpu)/float64(requests))
		for _, kind := range endpoints {
			ds := lat[kind]
			slices.Sort(ds)
			p50, p99 := ds[len(ds)*50/100], ds[len(ds)*99/100]
			fmt.Printf("  %-24s p50 %6.1f ms  p99 %6.1f ms\n", kind, ms(p50), ms(p99))
			b.ReportMetric(ms(p99), kind+"-p99-ms")
		}
	}
}

// cpuTime is the CPU time (user and system) the process has used: unlike
// throughput and latency it hardly depends on what else the machine runs.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	require.NoError(tb, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func envInt(tb testing.TB, name string, def int) int {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(tb, err, name)
	return n
}
