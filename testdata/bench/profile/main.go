// Command profile runs verify.Verify in-process on the benchmark pact and
// writes a CPU profile, to find what is slow when scripts/bench-verify.sh
// reports a low ratio.
//
//	go run ./testdata/bench/provider -write-pact /tmp/pact.json
//	go run ./testdata/bench/provider -listen 127.0.0.1:0 &   # prints URL
//	go run ./testdata/bench/profile -pact /tmp/pact.json -url URL -states -runs 10 -cpuprofile /tmp/cpu.out
//	go tool pprof -top -cum /tmp/cpu.out
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("profile", flag.ContinueOnError)
	pactPath := fs.String("pact", "", "pact file")
	baseURL := fs.String("url", "", "provider base URL")
	states := fs.Bool("states", false, "call URL/_pact/provider-states before each interaction (no teardown)")
	runs := fs.Int("runs", 5, "verifications to run")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pactPath == "" || *baseURL == "" {
		return errors.New("-pact and -url are required")
	}
	cfg := verify.Config{ProviderBaseURL: *baseURL}
	if *states {
		cfg.StateChangeURL = *baseURL + "/_pact/provider-states"
		cfg.NoStateChangeTeardown = true
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for i := 0; i < *runs; i++ {
		start := time.Now()
		// Loading is part of what the CLI does, so it is timed too.
		sources, err := verify.LoadPath(*pactPath)
		if err != nil {
			return err
		}
		loaded := time.Now()
		// Parsing alone, to tell the model's share from replay and matching.
		for _, src := range sources {
			if _, err := pact.Parse(src.Data); err != nil {
				return fmt.Errorf("parse %s: %w", src.Name, err)
			}
		}
		parsed := time.Now()
		report, err := verify.Verify(context.Background(), cfg, sources)
		if err != nil {
			return err
		}
		c := report.Counts()
		fmt.Fprintf(stdout, "run %d: load %v, parse %v, verify (parse included) %v: passed %d, failed %d, skipped %d\n",
			i+1, loaded.Sub(start).Round(time.Millisecond), parsed.Sub(loaded).Round(time.Millisecond),
			time.Since(parsed).Round(time.Millisecond), c.Passed, c.Failed, c.Skipped)
	}
	return nil
}
