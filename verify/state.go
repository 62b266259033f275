package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/contracts-dev/contracts/formats/pact"
)

// State change actions, as the Pact verifier sends them.
const (
	actionSetup    = "setup"
	actionTeardown = "teardown"
)

// stateChange is the body POSTed to the state change URL.
type stateChange struct {
	State  string         `json:"state"`
	Params map[string]any `json:"params"`
	Action string         `json:"action"`
}

// statesOf returns the states to set up for in: its provider states, or the
// empty state "" when it has none (the Pact verifier calls the state change
// URL for every interaction).
func statesOf(in *pact.Interaction) []pact.ProviderState {
	if len(in.ProviderStates) == 0 {
		return []pact.ProviderState{{Name: ""}}
	}
	return in.ProviderStates
}

// setUpStates calls the state change URL with action "setup" for each of
// in's states, in order, and merges the JSON objects they return into the
// provider-state values. Without a state change URL, each named state gets a
// warning instead, unless the transport carries the states to the provider
// itself, and the values are the states' own parameters (as the Pact
// verifier uses them for ProviderState generators).
func (s *settings) setUpStates(ctx context.Context, in *pact.Interaction, res *InteractionResult, carried bool) (map[string]any, error) {
	if s.stateURL == "" {
		var values map[string]any
		for _, st := range in.ProviderStates {
			if !carried {
				res.Warnings = append(res.Warnings, fmt.Sprintf("no provider state change URL configured for provider state %q", st.Name))
			}
			for k, v := range st.Params {
				if values == nil {
					values = map[string]any{}
				}
				if _, ok := values[k]; !ok {
					values[k] = v
				}
			}
		}
		return values, nil
	}
	values := map[string]any{}
	for _, st := range statesOf(in) {
		got, err := s.changeState(ctx, st, actionSetup)
		if err != nil {
			return nil, err
		}
		for k, v := range got {
			values[k] = v
		}
		// The state's own parameters are values too, under the returned ones.
		for k, v := range st.Params {
			if _, ok := values[k]; !ok {
				values[k] = v
			}
		}
	}
	return values, nil
}

// tearDownStates calls the state change URL with action "teardown" for each
// of in's states; a failure is a warning, not a failure of the interaction.
func (s *settings) tearDownStates(ctx context.Context, in *pact.Interaction, res *InteractionResult) {
	if s.stateURL == "" || s.NoStateChangeTeardown {
		return
	}
	for _, st := range statesOf(in) {
		if _, err := s.changeState(ctx, st, actionTeardown); err != nil {
			res.Warnings = append(res.Warnings, err.Error())
		}
	}
}

// changeState POSTs one state change and returns the response's JSON
// object, if it returned one.
func (s *settings) changeState(ctx context.Context, st pact.ProviderState, action string) (map[string]any, error) {
	params := st.Params
	if params == nil {
		params = map[string]any{}
	}
	body, err := json.Marshal(stateChange{State: st.Name, Params: params, Action: action})
	if err != nil {
		return nil, fmt.Errorf("state change %s for %q: params: %w", action, st.Name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.stateURL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("state change %s for %q: %w", action, st.Name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("state change %s for %q: %w", action, st.Name, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("state change %s for %q: read response: %w", action, st.Name, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("state change %s for %q: %s returned HTTP %d: %s", action, st.Name, s.stateURL, resp.StatusCode, snippet(data))
	}
	var values map[string]any
	// Numbers stay json.Number, as in the pact's own parameters: float64
	// would change ids beyond 2^53.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if len(bytes.TrimSpace(data)) > 0 && dec.Decode(&values) != nil {
		values = nil // not a JSON object: the provider returned no values
	}
	return values, nil
}
