package broker

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

func (sel ConsumerVersionSelector) validate(i int, req PactsForVerificationRequest) error {
	field := fmt.Sprintf("consumerVersionSelectors[%d]", i)
	branchy := sel.MainBranch || sel.Branch != "" || sel.MatchingBranch || sel.FallbackBranch != ""
	envy := sel.Deployed || sel.Released || sel.DeployedOrReleased || sel.Environment != ""
	latest := sel.Latest != nil && *sel.Latest
	switch {
	case !branchy && !envy && sel.Tag == "" && !latest:
		return Invalid(field, "specify environment, tag, branch, or one of mainBranch, matchingBranch, latest, deployed, released, deployedOrReleased")
	case branchy && envy:
		return Invalid(field, "branch selectors (mainBranch, branch, matchingBranch) cannot be combined with deployed, released, deployedOrReleased or environment")
	case branchy && sel.Tag != "":
		return Invalid(field, "branch selectors cannot be combined with tag %q", sel.Tag)
	case envy && (sel.Tag != "" || sel.Latest != nil):
		return Invalid(field, "deployed, released, deployedOrReleased and environment cannot be combined with tag or latest")
	case sel.MainBranch && (sel.Branch != "" || sel.MatchingBranch):
		return Invalid(field, "mainBranch cannot be combined with branch or matchingBranch")
	case sel.Branch != "" && sel.MatchingBranch:
		return Invalid(field, "branch cannot be combined with matchingBranch")
	case sel.FallbackBranch != "" && sel.Branch == "":
		return Invalid(field, "fallbackBranch requires branch")
	case sel.FallbackTag != "" && (sel.Tag == "" || !latest):
		return Invalid(field, "fallbackTag requires tag and latest: true")
	case sel.MatchingBranch && req.ProviderVersionBranch == "":
		return Invalid(field, "matchingBranch requires providerVersionBranch")
	case sel.Latest != nil && !*sel.Latest && sel.Tag == "":
		return Invalid(field, "latest: false requires tag")
	case (sel.Deployed && sel.Released) || (sel.DeployedOrReleased && (sel.Deployed || sel.Released)):
		return Invalid(field, "use only one of deployed, released and deployedOrReleased")
	}
	return nil
}

// selection is one store selection made for a consumer version selector.
type selection struct {
	sel      ConsumerVersionSelector
	query    PactSelection
	fallback *PactSelection
}

func plan(provider string, sel ConsumerVersionSelector, providerBranch string) []selection {
	q := PactSelection{Provider: provider, Consumer: sel.Consumer}
	one := func(kind PactSelectionKind, mod func(*PactSelection)) selection {
		p := q
		p.Kind = kind
		if mod != nil {
			mod(&p)
		}
		return selection{sel: sel, query: p}
	}
	latest := sel.Latest != nil && *sel.Latest
	switch {
	case sel.MainBranch:
		return []selection{one(SelectMainBranchHead, nil)}
	case sel.MatchingBranch:
		return []selection{one(SelectBranchHead, func(p *PactSelection) { p.Branch = providerBranch })}
	case sel.Branch != "":
		s := one(SelectBranchHead, func(p *PactSelection) { p.Branch = sel.Branch })
		if sel.FallbackBranch != "" {
			fb := s.query
			fb.Branch = sel.FallbackBranch
			s.fallback = &fb
		}
		return []selection{s}
	case sel.Tag != "" && latest:
		s := one(SelectTagLatest, func(p *PactSelection) { p.Tag = sel.Tag })
		if sel.FallbackTag != "" {
			fb := s.query
			fb.Tag = sel.FallbackTag
			s.fallback = &fb
		}
		return []selection{s}
	case sel.Tag != "":
		return []selection{one(SelectTagAll, func(p *PactSelection) { p.Tag = sel.Tag })}
	case sel.Deployed:
		return []selection{one(SelectDeployed, func(p *PactSelection) { p.Environment = sel.Environment })}
	case sel.Released:
		return []selection{one(SelectReleased, func(p *PactSelection) { p.Environment = sel.Environment })}
	case sel.DeployedOrReleased || sel.Environment != "":
		return []selection{
			one(SelectDeployed, func(p *PactSelection) { p.Environment = sel.Environment }),
			one(SelectReleased, func(p *PactSelection) { p.Environment = sel.Environment }),
		}
	default:
		return []selection{one(SelectLatest, nil)}
	}
}

// defaultSelectors are used when a request has none: each consumer's main
// branch head (or the latest version tagged with the main branch name, or
// the latest version), plus every deployed and released version.
func defaultSelectors(ctx context.Context, s Store, provider string) ([]ConsumerVersionSelector, error) {
	consumers, err := s.ConsumersOf(ctx, provider)
	if err != nil {
		return nil, err
	}
	var out []ConsumerVersionSelector
	yes := true
	for _, c := range consumers {
		p, err := s.GetPacticipant(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("consumer %s: %w", c, err)
		}
		sel := ConsumerVersionSelector{Consumer: c, Latest: &yes}
		if p.MainBranch != "" {
			if _, err := s.LatestVersion(ctx, c, VersionFilter{Branch: p.MainBranch}); err == nil {
				sel = ConsumerVersionSelector{Consumer: c, MainBranch: true}
			} else if !errors.Is(err, ErrNotFound) {
				return nil, err
			} else if _, err := s.LatestVersion(ctx, c, VersionFilter{Tag: p.MainBranch}); err == nil {
				sel = ConsumerVersionSelector{Consumer: c, Tag: p.MainBranch, Latest: &yes}
			} else if !errors.Is(err, ErrNotFound) {
				return nil, err
			}
		}
		out = append(out, sel)
	}
	out = append(out, ConsumerVersionSelector{Deployed: true}, ConsumerVersionSelector{Released: true})
	return out, nil
}

type pactKey struct{ consumer, sha string }

func pactsForVerification(ctx context.Context, s Store, req PactsForVerificationRequest) ([]VerifiablePact, error) {
	if strings.TrimSpace(req.Provider) == "" {
		return nil, Invalid("provider", "provider name is required")
	}
	for i, sel := range req.ConsumerVersionSelectors {
		if err := sel.validate(i, req); err != nil {
			return nil, err
		}
	}
	if _, err := s.GetPacticipant(ctx, req.Provider); err != nil {
		return nil, err
	}
	selectors := req.ConsumerVersionSelectors
	if len(selectors) == 0 {
		var err error
		if selectors, err = defaultSelectors(ctx, s, req.Provider); err != nil {
			return nil, err
		}
	}

	byKey := map[pactKey]*VerifiablePact{}
	var order []pactKey
	add := func(p SelectedPact, sel ConsumerVersionSelector, kind PactSelectionKind, fallback bool) {
		k := pactKey{p.Consumer, p.SHA}
		vp, ok := byKey[k]
		if !ok {
			vp = &VerifiablePact{Consumer: p.Consumer, Provider: p.Provider, SHA: p.SHA}
			byKey[k] = vp
			order = append(order, k)
		}
		if !containsString(vp.ConsumerVersions, p.ConsumerVersion) {
			vp.ConsumerVersions = append(vp.ConsumerVersions, p.ConsumerVersion)
		}
		by := PactSelectedBy{Selector: sel, ConsumerVersion: p.ConsumerVersion, Environment: p.Environment, Released: kind == SelectReleased, Fallback: fallback}
		for _, existing := range vp.SelectedBy {
			if existing == by {
				return
			}
		}
		vp.SelectedBy = append(vp.SelectedBy, by)
	}
	versionOrder := map[string]int64{}
	for _, sel := range selectors {
		for _, pl := range plan(req.Provider, sel, req.ProviderVersionBranch) {
			got, err := s.SelectPacts(ctx, pl.query)
			if err != nil {
				return nil, fmt.Errorf("select pacts: %w", err)
			}
			found := map[string]bool{}
			for _, p := range got {
				found[p.Consumer] = true
				versionOrder[p.Consumer+"\x00"+p.ConsumerVersion] = p.ConsumerVersionOrder
				add(p, sel, pl.query.Kind, false)
			}
			if pl.fallback == nil {
				continue
			}
			fb, err := s.SelectPacts(ctx, *pl.fallback)
			if err != nil {
				return nil, fmt.Errorf("select pacts: %w", err)
			}
			for _, p := range fb {
				if !found[p.Consumer] {
					versionOrder[p.Consumer+"\x00"+p.ConsumerVersion] = p.ConsumerVersionOrder
					add(p, sel, pl.query.Kind, true)
				}
			}
		}
	}

	var states map[pactKey]pendingState
	if req.IncludePendingStatus {
		var err error
		if states, err = pendingForKeys(ctx, s, req, order, false); err != nil {
			return nil, err
		}
	}
	var out []VerifiablePact
	for _, k := range order {
		vp := byKey[k]
		sortVersions(vp.ConsumerVersions, vp.Consumer, versionOrder)
		if req.IncludePendingStatus {
			pending := states[k]
			vp.Pending = pending.pending
			vp.Notices = buildNotices(*vp, req, pending)
		} else {
			vp.Notices = buildNotices(*vp, req, pendingState{})
		}
		vp.ShortDescription = shortDescription(vp.SelectedBy)
		out = append(out, *vp)
	}
	sortVerifiable(out, versionOrder)

	if req.IncludeWIPPactsSince != nil && (req.ProviderVersionBranch != "" || len(req.ProviderVersionTags) > 0) {
		wip, err := wipPacts(ctx, s, req, byKey, versionOrder)
		if err != nil {
			return nil, err
		}
		out = append(out, wip...)
	}
	return out, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortVersions(vs []string, consumer string, order map[string]int64) {
	sort.SliceStable(vs, func(i, j int) bool {
		return order[consumer+"\x00"+vs[i]] > order[consumer+"\x00"+vs[j]]
	})
}

func sortVerifiable(vps []VerifiablePact, order map[string]int64) {
	sort.SliceStable(vps, func(i, j int) bool {
		a, b := vps[i], vps[j]
		if a.Consumer != b.Consumer {
			return a.Consumer < b.Consumer
		}
		return order[a.Consumer+"\x00"+a.ConsumerVersions[0]] < order[b.Consumer+"\x00"+b.ConsumerVersions[0]]
	})
}

// pendingState is the pending status of a pact for the provider version
// being verified.
type pendingState struct {
	pending bool
	// pendingTags and verifiedTags split the provider tags (tag mode).
	pendingTags, verifiedTags []string
}

// pendingForKeys works out whether each pact of keys is pending: with a
// provider branch, unless a provider version from that branch (or, before
// the branch existed, from another branch) verified it successfully; with
// tags, per tag likewise; with neither, unless any provider version did.
// The store is asked once per question for all the pacts, whatever their
// consumers.
//
// For work-in-progress candidates (wip), verifications that were
// themselves of work-in-progress pacts do not count.
func pendingForKeys(ctx context.Context, s Store, req PactsForVerificationRequest, keys []pactKey, wip bool) (map[pactKey]pendingState, error) {
	out := make(map[pactKey]pendingState, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	refs := make([]PactRef, len(keys))
	for i, k := range keys {
		refs[i] = PactRef{Consumer: k.consumer, SHA: k.sha}
	}
	base := VerifiedQuery{Provider: req.Provider, ExcludeWIP: wip}
	// unverified returns those of refs q does not find verified, and
	// marks the others verified in ok.
	unverified := func(q VerifiedQuery, refs []PactRef, ok map[PactRef]bool) ([]PactRef, error) {
		got, err := s.VerifiedPacts(ctx, q, refs)
		if err != nil {
			return nil, err
		}
		var rest []PactRef
		for _, r := range refs {
			if got[r] {
				ok[r] = true
			} else {
				rest = append(rest, r)
			}
		}
		return rest, nil
	}
	switch {
	case req.ProviderVersionBranch != "":
		ok := map[PactRef]bool{}
		q := base
		q.ProviderBranch = req.ProviderVersionBranch
		rest, err := unverified(q, refs, ok)
		if err != nil {
			return nil, err
		}
		if len(rest) > 0 {
			q.OtherBranches = true
			b, err := s.GetBranch(ctx, req.Provider, req.ProviderVersionBranch)
			switch {
			case err == nil:
				created := b.CreatedAt
				q.Before = &created
			case !errors.Is(err, ErrNotFound):
				return nil, err
			}
			if _, err := unverified(q, rest, ok); err != nil {
				return nil, err
			}
		}
		for i, k := range keys {
			out[k] = pendingState{pending: !ok[refs[i]]}
		}
	case len(req.ProviderVersionTags) > 0:
		for _, tag := range req.ProviderVersionTags {
			ok := map[PactRef]bool{}
			q := base
			q.ProviderTag = tag
			rest, err := unverified(q, refs, ok)
			if err != nil {
				return nil, err
			}
			if len(rest) > 0 {
				q.OtherTags = true
				first, err := s.TagFirstUsed(ctx, req.Provider, tag)
				switch {
				case err == nil:
					q.Before = &first
				case !errors.Is(err, ErrNotFound):
					return nil, err
				}
				if _, err := unverified(q, rest, ok); err != nil {
					return nil, err
				}
			}
			for i, k := range keys {
				st := out[k]
				if ok[refs[i]] {
					st.verifiedTags = append(st.verifiedTags, tag)
				} else {
					st.pendingTags = append(st.pendingTags, tag)
				}
				st.pending = len(st.pendingTags) > 0
				out[k] = st
			}
		}
	default:
		ok := map[PactRef]bool{}
		if _, err := unverified(base, refs, ok); err != nil {
			return nil, err
		}
		for i, k := range keys {
			out[k] = pendingState{pending: !ok[refs[i]]}
		}
	}
	return out, nil
}

// wipPacts finds work-in-progress pacts: heads of consumer branches and
// tags published since the date, not already selected, still pending for
// the provider branch or tags.
func wipPacts(ctx context.Context, s Store, req PactsForVerificationRequest, selected map[pactKey]*VerifiablePact, order map[string]int64) ([]VerifiablePact, error) {
	cands, err := s.WIPCandidates(ctx, req.Provider, *req.IncludeWIPPactsSince)
	if err != nil {
		return nil, fmt.Errorf("wip pacts: %w", err)
	}
	byKey := map[pactKey]*VerifiablePact{}
	var keys []pactKey
	yes := true
	for _, c := range cands {
		k := pactKey{c.Consumer, c.SHA}
		if selected[k] != nil {
			continue
		}
		vp, ok := byKey[k]
		if !ok {
			vp = &VerifiablePact{Consumer: c.Consumer, Provider: c.Provider, SHA: c.SHA, WIP: true, Pending: true}
			byKey[k] = vp
			keys = append(keys, k)
		}
		order[c.Consumer+"\x00"+c.ConsumerVersion] = c.ConsumerVersionOrder
		if !containsString(vp.ConsumerVersions, c.ConsumerVersion) {
			vp.ConsumerVersions = append(vp.ConsumerVersions, c.ConsumerVersion)
		}
		sel := ConsumerVersionSelector{Branch: c.Branch, Tag: c.Tag}
		if c.Tag != "" {
			sel.Latest = &yes
		}
		vp.SelectedBy = append(vp.SelectedBy, PactSelectedBy{Selector: sel, ConsumerVersion: c.ConsumerVersion})
	}
	states, err := pendingForKeys(ctx, s, req, keys, true)
	if err != nil {
		return nil, err
	}
	var out []VerifiablePact
	for _, k := range keys {
		vp := byKey[k]
		st := states[k]
		if !st.pending {
			continue
		}
		sortVersions(vp.ConsumerVersions, vp.Consumer, order)
		vp.ShortDescription = shortDescription(vp.SelectedBy)
		vp.Notices = buildNotices(*vp, req, st)
		out = append(out, *vp)
	}
	sortVerifiable(out, order)
	return out, nil
}

func shortSelector(by PactSelectedBy) string {
	sel := by.Selector
	latest := sel.Latest != nil && *sel.Latest
	switch {
	case sel.MainBranch:
		return "latest from main branch"
	case sel.MatchingBranch:
		return "latest from matching branch"
	case sel.Branch != "" && by.Fallback:
		return "latest from branch " + sel.FallbackBranch
	case sel.Branch != "":
		return "latest from branch " + sel.Branch
	case sel.Tag != "" && latest && by.Fallback:
		return "latest with tag " + sel.FallbackTag
	case sel.Tag != "" && latest:
		return "latest with tag " + sel.Tag
	case sel.Tag != "" && sel.Consumer != "":
		return "one of " + sel.Consumer + " " + sel.Tag
	case sel.Tag != "":
		return "one of " + sel.Tag
	case by.Environment != "" && by.Released:
		return "released in " + by.Environment
	case by.Environment != "":
		return "deployed to " + by.Environment
	default:
		return "latest"
	}
}

func shortDescription(bys []PactSelectedBy) string {
	var parts []string
	for _, by := range bys {
		d := shortSelector(by)
		if !containsString(parts, d) {
			parts = append(parts, d)
		}
	}
	return strings.Join(parts, ", ")
}

func longSelector(by PactSelectedBy, provider string) string {
	sel := by.Selector
	who := "a consumer"
	if sel.Consumer != "" {
		who = sel.Consumer
	}
	latest := sel.Latest != nil && *sel.Latest
	var d string
	switch {
	case sel.MainBranch:
		d = "latest version of " + who + " from its main branch"
	case sel.MatchingBranch:
		d = "latest version of " + who + " from the branch matching the provider branch"
	case sel.Branch != "" && by.Fallback:
		d = fmt.Sprintf("latest version of %s from branch '%s' (fallback, no pact from branch '%s')", who, sel.FallbackBranch, sel.Branch)
	case sel.Branch != "":
		d = fmt.Sprintf("latest version of %s from branch '%s'", who, sel.Branch)
	case sel.Tag != "" && latest && by.Fallback:
		d = fmt.Sprintf("latest version of %s tagged '%s' (fallback, no pact tagged '%s')", who, sel.FallbackTag, sel.Tag)
	case sel.Tag != "" && latest:
		d = fmt.Sprintf("latest version of %s tagged '%s'", who, sel.Tag)
	case sel.Tag != "":
		d = fmt.Sprintf("all versions of %s tagged '%s'", who, sel.Tag)
	case by.Environment != "" && by.Released:
		d = fmt.Sprintf("version of %s released and supported in %s", who, by.Environment)
	case by.Environment != "":
		d = fmt.Sprintf("version of %s currently deployed to %s", who, by.Environment)
	default:
		d = fmt.Sprintf("latest version of %s that has a pact with %s", who, provider)
	}
	return fmt.Sprintf("%s (%s)", d, by.ConsumerVersion)
}

func (st pendingState) scope(req PactsForVerificationRequest, tags []string) string {
	switch {
	case req.ProviderVersionBranch != "":
		return fmt.Sprintf("a version of %s from branch '%s'", req.Provider, req.ProviderVersionBranch)
	case len(tags) == 1:
		return fmt.Sprintf("a version of %s with tag '%s'", req.Provider, tags[0])
	case len(tags) > 1:
		return fmt.Sprintf("versions of %s with tags '%s'", req.Provider, strings.Join(tags, "', '"))
	default:
		return req.Provider
	}
}

// buildNotices writes the notices a verifier prints before and after
// verifying the pact.
func buildNotices(vp VerifiablePact, req PactsForVerificationRequest, st pendingState) []VerificationNotice {
	name := fmt.Sprintf("The pact between %s and %s (content %s)", vp.Consumer, vp.Provider, shortSHA(vp.SHA))
	var reason string
	if vp.WIP {
		reason = fmt.Sprintf("%s is being verified because it is a work in progress pact: the pact of the latest version of %s %s, published recently and still pending.",
			name, vp.Consumer, wipScope(vp.SelectedBy))
	} else {
		var lines []string
		for _, by := range vp.SelectedBy {
			lines = append(lines, "    * "+longSelector(by, vp.Provider))
		}
		criteria := "criterion"
		if len(lines) > 1 {
			criteria = "criteria"
		}
		reason = fmt.Sprintf("%s is being verified because its content belongs to the consumer version(s) matching the following %s:\n%s", name, criteria, strings.Join(lines, "\n"))
	}
	notices := []VerificationNotice{{When: "before_verification", Text: reason}}
	if !req.IncludePendingStatus {
		return notices
	}
	if !vp.Pending {
		notices = append(notices, VerificationNotice{When: "before_verification", Text: fmt.Sprintf(
			"This pact has already been verified successfully by %s. If this verification fails, it will fail the build.", st.scope(req, st.verifiedTags))})
		return notices
	}
	scope := st.scope(req, st.pendingTags)
	notices = append(notices,
		VerificationNotice{When: "before_verification", Text: fmt.Sprintf(
			"This pact is pending for this version of %s because no successful verification by %s has been published yet. If this verification fails, it will not fail the build.", vp.Provider, scope)},
		VerificationNotice{When: "after_verification:success_true_published_false", Text: fmt.Sprintf(
			"This pact is still pending for %s because the successful verification result has not been published.", scope)},
		VerificationNotice{When: "after_verification:success_false_published_false", Text: fmt.Sprintf(
			"This pact is still pending for %s because no successful verification result has been published.", scope)},
		VerificationNotice{When: "after_verification:success_true_published_true", Text: fmt.Sprintf(
			"This pact is no longer pending for %s because a successful verification result has been published. From now on, a failed verification by %s will fail the build.", scope, scope)},
		VerificationNotice{When: "after_verification:success_false_published_true", Text: fmt.Sprintf(
			"This pact is still pending for %s because no successful verification result has been published.", scope)},
	)
	return notices
}

func wipScope(bys []PactSelectedBy) string {
	var parts []string
	for _, by := range bys {
		switch {
		case by.Selector.Branch != "":
			parts = append(parts, fmt.Sprintf("from branch '%s'", by.Selector.Branch))
		case by.Selector.Tag != "":
			parts = append(parts, fmt.Sprintf("tagged '%s'", by.Selector.Tag))
		}
	}
	return strings.Join(parts, " and ")
}

func shortSHA(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}
