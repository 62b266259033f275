// Command testsummary reads `go test -json` output on stdin and prints what
// a plain `go test` prints (package results, the output of failed tests,
// build errors), then the skipped tests with their reasons, and last one
// line of totals that CI reads:
//
//	N passed, N failed, N skipped
//
// Every test and subtest counts once. The exit status is 1 when a test or
// a package failed (build errors included), else 0.
//
//	go test -json ./... | go run ./scripts/testsummary [-note TEXT]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type key struct{ pkg, test string }

// summary accumulates the stream.
type summary struct {
	out                     io.Writer
	passed, failed, skipped int
	failedPackages          int
	buffered                map[key][]string
	skips                   []string
}

func main() {
	note := flag.String("note", "", "text printed before the totals (e.g. which suites could not run)")
	flag.Parse()
	s := &summary{out: os.Stdout, buffered: map[key][]string{}}
	if err := s.read(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}
	s.finish(*note)
	if s.failed > 0 || s.failedPackages > 0 {
		os.Exit(1)
	}
}

func (s *summary) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			// Not an event (go vet, or go itself failing): pass it on.
			fmt.Fprintln(s.out, string(line))
			continue
		}
		s.add(e)
	}
	return sc.Err()
}

func (s *summary) add(e event) {
	if e.Test == "" {
		switch e.Action {
		case "output", "build-output":
			if strings.TrimSpace(e.Output) != "PASS" {
				fmt.Fprint(s.out, e.Output)
			}
		case "fail":
			s.failedPackages++
		}
		return
	}
	k := key{e.Package, e.Test}
	switch e.Action {
	case "output":
		s.buffered[k] = append(s.buffered[k], e.Output)
	case "pass":
		s.passed++
		delete(s.buffered, k)
	case "fail":
		s.failed++
		for _, l := range s.buffered[k] {
			fmt.Fprint(s.out, l)
		}
		delete(s.buffered, k)
	case "skip":
		s.skipped++
		s.skips = append(s.skips, fmt.Sprintf("%s %s: %s", e.Package, e.Test, skipReason(s.buffered[k])))
		delete(s.buffered, k)
	}
}

// skipReason is what the test logged, without go test's own lines.
func skipReason(lines []string) string {
	var parts []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") {
			continue
		}
		parts = append(parts, t)
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	return strings.Join(parts, " ")
}

func (s *summary) finish(note string) {
	if len(s.skips) > 0 {
		fmt.Fprintf(s.out, "\nSKIPPED %d tests:\n", len(s.skips))
		for _, l := range s.skips {
			fmt.Fprintf(s.out, "  %s\n", l)
		}
	}
	if s.failedPackages > 0 && s.failed == 0 {
		fmt.Fprintf(s.out, "\n%d packages failed without a failing test (build errors or a crash: see above)\n", s.failedPackages)
	}
	if note != "" {
		fmt.Fprintf(s.out, "\n%s\n", note)
	}
	fmt.Fprintf(s.out, "\n%d passed, %d failed, %d skipped\n", s.passed, s.failed, s.skipped)
}
