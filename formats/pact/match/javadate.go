package match

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/contracts-dev/contracts/formats/pact"
)

// dateFormatCache holds Java date/time patterns converted to anchored
// regular expressions, by pattern.
var dateFormatCache sync.Map // pattern -> *regexp.Regexp

// Default formats when a date, time or timestamp matcher names none.
const (
	defaultDateFormat     = "yyyy-MM-dd"
	defaultTimeFormat     = "HH:mm:ss"
	defaultDateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss"
)

// dateMessages validates a value against a date, time or timestamp matcher.
func dateMessages(m *pact.Matcher, act any) []string {
	format, _ := m.Attrs["format"].(string)
	if format == "" {
		format, _ = m.Attrs[m.Type].(string)
	}
	kind := m.Type
	if kind == "datetime" {
		kind = "timestamp"
	}
	if format == "" {
		format, _ = m.Attrs["timestamp"].(string)
	}
	s, _ := textOf(act)
	var ok bool
	if format == "" {
		ok = dayExists(defaultDateRe(m.Type), s)
		switch m.Type {
		case "date":
			format = defaultDateFormat
		case "time":
			format = defaultTimeFormat
		default:
			format = defaultDateTimeFormat
		}
	} else {
		re, err := javaDateRegex(format)
		if err != nil {
			return []string{fmt.Sprintf("Invalid %s format '%s': %v", kind, format, err)}
		}
		ok = dayExists(re, s)
	}
	if !ok {
		return []string{fmt.Sprintf("Expected '%s' to match a %s pattern of '%s'", s, kind, format)}
	}
	return nil
}

var (
	isoDateRe     = regexp.MustCompile(`^(?P<y>\d{4})-(?P<M>0?[1-9]|1[0-2])-(?P<d>0?[1-9]|[12]\d|3[01])$`)
	isoTimeRe     = regexp.MustCompile(`^([01]?\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]\d{2}(:?\d{2})?)?$`)
	isoDateTimeRe = regexp.MustCompile(`^(?P<y>\d{4})-(?P<M>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$`)
)

func defaultDateRe(t string) *regexp.Regexp {
	switch t {
	case "date":
		return isoDateRe
	case "time":
		return isoTimeRe
	}
	return isoDateTimeRe
}

// javaDateRegex converts a java.time DateTimeFormatter / SimpleDateFormat
// pattern ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX") to an anchored regular expression
// that accepts exactly the texts the pattern formats.
func javaDateRegex(format string) (*regexp.Regexp, error) {
	if re, ok := dateFormatCache.Load(format); ok {
		return re.(*regexp.Regexp), nil
	}
	var b strings.Builder
	b.WriteByte('^')
	named := map[string]bool{}
	rs := []rune(format)
	for i := 0; i < len(rs); {
		c := rs[i]
		if c == '\'' {
			// Quoted literal; '' is a single quote.
			if i+1 < len(rs) && rs[i+1] == '\'' {
				b.WriteString("'")
				i += 2
				continue
			}
			j := i + 1
			var lit strings.Builder
			for j < len(rs) {
				if rs[j] == '\'' {
					if j+1 < len(rs) && rs[j+1] == '\'' {
						lit.WriteRune('\'')
						j += 2
						continue
					}
					break
				}
				lit.WriteRune(rs[j])
				j++
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("unterminated quote at offset %d", i)
			}
			b.WriteString(regexp.QuoteMeta(lit.String()))
			i = j + 1
			continue
		}
		if c == '[' || c == ']' {
			// Optional sections are rare in contracts; treat brackets as
			// grouping that may be absent.
			if c == '[' {
				b.WriteString("(?:")
			} else {
				b.WriteString(")?")
			}
			i++
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteString(regexp.QuoteMeta(string(c)))
			i++
			continue
		}
		n := 1
		for i+n < len(rs) && rs[i+n] == c {
			n++
		}
		part, err := datePart(c, n)
		if err != nil {
			return nil, err
		}
		// The first year, month and day fields are captured so that
		// dayExists can check the day is in the month.
		if g := dateGroup(c, n); g != "" && !named[g] {
			named[g] = true
			part = "(?P<" + g + ">" + part + ")"
		}
		b.WriteString(part)
		i += n
	}
	b.WriteByte('$')
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, err
	}
	dateFormatCache.Store(format, re)
	return re, nil
}

// datePart gives the regular expression for n repetitions of pattern
// letter c.
func datePart(c rune, n int) (string, error) {
	digits := func(min, max int) string {
		if n > min {
			min = n
		}
		if max < min {
			max = min
		}
		return fmt.Sprintf(`\d{%d,%d}`, min, max)
	}
	switch c {
	case 'y', 'u', 'Y':
		if n == 2 {
			return `\d{2}`, nil
		}
		return digits(1, 9), nil
	case 'M', 'L':
		switch {
		case n == 1:
			return `(?:1[0-2]|0?[1-9])`, nil
		case n == 2:
			return `(?:0[1-9]|1[0-2])`, nil
		case n == 3:
			return `(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)`, nil
		default:
			return `(?:January|February|March|April|May|June|July|August|September|October|November|December)`, nil
		}
	case 'd':
		if n == 1 {
			return `(?:3[01]|[12]\d|0?[1-9])`, nil
		}
		return `(?:0[1-9]|[12]\d|3[01])`, nil
	case 'D':
		return digits(1, 3), nil
	case 'H':
		if n == 1 {
			return `(?:2[0-3]|[01]?\d)`, nil
		}
		return `(?:[01]\d|2[0-3])`, nil
	case 'k':
		if n == 1 {
			return `(?:2[0-4]|1\d|0?[1-9])`, nil
		}
		return `(?:0[1-9]|1\d|2[0-4])`, nil
	case 'K':
		if n == 1 {
			return `(?:1[01]|0?\d)`, nil
		}
		return `(?:0\d|1[01])`, nil
	case 'h':
		if n == 1 {
			return `(?:1[0-2]|0?[1-9])`, nil
		}
		return `(?:0[1-9]|1[0-2])`, nil
	case 'm', 's':
		if n == 1 {
			return `(?:[0-5]?\d)`, nil
		}
		return `[0-5]\d`, nil
	case 'S':
		return fmt.Sprintf(`\d{%d}`, n), nil
	case 'n':
		return digits(1, 9), nil
	case 'A', 'N':
		return digits(1, 19), nil
	case 'a':
		return `(?:AM|PM|am|pm)`, nil
	case 'E':
		if n <= 3 {
			return `(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)`, nil
		}
		return `(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)`, nil
	case 'e', 'c':
		if n <= 2 {
			return `[1-7]`, nil
		}
		return datePart('E', n)
	case 'w':
		return `(?:5[0-3]|[1-4]\d|0?[1-9])`, nil
	case 'W', 'F':
		return `[0-5]`, nil
	case 'G':
		return `(?:AD|BC|Anno Domini|Before Christ)`, nil
	case 'Q', 'q':
		if n <= 2 {
			return `0?[1-4]`, nil
		}
		return `(?:Q[1-4]|[1-4](?:st|nd|rd|th) quarter)`, nil
	case 'X':
		switch n {
		case 1:
			return `(?:Z|[+-]\d{2}(?:\d{2})?)`, nil
		case 2, 4:
			return `(?:Z|[+-]\d{4})`, nil
		default:
			return `(?:Z|[+-]\d{2}:\d{2})`, nil
		}
	case 'x':
		switch n {
		case 1:
			return `[+-]\d{2}(?:\d{2})?`, nil
		case 2, 4:
			return `[+-]\d{4}`, nil
		default:
			return `[+-]\d{2}:\d{2}`, nil
		}
	case 'Z':
		if n <= 3 {
			return `[+-]\d{4}`, nil
		}
		if n == 4 {
			return `(?:GMT|UTC)?(?:[+-]\d{2}:\d{2})?`, nil
		}
		return `(?:Z|[+-]\d{2}:\d{2})`, nil
	case 'z':
		if n <= 3 {
			return `[A-Za-z]{1,6}(?:[+-]\d{1,2}(?::\d{2})?)?`, nil
		}
		return `[A-Za-z][A-Za-z _/]*`, nil
	case 'O':
		return `GMT(?:[+-]\d{1,2}(?::\d{2})?)?`, nil
	case 'V':
		return `[A-Za-z][A-Za-z0-9_/+-]*`, nil
	}
	return "", fmt.Errorf("unknown pattern letter %q", c)
}

// dateGroup names the capture group for pattern letter c repeated n times
// when it is a year ("y", two digits: "yy"), month ("M") or day of month
// ("d") field; "" otherwise.
func dateGroup(c rune, n int) string {
	switch c {
	case 'y', 'u':
		if n == 2 {
			return "yy"
		}
		return "y"
	case 'M', 'L':
		return "M"
	case 'd':
		return "d"
	}
	return ""
}

var monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// dayExists reports whether s matches re and, where re captures a month
// and a day, the month has that day (29 February only in leap years; as
// in Pact, never when there is no year).
func dayExists(re *regexp.Regexp, s string) bool {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	group := func(name string) string {
		if i := re.SubexpIndex(name); i >= 0 {
			return m[i]
		}
		return ""
	}
	ms, ds := group("M"), group("d")
	if ms == "" || ds == "" {
		return true
	}
	month, err := strconv.Atoi(ms)
	if err != nil {
		month = 0
		for i, name := range monthNames {
			if strings.HasPrefix(strings.ToLower(ms), name) {
				month = i + 1
			}
		}
	}
	day, err := strconv.Atoi(ds)
	if err != nil || month < 1 || month > 12 {
		return true
	}
	year := 1970 // Pact's default year, not a leap year
	if y, err := strconv.Atoi(group("y")); err == nil {
		year = y
	} else if y, err := strconv.Atoi(group("yy")); err == nil {
		year = 2000 + y
	}
	// The day after the last of the month is day 0 of the next one.
	last := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return day <= last
}
