package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
)

type integrationView struct {
	Consumer, Provider       string
	ConsumerURL, ProviderURL string
	MatrixURL                string
	// The pact shown: the latest, or the one the filter selects.
	PactVersion, PactURL string
	PactVersionURL       string
	PactPublished        time.Time
	Status               string
	ProviderVersion      string
	VerificationURL      string
	VerifiedAt           time.Time
	// MainBranch is the consumer's main branch; MainVersion the version
	// of its head's pact with the provider ("" when none) and MainStatus
	// the pseudo-branch status of the main branch's pacts (a badge
	// status: verified, failed, failed (pending), changed, unknown).
	MainBranch     string
	MainVersion    string
	MainVersionURL string
	MainStatus     string
	BadgeURL       string
	// WebhookStatus summarises the webhooks of the latest event (see
	// broker.WebhookStatusOf); WebhooksURL is the integration's page of
	// webhooks.
	WebhookStatus, WebhookBadge, WebhooksURL string
}

// indexFilter is what the integrations page is narrowed to.
type indexFilter struct {
	Search      string
	Branch      string
	Tag         string
	Environment string
}

type indexData struct {
	Integrations []integrationView
	Pager        pager
	Filter       indexFilter
	Environments []string
	// Total counts the integrations matching the filter; All counts every
	// integration.
	Total, All int
	// PactHeading names the pact column ("Latest pact", "Head of branch
	// main", ...).
	PactHeading string
	ClearURL    string
	statusCounts
}

// indexWalk bounds the pacts read per integration to find the main
// branch's pseudo-branch status on the integrations page.
const indexWalk = 5

func (h *handler) index(r *http.Request) (*page, error) {
	n, err := pageNumber(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	q := r.URL.Query()
	f := indexFilter{Search: strings.TrimSpace(q.Get("q")), Branch: q.Get("branch"), Tag: q.Get("tag"), Environment: q.Get("environment")}
	set := 0
	for _, v := range []string{f.Branch, f.Tag, f.Environment} {
		if v != "" {
			set++
		}
	}
	if set > 1 {
		return nil, broker.Invalid("branch", "choose one of branch, tag and environment, got branch %q, tag %q, environment %q", f.Branch, f.Tag, f.Environment)
	}
	all, err := h.allIntegrations(ctx)
	if err != nil {
		return nil, err
	}
	d := indexData{Filter: f, All: len(all), PactHeading: "Latest pact", ClearURL: h.link("/")}
	envs, err := h.store.ListEnvironments(ctx)
	if err != nil {
		return nil, wrapf(err, "list environments")
	}
	for _, e := range envs {
		d.Environments = append(d.Environments, e.Name)
	}
	var selected map[[2]string]broker.Pact
	switch {
	case f.Branch != "" || f.Tag != "":
		pacts, err := h.store.ListLatestPacts(ctx, "", broker.PactFilter{Branch: f.Branch, Tag: f.Tag})
		if err != nil {
			return nil, wrapf(err, "latest pacts")
		}
		selected = map[[2]string]broker.Pact{}
		for _, p := range pacts {
			selected[[2]string{p.Consumer, p.Provider}] = p
		}
		if f.Branch != "" {
			d.PactHeading = "Head of branch " + f.Branch
		} else {
			d.PactHeading = "Latest tagged " + f.Tag
		}
	case f.Environment != "":
		selected, err = h.pactsIn(ctx, f.Environment)
		if err != nil {
			return nil, err
		}
		d.PactHeading = "In " + f.Environment
	}
	search := strings.ToLower(f.Search)
	var matching []broker.Integration
	for _, in := range all {
		if search != "" && !strings.Contains(strings.ToLower(in.Consumer), search) && !strings.Contains(strings.ToLower(in.Provider), search) {
			continue
		}
		if selected != nil {
			if _, ok := selected[[2]string{in.Consumer, in.Provider}]; !ok {
				continue
			}
		}
		matching = append(matching, in)
	}
	d.Total = len(matching)
	d.Pager = h.pagerTotal(r, n, listPerPage, d.Total)
	from := min((n-1)*listPerPage, len(matching))
	to := min(from+listPerPage, len(matching))
	mains := map[string]string{}
	for _, in := range matching[from:to] {
		v := integrationView{
			Consumer: in.Consumer, Provider: in.Provider,
			ConsumerURL: h.pacticipantLink(in.Consumer), ProviderURL: h.pacticipantLink(in.Provider),
			MatrixURL: h.matrixLink(in.Consumer, in.Provider),
			Status:    statusUnverified,
			BadgeURL:  h.link("/pacts/provider", in.Provider, "consumer", in.Consumer, "latest", "badge"),
		}
		var p *broker.Pact
		if selected != nil {
			sp := selected[[2]string{in.Consumer, in.Provider}]
			p = &sp
		} else {
			pacts, err := h.store.ListPactVersions(ctx, in.Consumer, in.Provider, broker.Page{Limit: 1})
			if err != nil && !errors.Is(err, broker.ErrNotFound) {
				return nil, wrapf(err, "latest pact of %s and %s", in.Consumer, in.Provider)
			}
			if len(pacts) > 0 {
				p = &pacts[0]
			}
		}
		if p != nil {
			if err := h.describePact(ctx, &v, *p); err != nil {
				return nil, err
			}
		}
		main, ok := mains[in.Consumer]
		if !ok {
			pp, err := h.store.GetPacticipant(ctx, in.Consumer)
			if err != nil && !errors.Is(err, broker.ErrNotFound) {
				return nil, wrapf(err, "pacticipant %q", in.Consumer)
			}
			main, mains[in.Consumer] = pp.MainBranch, pp.MainBranch
		}
		if main != "" {
			if err := h.mainBranchStatus(ctx, &v, main); err != nil {
				return nil, err
			}
		}
		ts, err := h.store.ListTriggeredWebhooks(ctx, broker.TriggeredFilter{Consumer: in.Consumer, Provider: in.Provider}, broker.Page{Limit: 20})
		if err != nil {
			return nil, wrapf(err, "triggered webhooks of %s and %s", in.Consumer, in.Provider)
		}
		v.WebhookStatus = broker.WebhookStatusOf(ts)
		v.WebhookBadge = webhookBadge(v.WebhookStatus)
		v.WebhooksURL = h.link("/pacts/provider", in.Provider, "consumer", in.Consumer, "webhooks")
		d.add(v.Status)
		d.Integrations = append(d.Integrations, v)
	}
	return &page{name: "index", title: "Integrations", nav: "integrations", data: d, json: h.link("/integrations")}, nil
}

// allIntegrations reads every integration, a page at a time.
func (h *handler) allIntegrations(ctx context.Context) ([]broker.Integration, error) {
	var all []broker.Integration
	for offset := 0; ; offset += broker.MaxPageSize {
		page, err := h.store.ListIntegrations(ctx, broker.Page{Offset: offset, Limit: broker.MaxPageSize})
		if err != nil {
			return nil, wrapf(err, "list integrations")
		}
		all = append(all, page...)
		if len(page) < broker.MaxPageSize {
			return all, nil
		}
	}
}

// pactsIn returns, per integration, the pact of the consumer version
// currently deployed (or, failing that, released) in the environment
// named env; the newest such version when there are several.
func (h *handler) pactsIn(ctx context.Context, env string) (map[[2]string]broker.Pact, error) {
	e, err := h.store.GetEnvironmentByName(ctx, env)
	if errors.Is(err, broker.ErrNotFound) {
		return nil, notFound("there is no environment named %q", env)
	}
	if err != nil {
		return nil, wrapf(err, "environment %q", env)
	}
	var versions []broker.VersionRef
	deployed, err := h.store.ListDeployedVersions(ctx, broker.DeploymentFilter{EnvironmentUUID: e.UUID, CurrentOnly: true})
	if err != nil {
		return nil, wrapf(err, "deployments in %q", env)
	}
	for _, dv := range deployed {
		versions = append(versions, broker.VersionRef{Pacticipant: dv.Pacticipant, Number: dv.Version})
	}
	released, err := h.store.ListReleasedVersions(ctx, broker.DeploymentFilter{EnvironmentUUID: e.UUID, CurrentOnly: true})
	if err != nil {
		return nil, wrapf(err, "releases in %q", env)
	}
	for _, rv := range released {
		versions = append(versions, broker.VersionRef{Pacticipant: rv.Pacticipant, Number: rv.Version})
	}
	out := map[[2]string]broker.Pact{}
	for _, v := range versions {
		providers, err := h.store.ProvidersOfVersion(ctx, v.Pacticipant, v.Number)
		if errors.Is(err, broker.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, wrapf(err, "pacts of %q %q", v.Pacticipant, v.Number)
		}
		for _, prov := range providers {
			key := [2]string{v.Pacticipant, prov}
			if _, seen := out[key]; seen {
				continue // deployments come newest first
			}
			p, err := h.store.GetPact(ctx, v.Pacticipant, prov, v.Number)
			if err != nil {
				return nil, wrapf(err, "pact of %q %q with %q", v.Pacticipant, v.Number, prov)
			}
			out[key] = p
		}
	}
	return out, nil
}

// describePact fills in the row's pact and its latest verification.
func (h *handler) describePact(ctx context.Context, v *integrationView, p broker.Pact) error {
	v.PactVersion = p.ConsumerVersion
	v.PactURL = h.pactLink(v.Consumer, v.Provider, p.ConsumerVersion)
	v.PactVersionURL = h.versionLink(v.Consumer, p.ConsumerVersion)
	v.PactPublished = p.CreatedAt
	ver, err := h.store.LatestVerification(ctx, v.Consumer, v.Provider, p.SHA)
	if errors.Is(err, broker.ErrNotFound) {
		return nil
	}
	if err != nil {
		return wrapf(err, "latest verification of %s and %s", v.Consumer, v.Provider)
	}
	v.Status = verificationStatus(&ver)
	v.ProviderVersion = ver.ProviderVersion
	v.VerificationURL = h.verificationLink(v.Consumer, v.Provider, p.SHA, ver.Number)
	v.VerifiedAt = ver.ExecutionDate
	return nil
}

// mainBranchStatus fills in the head of the consumer's main branch and
// the pseudo-branch status of the main branch's pacts.
func (h *handler) mainBranchStatus(ctx context.Context, v *integrationView, main string) error {
	v.MainBranch = main
	head, err := h.store.LatestPact(ctx, v.Consumer, v.Provider, broker.PactFilter{Branch: main})
	if errors.Is(err, broker.ErrNotFound) {
		return nil
	}
	if err != nil {
		return wrapf(err, "main branch pact of %s and %s", v.Consumer, v.Provider)
	}
	v.MainVersion, v.MainVersionURL = head.ConsumerVersion, h.versionLink(v.Consumer, head.ConsumerVersion)
	// The head's own latest verification decides, when it has one; only
	// an unverified head needs the older pacts of the branch (changed or
	// unknown).
	ver, err := h.store.LatestVerification(ctx, v.Consumer, v.Provider, head.SHA)
	switch {
	case err == nil:
		v.MainStatus, err = h.verificationBadgeStatus(ctx, head.SHA, ver)
	case errors.Is(err, broker.ErrNotFound):
		onMain := func(p broker.Pact) (bool, error) {
			pv, err := h.store.GetVersion(ctx, p.Consumer, p.ConsumerVersion)
			return err == nil && contains(pv.Branches, main), ignoreNotFound(err)
		}
		v.MainStatus, err = h.lineStatusWalk(ctx, v.Consumer, v.Provider, onMain, indexWalk)
	}
	if err != nil {
		return wrapf(err, "main branch status of %s and %s", v.Consumer, v.Provider)
	}
	return nil
}

// pagerTotal links the neighbours of page n of a list of total items.
func (h *handler) pagerTotal(r *http.Request, n, size, total int) pager {
	p := h.pagerFor(r, n, n*size < total)
	p.Total = total
	p.Pages = max(1, (total+size-1)/size)
	if total > 0 {
		p.From = min((n-1)*size+1, total+1)
		p.To = min(n*size, total)
	}
	return p
}

// filterURL is the index narrowed to one value of one filter.
func (h *handler) filterURL(key, value string) string {
	return h.link("/") + "?" + url.Values{key: {value}}.Encode()
}

// lineClass maps a badge status to a badge CSS class.
func lineClass(status string) string {
	switch status {
	case badgeVerified:
		return statusSuccess
	case badgeFailed:
		return statusFailed
	case badgeFailedPending, badgeChanged:
		return "pending"
	}
	return statusUnverified
}
