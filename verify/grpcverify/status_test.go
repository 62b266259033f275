package grpcverify_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/contracts-dev/contracts/verify/grpcverify"
)

func TestParseCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want codes.Code
		ok   bool
	}{
		{"NOT_FOUND", codes.NotFound, true},
		{"not_found", codes.NotFound, true},
		{"NotFound", codes.NotFound, true},
		{"5", codes.NotFound, true},
		{" OK ", codes.OK, true},
		{"CANCELLED", codes.Canceled, true},
		{"CANCELED", codes.Canceled, true},
		{"UNAUTHENTICATED", codes.Unauthenticated, true},
		{"NOPE", 0, false},
		{"", 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, ok := grpcverify.ParseCode(tc.in)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		got, ok := grpcverify.ParseCode(grpcverify.CodeName(c))
		require.True(t, ok, c)
		require.Equal(t, c, got)
	}
	require.Equal(t, "42", grpcverify.CodeName(42))
}

func TestMetadataConversions(t *testing.T) {
	t.Parallel()
	out := grpcverify.OutgoingMetadata(map[string]any{
		"contentType":   "application/protobuf;message=.x.Y",
		"Authorization": "Bearer t",
		"retries":       3,
		"trace-bin":     "AAEC",
		"multi":         []any{"a", "b"},
	})
	require.Equal(t, metadata.MD{
		"authorization": {"Bearer t"},
		"retries":       {"3"},
		"trace-bin":     {"\x00\x01\x02"},
		"multi":         {"a", "b"},
	}, out)
	in := grpcverify.IncomingMetadata(metadata.MD{"x": {"1", "2"}, "trace-bin": {"\x00\x01\x02"}}, metadata.MD{"y": {"z"}})
	require.Equal(t, map[string]any{"x": "1, 2", "trace-bin": "AAEC", "y": "z"}, in)
}
