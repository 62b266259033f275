package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// timeJSON formats a time the way the Pact Broker does (RFC 3339).
func timeJSON(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (u urls) pacticipantJSON(p broker.Pacticipant, latest *broker.Version) map[string]any {
	out := map[string]any{
		"name":          p.Name,
		"displayName":   orDefault(p.DisplayName, p.Name),
		"repositoryUrl": nullable(p.RepositoryURL),
		"mainBranch":    nullable(p.MainBranch),
		"createdAt":     timeJSON(p.CreatedAt),
		"updatedAt":     timeJSON(p.UpdatedAt),
	}
	self := u.pacticipant(p.Name)
	esc := api.PathOf(p.Name)
	out["_links"] = links{
		"self":              api.Link{Href: self, Title: p.Name},
		"pb:versions":       api.Link{Href: self + "/versions", Title: "Versions"},
		"versions":          api.Link{Href: self + "/versions"},
		"pb:version":        api.Link{Href: u.raw("/pacticipants" + esc + "/versions/{version}"), Title: "Get, create or delete a pacticipant version", Templated: true},
		"pb:version-tag":    api.Link{Href: u.raw("/pacticipants" + esc + "/versions/{version}/tags/{tag}"), Title: "Get, create or delete a tag for a version", Templated: true},
		"pb:branch-version": api.Link{Href: u.raw("/pacticipants" + esc + "/branches/{branch}/versions/{version}"), Title: "Get or add/create a version for a branch", Templated: true},
		"pb:branches":       api.Link{Href: self + "/branches", Title: "Branches"},
		"pb:latest-version": api.Link{Href: self + "/latest-version", Title: "Latest version"},
		"pb:label":          api.Link{Href: u.raw("/pacticipants" + esc + "/labels/{label}"), Title: "Get, create or delete a label", Templated: true},
		"pb:main-branch":    api.Link{Href: self + "/branches/" + pathSegment(p.MainBranch), Title: "Main branch"},
	}
	if p.MainBranch == "" {
		delete(out["_links"].(links), "pb:main-branch")
	}
	if latest != nil {
		out["_embedded"] = map[string]any{"latest-version": u.versionSummary(*latest)}
	}
	return out
}

func pathSegment(s string) string { return api.PathOf(s)[1:] }

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (u urls) versionSummary(v broker.Version) map[string]any {
	return map[string]any{
		"number": v.Number,
		"_links": links{"self": api.Link{Href: u.version(v.Pacticipant, v.Number), Title: "Version", Name: v.Number}},
	}
}

// versionJSON is the full version resource. envs are the environments the
// version can be recorded as deployed to or released to.
func (u urls) versionJSON(v broker.Version, envs []broker.Environment) api.Version {
	self := u.version(v.Pacticipant, v.Number)
	out := api.Version{Number: v.Number, BuildURL: optional(v.BuildURL), CreatedAt: timeString(v.CreatedAt)}
	out.Embedded.BranchVersions = make([]api.Named, 0, len(v.Branches))
	for _, b := range v.Branches {
		out.Embedded.BranchVersions = append(out.Embedded.BranchVersions, api.Named{Name: b, Links: api.Links{
			"self": api.Link{Href: u.href("pacticipants", v.Pacticipant, "branches", b, "versions", v.Number), Title: "Branch version"},
		}})
	}
	out.Embedded.Tags = make([]api.Named, 0, len(v.Tags))
	for _, t := range v.Tags {
		out.Embedded.Tags = append(out.Embedded.Tags, api.Named{Name: t, Links: api.Links{
			"self": api.Link{Href: u.href("pacticipants", v.Pacticipant, "versions", v.Number, "tags", t), Title: "Tag"},
		}})
	}
	deploy := make([]api.Link, 0, len(envs))
	release := make([]api.Link, 0, len(envs))
	for _, e := range envs {
		deploy = append(deploy, api.Link{Href: self + "/deployed-versions/environment/" + pathSegment(e.UUID), Name: e.Name, Title: "Record deployment to " + orDefault(e.DisplayName, e.Name)})
		release = append(release, api.Link{Href: self + "/released-versions/environment/" + pathSegment(e.UUID), Name: e.Name, Title: "Record release to " + orDefault(e.DisplayName, e.Name)})
	}
	out.Links = links{
		"self":                 api.Link{Href: self, Title: "Version", Name: v.Number},
		"pb:pacticipant":       api.Link{Href: u.pacticipant(v.Pacticipant), Title: "Pacticipant", Name: v.Pacticipant},
		"pb:tag":               api.Link{Href: self + "/tags/{tag}", Title: "Get, create or delete a tag for this pacticipant version", Templated: true},
		"pb:record-deployment": deploy,
		"pb:record-release":    release,
	}
	return out
}

func (u urls) environmentJSON(e broker.Environment) api.Environment {
	self := u.environment(e.UUID)
	return api.Environment{
		UUID:        e.UUID,
		Name:        e.Name,
		DisplayName: orDefault(e.DisplayName, e.Name),
		Production:  e.Production,
		CreatedAt:   timeString(e.CreatedAt),
		UpdatedAt:   timeString(e.UpdatedAt),
		Contacts:    e.Contacts,
		Links: api.Links{
			"self":            api.Link{Href: self, Title: "Environment", Name: e.Name},
			"pb:environments": api.Link{Href: u.href("environments"), Title: "Environments"},
			"pb:currently-deployed-deployed-versions":  api.Link{Href: self + "/deployed-versions/currently-deployed", Title: "Versions currently deployed to " + orDefault(e.DisplayName, e.Name) + " environment"},
			"pb:currently-supported-released-versions": api.Link{Href: self + "/released-versions/currently-supported", Title: "Versions released and supported in " + orDefault(e.DisplayName, e.Name) + " environment"},
		},
	}
}

// timeString is timeJSON for a field that is left out when the time is
// unknown.
func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return api.Time(t)
}

func (u urls) versionSummaryDoc(pacticipant, number string) api.VersionSummary {
	return api.VersionSummary{Number: number, Links: api.Links{"self": api.Link{Href: u.version(pacticipant, number), Title: "Version", Name: number}}}
}

func (u urls) pacticipantSummary(name string) api.PacticipantSummary {
	return api.PacticipantSummary{Name: name, Links: api.Links{"self": api.Link{Href: u.pacticipant(name)}}}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (u urls) deployedJSON(d broker.DeployedVersion, v *broker.Version, e *broker.Environment) api.DeployedVersion {
	out := api.DeployedVersion{
		UUID:                d.UUID,
		CurrentlyDeployed:   d.CurrentlyDeployed,
		ApplicationInstance: optional(d.ApplicationInstance),
		Target:              optional(d.ApplicationInstance),
		CreatedAt:           timeString(d.CreatedAt),
		Links: api.Links{
			"self":           api.Link{Href: u.href("deployed-versions", d.UUID), Title: "Deployed version"},
			"pb:version":     api.Link{Href: u.version(d.Pacticipant, d.Version), Name: d.Version},
			"pb:environment": api.Link{Href: u.environment(d.EnvironmentUUID), Name: d.EnvironmentName},
		},
	}
	if d.UndeployedAt != nil {
		out.UndeployedAt = timeString(*d.UndeployedAt)
	}
	if v != nil {
		out.Embedded.Version = u.versionSummaryDoc(v.Pacticipant, v.Number)
	} else {
		out.Embedded.Version = u.versionSummaryDoc(d.Pacticipant, d.Version)
	}
	out.Embedded.Pacticipant = u.pacticipantSummary(d.Pacticipant)
	if e != nil {
		env := u.environmentJSON(*e)
		out.Embedded.Environment = &env
	}
	return out
}

// deployedListJSON is deployedJSON of an item of a list, which embeds
// neither the version in full nor the environment.
func (u urls) deployedListJSON(d broker.DeployedVersion) api.DeployedVersion {
	return u.deployedJSON(d, nil, nil)
}

func (u urls) releasedJSON(r broker.ReleasedVersion) api.ReleasedVersion {
	out := api.ReleasedVersion{
		UUID:               r.UUID,
		CurrentlySupported: r.CurrentlySupported,
		CreatedAt:          timeString(r.CreatedAt),
		UpdatedAt:          timeString(r.UpdatedAt),
		Links: api.Links{
			"self":           api.Link{Href: u.href("released-versions", r.UUID), Title: "Released version"},
			"pb:version":     api.Link{Href: u.version(r.Pacticipant, r.Version), Name: r.Version},
			"pb:environment": api.Link{Href: u.environment(r.EnvironmentUUID), Name: r.EnvironmentName},
		},
	}
	if r.SupportEndedAt != nil {
		out.SupportEndedAt = timeString(*r.SupportEndedAt)
	}
	out.Embedded.Version = u.versionSummaryDoc(r.Pacticipant, r.Version)
	out.Embedded.Pacticipant = u.pacticipantSummary(r.Pacticipant)
	return out
}

// pageFrom reads pageNumber/pageSize (1-based, the Pact Broker's names) or
// page/size from the query.
func pageFrom(r *http.Request) (broker.Page, error) {
	q := r.URL.Query()
	num, size := q.Get("pageNumber"), q.Get("pageSize")
	if num == "" {
		num = q.Get("page")
	}
	if size == "" {
		size = q.Get("size")
	}
	p := broker.Page{Limit: broker.DefaultPageSize}
	if size != "" {
		n, err := strconv.Atoi(size)
		if err != nil || n < 1 {
			return p, invalid("pageSize", "must be a positive integer, got %q", size)
		}
		p.Limit = min(n, broker.MaxPageSize)
	}
	if num != "" {
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 {
			return p, invalid("pageNumber", "must be a positive integer, got %q", num)
		}
		if n-1 > math.MaxInt64/p.Limit { // the offset would overflow
			return p, invalid("pageNumber", "is too large for page size %d, got %q", p.Limit, num)
		}
		p.Offset = (n - 1) * p.Limit
	}
	return p, nil
}

// addPageLinks adds "next" and "previous" links of a list page of n items
// (next when the page is full: there may be more).
func (u urls) addPageLinks(r *http.Request, page broker.Page, n int, l links) {
	at := func(number int) api.Link {
		q := r.URL.Query()
		q.Del("page")
		q.Del("size")
		q.Set("pageNumber", strconv.Itoa(number))
		q.Set("pageSize", strconv.Itoa(page.Limit))
		return api.Link{Href: u.raw(r.URL.EscapedPath()) + "?" + q.Encode(), Title: fmt.Sprintf("Page %d", number)}
	}
	current := page.Offset/page.Limit + 1
	if n >= page.Limit {
		l["next"] = at(current + 1)
	}
	if current > 1 {
		l["previous"] = at(current - 1)
	}
}

// latestVersionOrNil returns the pacticipant's latest version, nil when it
// has none.
func (s *server) latestVersionOrNil(ctx context.Context, name string) (*broker.Version, error) {
	v, err := s.store.LatestVersion(ctx, name, broker.VersionFilter{})
	if errors.Is(err, broker.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}
