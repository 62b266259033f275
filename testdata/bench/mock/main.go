// Command mock is the mock server benchmark: it serves one pact with
// `contracts`' HTTP mock (verify/mock) and, when given the official Pact
// CLI, with `pact stub` beside it, then sends every server the requests of
// the pact's interactions: first one at a time (p50 and p99 latency), then
// from concurrent clients (requests per second). scripts/bench-mock.sh
// runs it for 100, 1,000 and 10,000 interactions of the verify benchmark's
// pact (testdata/bench/provider).
//
//	go run ./testdata/bench/mock -pact pact.json [-pact-cli .tools/pact/bin/pact]
//
// One line per server is printed:
//
//	contracts n=1000 seq p50=0.120ms p99=0.310ms clients=20 rps=9000 errors=0
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify/mock"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mock bench:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mock", flag.ContinueOnError)
	pactPath := fs.String("pact", "", "the pact file to serve")
	cli := fs.String("pact-cli", "", "the official pact CLI; empty benchmarks contracts alone")
	seq := fs.Int("sequential", 2000, "requests sent one at a time")
	clients := fs.Int("clients", 20, "concurrent clients")
	total := fs.Int("concurrent", 10000, "requests sent by the concurrent clients together")
	stubSeq := fs.Int("stub-sequential", 50, "requests sent one at a time to pact stub (it takes 0.1 s and more each)")
	stubTotal := fs.Int("stub-concurrent", 200, "requests sent by the concurrent clients to pact stub")
	if err := fs.Parse(args); err != nil {
		return err
	}
	data, err := os.ReadFile(*pactPath)
	if err != nil {
		return err
	}
	p, err := pact.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *pactPath, err)
	}
	var reqs []*pact.Request
	for _, in := range p.Interactions {
		if in.Request != nil {
			reqs = append(reqs, in.Request)
		}
	}
	if len(reqs) == 0 {
		return fmt.Errorf("%s: no HTTP interaction", *pactPath)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := mock.New([]*pact.Pact{p}, mock.Options{})
	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
		return err
	}
	defer srv.Close()
	report := func(name, base string, seq, total int) {
		r := measure(base, reqs, seq, *clients, total)
		fmt.Fprintf(stdout, "%-9s n=%d seq p50=%.3fms p99=%.3fms clients=%d rps=%.0f errors=%d\n",
			name, len(reqs), ms(r.p50), ms(r.p99), *clients, r.rps, r.errors)
	}
	report("contracts", srv.URL(), *seq, *total)
	if *cli != "" {
		// Started after ours is measured: it keeps a core busy while it loads.
		base, stop, err := startStub(*cli, *pactPath)
		if err != nil {
			return err
		}
		defer stop()
		report("pact-stub", base, *stubSeq, *stubTotal)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

type result struct {
	p50, p99 time.Duration
	rps      float64
	errors   int64
}

func measure(base string, reqs []*pact.Request, seq, clients, total int) result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxIdleConns: clients}}
	var errs atomic.Int64
	send := func(i int) {
		if err := do(client, base, reqs[i%len(reqs)]); err != nil {
			if errs.Add(1) == 1 {
				fmt.Fprintln(os.Stderr, "mock bench:", err)
			}
		}
	}
	// Warm up the connection and both servers' caches.
	for i := range min(len(reqs), 50, seq) {
		send(i)
	}
	lat := make([]time.Duration, seq)
	for i := range seq {
		start := time.Now()
		send(i * 7919) // a prime stride spreads the requests over the pact
		lat[i] = time.Since(start)
	}
	slices.Sort(lat)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i > total {
					return
				}
				send(i * 7919)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	return result{p50: lat[len(lat)/2], p99: lat[len(lat)*99/100], rps: float64(total) / elapsed.Seconds(), errors: errs.Load()}
}

// do sends the request an interaction expects and requires a non-5xx
// answer (both mocks answer an unmatched request with 500).
func do(client *http.Client, base string, r *pact.Request) error {
	u := base + (&url.URL{Path: r.Path}).EscapedPath()
	if len(r.Query) > 0 {
		u += "?" + url.Values(r.Query).Encode()
	}
	var body io.Reader
	if r.Body.State == pact.BodyPresent {
		body = bytes.NewReader(r.Body.Content)
	}
	req, err := http.NewRequest(r.Method, u, body)
	if err != nil {
		return err
	}
	for k, vs := range r.Headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if r.Body.State == pact.BodyPresent && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", r.Body.EffectiveContentType())
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		return fmt.Errorf("%s %s: status %d", r.Method, r.Path, resp.StatusCode)
	}
	return nil
}

// startStub runs `pact stub` on a free port and waits until it answers.
func startStub(cli, pactPath string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(cli, "stub", "--file", pactPath, "--port", strconv.Itoa(port), "--loglevel", "error")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for range 600 {
		if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			c.Close()
			return base, stop, nil
		}
		time.Sleep(50 * time.Millisecond) // waiting for an external process to listen, not test synchronisation
	}
	stop()
	return "", nil, errors.New("pact stub did not start listening within 30 s")
}
