package match_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

func TestHTTPMatchingHeaders(t *testing.T) {
	t.Parallel()
	header := func(name, value string) *pact.Request {
		return &pact.Request{Method: "GET", Path: "/", Headers: pact.Headers{name: {value}}}
	}
	const accept = "text/html, application/xhtml+xml, application/xml, image/webp, */*"
	cases := []struct {
		name             string
		hdr, exp, act    string
		ok               bool
		wantPath, wantMs string
	}{
		{name: "content type headers which are equal", hdr: "content-type", exp: "application/json", act: "application/json", ok: true},
		{name: "content type headers with the same charset", hdr: "content-type", exp: "application/json;charset=UTF-8", act: "application/json;charset=utf-8", ok: true},
		{name: "actual content type has a charset", hdr: "content-type", exp: "application/json", act: "application/json;charset=UTF-8", ok: true},
		{
			name: "actual content type is missing a charset", hdr: "content-type",
			exp: "application/json;charset=UTF-8", act: "application/json",
			wantPath: "content-type",
			wantMs:   `Expected header 'content-type' to have value 'application/json;\s*charset=UTF-8' but was 'application/json'`,
		},
		{
			name: "actual content type has a different charset", hdr: "content-type",
			exp: "application/json;charset=UTF-16", act: "application/json;charset=UTF-8",
			wantPath: "content-type",
			wantMs:   `Expected header 'content-type' to have value 'application/json;\s*charset=UTF-16' but was 'application/json;\s*charset=UTF-8'`,
		},
		{name: "accept headers where the actual has additional parameters", hdr: "accept", exp: accept,
			act: "text/html, application/xhtml+xml, application/xml;q=0.9, image/webp, */*;q=0.8", ok: true},
		{name: "accept headers where the actual is missing a value", hdr: "accept", exp: accept,
			act: "text/html, application/xml;q=0.9, image/webp, */*;q=0.8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := match.Request(header(tc.hdr, tc.exp), header(tc.hdr, tc.act))
			if tc.ok {
				require.Empty(t, got, dump(got))
				return
			}
			require.NotEmpty(t, got)
			for _, m := range got {
				require.Equal(t, match.KindHeader, m.Kind)
			}
			if tc.wantMs != "" {
				requireContains(t, got, want{tc.wantPath, tc.wantMs})
			}
		})
	}
}
