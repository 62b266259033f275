package broker_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/server"
)

// largePact returns a pact of about size bytes: many small interactions,
// as a generated contract suite has.
func largePact(consumer, provider string, size int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[`, consumer, provider)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"description":"get item %d","providerState":"item %d exists","request":{"method":"GET","path":"/items/%d","headers":{"Accept":"application/json"}},"response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":%d,"name":"item number %d","tags":["a","b","c"],"price":%d.5}}}`, i, i, i, i, i, i)
	}
	b.WriteString(`],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)
	return []byte(b.String())
}

// peakRSS returns the process's peak resident set (VmHWM) in bytes, after
// resetting it to the current resident set when reset is true (Linux).
func peakRSS(tb testing.TB, reset bool) int64 {
	tb.Helper()
	if reset {
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			tb.Skipf("cannot reset the peak resident set (needs Linux /proc): %v", err)
		}
	}
	data, err := os.ReadFile("/proc/self/status")
	require.NoError(tb, err)
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			require.NoError(tb, err)
			return kb << 10
		}
	}
	tb.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// BenchmarkConcurrentLargePublish publishes 8 pacts of 13 MB at once and
// reports how much the process's peak resident set grew per publication:
// with the in-flight bound off ("unbounded") and at its default.
//
//	go test ./broker -run '^$' -bench ConcurrentLargePublish -benchtime 3x
func BenchmarkConcurrentLargePublish(b *testing.B) {
	const clients, size = 8, 13 << 20
	pact := largePact("Big", "API", size)
	bodies := make([][]byte, clients)
	for bench, limit := range map[string]int64{"unbounded": 1 << 40, "default": 0} {
		b.Run(bench, func(b *testing.B) {
			tb := mustBroker(b, server.Config{MaxBodyBytes: 64 << 20, MaxInFlightBodyBytes: limit})
			var worst int64
			for n := 0; n < b.N; n++ {
				for i := range bodies {
					bodies[i] = []byte(fmt.Sprintf(`{"pacticipantName":"Big","pacticipantVersionNumber":"%d-%d","branch":"main","contracts":[{"consumerName":"Big","providerName":"API","specification":"pact","contentType":"application/json","content":%q}]}`,
						n, i, base64.StdEncoding.EncodeToString(pact)))
				}
				runtime.GC()
				debug.FreeOSMemory()
				base := peakRSS(b, true)
				var wg sync.WaitGroup
				for i := range clients {
					wg.Go(func() {
						resp, err := http.Post(tb.srv.URL+"/contracts/publish", "application/json", bytes.NewReader(bodies[i]))
						if err != nil {
							b.Error(err)
							return
						}
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							b.Errorf("publish: %d", resp.StatusCode)
						}
					})
				}
				wg.Wait()
				worst = max(worst, peakRSS(b, false)-base)
			}
			b.ReportMetric(float64(worst)/clients/(1<<20), "peak-MB/publish")
			b.ReportMetric(float64(worst)/(1<<20), "peak-MB")
		})
	}
}
