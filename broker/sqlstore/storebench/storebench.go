// Package storebench is the benchmark both SQL stores (broker/sqlite,
// broker/postgres) run: one seed of a broker's history and one set of
// measured requests, so that their figures compare.
//
//	func BenchmarkBroker(b *testing.B) { storebench.Run(b, open, nil) }
package storebench

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlstore"
	"github.com/contracts-dev/contracts/broker/storetest"
)

// Store is what the benchmark needs of a store: the broker.Store and
// batched writes for the seed.
type Store interface {
	broker.Store
	Batch(ctx context.Context, fn func(b *sqlstore.Batch) error) error
}

// Publish publishes req in a batch under the default rules.
func Publish(b *sqlstore.Batch, req broker.PublishRequest) (broker.PublishResult, error) {
	w, err := broker.NewPublication(req, broker.DefaultRules())
	if err != nil {
		return broker.PublishResult{}, err
	}
	return b.PublishContracts(w)
}

// Run measures can-i-deploy, publish and pacts-for-verification on a
// store that open returns (reading the time from now), seeded with
// CONTRACTS_BENCH_SCALE pacticipants and versions, and reports p50/p99
// latencies, the process's CPU time per request and its RSS. seeded, when set, is called after the
// seed (to report the database's size).
func Run(b *testing.B, open func(b *testing.B, now func() time.Time) Store, seeded func(b *testing.B)) {
	RunCopied(b, open, nil, nil, seeded)
}

// RunCopied is Run for a store that is slow to seed statement by statement
// (PostgreSQL: a round trip per statement): the seed is written into the
// store seedInto opens, then open opens the measured store, copy moves the
// seeded rows into it, and the requests are measured there. Without open,
// the seeded store is measured.
func RunCopied(b *testing.B, seedInto, open func(b *testing.B, now func() time.Time) Store, copy func(b *testing.B), seeded func(b *testing.B)) {
	pacticipants, versions := scale(b)
	clock := newClock()
	s := seedInto(b, clock.read)
	start := time.Now()
	seed(b, s, clock, pacticipants, versions)
	b.Logf("seeded %dx%d in %s", pacticipants, versions, time.Since(start))
	if open != nil {
		s = open(b, clock.read)
		start = time.Now()
		copy(b)
		b.Logf("copied in %s", time.Since(start))
	}
	if seeded != nil {
		seeded(b)
	}
	ctx := context.Background()

	measure := func(b *testing.B, fn func(i int) error) {
		ds := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		cpu := ReportCPU(b)
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			if err := fn(i); err != nil {
				b.Fatal(err)
			}
			ds = append(ds, time.Since(t0))
		}
		cpu()
		b.StopTimer()
		b.ReportMetric(float64(percentile(ds, 0.50).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(percentile(ds, 0.99).Microseconds())/1000, "p99-ms")
		b.ReportMetric(rssMB("VmRSS"), "rss-MB")
		b.ReportMetric(rssMB("VmHWM"), "peak-rss-MB")
	}
	b.Run("CanIDeploy", func(b *testing.B) {
		measure(b, func(i int) error {
			res, err := broker.QueryMatrix(ctx, s, broker.MatrixQuery{
				Selectors:   []broker.MatrixSelector{{Pacticipant: svc(i, pacticipants), Version: strconv.Itoa(versions - i%10)}},
				Environment: "prod", LatestBy: broker.LatestByCVPV,
			})
			if err == nil && len(res.Rows) == 0 {
				err = fmt.Errorf("no rows for %s", svc(i, pacticipants))
			}
			return err
		})
	})
	b.Run("Publish", func(b *testing.B) {
		measure(b, func(i int) error {
			c := svc(i, pacticipants)
			p := svc(i+1, pacticipants)
			_, err := broker.NewService(s, broker.DefaultRules()).PublishContracts(ctx, broker.PublishRequest{Pacticipant: c, Version: fmt.Sprintf("bench-%d", i), Branch: "main",
				Contracts: []broker.ContractInput{{Consumer: c, Provider: p, Content: storetest.PactJSON(c, p, "get thing", fmt.Sprintf("bench %d", i))}}})
			return err
		})
	})
	b.Run("PactsForVerification", func(b *testing.B) {
		// The last 20 versions are work in progress candidates.
		since := clock.start.Add(time.Duration(versions-20) * time.Hour)
		measure(b, func(i int) error {
			got, err := broker.PactsForVerification(ctx, s, broker.PactsForVerificationRequest{
				Provider:                 svc(i, pacticipants),
				ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{MainBranch: true}, {DeployedOrReleased: true}},
				ProviderVersionBranch:    "main", IncludePendingStatus: true, IncludeWIPPactsSince: &since,
			})
			if err == nil && len(got) == 0 {
				err = fmt.Errorf("no pacts for %s", svc(i, pacticipants))
			}
			return err
		})
	})
}

// scale reads CONTRACTS_BENCH_SCALE ("pacticipants x versions", for
// example "100x2000" for the 1M-verification target); the default is
// small so that `go test -bench` stays quick.
func scale(tb testing.TB) (pacticipants, versions int) {
	tb.Helper()
	pacticipants, versions = 10, 100
	if v := os.Getenv("CONTRACTS_BENCH_SCALE"); v != "" {
		p, n, ok := strings.Cut(v, "x")
		var err1, err2 error
		pacticipants, err1 = strconv.Atoi(p)
		versions, err2 = strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil {
			tb.Fatalf("CONTRACTS_BENCH_SCALE must look like 100x2000, got %q", v)
		}
	}
	return pacticipants, versions
}

func svc(i, n int) string { return fmt.Sprintf("svc-%03d", ((i%n)+n)%n) }

// seed fills a store: each pacticipant i consumes i+1 and i+2, publishes
// on main (every 10th version on a feature branch), changes its pacts
// every 5 versions, and each provider version verifies five pacts of its
// consumers (about 5 verification rows per version). The last version of
// each pacticipant is deployed to prod.
func seed(tb testing.TB, s Store, clock *clock, pacticipants, versions int) {
	tb.Helper()
	ctx := context.Background()
	for i := 0; i < pacticipants; i++ {
		if _, _, err := s.PutPacticipant(ctx, broker.Pacticipant{Name: svc(i, pacticipants), MainBranch: "main"}); err != nil {
			tb.Fatal(err)
		}
	}
	shas := map[string]string{} // "consumer provider contentIndex" -> sha
	content := func(k int) int { return k / 5 }
	for k := 1; k <= versions; k++ {
		clock.set(clock.start.Add(time.Duration(k) * time.Hour))
		err := s.Batch(ctx, func(b *sqlstore.Batch) error {
			for i := 0; i < pacticipants; i++ {
				c := svc(i, pacticipants)
				branch := "main"
				if k%10 == 0 {
					branch = fmt.Sprintf("feat-%d", k)
				}
				req := broker.PublishRequest{Pacticipant: c, Version: strconv.Itoa(k), Branch: branch}
				for _, d := range []int{1, 2} {
					p := svc(i+d, pacticipants)
					req.Contracts = append(req.Contracts, broker.ContractInput{Consumer: c, Provider: p,
						Content: storetest.PactJSON(c, p, "get thing", fmt.Sprintf("change %d", content(k)))})
				}
				res, err := Publish(b, req)
				if err != nil {
					return err
				}
				for _, pc := range res.Contracts {
					shas[fmt.Sprintf("%s %s %d", c, pc.Pact.Provider, content(k))] = pc.Pact.SHA
				}
			}
			// Provider versions k verify their consumers' pacts at k, k-5 and
			// (for the first consumer) k-10.
			for j := 0; j < pacticipants; j++ {
				p := svc(j, pacticipants)
				for d, back := range [][]int{{0, 5, 10}, {0, 5}} {
					c := svc(j-1-d, pacticipants)
					for _, bk := range back {
						if k-bk < 1 {
							continue
						}
						sha := shas[fmt.Sprintf("%s %s %d", c, p, content(k-bk))]
						if err := b.PublishVerification(broker.VerificationInput{Consumer: c, Provider: p, PactSHA: sha,
							ProviderVersion: strconv.Itoa(k), Success: (k+j)%17 != 0}); err != nil {
							return err
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	env, err := s.CreateEnvironment(ctx, broker.Environment{Name: "prod", Production: true})
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < pacticipants; i++ {
		if _, _, err := s.RecordDeployment(ctx, svc(i, pacticipants), strconv.Itoa(versions), env.UUID, ""); err != nil {
			tb.Fatal(err)
		}
	}
}

// Seed fills s with the benchmark's seed at a scale of pacticipants x
// versions and returns the clock the seed ran on, for opening another
// store that continues its history.
func Seed(tb testing.TB, s Store, now *Clock, pacticipants, versions int) {
	seed(tb, s, now, pacticipants, versions)
}

// Clock is the seed's clock: NewClock().Read is the now function to open
// the seeded store with.
type Clock = clock

// NewClock returns a clock at the seed's start.
func NewClock() *Clock { return newClock() }

// Read returns the clock's time, a millisecond after the time read before.
func (c *clock) Read() time.Time { return c.read() }

func newClock() *clock {
	c := &clock{start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c.now = c.start
	return c
}

// Svc is the seed's name of pacticipant i of n.
func Svc(i, n int) string { return svc(i, n) }

// clock puts version k of the seed k hours after start, so that a
// work-in-progress window only covers recent versions.
type clock struct {
	mu    sync.Mutex
	start time.Time
	now   time.Time
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *clock) read() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Millisecond)
	return c.now
}

func percentile(ds []time.Duration, p float64) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[int(float64(len(ds)-1)*p)]
}

// rssMB reads a memory figure of this process from /proc/self/status:
// "VmRSS" (resident now) or "VmHWM" (peak resident, seeding included).
func rssMB(field string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

// ReportCPU reports, when the function it returns is called, the process's
// CPU time per operation since ReportCPU: unlike the wall time, other load
// on a shared machine barely changes it.
func ReportCPU(b *testing.B) func() {
	start := cpuTime(b)
	return func() { b.ReportMetric(float64((cpuTime(b)-start).Microseconds())/float64(b.N), "cpu-us/op") }
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
