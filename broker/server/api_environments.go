package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// environmentOf checks an environment request.
func environmentOf(b api.EnvironmentRequest) (broker.Environment, error) {
	fe := fieldErrors{}
	if b.Name == nil || *b.Name == "" {
		fe.add("name", "is required")
	} else if strings.ContainsAny(*b.Name, " \t\n") {
		fe.add("name", "must not contain spaces, got %q", *b.Name)
	}
	if b.Production == nil {
		fe.add("production", "is required (true or false)")
	}
	if len(b.Contacts) > 0 && string(b.Contacts) != "null" && strings.TrimSpace(string(b.Contacts))[0] != '[' {
		fe.add("contacts", "must be an array, got %s", b.Contacts)
	}
	if err := fe.errOrNil(); err != nil {
		return broker.Environment{}, err
	}
	e := broker.Environment{UUID: b.UUID, Name: *b.Name, DisplayName: b.DisplayName, Production: *b.Production}
	if len(b.Contacts) > 0 && string(b.Contacts) != "null" {
		e.Contacts = b.Contacts
	}
	return e, nil
}

func (s *server) listEnvironments(w http.ResponseWriter, r *http.Request) error {
	envs, err := s.store.ListEnvironments(r.Context())
	if err != nil {
		return err
	}
	name := r.URL.Query().Get("name")
	u := s.urlsFor(r)
	items := make([]api.Environment, 0, len(envs))
	refs := make([]api.Link, 0, len(envs))
	for _, e := range envs {
		if name != "" && e.Name != name {
			continue
		}
		items = append(items, u.environmentJSON(e))
		refs = append(refs, api.Link{Href: u.environment(e.UUID), Name: e.Name, Title: orDefault(e.DisplayName, e.Name)})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_embedded": map[string]any{"environments": items},
		"_links":    links{"self": api.Link{Href: u.href("environments"), Title: "Environments"}, "pb:environments": refs},
	})
	return nil
}

func (s *server) createEnvironment(w http.ResponseWriter, r *http.Request) error {
	var b api.EnvironmentRequest
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	e, err := environmentOf(b)
	if err != nil {
		return err
	}
	created, err := s.store.CreateEnvironment(r.Context(), e)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	w.Header().Set("Location", u.environment(created.UUID))
	writeJSON(w, http.StatusCreated, u.environmentJSON(created))
	return nil
}

func (s *server) getEnvironment(w http.ResponseWriter, r *http.Request) error {
	e, err := s.store.GetEnvironment(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urlsFor(r).environmentJSON(e))
	return nil
}

func (s *server) putEnvironment(w http.ResponseWriter, r *http.Request) error {
	var b api.EnvironmentRequest
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	uuid := r.PathValue("uuid")
	if b.UUID != "" && b.UUID != uuid {
		return invalid("uuid", "%q does not match the UUID in the URL %q", b.UUID, uuid)
	}
	b.UUID = uuid
	e, err := environmentOf(b)
	if err != nil {
		return err
	}
	updated, err := s.store.UpdateEnvironment(r.Context(), e)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urlsFor(r).environmentJSON(updated))
	return nil
}

func (s *server) deleteEnvironment(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeleteEnvironment(r.Context(), r.PathValue("uuid")))
}

func (s *server) currentlyDeployed(w http.ResponseWriter, r *http.Request) error {
	uuid := r.PathValue("uuid")
	env, err := s.store.GetEnvironment(r.Context(), uuid)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := broker.DeploymentFilter{EnvironmentUUID: uuid, Pacticipant: q.Get("pacticipant"), CurrentOnly: true}
	if q.Has("applicationInstance") || q.Has("target") {
		inst := q.Get("applicationInstance")
		if !q.Has("applicationInstance") {
			inst = q.Get("target")
		}
		f.ApplicationInstance = &inst
	}
	ds, err := s.store.ListDeployedVersions(r.Context(), f)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	writeJSON(w, http.StatusOK, collection("deployedVersions", ds, u.deployedListJSON, links{
		"self":           api.Link{Href: u.environment(uuid) + "/deployed-versions/currently-deployed", Title: "Currently deployed versions"},
		"pb:environment": api.Link{Href: u.environment(uuid), Name: env.Name},
	}))
	return nil
}

func (s *server) currentlySupported(w http.ResponseWriter, r *http.Request) error {
	uuid := r.PathValue("uuid")
	env, err := s.store.GetEnvironment(r.Context(), uuid)
	if err != nil {
		return err
	}
	rs, err := s.store.ListReleasedVersions(r.Context(), broker.DeploymentFilter{EnvironmentUUID: uuid, Pacticipant: r.URL.Query().Get("pacticipant"), CurrentOnly: true})
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	writeJSON(w, http.StatusOK, collection("releasedVersions", rs, u.releasedJSON, links{
		"self":           api.Link{Href: u.environment(uuid) + "/released-versions/currently-supported", Title: "Currently supported released versions"},
		"pb:environment": api.Link{Href: u.environment(uuid), Name: env.Name},
	}))
	return nil
}

func (s *server) recordDeployment(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		ApplicationInstance *string `json:"applicationInstance"`
		Target              *string `json:"target"`
	}
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	inst := ""
	if b.ApplicationInstance != nil {
		inst = *b.ApplicationInstance
	} else if b.Target != nil {
		inst = *b.Target
	}
	ctx := r.Context()
	name, number, uuid := r.PathValue("pacticipant"), r.PathValue("version"), r.PathValue("uuid")
	env, err := s.store.GetEnvironment(ctx, uuid)
	if err != nil {
		return err
	}
	v, err := s.store.GetVersion(ctx, name, number)
	if err != nil {
		return err
	}
	d, _, err := s.store.RecordDeployment(ctx, name, number, uuid, inst)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	w.Header().Set("Location", u.href("deployed-versions", d.UUID))
	writeJSON(w, http.StatusCreated, u.deployedJSON(d, &v, &env))
	return nil
}

func (s *server) listVersionDeployments(w http.ResponseWriter, r *http.Request) error {
	name, number, uuid := r.PathValue("pacticipant"), r.PathValue("version"), r.PathValue("uuid")
	ds, err := s.store.ListDeployedVersions(r.Context(), broker.DeploymentFilter{EnvironmentUUID: uuid, Pacticipant: name, Version: number})
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	writeJSON(w, http.StatusOK, collection("deployedVersions", ds, u.deployedListJSON, links{"self": api.Link{Href: u.version(name, number) + "/deployed-versions/environment/" + pathSegment(uuid)}}))
	return nil
}

func (s *server) getDeployedVersion(w http.ResponseWriter, r *http.Request) error {
	d, err := s.store.GetDeployedVersion(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urlsFor(r).deployedJSON(d, nil, nil))
	return nil
}

func (s *server) patchDeployedVersion(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		CurrentlyDeployed *bool `json:"currentlyDeployed"`
	}
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	uuid := r.PathValue("uuid")
	d, err := s.store.GetDeployedVersion(r.Context(), uuid)
	if err != nil {
		return err
	}
	if b.CurrentlyDeployed != nil {
		if *b.CurrentlyDeployed && !d.CurrentlyDeployed {
			return &unprocessable{invalid("currentlyDeployed", "a deployment cannot be marked as deployed again; record a new deployment instead")}
		}
		if !*b.CurrentlyDeployed {
			if d, err = s.store.MarkUndeployed(r.Context(), uuid); err != nil {
				return err
			}
		}
	}
	writeJSON(w, http.StatusOK, s.urlsFor(r).deployedJSON(d, nil, nil))
	return nil
}

func (s *server) recordRelease(w http.ResponseWriter, r *http.Request) error {
	var ignored map[string]any
	if err := decodeJSON(r, &ignored); err != nil {
		return err
	}
	ctx := r.Context()
	name, number, uuid := r.PathValue("pacticipant"), r.PathValue("version"), r.PathValue("uuid")
	if _, err := s.store.GetEnvironment(ctx, uuid); err != nil {
		return err
	}
	if _, err := s.store.GetVersion(ctx, name, number); err != nil {
		return err
	}
	rv, _, err := s.store.RecordRelease(ctx, name, number, uuid)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	w.Header().Set("Location", u.href("released-versions", rv.UUID))
	writeJSON(w, http.StatusCreated, u.releasedJSON(rv))
	return nil
}

func (s *server) listVersionReleases(w http.ResponseWriter, r *http.Request) error {
	name, number, uuid := r.PathValue("pacticipant"), r.PathValue("version"), r.PathValue("uuid")
	rs, err := s.store.ListReleasedVersions(r.Context(), broker.DeploymentFilter{EnvironmentUUID: uuid, Pacticipant: name, Version: number})
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	writeJSON(w, http.StatusOK, collection("releasedVersions", rs, u.releasedJSON, links{"self": api.Link{Href: u.version(name, number) + "/released-versions/environment/" + pathSegment(uuid)}}))
	return nil
}

func (s *server) getReleasedVersion(w http.ResponseWriter, r *http.Request) error {
	rv, err := s.store.GetReleasedVersion(r.Context(), r.PathValue("uuid"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urlsFor(r).releasedJSON(rv))
	return nil
}

func (s *server) patchReleasedVersion(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		CurrentlySupported *bool `json:"currentlySupported"`
	}
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	uuid := r.PathValue("uuid")
	rv, err := s.store.GetReleasedVersion(r.Context(), uuid)
	if err != nil {
		return err
	}
	if b.CurrentlySupported != nil {
		if *b.CurrentlySupported && !rv.CurrentlySupported {
			return &unprocessable{invalid("currentlySupported", "support cannot be resumed by PATCH; record the release again instead")}
		}
		if !*b.CurrentlySupported {
			if rv, err = s.store.EndSupport(r.Context(), uuid); err != nil {
				return err
			}
		}
	}
	writeJSON(w, http.StatusOK, s.urlsFor(r).releasedJSON(rv))
	return nil
}

// unprocessable marks a validation error answered with 422 (an invalid
// PATCH value).
type unprocessable struct{ err error }

func (u *unprocessable) Error() string { return u.err.Error() }
func (u *unprocessable) Unwrap() error { return u.err }

var _ = errors.Is
