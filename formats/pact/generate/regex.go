package generate

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
)

// maxRepeat bounds the repetitions generated for "*", "+" and open "{n,}".
const maxRepeat = 8

// compileRegex compiles a pattern; Java-style possessive or inline flags
// that Go lacks are reported as errors.
func compileRegex(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("regex %q: %w", pattern, err)
	}
	return re, nil
}

// FromRegex returns a random string that the regular expression matches.
// It walks the parsed expression: literals are copied, classes pick a
// member (printable ASCII when the class has any), repetitions pick a count
// (at most maxRepeat beyond the minimum for open ones) and alternations pick
// a branch. Anchors and boundaries produce nothing; when they make the
// result not match, a few attempts are made before giving up.
func FromRegex(pattern string, r *rand.Rand) (string, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", fmt.Errorf("regex %q: %w", pattern, err)
	}
	re = re.Simplify()
	check, err := compileRegex(`^(?:` + pattern + `)$`)
	if err != nil {
		return "", err
	}
	var last string
	for range 20 {
		var b strings.Builder
		if err := gen(&b, re, r); err != nil {
			return "", fmt.Errorf("regex %q: %w", pattern, err)
		}
		last = b.String()
		if check.MatchString(last) {
			return last, nil
		}
	}
	return "", fmt.Errorf("regex %q: could not generate a matching string (last tried %q)", pattern, last)
}

func gen(b *strings.Builder, re *syntax.Regexp, r *rand.Rand) error {
	switch re.Op {
	case syntax.OpNoMatch:
		return fmt.Errorf("the expression matches nothing")
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return nil
	case syntax.OpLiteral:
		for _, c := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && r.IntN(2) == 1 {
				c = unicode.SimpleFold(c)
			}
			b.WriteRune(c)
		}
	case syntax.OpCharClass:
		c, err := pickRune(re.Rune, r)
		if err != nil {
			return err
		}
		b.WriteRune(c)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		const printable = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		b.WriteByte(printable[r.IntN(len(printable))])
	case syntax.OpCapture:
		return gen(b, re.Sub[0], r)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, 1
		switch re.Op {
		case syntax.OpStar:
			hi = maxRepeat
		case syntax.OpPlus:
			lo, hi = 1, maxRepeat
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
			if hi < 0 {
				hi = lo + maxRepeat
			}
		}
		n := lo + r.IntN(hi-lo+1)
		for range n {
			if err := gen(b, re.Sub[0], r); err != nil {
				return err
			}
		}
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if err := gen(b, s, r); err != nil {
				return err
			}
		}
	case syntax.OpAlternate:
		return gen(b, re.Sub[r.IntN(len(re.Sub))], r)
	default:
		return fmt.Errorf("unsupported regex construct %s", re)
	}
	return nil
}

// pickRune picks a rune from a class given as [lo, hi] pairs, preferring
// printable ASCII members.
func pickRune(ranges []rune, r *rand.Rand) (rune, error) {
	var ascii []rune
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := max(ranges[i], 0x20), min(ranges[i+1], 0x7e)
		if lo <= hi {
			ascii = append(ascii, lo, hi)
		}
	}
	if len(ascii) > 0 {
		ranges = ascii
	}
	total := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		total += int(ranges[i+1]-ranges[i]) + 1
	}
	if total == 0 {
		return 0, fmt.Errorf("empty character class")
	}
	n := r.IntN(total)
	for i := 0; i+1 < len(ranges); i += 2 {
		size := int(ranges[i+1]-ranges[i]) + 1
		if n < size {
			c := ranges[i] + rune(n)
			if c >= 0xD800 && c <= 0xDFFF {
				c = 'a'
			}
			return c, nil
		}
		n -= size
	}
	return ranges[0], nil
}
