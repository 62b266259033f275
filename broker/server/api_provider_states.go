package server

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"

	"github.com/contracts-dev/contracts/broker"
)

// providerStates serves GET /pacts/provider/{provider}/provider-states
// (the official CLI's `pact broker provider-states list`), with
// /branch/{branch} and /environment/{environment} variants: the provider
// states, with their parameters, that the provider's pacts ask for, each
// once with the consumers asking, sorted by name. The pacts are those of
// each consumer's main branch head, of the named branch's heads, or of the
// consumer versions deployed or supported in the environment.
func (s *server) providerStates(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	provider := r.PathValue("provider")
	if _, err := s.store.GetPacticipant(ctx, provider); err != nil {
		return err
	}
	env := r.PathValue("environment")
	if env != "" {
		if _, err := s.store.GetEnvironmentByName(ctx, env); err != nil {
			return err
		}
	}
	consumers, err := s.store.ConsumersOf(ctx, provider)
	if err != nil {
		return err
	}
	type entry struct {
		Consumers []string       `json:"consumers"`
		Name      string         `json:"name"`
		Params    map[string]any `json:"params,omitempty"`
	}
	states := []*entry{}
	byKey := map[string]*entry{}
	for _, c := range consumers {
		pacts, err := s.statePacts(ctx, r, c, provider, env)
		if err != nil {
			return err
		}
		for _, p := range pacts {
			for _, st := range pactProviderStates(p.Content) {
				k, _ := json.Marshal(st)
				e := byKey[string(k)]
				if e == nil {
					e = &entry{Name: st.Name, Params: st.Params}
					byKey[string(k)] = e
					states = append(states, e)
				}
				if len(e.Consumers) == 0 || e.Consumers[len(e.Consumers)-1] != c {
					e.Consumers = append(e.Consumers, c)
				}
			}
		}
	}
	sort.SliceStable(states, func(i, j int) bool { return states[i].Name < states[j].Name })
	writeJSON(w, http.StatusOK, map[string]any{"providerStates": states})
	return nil
}

// statePacts returns the consumer's pacts with provider whose states
// providerStates lists.
func (s *server) statePacts(ctx context.Context, r *http.Request, consumer, provider, env string) ([]broker.Pact, error) {
	if env == "" {
		branch, err := s.branchOf(ctx, r, consumer)
		if err != nil {
			return nil, err
		}
		return s.branchPacts(ctx, consumer, provider, branch, true)
	}
	refs, err := s.store.ResolveVersions(ctx, broker.MatrixSelector{Pacticipant: consumer, Environment: env})
	if err != nil {
		return nil, err
	}
	return pactsAt(ctx, s.store.Store, consumer, provider, refs, func(ref broker.VersionRef) string { return ref.Number })
}

// namedState is a provider state as pacts write it.
type namedState struct {
	Name   string         `json:"name"`
	Params map[string]any `json:"params,omitempty"`
}

// pactProviderStates reads the provider states of a pact's interactions and
// messages: V3/V4 providerStates [{name, params}] and the V1/V2
// providerState string. Content that does not parse has none (it was
// validated when published).
func pactProviderStates(content []byte) []namedState {
	var doc struct {
		Interactions []json.RawMessage `json:"interactions"`
		Messages     []json.RawMessage `json:"messages"`
	}
	if json.Unmarshal(content, &doc) != nil {
		return nil
	}
	var out []namedState
	for _, raw := range append(doc.Interactions, doc.Messages...) {
		var in struct {
			ProviderState  string       `json:"providerState"`
			ProviderStates []namedState `json:"providerStates"`
		}
		if json.Unmarshal(raw, &in) != nil {
			continue
		}
		if in.ProviderState != "" {
			out = append(out, namedState{Name: in.ProviderState})
		}
		for _, st := range in.ProviderStates {
			if st.Name != "" {
				out = append(out, st)
			}
		}
	}
	return out
}
