package grpcmock

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/generate"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/verify/grpcverify"
)

// Options configure a Server built by NewServer.
type Options struct {
	// Logger receives problems and matched calls; nil discards them.
	Logger *slog.Logger
	// Now is the clock of Date, Time and DateTime generators; nil means
	// time.Now.
	Now func() time.Time
	// Rand is the randomness of the random generators (RandomInt, Regex,
	// Uuid, ...); nil means a randomly seeded source. The server uses it
	// under a lock of its own.
	Rand *rand.Rand
}

// WithGenerator returns t with a generator at its place: the mock
// replaces the example with a generated value in its responses (consumer
// mode), and a verifier does the same in requests (provider mode). The
// generator must give a value the field accepts (RandomInt for integer
// fields, Regex, Date or Uuid for strings, ...).
func (t Term) WithGenerator(g pact.Generator) Term {
	t.Gen = &g
	return t
}

// RandomInt matches any integer; the mock answers with a random one in
// [min, max] (the example sent in the pact is min).
func RandomInt(min, max int64) Term {
	return Integer(min).WithGenerator(pact.Generator{Type: generate.TypeRandomInt, Attrs: map[string]any{"min": min, "max": max}})
}

// generated applies msg's generators in consumer mode and returns the
// message with its contents re-encoded as protobuf and its metadata
// generated. A message without generators is returned as is. Generators
// apply to the contents seen as a value with proto field names and every
// field present (see proto.Files.ToValue), so their paths ("$.total.units")
// reach fields holding their default value too.
func (s *Server) generated(msg *pact.Message, m *grpcverify.Method, desc string) (*pact.Message, error) {
	if msg == nil || len(msg.Gen) == 0 {
		return msg, nil
	}
	out := msg.Clone()
	md := m.Desc.Output()
	hasBody := len(msg.Gen[pact.CategoryBody]) > 0 || len(msg.Gen[pact.CategoryContent]) > 0
	if hasBody && msg.Contents.State == pact.BodyPresent {
		dm, err := m.Files.Unmarshal(md, msg.Contents.Content)
		if err != nil {
			return nil, fmt.Errorf("interaction %q: response contents: %w", desc, err)
		}
		v, err := m.Files.ToValue(dm, proto.ValueOptions{EmitUnpopulated: true})
		if err != nil {
			return nil, fmt.Errorf("interaction %q: response contents: %w", desc, err)
		}
		out.Contents = pact.Body{ContentType: pact.ContentTypeJSON}
		if err := out.Contents.SetJSON(v); err != nil {
			return nil, fmt.Errorf("interaction %q: response contents: %w", desc, err)
		}
	}
	s.genMu.Lock()
	gen, err := generate.Message(out, generate.Context{
		Mode:          generate.Consumer,
		MockServerURL: s.URL(),
		Now:           s.now,
		Rand:          s.rand,
	})
	s.genMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("interaction %q: %w", desc, err)
	}
	if !hasBody || msg.Contents.State != pact.BodyPresent {
		return gen, nil
	}
	v, err := gen.Contents.JSON()
	if err != nil {
		return nil, fmt.Errorf("interaction %q: generated contents: %w", desc, err)
	}
	dm, err := m.Files.FromValue(md, v)
	if err != nil {
		return nil, fmt.Errorf("interaction %q: generated contents do not fit %s: %w", desc, md.FullName(), err)
	}
	data, err := proto.Marshal(dm)
	if err != nil {
		return nil, fmt.Errorf("interaction %q: generated contents: %w", desc, err)
	}
	gen.Contents = msg.Contents.Clone()
	gen.Contents.Content = data
	return gen, nil
}

// SetGenerators sets the clock and randomness of the generators the mock
// applies to its responses (see Options); nil keeps the default. Call it
// before the consumer makes calls.
func (m *Mock) SetGenerators(now func() time.Time, r *rand.Rand) {
	m.srv.genMu.Lock()
	defer m.srv.genMu.Unlock()
	if now != nil {
		m.srv.now = now
	}
	if r != nil {
		m.srv.rand = r
	}
}
