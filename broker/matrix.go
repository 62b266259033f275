package broker

import (
	"context"
)

// MatrixSelector picks versions of one pacticipant. At most one of
// Version, Latest, Tag (with or without Latest), Branch (with or without
// Latest), MainBranch and Environment is set; a selector with only
// Pacticipant picks all its versions.
type MatrixSelector struct {
	Pacticipant string
	Version     string
	// Latest picks the latest version (of Tag or Branch when set).
	Latest bool
	// Tag picks versions with the tag (the latest one with Latest).
	Tag string
	// Branch picks versions on the branch (the head with Latest).
	Branch string
	// MainBranch picks the head of the pacticipant's main branch.
	MainBranch bool
	// Environment picks versions currently deployed or supported in the
	// environment (by name).
	Environment string
}

// LatestBy reduces matrix rows to the latest per group.
type LatestBy string

// LatestBy values.
const (
	// LatestByNone keeps every row.
	LatestByNone LatestBy = ""
	// LatestByCVPV keeps the latest verification per consumer version and
	// provider version (the rows already are).
	LatestByCVPV LatestBy = "cvpv"
	// LatestByCVP keeps the latest verification per consumer version and
	// provider.
	LatestByCVP LatestBy = "cvp"
	// LatestByCP keeps the latest row per consumer and provider.
	LatestByCP LatestBy = "cp"
)

// MatrixQuery is a matrix or can-i-deploy request.
type MatrixQuery struct {
	Selectors []MatrixSelector
	LatestBy  LatestBy
	// Latest, Tag, Environment and MainBranch name the deployment target:
	// when one is set, the other side of each selected version's
	// integrations is inferred (latest version, latest with Tag, deployed
	// or supported in Environment, main branch head).
	Latest      bool
	Tag         string
	Environment string
	MainBranch  bool
	// Ignore lists pacticipants (and optionally versions) whose rows do not
	// count in the decision.
	Ignore []MatrixSelector
	// Limit caps the rows returned (0: DefaultMatrixLimit).
	Limit int
}

// DefaultMatrixLimit is the row limit when MatrixQuery.Limit is 0.
const DefaultMatrixLimit = 100

// MaxMatrixLimit caps MatrixQuery.Limit.
const MaxMatrixLimit = 1000

// Notice is an informational message in a response.
type Notice struct {
	// Type is "info", "success", "warning", "error", "prompt" or "debug".
	Type string
	Text string
}

// MatrixSummary is the can-i-deploy decision.
type MatrixSummary struct {
	// Deployable is nil when the broker cannot tell.
	Deployable *bool
	Reason     string
	Success    int
	Failed     int
	Unknown    int
	// Ignored is non-nil only when the query had ignore selectors.
	Ignored *int
}

// MatrixResult is the answer to a MatrixQuery.
type MatrixResult struct {
	Summary MatrixSummary
	Notices []Notice
	Rows    []MatrixRow
}

// QueryMatrix answers a matrix / can-i-deploy query from the store. The
// decision considers every row (at most MaxMatrixLimit for a lone selector
// without a target, newest first); Limit only trims the rows returned.
// ErrInvalid (*FieldError naming "q[i]", "ignore[i]", "latestby", "limit"
// or "environment"): malformed query, unknown pacticipant or environment.
func QueryMatrix(ctx context.Context, s Store, q MatrixQuery) (*MatrixResult, error) {
	var (
		out      *MatrixResult
		computed []Comparison
	)
	err := inSnapshot(ctx, s, func(ctx context.Context) error {
		var err error
		out, computed, err = queryMatrix(ctx, s, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Comparisons with provider contracts computed for the answer are
	// stored after the read snapshot, which must not write.
	if err := storeComparisons(ctx, s, computed); err != nil {
		return nil, err
	}
	return out, nil
}
