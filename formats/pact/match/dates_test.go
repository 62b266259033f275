package match_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

func TestJavaDateFormats(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind, format, value string
		ok                  bool
	}{
		{"date", "yyyy-MM-dd", "2023-07-19", true},
		{"date", "yyyy-MM-dd", "2023-13-19", false},
		{"date", "yyyy-MM-dd", "2023-7-19", false},
		{"date", "d/M/yy", "9/7/23", true},
		{"date", "dd MMM yyyy", "19 Jul 2023", true},
		{"date", "EEEE, MMMM d, yyyy", "Wednesday, July 19, 2023", true},
		{"date", "yyyyMMdd", "20230719", true},
		{"date", "yyyy-DDD", "2023-200", true},
		{"time", "HH:mm:ss", "23:59:59", true},
		{"time", "HH:mm:ss", "23:60:00", false},
		{"time", "hh:mm a", "11:30 PM", true},
		{"time", "hh:mm a", "13:30 PM", false},
		{"time", "HH:mm:ss.SSS", "10:11:12.123", true},
		{"time", "HH:mm:ss.SSS", "10:11:12.12", false},
		{"time", "K:mm", "0:05", true},
		{"time", "kk:mm", "24:00", true},
		{"timestamp", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2023-07-19T10:11:12.123+10:00", true},
		{"timestamp", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2023-07-19T10:11:12.123Z", true},
		{"timestamp", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2023-07-19T10:11:12.123+1000", false},
		{"timestamp", "yyyy-MM-dd'T'HH:mm:ssZ", "2023-07-19T10:11:12+1000", true},
		{"timestamp", "yyyy-MM-dd'T'HH:mm:ssX", "2023-07-19T10:11:12+10", true},
		{"timestamp", "yyyy-MM-dd'T'HH:mm:ssxx", "2023-07-19T10:11:12+1000", true},
		{"timestamp", "yyyy-MM-dd HH:mm:ss z", "2023-07-19 10:11:12 UTC", true},
		{"timestamp", "EEE, dd MMM yyyy HH:mm:ss 'GMT'", "Wed, 19 Jul 2023 10:11:12 GMT", true},
		{"timestamp", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSnnn", "2023-07-19T10:11:12.123456789", true},
		{"timestamp", "yyyy.MM.dd G 'at' HH:mm:ss", "2001.07.04 AD at 12:08:56", true},
		{"timestamp", "''yy''", "'23'", true},
		{"datetime", "yyyy-MM-dd'T'HH:mm:ss[.SSS]", "2023-07-19T10:11:12", true},
		{"datetime", "yyyy-MM-dd'T'HH:mm:ss[.SSS]", "2023-07-19T10:11:12.999", true},
		{"date", "", "2023-07-19", true},
		{"time", "", "10:11:12", true},
		{"time", "", "25:00:00", false},
		{"date", "", "2020-1-01", true},
		{"timestamp", "", "2023-07-19T10:11:12.5+01:00", true},
		{"timestamp", "", "19/07/2023", false},
		{"date", "yyyy-MM-dd 'unterminated", "2023-07-19", false},
		{"date", "yyyy-MM-dd B", "2023-07-19", false},
	}
	for _, tc := range cases {
		t.Run(tc.kind+" "+tc.format+" "+tc.value, func(t *testing.T) {
			t.Parallel()
			attrs := map[string]any{}
			if tc.format != "" {
				attrs["format"] = tc.format
			}
			rules := pact.MatchingRules{"body": {"$.v": {Matchers: []pact.Matcher{{Type: tc.kind, Attrs: attrs}}}}}
			got := match.Value(map[string]any{"v": "x"}, map[string]any{"v": tc.value}, "$", rules, pact.CategoryBody, match.Options{})
			if tc.ok {
				require.Empty(t, got, dump(got))
			} else {
				require.Len(t, got, 1, dump(got))
			}
		})
	}
}

func TestMultipartFormData(t *testing.T) {
	t.Parallel()
	const ct = "multipart/form-data; boundary=XyZ"
	body := func(name, partCT, content string) pact.Body {
		s := "--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"a\":1,\"b\":\"x\"}\r\n" +
			"--XyZ\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"f\"\r\nContent-Type: " + partCT + "\r\n\r\n" + content + "\r\n--XyZ--\r\n"
		return pact.Body{State: pact.BodyPresent, Content: []byte(s), ContentType: ct}
	}
	exp := &pact.Request{Method: "POST", Path: "/u", Body: body("file", "image/png", "\x89PNG\r\n\x1a\nAAAA")}
	require.Empty(t, match.Request(exp, exp))

	got := match.Request(exp, &pact.Request{Method: "POST", Path: "/u", Body: body("other", "image/png", "\x89PNG\r\n\x1a\nAAAA")})
	requireContains(t, got, want{"$.file", "Expected a multipart part 'file' but was missing"})
	requireContains(t, got, want{"$.other", "Unexpected multipart part 'other' received"})

	got = match.Request(exp, &pact.Request{Method: "POST", Path: "/u", Body: body("file", "text/plain", "hello")})
	requireContains(t, got, want{"$.file", "Expected a part with content type 'image/png' but was 'text/plain'"})

	withRule := *exp
	withRule.Rules = pact.MatchingRules{"body": {"$.file": {Matchers: []pact.Matcher{{Type: "contentType", Attrs: map[string]any{"value": "image/png"}}}}}}
	require.Empty(t, match.Request(&withRule, &pact.Request{Method: "POST", Path: "/u", Body: body("file", "image/png", "\x89PNG\r\n\x1a\nBBBBBBBB")}))
	got = match.Request(&withRule, &pact.Request{Method: "POST", Path: "/u", Body: body("file", "image/png", "GIF89a....")})
	requireContains(t, got, want{"$.file", "Expected binary contents to have content type 'image/png' but detected contents was 'image/gif'"})

	jsonPart := func(js string) pact.Body {
		s := "--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n" + js + "\r\n--XyZ--\r\n"
		return pact.Body{State: pact.BodyPresent, Content: []byte(s), ContentType: ct}
	}
	got = match.Request(&pact.Request{Method: "POST", Path: "/u", Body: jsonPart(`{"a":1}`)}, &pact.Request{Method: "POST", Path: "/u", Body: jsonPart(`{"a":2}`)})
	requireContains(t, got, want{"$.meta.a", "Expected 2 (Integer) to be equal to 1 (Integer)"})
}

func TestMultipartBoundaryFromHeader(t *testing.T) {
	t.Parallel()
	const raw = "--b1\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b1--\r\n"
	exp := &pact.Request{Method: "POST", Path: "/", Headers: pact.Headers{"Content-Type": {"multipart/form-data; boundary=b1"}},
		Body: pact.Body{State: pact.BodyPresent, Content: []byte(raw), ContentType: "multipart/form-data"}}
	act := &pact.Request{Method: "POST", Path: "/", Headers: pact.Headers{"Content-Type": {"multipart/form-data; boundary=b1"}},
		Body: pact.Body{State: pact.BodyPresent, Content: []byte(strings.Replace(raw, "\r\nx\r\n", "\r\ny\r\n", 1))}}
	got := match.Request(exp, act)
	requireContains(t, got, want{"$.a", "Expected body 'x' to match 'y' using equality but did not match"})
}
