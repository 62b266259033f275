package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// Pact lists by consumer branch, as the official CLI's get-pacts reads
// them. Without a {branch} segment the branch is each consumer's main
// branch.

// branchOf returns the branch named in the path, or the consumer's main
// branch ("" when it has none).
func (s *server) branchOf(ctx context.Context, r *http.Request, consumer string) (string, error) {
	if b := r.PathValue("branch"); b != "" {
		return b, nil
	}
	p, err := s.store.GetPacticipant(ctx, consumer)
	if err != nil {
		return "", err
	}
	return p.MainBranch, nil
}

// branchPacts returns the pacts of consumer with provider published by
// versions on branch, newest first (only the newest with latest).
func (s *server) branchPacts(ctx context.Context, consumer, provider, branch string, latest bool) ([]broker.Pact, error) {
	if branch == "" {
		return nil, nil
	}
	if latest {
		p, err := s.store.LatestPact(ctx, consumer, provider, broker.PactFilter{Branch: branch})
		if errors.Is(err, broker.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []broker.Pact{p}, nil
	}
	vs, err := s.store.ListBranchVersions(ctx, consumer, branch, broker.Page{Limit: broker.MaxPageSize})
	if errors.Is(err, broker.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return pactsAt(ctx, s.store.Store, consumer, provider, vs, func(v broker.Version) string { return v.Number })
}

// pactsAt returns the pacts of consumer with provider published by each
// of versions (whose number number gives), passing over versions that
// published none.
func pactsAt[V any](ctx context.Context, store broker.Store, consumer, provider string, versions []V, number func(V) string) ([]broker.Pact, error) {
	var out []broker.Pact
	for _, v := range versions {
		p, err := store.GetPact(ctx, consumer, provider, number(v))
		if errors.Is(err, broker.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// listProviderBranchPacts serves /pacts/provider/{provider}/branch[/latest]
// and /pacts/provider/{provider}/branch/{branch}: the pacts of every
// consumer on the branch.
func (s *server) listProviderBranchPacts(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	provider := r.PathValue("provider")
	if _, err := s.store.GetPacticipant(ctx, provider); err != nil {
		return err
	}
	consumers, err := s.store.ConsumersOf(ctx, provider)
	if err != nil {
		return err
	}
	latest := r.PathValue("latest") == "latest"
	u := s.urlsFor(r)
	refs := []api.Link{}
	for _, c := range consumers {
		branch, err := s.branchOf(ctx, r, c)
		if err != nil {
			return err
		}
		ps, err := s.branchPacts(ctx, c, provider, branch, latest)
		if err != nil {
			return err
		}
		for _, p := range ps {
			refs = append(refs, api.Link{
				Href:  u.pactVersion(p.Provider, p.Consumer, p.ConsumerVersion),
				Name:  p.Consumer,
				Title: fmt.Sprintf("Pact between %s (%s) and %s", p.Consumer, p.ConsumerVersion, p.Provider),
			})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_links": links{
			"self":        api.Link{Href: u.raw(r.URL.EscapedPath()), Title: "Pacts for the provider " + provider},
			"pb:provider": api.Link{Href: u.pacticipant(provider), Name: provider},
			"provider":    api.Link{Href: u.pacticipant(provider), Title: provider},
			"pb:pacts":    refs,
		},
	})
	return nil
}

// listConsumerBranchPacts serves
// /pacts/provider/{provider}/consumer/{consumer}/branch and .../branch/{branch}:
// the versions of one pact on the branch.
func (s *server) listConsumerBranchPacts(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	provider, consumer := r.PathValue("provider"), r.PathValue("consumer")
	branch, err := s.branchOf(ctx, r, consumer)
	if err != nil {
		return err
	}
	ps, err := s.branchPacts(ctx, consumer, provider, branch, false)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	items := make([]map[string]any, 0, len(ps))
	refs := make([]api.Link, 0, len(ps))
	pacts := make([]api.Link, 0, len(ps))
	for _, p := range ps {
		href := u.pactVersion(p.Provider, p.Consumer, p.ConsumerVersion)
		title := fmt.Sprintf("Pact between %s (%s) and %s", p.Consumer, p.ConsumerVersion, p.Provider)
		items = append(items, map[string]any{
			"createdAt": timeJSON(p.CreatedAt),
			"_embedded": map[string]any{"consumerVersion": u.versionSummary(broker.Version{Pacticipant: p.Consumer, Number: p.ConsumerVersion})},
			"_links":    links{"self": api.Link{Href: href, Title: title}},
		})
		refs = append(refs, api.Link{Href: href, Title: "Pact", Name: p.ConsumerVersion})
		pacts = append(pacts, api.Link{Href: href, Title: title, Name: p.Consumer})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_embedded": map[string]any{"pacts": items},
		"_links": links{
			"self":          api.Link{Href: u.raw(r.URL.EscapedPath()), Title: "Versions of the pact between " + consumer + " and " + provider},
			"consumer":      api.Link{Href: u.pacticipant(consumer), Title: "Consumer", Name: consumer},
			"provider":      api.Link{Href: u.pacticipant(provider), Title: "Provider", Name: provider},
			"pact-versions": refs,
			// pb:pacts is what the official CLI's get-pacts tabulates.
			"pb:pacts": pacts,
		},
	})
	return nil
}

// latestMainBranchPact serves
// /pacts/provider/{provider}/consumer/{consumer}/branch/latest.
func (s *server) latestMainBranchPact(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	provider, consumer := r.PathValue("provider"), r.PathValue("consumer")
	branch, err := s.branchOf(ctx, r, consumer)
	if err != nil {
		return err
	}
	if branch == "" {
		return fmt.Errorf("%s has no main branch: %w", consumer, broker.ErrNotFound)
	}
	p, err := s.store.LatestPact(ctx, consumer, provider, broker.PactFilter{Branch: branch})
	if err != nil {
		return err
	}
	return s.writePact(w, r, http.StatusOK, p)
}

// listProviderBranchPactsOrLatest serves /pacts/provider/{provider}/branch/X:
// X "latest" is the main branch heads, any other X is branch X.
func (s *server) listProviderBranchPactsOrLatest(w http.ResponseWriter, r *http.Request) error {
	if x := r.PathValue("latest"); x != "latest" {
		r.SetPathValue("branch", x)
		r.SetPathValue("latest", "")
	}
	return s.listProviderBranchPacts(w, r)
}
