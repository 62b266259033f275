package grpcverify

import (
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"
)

// codeNames are the canonical gRPC status code names, the form the
// protobuf plugin writes in "grpc-status" metadata.
var codeNames = [...]string{
	codes.OK:                 "OK",
	codes.Canceled:           "CANCELLED",
	codes.Unknown:            "UNKNOWN",
	codes.InvalidArgument:    "INVALID_ARGUMENT",
	codes.DeadlineExceeded:   "DEADLINE_EXCEEDED",
	codes.NotFound:           "NOT_FOUND",
	codes.AlreadyExists:      "ALREADY_EXISTS",
	codes.PermissionDenied:   "PERMISSION_DENIED",
	codes.ResourceExhausted:  "RESOURCE_EXHAUSTED",
	codes.FailedPrecondition: "FAILED_PRECONDITION",
	codes.Aborted:            "ABORTED",
	codes.OutOfRange:         "OUT_OF_RANGE",
	codes.Unimplemented:      "UNIMPLEMENTED",
	codes.Internal:           "INTERNAL",
	codes.Unavailable:        "UNAVAILABLE",
	codes.DataLoss:           "DATA_LOSS",
	codes.Unauthenticated:    "UNAUTHENTICATED",
}

// CodeName is the canonical name of c ("NOT_FOUND"), or its number for
// codes outside the standard range.
func CodeName(c codes.Code) string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return strconv.Itoa(int(c))
}

// ParseCode reads a gRPC status as pact files write it in "grpc-status"
// metadata: a canonical name ("NOT_FOUND", any case, "CANCELED" too), a
// Go-style name ("NotFound") or a number ("5").
func ParseCode(s string) (codes.Code, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		return codes.Code(n), true
	}
	norm := strings.ReplaceAll(strings.ToUpper(s), "_", "")
	if norm == "CANCELED" {
		return codes.Canceled, true
	}
	for c, name := range codeNames {
		if strings.ReplaceAll(name, "_", "") == norm {
			return codes.Code(c), true
		}
	}
	return 0, false
}
