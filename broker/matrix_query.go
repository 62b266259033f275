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

// queryMatrix answers q reading s only; the comparisons with provider
// contracts it computed are returned to be stored by the caller.
func queryMatrix(ctx context.Context, s Store, q MatrixQuery) (*MatrixResult, []Comparison, error) {
	if err := q.validate(); err != nil {
		return nil, nil, err
	}
	res := &MatrixResult{}
	specified := map[VersionRef]bool{}
	specifiedNames := map[string]bool{}
	var all []VersionRef
	var missing []string
	for i, sel := range q.Selectors {
		vs, err := s.ResolveVersions(ctx, sel)
		if errors.Is(err, ErrNotFound) {
			return nil, nil, Invalid(fmt.Sprintf("q[%d]", i), "%v", err)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("resolve %s: %w", describeSelector(sel), err)
		}
		specifiedNames[sel.Pacticipant] = true
		if len(vs) == 0 {
			// An ignored selector is not considered, as in the Pact Broker:
			// a missing version of an ignored pacticipant does not block.
			if ignoredSelector(q.Ignore, sel) {
				res.Notices = append(res.Notices, Notice{Type: "info", Text: fmt.Sprintf("Ignoring %s, which is not in the broker", describeSelector(sel))})
				continue
			}
			missing = append(missing, describeSelector(sel))
			continue
		}
		for _, v := range vs {
			if !specified[v] {
				specified[v] = true
				all = append(all, v)
			}
		}
	}

	mode := RowsBetween
	if len(q.Selectors) == 1 && !q.inferred() {
		mode = RowsInvolving
	}
	var required []requiredIntegration
	if q.inferred() {
		partners := map[string]bool{}
		var partnerOrder []string
		addPartner := func(name string) {
			if !specifiedNames[name] && !partners[name] {
				partners[name] = true
				partnerOrder = append(partnerOrder, name)
			}
		}
		for _, v := range all {
			providers, err := s.ProvidersOfVersion(ctx, v.Pacticipant, v.Number)
			if err != nil {
				return nil, nil, fmt.Errorf("providers of %s %s: %w", v.Pacticipant, v.Number, err)
			}
			for _, p := range providers {
				required = append(required, requiredIntegration{v.Pacticipant, v.Number, p})
				addPartner(p)
			}
			consumers, err := s.ConsumersOf(ctx, v.Pacticipant)
			if err != nil {
				return nil, nil, fmt.Errorf("consumers of %s: %w", v.Pacticipant, err)
			}
			for _, c := range consumers {
				addPartner(c)
			}
		}
		for _, p := range partnerOrder {
			vs, err := s.ResolveVersions(ctx, q.targetSelector(p))
			if errors.Is(err, ErrNotFound) {
				return nil, nil, Invalid("environment", "%v", err)
			}
			if err != nil {
				return nil, nil, fmt.Errorf("resolve %s: %w", q.describeTarget(p), err)
			}
			all = append(all, vs...)
		}
	}

	var rows []MatrixRow
	var computed []Comparison
	if len(all) > 0 {
		var err error
		// A lone selector can involve every consumer version that shares
		// content with a provider version: bound the work. Inferred and
		// multi-selector queries are bounded by the selected versions.
		rq := MatrixRowQuery{Versions: all, Mode: mode}
		if mode == RowsInvolving {
			rq.Limit = MaxMatrixLimit
		}
		rows, err = s.MatrixRows(ctx, rq)
		if err != nil {
			return nil, nil, fmt.Errorf("matrix rows: %w", err)
		}
		if computed, err = bidirectional(ctx, s, rows); err != nil {
			return nil, nil, fmt.Errorf("matrix rows: bi-directional: %w", err)
		}
	}
	if mode == RowsBetween {
		// Only rows involving a specified version count: rows between two
		// inferred partners are not the question.
		kept := rows[:0]
		for _, r := range rows {
			if specified[VersionRef{r.Consumer, r.ConsumerVersion.Number}] ||
				(r.ProviderVersion != nil && specified[VersionRef{r.Provider, r.ProviderVersion.Number}]) {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	rows = applyLatestBy(rows, q.LatestBy)
	for i := range rows {
		rows[i].Ignored = ignored(q.Ignore, rows[i])
	}
	var notices []Notice
	res.Summary, notices = decide(q, rows, missing, required)
	res.Notices = append(notices, res.Notices...)
	limit := q.Limit
	if limit == 0 {
		limit = DefaultMatrixLimit
	}
	if len(rows) > limit {
		rows = rows[:limit]
	}
	res.Rows = rows
	return res, computed, nil
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
	var (
		sum     MatrixSummary
		notices []Notice
		ign     int
	)
	for _, m := range missing {
		notices = append(notices, Notice{Type: "error", Text: fmt.Sprintf("There is no %s in the broker", strings.TrimPrefix(m, "the "))})
	}
	for _, r := range rows {
		switch {
		case r.Ignored:
			ign++
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
	missingIntegrations := 0
	for _, ri := range required {
		found := false
		for _, r := range rows {
			if r.Consumer == ri.consumer && r.ConsumerVersion.Number == ri.version && r.Provider == ri.provider {
				found = true
				break
			}
		}
		if found {
			continue
		}
		if ignoredName(q.Ignore, ri.provider) {
			ign++
			notices = append(notices, Notice{Type: "info", Text: fmt.Sprintf("Ignoring the missing verification of %s (%s) by %s", ri.consumer, ri.version, q.describeTarget(ri.provider))})
			continue
		}
		missingIntegrations++
		sum.Unknown++
		notices = append(notices, Notice{Type: "warning", Text: fmt.Sprintf("There is no verified pact between %s (%s) and %s",
			ri.consumer, ri.version, q.describeTarget(ri.provider))})
	}
	if len(q.Ignore) > 0 {
		sum.Ignored = &ign
	}
	var deployable *bool
	yes, no := true, false
	switch {
	case len(missing) > 0:
		deployable = &no
		sum.Reason = fmt.Sprintf("Cannot deploy: there is no %s in the broker", strings.TrimPrefix(missing[0], "the "))
	case sum.Unknown > 0 && missingIntegrations > 0:
		sum.Reason = "Cannot tell whether it is safe to deploy: one or more required verification results are missing"
	case sum.Unknown > 0:
		sum.Reason = "Cannot tell whether it is safe to deploy: one or more pacts have not been verified"
	case sum.Failed > 0:
		deployable = &no
		sum.Reason = "Cannot deploy: one or more verifications failed"
	case sum.Success == 0:
		deployable = &yes
		sum.Reason = "There are no missing dependencies"
		// As the Pact Broker does, say so in a notice too: clients print
		// notices, and without one an integration-free check prints nothing.
		notices = append(notices, Notice{Type: "success", Text: sum.Reason})
	default:
		deployable = &yes
		sum.Reason = "All required verification results are published and successful"
	}
	sum.Deployable = deployable
	sort.SliceStable(notices, func(i, j int) bool { return noticeRank(notices[i].Type) < noticeRank(notices[j].Type) })
	return sum, notices
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
