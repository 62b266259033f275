package pact

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// TokenKind is the kind of one step of a Path.
type TokenKind int

// Token kinds.
const (
	// TokenRoot is "$", the root of the document.
	TokenRoot TokenKind = iota
	// TokenField is a named object field: ".name" or "['name']".
	TokenField
	// TokenIndex is an array index: "[3]".
	TokenIndex
	// TokenStar is "*": any field or index at this level.
	TokenStar
	// TokenStarIndex is "[*]": any array index at this level.
	TokenStarIndex
)

// PathToken is one step of a Path. Name is set for TokenField, Index for
// TokenIndex.
type PathToken struct {
	Kind  TokenKind
	Name  string
	Index int
}

// Path is a parsed path expression as used by matching rules and generators:
// "$.items[*].id", "$['a b']", "$.*", or a plain name such as a header name.
//
// A path that does not start with "$" (seen as "a.b" in some files, and used
// for header, query and metadata names) is relative to the root: it matches
// a location with or without a leading "$".
type Path []PathToken

// Root returns the root token "$".
func Root() PathToken { return PathToken{Kind: TokenRoot} }

// Field returns a field token.
func Field(name string) PathToken { return PathToken{Kind: TokenField, Name: name} }

// Index returns an array index token.
func Index(i int) PathToken { return PathToken{Kind: TokenIndex, Index: i} }

// Star returns the "*" token (any field or index).
func Star() PathToken { return PathToken{Kind: TokenStar} }

// StarIndex returns the "[*]" token (any array index).
func StarIndex() PathToken { return PathToken{Kind: TokenStarIndex} }

// PathError reports a path expression that cannot be parsed.
type PathError struct {
	Expr string
	Pos  int
	Msg  string
}

// Error implements error.
func (e *PathError) Error() string {
	return fmt.Sprintf("path expression %q: %s at offset %d", e.Expr, e.Msg, e.Pos)
}

// ParsePath parses a path expression. The empty string gives an empty Path
// (used by the path, status and method categories). A string not starting
// with "$" that is not a valid dotted expression (for example a query name
// such as "ids[]") is taken as one plain field name, so header, query and
// metadata keys always parse.
func ParsePath(s string) (Path, error) {
	if s == "" {
		return Path{}, nil
	}
	if !strings.HasPrefix(s, "$") {
		p, err := parseTokens(s, 0, nil, true)
		if err != nil {
			return Path{Field(s)}, nil
		}
		return p, nil
	}
	return parseTokens(s, 1, Path{Root()}, false)
}

// MustParsePath is ParsePath for expressions known to be valid (tests,
// constants); it panics on a malformed expression.
func MustParsePath(s string) Path {
	p, err := ParsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

// parseTokens parses s from offset i, appending to p. When bare is true the
// expression starts with a field name without a leading dot.
func parseTokens(s string, i int, p Path, bare bool) (Path, error) {
	fail := func(pos int, msg string) (Path, error) {
		return nil, &PathError{Expr: s, Pos: pos, Msg: msg}
	}
	if bare {
		name, next := scanName(s, i)
		if name == "" {
			return fail(i, "expected a field name")
		}
		if name == "*" {
			p = append(p, Star())
		} else {
			p = append(p, Field(name))
		}
		i = next
	}
	for i < len(s) {
		switch s[i] {
		case '.':
			name, next := scanName(s, i+1)
			if name == "" {
				return fail(i+1, "expected a field name or * after '.'")
			}
			if name == "*" {
				p = append(p, Star())
			} else {
				p = append(p, Field(name))
			}
			i = next
		case '[':
			j := i + 1
			if j >= len(s) {
				return fail(j, "unterminated '['")
			}
			switch c := s[j]; {
			case c == '*':
				if j+1 >= len(s) || s[j+1] != ']' {
					return fail(j+1, "expected ']' after '[*'")
				}
				p = append(p, StarIndex())
				i = j + 2
			case c == '\'' || c == '"':
				name, next, ok := scanQuoted(s, j)
				if !ok {
					return fail(j, "unterminated quoted field name")
				}
				if next >= len(s) || s[next] != ']' {
					return fail(next, "expected ']' after quoted field name")
				}
				p = append(p, Field(name))
				i = next + 1
			case c >= '0' && c <= '9':
				k := j
				for k < len(s) && s[k] >= '0' && s[k] <= '9' {
					k++
				}
				if k >= len(s) || s[k] != ']' {
					return fail(k, "expected ']' after array index")
				}
				n, err := strconv.Atoi(s[j:k])
				if err != nil {
					return fail(j, "array index out of range")
				}
				p = append(p, Index(n))
				i = k + 1
			default:
				return fail(j, "expected an index, '*' or a quoted field name after '['")
			}
		default:
			return fail(i, fmt.Sprintf("unexpected character %q", s[i]))
		}
	}
	return p, nil
}

// scanName reads a field name after a dot: everything up to the next '.',
// '[' or whitespace.
func scanName(s string, i int) (string, int) {
	j := i
	for j < len(s) {
		c := s[j]
		if c == '.' || c == '[' || c == ']' || c == '\'' || c == '"' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		j++
	}
	return s[i:j], j
}

// scanQuoted reads a quoted name starting at the quote at s[i]; a backslash
// escapes the next character.
func scanQuoted(s string, i int) (string, int, bool) {
	q := s[i]
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if j+1 < len(s) {
				j++
				b.WriteByte(s[j])
			}
		case q:
			return b.String(), j + 1, true
		default:
			b.WriteByte(s[j])
		}
	}
	return "", len(s), false
}

// String writes the path back as an expression that ParsePath reads to the
// same Path: "$.a[0]['b c'].*".
//
// A path without "$" made of one field is written as the bare name, so a
// header or query name comes back unchanged.
func (p Path) String() string {
	if len(p) == 1 && p[0].Kind == TokenField {
		return p[0].Name
	}
	var b strings.Builder
	for i, t := range p {
		switch t.Kind {
		case TokenRoot:
			b.WriteByte('$')
		case TokenField:
			switch {
			case plainName(t.Name) && i == 0:
				b.WriteString(t.Name)
			case plainName(t.Name):
				b.WriteByte('.')
				b.WriteString(t.Name)
			default:
				b.WriteString("['")
				b.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(t.Name))
				b.WriteString("']")
			}
		case TokenIndex:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(t.Index))
			b.WriteByte(']')
		case TokenStar:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteByte('*')
		case TokenStarIndex:
			b.WriteString("[*]")
		}
	}
	return b.String()
}

// plainName reports whether a field name can be written after a dot.
func plainName(name string) bool {
	if name == "" || name == "*" || strings.HasPrefix(name, "$") {
		return false
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_-:@#", r)) {
			return false
		}
	}
	return true
}

// rooted reports whether the path starts with "$".
func (p Path) rooted() bool { return len(p) > 0 && p[0].Kind == TokenRoot }

// align returns the tokens and location elements to compare pairwise: a path
// without "$" is compared with the location minus its leading "$".
func (p Path) align(actual []string) (Path, []string) {
	if !p.rooted() && len(actual) > 0 && actual[0] == "$" {
		return p, actual[1:]
	}
	return p, actual
}

// weightOf is the product of the per-token scores over the first len(p)
// elements of actual: 2 for an exact field, index or root, 1 for a wildcard,
// 0 when a token does not match. actual must be at least as long as p.
func (p Path) weightOf(actual []string) int {
	w := 1
	for i, t := range p {
		a := actual[i]
		switch t.Kind {
		case TokenRoot:
			if a != "$" {
				return 0
			}
			w *= 2
		case TokenField:
			if a != t.Name {
				return 0
			}
			w *= 2
		case TokenIndex:
			n, err := strconv.Atoi(a)
			if err != nil || n != t.Index {
				return 0
			}
			w *= 2
		case TokenStar:
		case TokenStarIndex:
			if _, err := strconv.Atoi(a); err != nil {
				return 0
			}
		}
	}
	return w
}

// Matches reports whether the path denotes exactly the location actual, a
// list such as ["$", "items", "0", "id"] (array indexes as decimal strings).
func (p Path) Matches(actual []string) bool {
	if len(p) == 0 {
		return len(actual) == 0
	}
	toks, act := p.align(actual)
	if len(toks) != len(act) {
		return false
	}
	return toks.weightOf(act) > 0
}

// MatchesPrefix reports whether the path denotes actual or one of its
// ancestors, i.e. whether a rule at this path applies to actual by
// cascading to children.
func (p Path) MatchesPrefix(actual []string) bool {
	return p.Weight(actual) > 0
}

// Weight scores how specifically the path selects actual, for choosing the
// rule that applies to a location: 0 when the path matches neither actual
// nor an ancestor of it. Otherwise it is the product of 2 for every exact
// root, field or index step and 1 for every wildcard step, times the number
// of steps: a longer path, and an exact step over a wildcard, score higher.
// A path without "$" scores as if it had one.
func (p Path) Weight(actual []string) int {
	toks, act := p.align(actual)
	if len(toks) == 0 || len(toks) > len(act) {
		return 0
	}
	w := toks.weightOf(act)
	n := len(toks)
	if !p.rooted() && len(act) < len(actual) {
		w *= 2
		n++
	}
	return w * n
}

// Location splits a concrete, wildcard-free path into the element list used by
// Matches and Weight: "$.a[0]" gives ["$", "a", "0"]. It fails on wildcards.
func (p Path) Location() ([]string, error) {
	out := make([]string, 0, len(p))
	for _, t := range p {
		switch t.Kind {
		case TokenRoot:
			out = append(out, "$")
		case TokenField:
			out = append(out, t.Name)
		case TokenIndex:
			out = append(out, strconv.Itoa(t.Index))
		default:
			return nil, fmt.Errorf("path %s has a wildcard, not a single location", p)
		}
	}
	return out, nil
}
