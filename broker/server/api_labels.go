package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// labelJSON renders a label as the Pact Broker does.
func (u urls) labelJSON(l broker.Label) map[string]any {
	return map[string]any{
		"name":      l.Name,
		"createdAt": timeJSON(l.CreatedAt),
		"_links": links{
			"self":        api.Link{Href: u.href("pacticipants", l.Pacticipant, "labels", l.Name), Title: "Label", Name: l.Name},
			"pacticipant": api.Link{Href: u.pacticipant(l.Pacticipant), Title: "Pacticipant", Name: l.Pacticipant},
		},
	}
}

// pacticipantWithLabels renders a pacticipant with its labels embedded
// (_embedded.labels, as the Pact Broker has them).
func (s *server) pacticipantWithLabels(ctx context.Context, u urls, p broker.Pacticipant, latest *broker.Version) (map[string]any, error) {
	ls, err := s.store.ListLabels(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	out := u.pacticipantJSON(p, latest)
	embedded, _ := out["_embedded"].(map[string]any)
	if embedded == nil {
		embedded = map[string]any{}
		out["_embedded"] = embedded
	}
	items := make([]map[string]any, 0, len(ls))
	for _, l := range ls {
		items = append(items, map[string]any{
			"name":   l.Name,
			"_links": links{"self": api.Link{Href: u.href("pacticipants", p.Name, "labels", l.Name), Title: "Label", Name: l.Name}},
		})
	}
	embedded["labels"] = items
	return out, nil
}

func (s *server) getLabel(w http.ResponseWriter, r *http.Request) error {
	l, err := s.store.GetLabel(r.Context(), r.PathValue("pacticipant"), r.PathValue("label"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urlsFor(r).labelJSON(l))
	return nil
}

// putLabel labels the pacticipant, creating it when missing (201 with a
// Location), or answers the existing label (200).
func (s *server) putLabel(w http.ResponseWriter, r *http.Request) error {
	var ignored map[string]any
	if err := decodeJSON(r, &ignored); err != nil {
		return err
	}
	l, created, err := s.store.PutLabel(r.Context(), r.PathValue("pacticipant"), r.PathValue("label"))
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	if created {
		w.Header().Set("Location", u.href("pacticipants", l.Pacticipant, "labels", l.Name))
	}
	writeJSON(w, upsertStatus(created), u.labelJSON(l))
	return nil
}

func (s *server) deleteLabel(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeleteLabel(r.Context(), r.PathValue("pacticipant"), r.PathValue("label")))
}

// pacticipantSubresource answers GET /pacticipants/label/{label}, the
// pacticipants with a label. ("GET /pacticipants/label/{label}" would
// collide with "GET /pacticipants/{pacticipant}/versions" and its
// siblings; those stay more specific, so a pacticipant named "label"
// keeps its versions, branches and latest version.)
func (s *server) pacticipantSubresource(w http.ResponseWriter, r *http.Request) error {
	if r.PathValue("pacticipant") != "label" {
		return fmt.Errorf("no resource at %s: %w", r.URL.Path, broker.ErrNotFound)
	}
	label := r.PathValue("sub")
	page, err := pageFrom(r)
	if err != nil {
		return err
	}
	ps, err := s.store.ListLabelledPacticipants(r.Context(), label, page)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	items := make([]map[string]any, 0, len(ps))
	refs := make([]api.Link, 0, len(ps))
	for _, p := range ps {
		item, err := s.pacticipantWithLabels(r.Context(), u, p, nil)
		if err != nil {
			return err
		}
		items = append(items, item)
		refs = append(refs, api.Link{Href: u.pacticipant(p.Name), Title: p.Name, Name: p.Name})
	}
	l := links{"self": api.Link{Href: u.href("pacticipants", "label", label), Title: "Pacticipants labelled " + label}, "pacticipants": refs, "pb:pacticipants": refs}
	u.addPageLinks(r, page, len(ps), l)
	writeJSON(w, http.StatusOK, map[string]any{
		"pacticipants": items,
		"_embedded":    map[string]any{"pacticipants": items},
		"_links":       l,
	})
	return nil
}

// listLabels answers GET /labels: the labels in use, each once.
func (s *server) listLabels(w http.ResponseWriter, r *http.Request) error {
	page, err := pageFrom(r)
	if err != nil {
		return err
	}
	names, err := s.store.ListLabelNames(r.Context(), page)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	items := make([]map[string]any, 0, len(names))
	for _, n := range names {
		items = append(items, map[string]any{"name": n})
	}
	l := links{"self": api.Link{Href: u.href("labels"), Title: "Labels"}}
	u.addPageLinks(r, page, len(names), l)
	writeJSON(w, http.StatusOK, map[string]any{"_embedded": map[string]any{"labels": items}, "_links": l})
	return nil
}
