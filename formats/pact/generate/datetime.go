package generate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/formats/pact"
)

// Default formats, in the Java pattern style pact files use.
const (
	DefaultDateFormat     = "yyyy-MM-dd"
	DefaultTimeFormat     = "HH:mm:ss"
	DefaultDateTimeFormat = "yyyy-MM-dd'T'HH:mm:ssXXX"
)

func dateValue(g pact.Generator, ctx *Context) (string, error) {
	format, _ := g.Attrs["format"].(string)
	if format == "" {
		switch g.Type {
		case TypeDate:
			format = DefaultDateFormat
		case TypeTime:
			format = DefaultTimeFormat
		default:
			format = DefaultDateTimeFormat
		}
	}
	t := ctx.now()
	if expr, _ := g.Attrs["expression"].(string); strings.TrimSpace(expr) != "" {
		var err error
		if g.Type == TypeTime {
			t, err = EvalTimeExpression(expr, t)
		} else {
			t, err = EvalDateExpression(expr, t)
		}
		if err != nil {
			return "", err
		}
	}
	return FormatJava(t, format)
}

// FormatJava formats t with a Java DateTimeFormatter / SimpleDateFormat
// pattern such as "yyyy-MM-dd'T'HH:mm:ss.SSSXXX". Quoted text is literal
// (two single quotes stand for one); other non-letters are copied; an unknown pattern letter
// is an error.
func FormatJava(t time.Time, pattern string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(pattern); {
		c := pattern[i]
		if c == '\'' {
			j := i + 1
			if j < len(pattern) && pattern[j] == '\'' {
				b.WriteByte('\'')
				i += 2
				continue
			}
			for j < len(pattern) {
				if pattern[j] == '\'' {
					if j+1 < len(pattern) && pattern[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(pattern[j])
				j++
			}
			if j >= len(pattern) {
				return "", fmt.Errorf("date format %q: unterminated quote", pattern)
			}
			i = j + 1
			continue
		}
		if !isLetter(c) {
			b.WriteByte(c)
			i++
			continue
		}
		n := 1
		for i+n < len(pattern) && pattern[i+n] == c {
			n++
		}
		if err := formatField(&b, t, c, n); err != nil {
			return "", fmt.Errorf("date format %q: %w", pattern, err)
		}
		i += n
	}
	return b.String(), nil
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func pad(b *strings.Builder, v, width int) {
	s := strconv.Itoa(v)
	for len(s) < width {
		s = "0" + s
	}
	b.WriteString(s)
}

func formatField(b *strings.Builder, t time.Time, c byte, n int) error {
	switch c {
	case 'G':
		b.WriteString("AD")
	case 'y', 'u', 'Y':
		if n == 2 {
			pad(b, t.Year()%100, 2)
		} else {
			pad(b, t.Year(), n)
		}
	case 'M', 'L':
		switch {
		case n >= 4:
			b.WriteString(t.Month().String())
		case n == 3:
			b.WriteString(t.Month().String()[:3])
		default:
			pad(b, int(t.Month()), n)
		}
	case 'd':
		pad(b, t.Day(), n)
	case 'D':
		pad(b, t.YearDay(), n)
	case 'E':
		if n >= 4 {
			b.WriteString(t.Weekday().String())
		} else {
			b.WriteString(t.Weekday().String()[:3])
		}
	case 'e', 'c':
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		pad(b, wd, n)
	case 'a':
		if t.Hour() < 12 {
			b.WriteString("AM")
		} else {
			b.WriteString("PM")
		}
	case 'H':
		pad(b, t.Hour(), n)
	case 'k':
		h := t.Hour()
		if h == 0 {
			h = 24
		}
		pad(b, h, n)
	case 'K':
		pad(b, t.Hour()%12, n)
	case 'h':
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		pad(b, h, n)
	case 'm':
		pad(b, t.Minute(), n)
	case 's':
		pad(b, t.Second(), n)
	case 'S':
		frac := fmt.Sprintf("%09d", t.Nanosecond())
		for len(frac) < n {
			frac += "0"
		}
		b.WriteString(frac[:n])
	case 'n':
		pad(b, t.Nanosecond(), n)
	case 'A':
		pad(b, (t.Hour()*3600+t.Minute()*60+t.Second())*1000+t.Nanosecond()/1e6, n)
	case 'Q', 'q':
		pad(b, (int(t.Month())-1)/3+1, n)
	case 'w':
		_, w := t.ISOWeek()
		pad(b, w, n)
	case 'z', 'V':
		name, _ := t.Zone()
		if c == 'V' {
			name = t.Location().String()
		}
		b.WriteString(name)
	case 'Z':
		switch {
		case n <= 3:
			b.WriteString(offset(t, false, false))
		case n == 4:
			b.WriteString("GMT" + offset(t, true, false))
		default:
			b.WriteString(offset(t, true, true))
		}
	case 'X', 'x':
		zulu := c == 'X'
		switch n {
		case 1:
			s := offset(t, false, zulu)
			if len(s) == 5 && s[3:] == "00" {
				s = s[:3]
			}
			b.WriteString(s)
		case 2:
			b.WriteString(offset(t, false, zulu))
		default:
			b.WriteString(offset(t, true, zulu))
		}
	default:
		return fmt.Errorf("unsupported pattern letter %q", string(c))
	}
	return nil
}

// offset formats the zone offset as +hhmm, or +hh:mm with colon; zulu
// writes "Z" for a zero offset.
func offset(t time.Time, colon, zulu bool) string {
	_, off := t.Zone()
	if off == 0 && zulu {
		return "Z"
	}
	sign := '+'
	if off < 0 {
		sign = '-'
		off = -off
	}
	h, m := off/3600, off%3600/60
	if colon {
		return fmt.Sprintf("%c%02d:%02d", sign, h, m)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}

// ErrExpression wraps every date or time expression that cannot be read.
var ErrExpression = errors.New("invalid date expression")

// EvalDateExpression evaluates a Pact date/time expression relative to now:
//
//	[base] {adjustment} ['@' time]
//	base:       now | today | yesterday | tomorrow
//	adjustment: (+|-) N unit | next unit | last unit
//	            | next/last <weekday> | next/last <month name>
//	unit:       millisecond | second | minute | hour | day | week |
//	            fortnight | month | year (singular or plural)
//	time:       [now | midnight | noon | N o'clock [am|pm] | HH:mm[:ss] [am|pm]]
//	            {adjustment}
//
// Examples: "today", "tomorrow", "+ 1 day", "next week",
// "last month @ 2 o'clock", "now + 2 hours", "yesterday @ noon - 30 minutes".
// Months are added the Java way: the day is clamped to the month's length.
func EvalDateExpression(expr string, now time.Time) (time.Time, error) {
	datePart, timePart, hasTime := strings.Cut(expr, "@")
	toks, err := tokenize(datePart)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w %q: %v", ErrExpression, expr, err)
	}
	t := now
	if len(toks) > 0 {
		switch toks[0] {
		case "now", "today":
			toks = toks[1:]
		case "yesterday":
			t = t.AddDate(0, 0, -1)
			toks = toks[1:]
		case "tomorrow":
			t = t.AddDate(0, 0, 1)
			toks = toks[1:]
		}
	}
	if t, err = adjust(t, toks); err != nil {
		return time.Time{}, fmt.Errorf("%w %q: %v", ErrExpression, expr, err)
	}
	if hasTime {
		if t, err = evalTime(timePart, t); err != nil {
			return time.Time{}, fmt.Errorf("%w %q: %v", ErrExpression, expr, err)
		}
	}
	return t, nil
}

// EvalTimeExpression evaluates a time expression ("now", "midnight",
// "noon", "2 o'clock pm", "14:30", "+ 1 hour", "noon - 5 minutes")
// relative to now. A full date expression with "@" is also accepted.
func EvalTimeExpression(expr string, now time.Time) (time.Time, error) {
	if strings.Contains(expr, "@") {
		return EvalDateExpression(expr, now)
	}
	t, err := evalTime(expr, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w %q: %v", ErrExpression, expr, err)
	}
	return t, nil
}

func evalTime(expr string, t time.Time) (time.Time, error) {
	toks, err := tokenize(expr)
	if err != nil {
		return time.Time{}, err
	}
	at := func(h, m, s int) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), h, m, s, 0, t.Location())
	}
	if len(toks) > 0 {
		switch tok := toks[0]; {
		case tok == "now":
			toks = toks[1:]
		case tok == "midnight":
			t, toks = at(0, 0, 0), toks[1:]
		case tok == "noon":
			t, toks = at(12, 0, 0), toks[1:]
		case isNumber(tok) && len(toks) > 1 && (toks[1] == "o'clock" || toks[1] == "oclock"):
			h, _ := strconv.Atoi(tok)
			toks = toks[2:]
			h, toks, err = meridiem(h, toks)
			if err != nil {
				return time.Time{}, err
			}
			if h > 23 {
				return time.Time{}, fmt.Errorf("hour %d out of range", h)
			}
			t = at(h, 0, 0)
		case strings.Contains(tok, ":"):
			parts := strings.Split(tok, ":")
			if len(parts) > 3 {
				return time.Time{}, fmt.Errorf("unexpected %q", tok)
			}
			var hms [3]int
			for i, p := range parts {
				v, err := strconv.Atoi(p)
				if err != nil {
					return time.Time{}, fmt.Errorf("unexpected %q", tok)
				}
				hms[i] = v
			}
			toks = toks[1:]
			hms[0], toks, err = meridiem(hms[0], toks)
			if err != nil {
				return time.Time{}, err
			}
			if hms[0] > 23 || hms[1] > 59 || hms[2] > 59 {
				return time.Time{}, fmt.Errorf("time %q out of range", tok)
			}
			t = at(hms[0], hms[1], hms[2])
		}
	}
	return adjust(t, toks)
}

func meridiem(h int, toks []string) (int, []string, error) {
	if len(toks) == 0 {
		return h, toks, nil
	}
	switch toks[0] {
	case "am":
		if h < 1 || h > 12 {
			return 0, nil, fmt.Errorf("hour %d out of range for am", h)
		}
		return h % 12, toks[1:], nil
	case "pm":
		if h < 1 || h > 12 {
			return 0, nil, fmt.Errorf("hour %d out of range for pm", h)
		}
		return h%12 + 12, toks[1:], nil
	}
	return h, toks, nil
}

// tokenize lower-cases the expression and splits it into words, with "+"
// and "-" always separate.
func tokenize(s string) ([]string, error) {
	s = strings.ToLower(s)
	s = strings.NewReplacer("+", " + ", "-", " - ").Replace(s)
	return strings.Fields(s), nil
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

var months = map[string]time.Month{
	"january": time.January, "february": time.February, "march": time.March, "april": time.April,
	"may": time.May, "june": time.June, "july": time.July, "august": time.August,
	"september": time.September, "october": time.October, "november": time.November, "december": time.December,
}

func adjust(t time.Time, toks []string) (time.Time, error) {
	for len(toks) > 0 {
		switch op := toks[0]; op {
		case "+", "-":
			if len(toks) < 3 || !isNumber(toks[1]) {
				return time.Time{}, fmt.Errorf("expected a number and a unit after %q", op)
			}
			n, err := strconv.Atoi(toks[1])
			if err != nil {
				return time.Time{}, err
			}
			if op == "-" {
				n = -n
			}
			if t, err = addUnit(t, n, toks[2]); err != nil {
				return time.Time{}, err
			}
			toks = toks[3:]
		case "next", "last":
			if len(toks) < 2 {
				return time.Time{}, fmt.Errorf("expected a unit, weekday or month after %q", op)
			}
			dir := 1
			if op == "last" {
				dir = -1
			}
			word := toks[1]
			switch wd, isDay := weekdays[word]; {
			case isDay:
				t = t.AddDate(0, 0, dir)
				for t.Weekday() != wd {
					t = t.AddDate(0, 0, dir)
				}
			default:
				if m, isMonth := months[word]; isMonth {
					t = addMonths(t, dir)
					for t.Month() != m {
						t = addMonths(t, dir)
					}
					break
				}
				var err error
				if t, err = addUnit(t, dir, word); err != nil {
					return time.Time{}, err
				}
			}
			toks = toks[2:]
		default:
			return time.Time{}, fmt.Errorf("unexpected %q", op)
		}
	}
	return t, nil
}

func addUnit(t time.Time, n int, unit string) (time.Time, error) {
	switch strings.TrimSuffix(unit, "s") {
	case "millisecond":
		return t.Add(time.Duration(n) * time.Millisecond), nil
	case "second":
		return t.Add(time.Duration(n) * time.Second), nil
	case "minute":
		return t.Add(time.Duration(n) * time.Minute), nil
	case "hour":
		return t.Add(time.Duration(n) * time.Hour), nil
	case "day":
		return t.AddDate(0, 0, n), nil
	case "week":
		return t.AddDate(0, 0, 7*n), nil
	case "fortnight":
		return t.AddDate(0, 0, 14*n), nil
	case "month":
		return addMonths(t, n), nil
	case "year":
		return addMonths(t, 12*n), nil
	}
	return time.Time{}, fmt.Errorf("unknown unit %q", unit)
}

// addMonths adds n months, clamping the day to the length of the target
// month (Jan 31 + 1 month = Feb 28/29).
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := time.Date(first.Year(), first.Month()+1, 0, 0, 0, 0, 0, t.Location()).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}
