package generate_test

import (
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/contracts-dev/contracts/formats/pact/generate"
)

// FuzzFromRegex checks that FromRegex never panics and that what it
// returns matches the whole expression.
func FuzzFromRegex(f *testing.F) {
	for _, s := range []string{`\d{1,8}`, `^[a-z]+@[a-z]+\.com$`, `(a|b)*c?`, `[^\x00-\x7f]{2}`, `(?i)x\bY`, `.{3,}`, `\w+\s\W`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		s, err := generate.FromRegex(pattern, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			return
		}
		if !regexp.MustCompile(`^(?:` + pattern + `)$`).MatchString(s) {
			t.Fatalf("%q does not match %q", s, pattern)
		}
	})
}

// FuzzDateExpression checks that date expressions never panic.
func FuzzDateExpression(f *testing.F) {
	for _, s := range []string{"today", "last month @ 2 o'clock", "now + 2 hours", "next friday @ 10:30 pm", "- 3 fortnights"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		_, _ = generate.EvalDateExpression(expr, fixedNow)
		_, _ = generate.EvalTimeExpression(expr, fixedNow)
	})
}
