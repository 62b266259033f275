package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// pacticipantBody is the JSON of a pacticipant write. Pointers tell absent
// fields (kept by PATCH) from empty ones. repository_url is accepted for
// old clients.
type pacticipantBody struct {
	Name             *string `json:"name"`
	DisplayName      *string `json:"displayName"`
	RepositoryURL    *string `json:"repositoryUrl"`
	RepositoryURLOld *string `json:"repository_url"`
	MainBranch       *string `json:"mainBranch"`
}

func (b pacticipantBody) apply(p *broker.Pacticipant) {
	if b.DisplayName != nil {
		p.DisplayName = *b.DisplayName
	}
	if b.RepositoryURL != nil {
		p.RepositoryURL = *b.RepositoryURL
	} else if b.RepositoryURLOld != nil {
		p.RepositoryURL = *b.RepositoryURLOld
	}
	if b.MainBranch != nil {
		p.MainBranch = *b.MainBranch
	}
}

func (s *server) listPacticipants(w http.ResponseWriter, r *http.Request) error {
	page, err := pageFrom(r)
	if err != nil {
		return err
	}
	ps, err := s.store.ListPacticipants(r.Context(), page)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	items := make([]map[string]any, 0, len(ps))
	refs := make([]api.Link, 0, len(ps))
	for _, p := range ps {
		latest, err := s.latestVersionOrNil(r.Context(), p.Name)
		if err != nil {
			return err
		}
		item, err := s.pacticipantWithLabels(r.Context(), u, p, latest)
		if err != nil {
			return err
		}
		items = append(items, item)
		refs = append(refs, api.Link{Href: u.pacticipant(p.Name), Title: p.Name, Name: p.Name})
	}
	l := links{"self": api.Link{Href: u.href("pacticipants"), Title: "Pacticipants"}, "pacticipants": refs, "pb:pacticipants": refs}
	u.addPageLinks(r, page, len(ps), l)
	writeJSON(w, http.StatusOK, map[string]any{
		"pacticipants": items,
		"_embedded":    map[string]any{"pacticipants": items},
		"_links":       l,
	})
	return nil
}

func (s *server) createPacticipant(w http.ResponseWriter, r *http.Request) error {
	var b pacticipantBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	if b.Name == nil || strings.TrimSpace(*b.Name) == "" {
		return invalid("name", "is required")
	}
	p := broker.Pacticipant{Name: *b.Name}
	b.apply(&p)
	created, err := s.store.CreatePacticipant(r.Context(), p)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	w.Header().Set("Location", u.pacticipant(created.Name))
	out, err := s.pacticipantWithLabels(r.Context(), u, created, nil)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *server) getPacticipant(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("pacticipant")
	p, err := s.store.GetPacticipant(r.Context(), name)
	if err != nil {
		return err
	}
	latest, err := s.latestVersionOrNil(r.Context(), name)
	if err != nil {
		return err
	}
	out, err := s.pacticipantWithLabels(r.Context(), s.urlsFor(r), p, latest)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// putPacticipant replaces the pacticipant's settable fields.
func (s *server) putPacticipant(w http.ResponseWriter, r *http.Request) error {
	return s.writePacticipant(w, r, false)
}

// patchPacticipant merges the given fields; it creates the pacticipant when
// it does not exist (201), as the Pact Broker does.
func (s *server) patchPacticipant(w http.ResponseWriter, r *http.Request) error {
	return s.writePacticipant(w, r, true)
}

func (s *server) writePacticipant(w http.ResponseWriter, r *http.Request, merge bool) error {
	name := r.PathValue("pacticipant")
	var b pacticipantBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	if b.Name != nil && *b.Name != name {
		return invalid("name", "%q does not match the pacticipant in the URL %q; renaming is not supported", *b.Name, name)
	}
	p := broker.Pacticipant{Name: name}
	if merge {
		existing, err := s.store.GetPacticipant(r.Context(), name)
		switch {
		case err == nil:
			p = existing
		case !errors.Is(err, broker.ErrNotFound):
			return err
		}
	}
	b.apply(&p)
	saved, created, err := s.store.PutPacticipant(r.Context(), p)
	if err != nil {
		return err
	}
	latest, err := s.latestVersionOrNil(r.Context(), name)
	if err != nil {
		return err
	}
	out, err := s.pacticipantWithLabels(r.Context(), s.urlsFor(r), saved, latest)
	if err != nil {
		return err
	}
	writeJSON(w, upsertStatus(created), out)
	return nil
}

func (s *server) deletePacticipant(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeletePacticipant(r.Context(), r.PathValue("pacticipant")))
}

func (s *server) listVersions(w http.ResponseWriter, r *http.Request) error {
	page, err := pageFrom(r)
	if err != nil {
		return err
	}
	name := r.PathValue("pacticipant")
	vs, err := s.store.ListVersions(r.Context(), name, page)
	if err != nil {
		return err
	}
	return s.writeVersionList(w, r, vs, page, s.urlsFor(r).href("pacticipants", name, "versions"))
}

func (s *server) writeVersionList(w http.ResponseWriter, r *http.Request, vs []broker.Version, page broker.Page, self string) error {
	u := s.urlsFor(r)
	envs, err := s.store.ListEnvironments(r.Context())
	if err != nil {
		return err
	}
	items := make([]api.Version, 0, len(vs))
	refs := make([]api.Link, 0, len(vs))
	for _, v := range vs {
		items = append(items, u.versionJSON(v, envs))
		refs = append(refs, api.Link{Href: u.version(v.Pacticipant, v.Number), Title: "Version", Name: v.Number})
	}
	l := links{"self": api.Link{Href: self}, "versions": refs}
	u.addPageLinks(r, page, len(vs), l)
	writeJSON(w, http.StatusOK, map[string]any{
		"_embedded": map[string]any{"versions": items},
		"_links":    l,
	})
	return nil
}

func (s *server) getVersion(w http.ResponseWriter, r *http.Request) error {
	v, err := s.store.GetVersion(r.Context(), r.PathValue("pacticipant"), r.PathValue("version"))
	if err != nil {
		return err
	}
	envs, err := s.store.ListEnvironments(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urlsFor(r).versionJSON(v, envs))
	return nil
}

// putVersion creates the version or sets its build URL (PUT and PATCH).
func (s *server) putVersion(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		BuildURL string `json:"buildUrl"`
	}
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	v, created, err := s.store.PutVersion(r.Context(), r.PathValue("pacticipant"), r.PathValue("version"), b.BuildURL)
	if err != nil {
		return err
	}
	envs, err := s.store.ListEnvironments(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, upsertStatus(created), s.urlsFor(r).versionJSON(v, envs))
	return nil
}

func (s *server) deleteVersion(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeleteVersion(r.Context(), r.PathValue("pacticipant"), r.PathValue("version")))
}

// latestVersion serves latest-version, latest-version/{tag} and
// branches/{branch}/latest-version.
func (s *server) latestVersion(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("pacticipant")
	f := broker.VersionFilter{Tag: r.PathValue("tag"), Branch: r.PathValue("branch")}
	v, err := s.store.LatestVersion(r.Context(), name, f)
	if err != nil {
		return err
	}
	envs, err := s.store.ListEnvironments(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urlsFor(r).versionJSON(v, envs))
	return nil
}

func (u urls) branchJSON(b broker.Branch) map[string]any {
	self := u.href("pacticipants", b.Pacticipant, "branches", b.Name)
	out := map[string]any{
		"name":      b.Name,
		"createdAt": timeJSON(b.CreatedAt),
		"updatedAt": timeJSON(b.UpdatedAt),
		"_links": links{
			"self":              api.Link{Href: self, Title: "Branch", Name: b.Name},
			"pb:pacticipant":    api.Link{Href: u.pacticipant(b.Pacticipant), Name: b.Pacticipant},
			"pb:versions":       api.Link{Href: self + "/versions", Title: "Versions on branch " + b.Name},
			"pb:latest-version": api.Link{Href: self + "/latest-version", Title: "Latest version on branch " + b.Name},
		},
	}
	if b.Head != "" {
		out["_embedded"] = map[string]any{"latest-version": u.versionSummary(broker.Version{Pacticipant: b.Pacticipant, Number: b.Head})}
	}
	return out
}

func (s *server) listBranches(w http.ResponseWriter, r *http.Request) error {
	page, err := pageFrom(r)
	if err != nil {
		return err
	}
	name := r.PathValue("pacticipant")
	bs, err := s.store.ListBranches(r.Context(), name, page)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	l := links{"self": api.Link{Href: u.href("pacticipants", name, "branches")}}
	u.addPageLinks(r, page, len(bs), l)
	writeJSON(w, http.StatusOK, collection("branches", bs, u.branchJSON, l))
	return nil
}

func (s *server) getBranch(w http.ResponseWriter, r *http.Request) error {
	b, err := s.store.GetBranch(r.Context(), r.PathValue("pacticipant"), r.PathValue("branch"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urlsFor(r).branchJSON(b))
	return nil
}

func (s *server) deleteBranch(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeleteBranch(r.Context(), r.PathValue("pacticipant"), r.PathValue("branch")))
}

func (s *server) listBranchVersions(w http.ResponseWriter, r *http.Request) error {
	page, err := pageFrom(r)
	if err != nil {
		return err
	}
	name, branch := r.PathValue("pacticipant"), r.PathValue("branch")
	vs, err := s.store.ListBranchVersions(r.Context(), name, branch, page)
	if err != nil {
		return err
	}
	return s.writeVersionList(w, r, vs, page, s.urlsFor(r).href("pacticipants", name, "branches", branch, "versions"))
}

func (u urls) branchVersionJSON(bv broker.BranchVersion) map[string]any {
	return map[string]any{
		"createdAt": timeJSON(bv.CreatedAt),
		"_links": links{
			"self":           api.Link{Href: u.href("pacticipants", bv.Pacticipant, "branches", bv.Branch, "versions", bv.Version), Title: "Branch version"},
			"pb:branch":      api.Link{Href: u.href("pacticipants", bv.Pacticipant, "branches", bv.Branch), Name: bv.Branch},
			"pb:version":     api.Link{Href: u.version(bv.Pacticipant, bv.Version), Name: bv.Version},
			"pb:pacticipant": api.Link{Href: u.pacticipant(bv.Pacticipant), Name: bv.Pacticipant},
		},
	}
}

func (s *server) getBranchVersion(w http.ResponseWriter, r *http.Request) error {
	bv, err := s.store.GetBranchVersion(r.Context(), r.PathValue("pacticipant"), r.PathValue("branch"), r.PathValue("version"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urlsFor(r).branchVersionJSON(bv))
	return nil
}

func (s *server) putBranchVersion(w http.ResponseWriter, r *http.Request) error {
	var ignored map[string]any
	if err := decodeJSON(r, &ignored); err != nil {
		return err
	}
	bv, created, err := s.store.AddBranchVersion(r.Context(), r.PathValue("pacticipant"), r.PathValue("branch"), r.PathValue("version"))
	if err != nil {
		return err
	}
	writeJSON(w, upsertStatus(created), s.urlsFor(r).branchVersionJSON(bv))
	return nil
}

func (u urls) tagJSON(t broker.Tag) map[string]any {
	return map[string]any{
		"name":      t.Name,
		"createdAt": timeJSON(t.CreatedAt),
		"_links": links{
			"self":           api.Link{Href: u.href("pacticipants", t.Pacticipant, "versions", t.Version, "tags", t.Name), Title: "Tag", Name: t.Name},
			"pb:version":     api.Link{Href: u.version(t.Pacticipant, t.Version), Name: t.Version},
			"pb:pacticipant": api.Link{Href: u.pacticipant(t.Pacticipant), Name: t.Pacticipant},
		},
	}
}

func (s *server) listTags(w http.ResponseWriter, r *http.Request) error {
	name, version := r.PathValue("pacticipant"), r.PathValue("version")
	ts, err := s.store.ListTags(r.Context(), name, version)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	writeJSON(w, http.StatusOK, collection("tags", ts, u.tagJSON, links{"self": api.Link{Href: u.href("pacticipants", name, "versions", version, "tags")}}))
	return nil
}

func (s *server) getTag(w http.ResponseWriter, r *http.Request) error {
	t, err := s.store.GetTag(r.Context(), r.PathValue("pacticipant"), r.PathValue("version"), r.PathValue("tag"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urlsFor(r).tagJSON(t))
	return nil
}

func (s *server) putTag(w http.ResponseWriter, r *http.Request) error {
	var ignored map[string]any
	if err := decodeJSON(r, &ignored); err != nil {
		return err
	}
	t, created, err := s.store.AddTag(r.Context(), r.PathValue("pacticipant"), r.PathValue("version"), r.PathValue("tag"))
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	if created {
		w.Header().Set("Location", u.href("pacticipants", t.Pacticipant, "versions", t.Version, "tags", t.Name))
	}
	writeJSON(w, upsertStatus(created), u.tagJSON(t))
	return nil
}

func (s *server) deleteTag(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeleteTag(r.Context(), r.PathValue("pacticipant"), r.PathValue("version"), r.PathValue("tag")))
}
