package grpcmock

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/verify/mock"
)

var _ mock.PactWriter = (*Server)(nil)

// Exercised returns, for each consumer-provider pair served, a V4 pact of
// the gRPC interactions that were called at least once, in the order the
// pairs and interactions were loaded. Each pact keeps the metadata of the
// pact its first interaction came from (the protobuf plugin entry with its
// descriptors, among others), so it is written in the plugin's layout.
func (s *Server) Exercised() []*pact.Pact {
	s.mu.Lock()
	defer s.mu.Unlock()
	var exercised []mock.Exercise
	for _, e := range s.entries {
		if e.uses.Count() > 0 {
			exercised = append(exercised, mock.Exercise{Pact: e.pact, Interaction: e.in})
		}
	}
	pacts := mock.PairPacts(exercised, mergePlugins) // another pact file of a pair may carry other descriptors
	for _, p := range pacts {
		p.Spec = pact.V4
	}
	return pacts
}

// MergeInto names pact files that WritePact merges into instead of
// replacing: a file of the same consumer-provider pair among paths (one
// the HTTP mock wrote in the same run) keeps its interactions, the gRPC
// ones are added after them, and its metadata gains the gRPC pacts'
// plugin entries, so one pair gives one file. Each call replaces the list
// of the one before.
func (s *Server) MergeInto(paths ...string) {
	mergeWith := map[string]bool{}
	for _, m := range paths {
		if abs, err := filepath.Abs(m); err == nil {
			mergeWith[abs] = true
		}
	}
	s.mu.Lock()
	s.mergeWith = mergeWith
	s.mu.Unlock()
}

// WritePact writes the pacts of Exercised to dir/<consumer>-<provider>.json
// (mock.PactPath), in V4, but only when Verify finds nothing wrong. A file
// of the same pair named by MergeInto is merged into; other existing files
// are replaced. It returns the paths written.
func (s *Server) WritePact(dir string) ([]string, error) {
	if err := s.Verify(); err != nil {
		return nil, fmt.Errorf("write pact: %w", err)
	}
	pacts := s.Exercised()
	if len(pacts) == 0 {
		return nil, nil
	}
	s.mu.Lock()
	mergeWith := s.mergeWith
	s.mu.Unlock()
	var paths []string
	for _, p := range pacts {
		path := mock.PactPath(dir, p.Consumer.Name, p.Provider.Name)
		if abs, err := filepath.Abs(path); err == nil && mergeWith[abs] {
			merged, err := mergeInto(path, p)
			if err != nil {
				return paths, err
			}
			p = merged
		}
		data, err := pact.Write(p, pact.V4)
		if err != nil {
			return paths, fmt.Errorf("write pact %s: %w", path, err)
		}
		if _, err := mock.WritePactFile(dir, p.Consumer.Name, p.Provider.Name, data); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// mergeInto reads the pact at path and returns it with the interactions
// of p added and p's plugin entries merged into its metadata.
func mergeInto(path string, p *pact.Pact) (*pact.Pact, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("write pact: merge with %s: %w", path, err)
	}
	base, err := pact.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("write pact: merge with %s: %w", path, err)
	}
	if base.Consumer.Name != p.Consumer.Name || base.Provider.Name != p.Provider.Name {
		return nil, fmt.Errorf("write pact: merge with %s: it is the pact of %s-%s, not %s-%s", path, base.Consumer.Name, base.Provider.Name, p.Consumer.Name, p.Provider.Name)
	}
	base.Spec = pact.V4
	base.Messages = false
	have := map[*pact.Interaction]bool{}
	keys := map[string]bool{}
	for _, in := range base.Interactions {
		have[in] = true
		keys[interactionID(in)] = true
	}
	for _, in := range p.Interactions {
		// A pact that held HTTP and gRPC interactions was written by the
		// HTTP mock with its metadata; its gRPC interactions are not in
		// the file, but never add one twice.
		if keys[interactionID(in)] {
			continue
		}
		base.Interactions = append(base.Interactions, in)
	}
	mergePlugins(base, p)
	return base, nil
}

// interactionID identifies an interaction within a pact file.
func interactionID(in *pact.Interaction) string {
	if in.Key != "" {
		return string(in.Type) + "\x00key\x00" + in.Key
	}
	states := ""
	for _, s := range in.ProviderStates {
		states += "\x00" + s.Name
	}
	return string(in.Type) + "\x00" + in.Description + states
}

// mergePlugins adds the metadata.plugins entries of from to p as
// proto.MergePluginsMetadata does. Other metadata of from that p lacks is
// copied too.
func mergePlugins(p, from *pact.Pact) {
	if len(from.Metadata) == 0 {
		return
	}
	if p.Metadata == nil {
		p.Metadata = map[string]json.RawMessage{}
	} else {
		m := make(map[string]json.RawMessage, len(p.Metadata))
		for k, v := range p.Metadata {
			m[k] = v
		}
		p.Metadata = m // never edit the map of the pact p was copied from
	}
	for k, v := range from.Metadata {
		if _, ok := p.Metadata[k]; !ok {
			p.Metadata[k] = v
		}
	}
	if merged, changed := proto.MergePluginsMetadata(p.Metadata["plugins"], from.Metadata["plugins"]); changed {
		p.Metadata["plugins"] = merged
	}
}
