package web

import (
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
)

// deploymentView is one deployment or release record of a version or in
// an environment.
type deploymentView struct {
	Pacticipant    string
	PacticipantURL string
	Version        string
	VersionURL     string
	Environment    string
	EnvironmentURL string
	Instance       string
	Since          time.Time
	Current        bool
	Ended          time.Time
}

// pactStatusView is one pact the version published, or one pact it
// verified, with the outcome.
type pactStatusView struct {
	Other           string // the provider (pacts published) or consumer (pacts verified)
	OtherURL        string
	OtherVersion    string
	OtherVersionURL string
	PactURL         string
	Status          string
	VerificationURL string
	VerifiedAt      time.Time
}

type versionData struct {
	Pacticipant    string
	PacticipantURL string
	Number         string
	BuildURL       string
	CreatedAt      time.Time
	Branches       []branchView
	Tags           []string
	Deployments    []deploymentView
	Releases       []deploymentView
	// Pacts are the version's pacts as a consumer with each verification
	// (or an unverified row); Verified are the pacts it verified as a
	// provider.
	Pacts      []pactStatusView
	Verified   []pactStatusView
	CanIDeploy []canIDeployLink
	// ProviderContractURL links the version's provider contract ("" when
	// it published none); ProviderContractSpec names its specification.
	ProviderContractURL  string
	ProviderContractSpec string
	// ProviderContractDocs is true when the version has several provider
	// contracts (one per specification).
	ProviderContractDocs bool
}

type canIDeployLink struct {
	Environment string
	BadgeURL    string
}

// version shows one pacticipant version: its branches, tags, deployments
// and releases, the pacts it published and the pacts it verified.
func (h *handler) version(r *http.Request) (*page, error) {
	ctx := r.Context()
	name, number := r.PathValue("name"), r.PathValue("version")
	p, err := h.store.GetPacticipant(ctx, name)
	if err != nil {
		return nil, wrapf(err, "pacticipant %q", name)
	}
	v, err := h.store.GetVersion(ctx, name, number)
	if errors.Is(err, broker.ErrNotFound) {
		return nil, notFound("%s has no version %q", name, number)
	}
	if err != nil {
		return nil, wrapf(err, "version %q of %q", number, name)
	}
	d := versionData{Pacticipant: name, PacticipantURL: h.pacticipantLink(name), Number: v.Number,
		BuildURL: safeURL(v.BuildURL), CreatedAt: v.CreatedAt, Tags: v.Tags}
	for _, b := range v.Branches {
		d.Branches = append(d.Branches, branchView{Name: b, Main: b == p.MainBranch})
	}
	switch pcs, err := h.store.GetProviderContracts(ctx, name, number); {
	case err == nil:
		d.ProviderContractURL = h.link("/contracts/provider", name, "version", number)
		var specs []string
		for _, pc := range pcs {
			spec := "OpenAPI"
			if pc.Specification == broker.SpecAsyncAPI {
				spec = "AsyncAPI"
			}
			specs = append(specs, spec)
		}
		d.ProviderContractSpec = strings.Join(specs, " and ")
		d.ProviderContractDocs = len(specs) > 1
	case !errors.Is(err, broker.ErrNotFound):
		return nil, wrapf(err, "provider contract of %q %q", name, number)
	}
	deployed, err := h.store.ListDeployedVersions(ctx, broker.DeploymentFilter{Pacticipant: name, Version: number})
	if err != nil {
		return nil, wrapf(err, "deployments of %q %q", name, number)
	}
	envURLs := map[string]string{}
	for _, dv := range deployed {
		envURLs[dv.EnvironmentName] = h.link("/environments", dv.EnvironmentUUID)
		dep := deploymentView{Environment: dv.EnvironmentName, EnvironmentURL: envURLs[dv.EnvironmentName],
			Instance: dv.ApplicationInstance, Since: dv.CreatedAt, Current: dv.CurrentlyDeployed}
		if dv.UndeployedAt != nil {
			dep.Ended = *dv.UndeployedAt
		}
		d.Deployments = append(d.Deployments, dep)
	}
	released, err := h.store.ListReleasedVersions(ctx, broker.DeploymentFilter{Pacticipant: name, Version: number})
	if err != nil {
		return nil, wrapf(err, "releases of %q %q", name, number)
	}
	for _, rv := range released {
		envURLs[rv.EnvironmentName] = h.link("/environments", rv.EnvironmentUUID)
		rel := deploymentView{Environment: rv.EnvironmentName, EnvironmentURL: envURLs[rv.EnvironmentName],
			Since: rv.CreatedAt, Current: rv.CurrentlySupported}
		if rv.SupportEndedAt != nil {
			rel.Ended = *rv.SupportEndedAt
		}
		d.Releases = append(d.Releases, rel)
	}

	rows, err := h.store.MatrixRows(ctx, broker.MatrixRowQuery{Versions: []broker.VersionRef{{Pacticipant: name, Number: number}}, Mode: broker.RowsInvolving, Limit: broker.MaxMatrixLimit})
	if err != nil {
		return nil, wrapf(err, "matrix of %q %q", name, number)
	}
	sort.SliceStable(rows, func(i, j int) bool { return newerVerification(rows[i], rows[j]) })
	for _, row := range rows {
		sv := pactStatusView{
			PactURL: h.pactLink(row.Consumer, row.Provider, row.ConsumerVersion.Number),
			Status:  verificationStatus(row.Verification),
		}
		if row.Verification != nil {
			sv.VerificationURL = h.verificationLink(row.Consumer, row.Provider, row.PactSHA, row.Verification.Number)
			sv.VerifiedAt = row.Verification.ExecutionDate
		}
		switch {
		case row.Consumer == name && row.ConsumerVersion.Number == number:
			sv.Other, sv.OtherURL = row.Provider, h.pacticipantLink(row.Provider)
			if row.ProviderVersion != nil {
				sv.OtherVersion, sv.OtherVersionURL = row.ProviderVersion.Number, h.versionLink(row.Provider, row.ProviderVersion.Number)
			}
			d.Pacts = append(d.Pacts, sv)
		case row.Provider == name && row.ProviderVersion != nil && row.ProviderVersion.Number == number:
			sv.Other, sv.OtherURL = row.Consumer, h.pacticipantLink(row.Consumer)
			sv.OtherVersion, sv.OtherVersionURL = row.ConsumerVersion.Number, h.versionLink(row.Consumer, row.ConsumerVersion.Number)
			d.Verified = append(d.Verified, sv)
		}
	}
	envs, err := h.store.ListEnvironments(ctx)
	if err != nil {
		return nil, wrapf(err, "list environments")
	}
	if len(v.Branches) > 0 {
		// Badges of the version's (first) branch head, one per environment.
		b := v.Branches[0]
		for _, e := range envs {
			d.CanIDeploy = append(d.CanIDeploy, canIDeployLink{Environment: e.Name,
				BadgeURL: h.link("/pacticipants", name, "branches", b, "latest-version", "can-i-deploy", "to-environment", e.Name, "badge")})
		}
	}
	return &page{name: "version", title: name + " " + number, nav: "pacticipants", data: d}, nil
}

type environmentData struct {
	ListURL     string
	Name        string
	DisplayName string
	Production  bool
	CreatedAt   time.Time
	Deployed    []deploymentView
	Released    []deploymentView
	// History holds the deployments and releases that ended, newest
	// first, at most historyShown.
	History     []deploymentView
	MoreHistory bool
}

// historyShown caps the ended deployments and releases on an environment
// page.
const historyShown = 25

// environment shows what is deployed to and released in one environment,
// and what was.
func (h *handler) environment(r *http.Request) (*page, error) {
	ctx := r.Context()
	e, err := h.store.GetEnvironment(ctx, r.PathValue("uuid"))
	if errors.Is(err, broker.ErrNotFound) {
		return nil, notFound("there is no environment with id %q", r.PathValue("uuid"))
	}
	if err != nil {
		return nil, wrapf(err, "environment %q", r.PathValue("uuid"))
	}
	d := environmentData{ListURL: h.link("/environments"), Name: e.Name, Production: e.Production, CreatedAt: e.CreatedAt}
	if e.DisplayName != e.Name {
		d.DisplayName = e.DisplayName
	}
	deployed, err := h.store.ListDeployedVersions(ctx, broker.DeploymentFilter{EnvironmentUUID: e.UUID})
	if err != nil {
		return nil, wrapf(err, "deployments in %q", e.Name)
	}
	for _, dv := range deployed {
		v := deploymentView{Pacticipant: dv.Pacticipant, PacticipantURL: h.pacticipantLink(dv.Pacticipant),
			Version: dv.Version, VersionURL: h.versionLink(dv.Pacticipant, dv.Version), Environment: "deployed",
			Instance: dv.ApplicationInstance, Since: dv.CreatedAt, Current: dv.CurrentlyDeployed}
		if dv.CurrentlyDeployed {
			d.Deployed = append(d.Deployed, v)
			continue
		}
		if dv.UndeployedAt != nil {
			v.Ended = *dv.UndeployedAt
		}
		d.History = append(d.History, v)
	}
	released, err := h.store.ListReleasedVersions(ctx, broker.DeploymentFilter{EnvironmentUUID: e.UUID})
	if err != nil {
		return nil, wrapf(err, "releases in %q", e.Name)
	}
	for _, rv := range released {
		v := deploymentView{Pacticipant: rv.Pacticipant, PacticipantURL: h.pacticipantLink(rv.Pacticipant),
			Version: rv.Version, VersionURL: h.versionLink(rv.Pacticipant, rv.Version), Environment: "released",
			Since: rv.CreatedAt, Current: rv.CurrentlySupported}
		if rv.CurrentlySupported {
			d.Released = append(d.Released, v)
			continue
		}
		if rv.SupportEndedAt != nil {
			v.Ended = *rv.SupportEndedAt
		}
		d.History = append(d.History, v)
	}
	byName := func(xs []deploymentView) {
		sort.SliceStable(xs, func(i, j int) bool {
			if xs[i].Pacticipant != xs[j].Pacticipant {
				return xs[i].Pacticipant < xs[j].Pacticipant
			}
			return xs[i].Instance < xs[j].Instance
		})
	}
	byName(d.Deployed)
	byName(d.Released)
	sort.SliceStable(d.History, func(i, j int) bool { return d.History[i].Ended.After(d.History[j].Ended) })
	if len(d.History) > historyShown {
		d.History, d.MoreHistory = d.History[:historyShown], true
	}
	return &page{name: "environment", title: e.Name, nav: "environments", data: d}, nil
}
