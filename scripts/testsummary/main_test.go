package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A real `go test -json` run of a small module with passing, failing and
// skipped tests and subtests, summarised.
func TestSummaryOfARealRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/sample\n\ngo 1.22\n")
	write("sample_test.go", `package sample

import "testing"

func TestPass(t *testing.T) {}

func TestParent(t *testing.T) {
	t.Run("ok", func(t *testing.T) {})
	t.Run("skipped", func(t *testing.T) { t.Skip("the fixtures folder ../shared is absent") })
}

func TestFail(t *testing.T) { t.Log("the detail of the failure") ; t.Fail() }

func TestSkip(t *testing.T) { t.Skipf("needs %s", "a tool") }
`)
	cmd := exec.Command("go", "test", "-json", "-count=1", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	stream, _ := cmd.Output() // exits 1: a test fails
	if !bytes.Contains(stream, []byte(`"Action":"fail"`)) {
		t.Fatalf("go test -json gave no failure:\n%s", stream)
	}

	var out bytes.Buffer
	s := &summary{out: &out, buffered: map[key][]string{}}
	if err := s.read(bytes.NewReader(stream)); err != nil {
		t.Fatal(err)
	}
	s.finish("../shared is absent")
	text := out.String()
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	// TestPass, TestParent, TestParent/ok pass; TestFail fails;
	// TestParent/skipped and TestSkip skip.
	if got, want := lines[len(lines)-1], "3 passed, 1 failed, 2 skipped"; got != want {
		t.Fatalf("last line %q, want %q; output:\n%s", got, want, text)
	}
	for _, want := range []string{
		"the detail of the failure",
		"--- FAIL: TestFail",
		"SKIPPED 2 tests:",
		"example.com/sample TestParent/skipped: sample_test.go:9: the fixtures folder ../shared is absent",
		"example.com/sample TestSkip: sample_test.go:14: needs a tool",
		"FAIL\texample.com/sample",
		"../shared is absent",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "TestPass") || strings.Contains(text, "TestParent/ok") {
		t.Errorf("passing tests' output is shown:\n%s", text)
	}
	if s.failed != 1 || s.failedPackages != 1 {
		t.Errorf("failed %d tests and %d packages, want 1 and 1", s.failed, s.failedPackages)
	}
}
