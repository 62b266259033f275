package broker

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

func (sel MatrixSelector) validate(i int, ignore bool) error {
	field := fmt.Sprintf("q[%d]", i)
	if ignore {
		field = fmt.Sprintf("ignore[%d]", i)
	}
	if strings.TrimSpace(sel.Pacticipant) == "" {
		return Invalid(field, "pacticipant name is required")
	}
	if ignore {
		if sel.Latest || sel.Tag != "" || sel.Branch != "" || sel.MainBranch || sel.Environment != "" {
			return Invalid(field, "an ignore selector takes only a pacticipant and an optional version")
		}
		return nil
	}
	n := 0
	for _, set := range []bool{sel.Version != "", sel.Tag != "", sel.Branch != "", sel.MainBranch, sel.Environment != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return Invalid(field, "specify only one of version, tag, branch, mainBranch and environment for pacticipant %q", sel.Pacticipant)
	}
	if sel.Latest && (sel.Version != "" || sel.MainBranch || sel.Environment != "") {
		return Invalid(field, "latest cannot be combined with version, mainBranch or environment for pacticipant %q", sel.Pacticipant)
	}
	return nil
}

func (q MatrixQuery) validate() error {
	if len(q.Selectors) == 0 {
		return Invalid("q", "at least one selector is required")
	}
	for i, sel := range q.Selectors {
		if err := sel.validate(i, false); err != nil {
			return err
		}
	}
	for i, sel := range q.Ignore {
		if err := sel.validate(i, true); err != nil {
			return err
		}
	}
	switch q.LatestBy {
	case LatestByNone, LatestByCVPV, LatestByCVP, LatestByCP:
	default:
		return Invalid("latestby", "must be cvpv, cvp or cp, got %q", q.LatestBy)
	}
	if q.Limit < 0 || q.Limit > MaxMatrixLimit {
		return Invalid("limit", "must be between 1 and %d, got %d", MaxMatrixLimit, q.Limit)
	}
	targets := 0
	// latest=true beside mainBranch=true means the main branch's head: the
	// official can-i-merge sends both (mainBranch=true&latest=true).
	latest := q.Latest && !q.MainBranch
	for _, set := range []bool{latest || q.Tag != "", q.Environment != "", q.MainBranch} {
		if set {
			targets++
		}
	}
	if targets > 1 {
		return Invalid("q", "specify only one of latest/tag, environment and mainBranch as the deployment target")
	}
	return nil
}

// inferred reports whether the query names a target whose versions must be
// inferred for the selected versions' integrations.
func (q MatrixQuery) inferred() bool {
	return q.Latest || q.Tag != "" || q.Environment != "" || q.MainBranch
}

// targetSelector is the selector that picks the target versions of an
// integration partner.
func (q MatrixQuery) targetSelector(pacticipant string) MatrixSelector {
	switch {
	case q.Environment != "":
		return MatrixSelector{Pacticipant: pacticipant, Environment: q.Environment}
	case q.MainBranch:
		return MatrixSelector{Pacticipant: pacticipant, MainBranch: true}
	case q.Tag != "":
		return MatrixSelector{Pacticipant: pacticipant, Tag: q.Tag, Latest: q.Latest}
	default:
		return MatrixSelector{Pacticipant: pacticipant, Latest: true}
	}
}

// describeTarget names the target versions in notices.
func (q MatrixQuery) describeTarget(pacticipant string) string {
	switch {
	case q.Environment != "":
		return fmt.Sprintf("the version of %s in %s", pacticipant, q.Environment)
	case q.MainBranch:
		return fmt.Sprintf("the latest version of %s from its main branch", pacticipant)
	case q.Tag != "" && q.Latest:
		return fmt.Sprintf("the latest version of %s with tag %s", pacticipant, q.Tag)
	case q.Tag != "":
		return fmt.Sprintf("a version of %s with tag %s", pacticipant, q.Tag)
	default:
		return fmt.Sprintf("the latest version of %s", pacticipant)
	}
}

func describeSelector(sel MatrixSelector) string {
	switch {
	case sel.Version != "":
		return fmt.Sprintf("version %s of %s", sel.Version, sel.Pacticipant)
	case sel.Environment != "":
		return fmt.Sprintf("the version of %s in %s", sel.Pacticipant, sel.Environment)
	case sel.MainBranch:
		return fmt.Sprintf("the latest version of %s from its main branch", sel.Pacticipant)
	case sel.Branch != "" && sel.Latest:
		return fmt.Sprintf("the latest version of %s from branch %s", sel.Pacticipant, sel.Branch)
	case sel.Branch != "":
		return fmt.Sprintf("the versions of %s from branch %s", sel.Pacticipant, sel.Branch)
	case sel.Tag != "" && sel.Latest:
		return fmt.Sprintf("the latest version of %s with tag %s", sel.Pacticipant, sel.Tag)
	case sel.Tag != "":
		return fmt.Sprintf("the versions of %s with tag %s", sel.Pacticipant, sel.Tag)
	case sel.Latest:
		return fmt.Sprintf("the latest version of %s", sel.Pacticipant)
	default:
		return fmt.Sprintf("the versions of %s", sel.Pacticipant)
	}
}

// requiredIntegration is a provider a specified consumer version needs.
type requiredIntegration struct {
	consumer, version, provider string
}

// matrixScope is what a query's selectors resolve to.
type matrixScope struct {
	// specified holds the versions the selectors name; names their
	// pacticipants.
	specified map[VersionRef]bool
	names     map[string]bool
	// versions are the specified versions in selector order, then, for a
	// query with a target, the target versions of their partners.
	versions []VersionRef
	// missing describes the selectors that found no version.
	missing []string
	// required lists the providers the specified consumer versions need
	// (only for a query with a target).
	required []requiredIntegration
	// notices say which missing versions an ignore selector covers.
	notices []Notice
}

// queryMatrix answers q reading s only; the comparisons with provider
// contracts it computed are returned to be stored by the caller.
func queryMatrix(ctx context.Context, s Store, q MatrixQuery) (*MatrixResult, []Comparison, error) {
	if err := q.validate(); err != nil {
		return nil, nil, err
	}
	scope, err := resolveSelectors(ctx, s, q)
	if err != nil {
		return nil, nil, err
	}
	if q.inferred() {
		if err := scope.addTargets(ctx, s, q); err != nil {
			return nil, nil, err
		}
	}
	mode := q.rowMode()
	rows, computed, err := readMatrixRows(ctx, s, scope.versions, mode)
	if err != nil {
		return nil, nil, err
	}
	if mode == RowsBetween {
		rows = scope.involving(rows)
	}
	rows = applyLatestBy(rows, q.LatestBy)
	for i := range rows {
		rows[i].Ignored = ignored(q.Ignore, rows[i])
	}
	res := &MatrixResult{}
	var notices []Notice
	res.Summary, notices = decide(q, rows, scope.missing, scope.required)
	res.Notices = append(notices, scope.notices...)
	res.Rows = limitRows(rows, q.Limit)
	return res, computed, nil
}

// resolveSelectors resolves q's selectors to the versions they specify.
func resolveSelectors(ctx context.Context, s Store, q MatrixQuery) (*matrixScope, error) {
	scope := &matrixScope{specified: map[VersionRef]bool{}, names: map[string]bool{}}
	for i, sel := range q.Selectors {
		vs, err := s.ResolveVersions(ctx, sel)
		if errors.Is(err, ErrNotFound) {
			return nil, Invalid(fmt.Sprintf("q[%d]", i), "%v", err)
		}
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", describeSelector(sel), err)
		}
		scope.names[sel.Pacticipant] = true
		if len(vs) == 0 {
			// An ignored selector is not considered, as in the Pact Broker:
			// a missing version of an ignored pacticipant does not block.
			if ignoredSelector(q.Ignore, sel) {
				scope.notices = append(scope.notices, Notice{Type: "info", Text: fmt.Sprintf("Ignoring %s, which is not in the broker", describeSelector(sel))})
				continue
			}
			scope.missing = append(scope.missing, describeSelector(sel))
			continue
		}
		for _, v := range vs {
			if !scope.specified[v] {
				scope.specified[v] = true
				scope.versions = append(scope.versions, v)
			}
		}
	}
	return scope, nil
}

// addTargets adds the integrations the specified versions require and the
// target versions of their partners (providers and consumers not
// themselves specified).
func (sc *matrixScope) addTargets(ctx context.Context, s Store, q MatrixQuery) error {
	partners := map[string]bool{}
	var partnerOrder []string
	addPartner := func(name string) {
		if !sc.names[name] && !partners[name] {
			partners[name] = true
			partnerOrder = append(partnerOrder, name)
		}
	}
	for _, v := range sc.versions {
		providers, err := s.ProvidersOfVersion(ctx, v.Pacticipant, v.Number)
		if err != nil {
			return fmt.Errorf("providers of %s %s: %w", v.Pacticipant, v.Number, err)
		}
		for _, p := range providers {
			sc.required = append(sc.required, requiredIntegration{v.Pacticipant, v.Number, p})
			addPartner(p)
		}
		consumers, err := s.ConsumersOf(ctx, v.Pacticipant)
		if err != nil {
			return fmt.Errorf("consumers of %s: %w", v.Pacticipant, err)
		}
		for _, c := range consumers {
			addPartner(c)
		}
	}
	for _, p := range partnerOrder {
		vs, err := s.ResolveVersions(ctx, q.targetSelector(p))
		if errors.Is(err, ErrNotFound) {
			return Invalid("environment", "%v", err)
		}
		if err != nil {
			return fmt.Errorf("resolve %s: %w", q.describeTarget(p), err)
		}
		sc.versions = append(sc.versions, vs...)
	}
	return nil
}

// rowMode is RowsInvolving for a lone selector without a target: every
// integration of the selected versions is listed. Otherwise rows are those
// between the selected and target versions.
func (q MatrixQuery) rowMode() MatrixRowMode {
	if len(q.Selectors) == 1 && !q.inferred() {
		return RowsInvolving
	}
	return RowsBetween
}

// readMatrixRows reads the rows between or involving versions and compares
// bi-directional rows' pacts with their provider contracts.
func readMatrixRows(ctx context.Context, s Store, versions []VersionRef, mode MatrixRowMode) ([]MatrixRow, []Comparison, error) {
	if len(versions) == 0 {
		return nil, nil, nil
	}
	// A lone selector can involve every consumer version that shares
	// content with a provider version: bound the work. Inferred and
	// multi-selector queries are bounded by the selected versions.
	rq := MatrixRowQuery{Versions: versions, Mode: mode}
	if mode == RowsInvolving {
		rq.Limit = MaxMatrixLimit
	}
	rows, err := s.MatrixRows(ctx, rq)
	if err != nil {
		return nil, nil, fmt.Errorf("matrix rows: %w", err)
	}
	computed, err := bidirectional(ctx, s, rows)
	if err != nil {
		return nil, nil, fmt.Errorf("matrix rows: bi-directional: %w", err)
	}
	return rows, computed, nil
}

// involving keeps the rows involving a specified version: rows between two
// inferred partners are not the question.
func (sc *matrixScope) involving(rows []MatrixRow) []MatrixRow {
	kept := rows[:0]
	for _, r := range rows {
		if sc.specified[VersionRef{r.Consumer, r.ConsumerVersion.Number}] ||
			(r.ProviderVersion != nil && sc.specified[VersionRef{r.Provider, r.ProviderVersion.Number}]) {
			kept = append(kept, r)
		}
	}
	return kept
}

// limitRows trims rows to the query's limit (DefaultMatrixLimit when 0);
// the decision has already seen every row.
func limitRows(rows []MatrixRow, limit int) []MatrixRow {
	if limit == 0 {
		limit = DefaultMatrixLimit
	}
	if len(rows) > limit {
		return rows[:limit]
	}
	return rows
}

// applyLatestBy keeps the latest row per group; rows come newest first
// from the store, but the order is re-established here.
func applyLatestBy(rows []MatrixRow, by LatestBy) []MatrixRow {
	if by == LatestByNone || by == LatestByCVPV {
		return rows
	}
	type key struct {
		consumer, cv, provider string
	}
	best := map[key]int{}
	var order []key
	for i, r := range rows {
		k := key{r.Consumer, r.ConsumerVersion.Number, r.Provider}
		if by == LatestByCP {
			k.cv = ""
		}
		j, ok := best[k]
		if !ok {
			best[k] = i
			order = append(order, k)
			continue
		}
		if newerRow(r, rows[j], by) {
			best[k] = i
		}
	}
	out := make([]MatrixRow, 0, len(order))
	for _, k := range order {
		out = append(out, rows[best[k]])
	}
	return out
}

// newerRow reports whether a should replace b as the latest of its group.
func newerRow(a, b MatrixRow, by LatestBy) bool {
	if by == LatestByCP && a.ConsumerVersion.Order != b.ConsumerVersion.Order {
		return a.ConsumerVersion.Order > b.ConsumerVersion.Order
	}
	switch {
	case a.Verification == nil:
		return false
	case b.Verification == nil:
		return true
	}
	return a.Verification.ExecutionDate.After(b.Verification.ExecutionDate) ||
		(a.Verification.ExecutionDate.Equal(b.Verification.ExecutionDate) && a.ProviderVersion.Order > b.ProviderVersion.Order)
}

func ignored(ignore []MatrixSelector, r MatrixRow) bool {
	for _, sel := range ignore {
		if sel.Pacticipant == r.Consumer && (sel.Version == "" || sel.Version == r.ConsumerVersion.Number) {
			return true
		}
		if sel.Pacticipant == r.Provider && (sel.Version == "" || (r.ProviderVersion != nil && sel.Version == r.ProviderVersion.Number)) {
			return true
		}
	}
	return false
}

// ignoredSelector reports whether an ignore selector covers sel: it names
// sel's pacticipant with no version, or with the version sel names.
func ignoredSelector(ignore []MatrixSelector, sel MatrixSelector) bool {
	for _, ig := range ignore {
		if ig.Pacticipant == sel.Pacticipant && (ig.Version == "" || ig.Version == sel.Version) {
			return true
		}
	}
	return false
}

func ignoredName(ignore []MatrixSelector, name string) bool {
	for _, sel := range ignore {
		if sel.Pacticipant == name && sel.Version == "" {
			return true
		}
	}
	return false
}

func rowSides(r MatrixRow) string {
	pv := "an unverified provider version"
	if r.ProviderVersion != nil {
		pv = r.ProviderVersion.Number
	}
	return fmt.Sprintf("%s (%s) and %s (%s)", r.Consumer, r.ConsumerVersion.Number, r.Provider, pv)
}

// decide computes the can-i-deploy summary and notices from the rows.
func decide(q MatrixQuery, rows []MatrixRow, missing []string, required []requiredIntegration) (MatrixSummary, []Notice) {
	var notices []Notice
	for _, m := range missing {
		notices = append(notices, Notice{Type: "error", Text: fmt.Sprintf("There is no %s in the broker", strings.TrimPrefix(m, "the "))})
	}
	sum, ignoredRows, rowNotices := countRows(rows)
	notices = append(notices, rowNotices...)
	absent, ignoredAbsent, absentNotices := q.absentIntegrations(rows, required)
	notices = append(notices, absentNotices...)
	sum.Unknown += absent
	if len(q.Ignore) > 0 {
		ign := ignoredRows + ignoredAbsent
		sum.Ignored = &ign
	}
	var verdictNotices []Notice
	sum.Deployable, sum.Reason, verdictNotices = verdict(sum, missing, absent)
	notices = append(notices, verdictNotices...)
	sort.SliceStable(notices, func(i, j int) bool { return noticeRank(notices[i].Type) < noticeRank(notices[j].Type) })
	return sum, notices
}

// countRows counts the rows that succeeded, failed or are not verified,
// and those ignored, with a notice for each.
func countRows(rows []MatrixRow) (sum MatrixSummary, nIgnored int, notices []Notice) {
	for _, r := range rows {
		switch {
		case r.Ignored:
			nIgnored++
			notices = append(notices, Notice{Type: "info", Text: fmt.Sprintf("Ignoring the result for the pact between %s", rowSides(r))})
		case r.Verification == nil && r.ProviderVersion != nil:
			// Name the version: with several deployed, the one that never
			// verified the pact is the one that may break.
			sum.Unknown++
			notices = append(notices, Notice{Type: "warning", Text: fmt.Sprintf("The pact between %s (%s) and %s has not been verified by %s %s, a provider version in scope",
				r.Consumer, r.ConsumerVersion.Number, r.Provider, r.Provider, r.ProviderVersion.Number)})
		case r.Verification == nil:
			sum.Unknown++
			notices = append(notices, Notice{Type: "warning", Text: fmt.Sprintf("The pact between %s (%s) and %s has not been verified by the provider versions in scope",
				r.Consumer, r.ConsumerVersion.Number, r.Provider)})
		case r.Verification.Success && r.Kind == KindBiDirectional:
			sum.Success++
			notices = append(notices, Notice{Type: "success", Text: fmt.Sprintf("The pact between %s is compatible with the provider's self-verified provider contract", rowSides(r))})
		case r.Verification.Success:
			sum.Success++
			notices = append(notices, Notice{Type: "success", Text: fmt.Sprintf("The pact between %s was verified successfully", rowSides(r))})
		case r.Kind == KindBiDirectional:
			sum.Failed++
			notices = append(notices, Notice{Type: "error", Text: fmt.Sprintf("The pact between %s is incompatible with the provider contract, or its self-verification did not succeed", rowSides(r))})
		default:
			sum.Failed++
			notices = append(notices, Notice{Type: "error", Text: fmt.Sprintf("The verification of the pact between %s failed", rowSides(r))})
		}
	}
	return sum, nIgnored, notices
}

// absentIntegrations counts the required integrations that no row covers:
// those of an ignored provider, and the others, which are unknown.
func (q MatrixQuery) absentIntegrations(rows []MatrixRow, required []requiredIntegration) (absent, nIgnored int, notices []Notice) {
	for _, ri := range required {
		if ri.coveredBy(rows) {
			continue
		}
		if ignoredName(q.Ignore, ri.provider) {
			nIgnored++
			notices = append(notices, Notice{Type: "info", Text: fmt.Sprintf("Ignoring the missing verification of %s (%s) by %s", ri.consumer, ri.version, q.describeTarget(ri.provider))})
			continue
		}
		absent++
		notices = append(notices, Notice{Type: "warning", Text: fmt.Sprintf("There is no verified pact between %s (%s) and %s",
			ri.consumer, ri.version, q.describeTarget(ri.provider))})
	}
	return absent, nIgnored, notices
}

// coveredBy reports whether a row is between ri's consumer version and
// provider.
func (ri requiredIntegration) coveredBy(rows []MatrixRow) bool {
	for _, r := range rows {
		if r.Consumer == ri.consumer && r.ConsumerVersion.Number == ri.version && r.Provider == ri.provider {
			return true
		}
	}
	return false
}

// verdict decides from the counts, the missing selected versions and the
// number of absent integrations; an integration-free yes comes with a
// notice.
func verdict(sum MatrixSummary, missing []string, absent int) (deployable *bool, reason string, notices []Notice) {
	yes, no := true, false
	switch {
	case len(missing) > 0:
		return &no, fmt.Sprintf("Cannot deploy: there is no %s in the broker", strings.TrimPrefix(missing[0], "the ")), nil
	case sum.Unknown > 0 && absent > 0:
		return nil, "Cannot tell whether it is safe to deploy: one or more required verification results are missing", nil
	case sum.Unknown > 0:
		return nil, "Cannot tell whether it is safe to deploy: one or more pacts have not been verified", nil
	case sum.Failed > 0:
		return &no, "Cannot deploy: one or more verifications failed", nil
	case sum.Success == 0:
		reason = "There are no missing dependencies"
		// As the Pact Broker does, say so in a notice too: clients print
		// notices, and without one an integration-free check prints nothing.
		return &yes, reason, []Notice{{Type: "success", Text: reason}}
	default:
		return &yes, "All required verification results are published and successful", nil
	}
}

func noticeRank(t string) int {
	switch t {
	case "error":
		return 0
	case "warning":
		return 1
	case "success":
		return 2
	default:
		return 3
	}
}
