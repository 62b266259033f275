package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
)

// Verification statuses as shown in badges.
const (
	statusSuccess    = "success"
	statusFailed     = "failed"
	statusUnverified = "unverified"
)

// statusCounts counts rows by verification status for a page's summary.
type statusCounts struct {
	Success    int
	Failed     int
	Unverified int
}

func (c *statusCounts) add(status string) {
	switch status {
	case statusSuccess:
		c.Success++
	case statusFailed:
		c.Failed++
	default:
		c.Unverified++
	}
}

func (h *handler) funcs() template.FuncMap {
	return template.FuncMap{
		"ago":       h.ago,
		"stamp":     stamp,
		"iso":       func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"lineClass": lineClass,
		"filterURL": h.filterURL,
		"statusLabel": func(s string) string {
			switch s {
			case statusSuccess:
				return "verified"
			case statusFailed:
				return "failed"
			}
			return "unverified"
		},
		"short": func(s string) string {
			if len(s) > 8 {
				return s[:8]
			}
			return s
		},
	}
}

// stamp formats a time for tooltips and tables.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// ago says how long before now t was, coarsely.
func (h *handler) ago(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := h.opts.Now().Sub(t)
	plural := func(n int64, unit string) string {
		if n == 1 {
			return fmt.Sprintf("1 %s ago", unit)
		}
		return fmt.Sprintf("%d %ss ago", n, unit)
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int64(d/time.Minute), "minute")
	case d < 24*time.Hour:
		return plural(int64(d/time.Hour), "hour")
	case d < 60*24*time.Hour:
		return plural(int64(d/(24*time.Hour)), "day")
	}
	return t.UTC().Format("2 Jan 2006")
}

// safeURL keeps http(s) URLs for links and drops everything else (a
// javascript: URL in a repository field must not become a link); the
// password of a URL's user info is never shown.
func safeURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.User = nil
	return u.String()
}

func verificationStatus(v *broker.Verification) string {
	switch {
	case v == nil:
		return statusUnverified
	case v.Success:
		return statusSuccess
	}
	return statusFailed
}

// --- pacticipants ---

type pacticipantRow struct {
	Name          string
	DisplayName   string
	URL           string
	MainBranch    string
	RepositoryURL string
	CreatedAt     time.Time
}

type pacticipantsData struct {
	Pacticipants []pacticipantRow
	Pager        pager
}

func (h *handler) pacticipants(r *http.Request) (*page, error) {
	n, err := pageNumber(r)
	if err != nil {
		return nil, err
	}
	ps, more, err := listPage(n, listPerPage, func(p broker.Page) ([]broker.Pacticipant, error) { return h.store.ListPacticipants(r.Context(), p) })
	if err != nil {
		return nil, wrapf(err, "list pacticipants")
	}
	d := pacticipantsData{Pager: h.pagerFor(r, n, more)}
	for _, p := range ps {
		d.Pacticipants = append(d.Pacticipants, pacticipantRow{
			Name: p.Name, DisplayName: displayName(p), URL: h.pacticipantLink(p.Name),
			MainBranch: p.MainBranch, RepositoryURL: safeURL(p.RepositoryURL), CreatedAt: p.CreatedAt,
		})
	}
	return &page{name: "pacticipants", title: "Pacticipants", nav: "pacticipants", data: d}, nil
}

func displayName(p broker.Pacticipant) string {
	if p.DisplayName != "" && p.DisplayName != p.Name {
		return p.DisplayName
	}
	return ""
}

type branchView struct {
	Name string
	Main bool
}

type placeView struct {
	Environment string
	Instance    string
	Since       time.Time
}

type pactRef struct {
	Provider string
	URL      string
}

type versionView struct {
	Number    string
	URL       string
	BuildURL  string
	Branches  []branchView
	Tags      []string
	Deployed  []placeView
	Released  []placeView
	Pacts     []pactRef
	CreatedAt time.Time
}

type partnerView struct {
	Name      string
	URL       string
	MatrixURL string
}

type pacticipantData struct {
	ListURL       string
	NetworkURL    string
	Name          string
	DisplayName   string
	MainBranch    string
	RepositoryURL string
	// RepositoryText is the repository URL as stored when it is not a
	// link-safe http(s) URL (shown as text, user info removed).
	RepositoryText string
	// Labels are the pacticipant's labels, by name.
	Labels    []string
	CreatedAt time.Time
	Versions  []versionView
	// HasPacts is set when a version on the page has pacts (a provider's
	// page leaves the column out).
	HasPacts   bool
	Pager      pager
	Consumes   []partnerView
	ConsumedBy []partnerView
	// Branches are the most recently updated branches (at most
	// branchesShown); MoreBranches is set when there are more.
	Branches     []branchHeadView
	MoreBranches bool
}

// branchesShown caps the branches listed on a pacticipant page.
const branchesShown = 8

type branchHeadView struct {
	Name      string
	Main      bool
	Head      string
	HeadURL   string
	UpdatedAt time.Time
}

func (h *handler) pacticipant(r *http.Request) (*page, error) {
	ctx := r.Context()
	name := r.PathValue("name")
	n, err := pageNumber(r)
	if err != nil {
		return nil, err
	}
	p, err := h.store.GetPacticipant(ctx, name)
	if err != nil {
		return nil, wrapf(err, "pacticipant %q", name)
	}
	d := pacticipantData{ListURL: h.link("/pacticipants"), NetworkURL: h.link("/pacticipants", name, "network"), Name: p.Name, DisplayName: displayName(p), MainBranch: p.MainBranch, CreatedAt: p.CreatedAt}
	d.RepositoryURL = safeURL(p.RepositoryURL)
	if d.RepositoryURL == "" && p.RepositoryURL != "" {
		d.RepositoryText = withoutUserInfo(p.RepositoryURL)
	}
	labels, err := h.store.ListLabels(ctx, name)
	if err != nil {
		return nil, wrapf(err, "labels of %q", name)
	}
	d.Labels = broker.LabelNames(labels)
	vs, more, err := listPage(n, versionsPerPage, func(p broker.Page) ([]broker.Version, error) { return h.store.ListVersions(ctx, name, p) })
	if err != nil {
		return nil, wrapf(err, "versions of %q", name)
	}
	d.Pager = h.pagerFor(r, n, more)

	deployed, err := h.store.ListDeployedVersions(ctx, broker.DeploymentFilter{Pacticipant: name, CurrentOnly: true})
	if err != nil {
		return nil, wrapf(err, "deployments of %q", name)
	}
	released, err := h.store.ListReleasedVersions(ctx, broker.DeploymentFilter{Pacticipant: name, CurrentOnly: true})
	if err != nil {
		return nil, wrapf(err, "releases of %q", name)
	}
	numbers := make([]string, len(vs))
	for i, v := range vs {
		numbers[i] = v.Number
	}
	providersOf, err := h.store.ProvidersOfVersions(ctx, name, numbers)
	if err != nil {
		return nil, wrapf(err, "pacts of %q", name)
	}
	for _, v := range vs {
		vv := versionView{Number: v.Number, URL: h.versionLink(name, v.Number), BuildURL: safeURL(v.BuildURL), Tags: v.Tags, CreatedAt: v.CreatedAt}
		for _, b := range v.Branches {
			vv.Branches = append(vv.Branches, branchView{Name: b, Main: b == p.MainBranch})
		}
		for _, dv := range deployed {
			if dv.Version == v.Number {
				vv.Deployed = append(vv.Deployed, placeView{Environment: dv.EnvironmentName, Instance: dv.ApplicationInstance, Since: dv.CreatedAt})
			}
		}
		for _, rv := range released {
			if rv.Version == v.Number {
				vv.Released = append(vv.Released, placeView{Environment: rv.EnvironmentName, Since: rv.CreatedAt})
			}
		}
		for _, prov := range providersOf[v.Number] {
			vv.Pacts = append(vv.Pacts, pactRef{Provider: prov, URL: h.pactLink(name, prov, v.Number)})
			d.HasPacts = true
		}
		d.Versions = append(d.Versions, vv)
	}

	branches, err := h.store.ListBranches(ctx, name, broker.Page{Limit: branchesShown + 1})
	if err != nil {
		return nil, wrapf(err, "branches of %q", name)
	}
	if len(branches) > branchesShown {
		branches, d.MoreBranches = branches[:branchesShown], true
	}
	for _, b := range branches {
		d.Branches = append(d.Branches, branchHeadView{Name: b.Name, Main: b.Name == p.MainBranch, Head: b.Head, HeadURL: h.versionLink(name, b.Head), UpdatedAt: b.UpdatedAt})
	}

	ints, err := h.store.ListPacticipantIntegrations(ctx, name)
	if err != nil {
		return nil, wrapf(err, "integrations of %q", name)
	}
	for _, in := range ints {
		switch name {
		case in.Consumer:
			d.Consumes = append(d.Consumes, partnerView{Name: in.Provider, URL: h.pacticipantLink(in.Provider), MatrixURL: h.matrixLink(in.Consumer, in.Provider)})
		case in.Provider:
			d.ConsumedBy = append(d.ConsumedBy, partnerView{Name: in.Consumer, URL: h.pacticipantLink(in.Consumer), MatrixURL: h.matrixLink(in.Consumer, in.Provider)})
		}
	}
	return &page{name: "pacticipant", title: p.Name, nav: "pacticipants", data: d}, nil
}

// withoutUserInfo removes a password from a URL-like string.
func withoutUserInfo(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	return s
}

// --- matrix ---

type matrixVersionView struct {
	Number       string
	URL          string
	Branches     []string
	Tags         []string
	Environments []string
	CreatedAt    time.Time
}

type matrixRowView struct {
	Consumer        matrixVersionView
	PactURL         string
	PactPublished   time.Time
	PactSHA         string
	Provider        *matrixVersionView
	Status          string
	VerifiedAt      time.Time
	VerificationNum int
	VerificationURL string
	BuildURL        string
	// First is true on the first row of a consumer version (rows of one
	// consumer version are grouped).
	First bool
	// Hidden, on a row of its own, counts the older verifications of the
	// consumer version not shown.
	Hidden int
}

// verificationsShown caps the rows shown per consumer version.
const verificationsShown = 10

type matrixData struct {
	IndexURL                 string
	QueryURL                 string
	Consumer, Provider       string
	ConsumerURL, ProviderURL string
	Rows                     []matrixRowView
	Pager                    pager
	statusCounts
}

// matrix shows, for one page of the consumer's versions that have a pact
// with the provider (newest first), each verification of their pact by a
// provider version, or one unverified row.
func (h *handler) matrix(r *http.Request) (*page, error) {
	ctx := r.Context()
	consumer, provider := r.PathValue("consumer"), r.PathValue("provider")
	n, err := pageNumber(r)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{consumer, provider} {
		if _, err := h.store.GetPacticipant(ctx, name); err != nil {
			return nil, wrapf(err, "pacticipant %q", name)
		}
	}
	pacts, more, err := listPage(n, versionsPerPage, func(p broker.Page) ([]broker.Pact, error) {
		return h.store.ListPactVersions(ctx, consumer, provider, p)
	})
	if err != nil {
		return nil, wrapf(err, "pacts between %q and %q", consumer, provider)
	}
	d := matrixData{
		IndexURL: h.link("/"),
		QueryURL: h.link("/matrix") + "?" + url.Values{"p1": {consumer}, "k1": {"all"}, "p2": {provider}, "k2": {"all"}, "latestby": {"cvpv"}}.Encode(),
		Consumer: consumer, Provider: provider,
		ConsumerURL: h.pacticipantLink(consumer), ProviderURL: h.pacticipantLink(provider),
		Pager: h.pagerFor(r, n, more),
	}
	jsonURL := h.link("/matrix") + "?" + url.Values{"q[][pacticipant]": {consumer, provider}, "latestby": {"cvpv"}}.Encode()
	if len(pacts) == 0 {
		return &page{name: "matrix", title: consumer + " → " + provider, nav: "integrations", data: d, json: jsonURL}, nil
	}
	refs := make([]broker.VersionRef, 0, len(pacts))
	for _, p := range pacts {
		refs = append(refs, broker.VersionRef{Pacticipant: consumer, Number: p.ConsumerVersion})
	}
	rows, err := h.store.MatrixRows(ctx, broker.MatrixRowQuery{Versions: refs, Mode: broker.RowsInvolving})
	if err != nil {
		return nil, wrapf(err, "matrix of %q and %q", consumer, provider)
	}
	byVersion := map[string][]broker.MatrixRow{}
	for _, row := range rows {
		if row.Consumer == consumer && row.Provider == provider {
			byVersion[row.ConsumerVersion.Number] = append(byVersion[row.ConsumerVersion.Number], row)
		}
	}
	for _, p := range pacts {
		vrows := byVersion[p.ConsumerVersion]
		sort.SliceStable(vrows, func(i, j int) bool { return newerVerification(vrows[i], vrows[j]) })
		for i, row := range vrows {
			mv := h.matrixRow(row)
			mv.First = i == 0
			d.add(mv.Status)
			if i < verificationsShown {
				d.Rows = append(d.Rows, mv)
			}
		}
		if n := len(vrows) - verificationsShown; n > 0 {
			d.Rows = append(d.Rows, matrixRowView{Hidden: n})
		}
	}
	return &page{name: "matrix", title: consumer + " → " + provider, nav: "integrations", data: d, json: jsonURL}, nil
}

// newerVerification orders the rows of one consumer version: the latest
// verification first, unverified rows last.
func newerVerification(a, b broker.MatrixRow) bool {
	switch {
	case a.Verification == nil:
		return false
	case b.Verification == nil:
		return true
	}
	if !a.Verification.ExecutionDate.Equal(b.Verification.ExecutionDate) {
		return a.Verification.ExecutionDate.After(b.Verification.ExecutionDate)
	}
	return a.ProviderVersion != nil && b.ProviderVersion != nil && a.ProviderVersion.Order > b.ProviderVersion.Order
}

func (h *handler) matrixRow(row broker.MatrixRow) matrixRowView {
	mv := matrixRowView{
		Consumer:      h.matrixVersion(row.Consumer, row.ConsumerVersion),
		PactURL:       h.pactLink(row.Consumer, row.Provider, row.ConsumerVersion.Number),
		PactPublished: row.PactCreatedAt,
		PactSHA:       row.PactSHA,
		Status:        verificationStatus(row.Verification),
	}
	if row.Verification != nil && row.ProviderVersion != nil {
		pv := h.matrixVersion(row.Provider, *row.ProviderVersion)
		mv.Provider = &pv
		mv.VerifiedAt = row.Verification.ExecutionDate
		mv.VerificationNum = row.Verification.Number
		mv.VerificationURL = h.verificationLink(row.Consumer, row.Provider, row.PactSHA, row.Verification.Number)
		if row.Kind == broker.KindBiDirectional {
			mv.VerificationURL = h.link("/contracts/provider", row.Provider, "version", row.Verification.ProviderVersion)
		}
		mv.BuildURL = safeURL(row.Verification.BuildURL)
	}
	return mv
}

func (h *handler) matrixVersion(pacticipant string, v broker.MatrixVersion) matrixVersionView {
	return matrixVersionView{
		Number: v.Number, URL: h.versionLink(pacticipant, v.Number),
		Branches: v.Branches, Tags: v.Tags, Environments: v.Environments, CreatedAt: v.CreatedAt,
	}
}

// --- environments ---

type deployedView struct {
	Pacticipant string
	URL         string
	VersionURL  string
	Version     string
	Instance    string
	Since       time.Time
}

type environmentView struct {
	Name        string
	URL         string
	DisplayName string
	Production  bool
	Deployed    []deployedView
	Released    []deployedView
}

type environmentsData struct {
	Environments []environmentView
}

func (h *handler) environments(r *http.Request) (*page, error) {
	ctx := r.Context()
	envs, err := h.store.ListEnvironments(ctx)
	if err != nil {
		return nil, wrapf(err, "list environments")
	}
	var d environmentsData
	for _, e := range envs {
		ev := environmentView{Name: e.Name, URL: h.link("/environments", e.UUID), Production: e.Production}
		if e.DisplayName != "" && e.DisplayName != e.Name {
			ev.DisplayName = e.DisplayName
		}
		deployed, err := h.store.ListDeployedVersions(ctx, broker.DeploymentFilter{EnvironmentUUID: e.UUID, CurrentOnly: true})
		if err != nil {
			return nil, wrapf(err, "deployments in %q", e.Name)
		}
		for _, dv := range deployed {
			ev.Deployed = append(ev.Deployed, deployedView{Pacticipant: dv.Pacticipant, URL: h.pacticipantLink(dv.Pacticipant),
				VersionURL: h.versionLink(dv.Pacticipant, dv.Version), Version: dv.Version, Instance: dv.ApplicationInstance, Since: dv.CreatedAt})
		}
		released, err := h.store.ListReleasedVersions(ctx, broker.DeploymentFilter{EnvironmentUUID: e.UUID, CurrentOnly: true})
		if err != nil {
			return nil, wrapf(err, "releases in %q", e.Name)
		}
		for _, rv := range released {
			ev.Released = append(ev.Released, deployedView{Pacticipant: rv.Pacticipant, URL: h.pacticipantLink(rv.Pacticipant),
				VersionURL: h.versionLink(rv.Pacticipant, rv.Version), Version: rv.Version, Since: rv.CreatedAt})
		}
		sortDeployed(ev.Deployed)
		sortDeployed(ev.Released)
		d.Environments = append(d.Environments, ev)
	}
	// Production environments last, as in a pipeline.
	sort.SliceStable(d.Environments, func(i, j int) bool {
		return !d.Environments[i].Production && d.Environments[j].Production
	})
	return &page{name: "environments", title: "Environments", nav: "environments", data: d}, nil
}

func sortDeployed(ds []deployedView) {
	sort.SliceStable(ds, func(i, j int) bool {
		if ds[i].Pacticipant != ds[j].Pacticipant {
			return ds[i].Pacticipant < ds[j].Pacticipant
		}
		return ds[i].Instance < ds[j].Instance
	})
}

// listPage returns page n (1-based) of size items from list, which is
// asked for one item more to learn whether a next page exists.
func listPage[T any](n, size int, list func(broker.Page) ([]T, error)) ([]T, bool, error) {
	xs, err := list(broker.Page{Offset: (n - 1) * size, Limit: size + 1})
	if err != nil || len(xs) <= size {
		return xs, false, err
	}
	return xs[:size], true, nil
}
