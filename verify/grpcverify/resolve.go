package grpcverify

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"weak"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/proto"
)

// ErrNotGRPC is wrapped by Resolve's error when an interaction is not a
// gRPC interaction written in the protobuf plugin's layout.
var ErrNotGRPC = errors.New("not a gRPC interaction")

// ErrUnsupported is wrapped by errors about gRPC features this transport
// does not replay (client or bidirectional streaming).
var ErrUnsupported = errors.New("unsupported gRPC interaction")

// Method is the RPC a gRPC interaction calls, with the descriptors of the
// pact it came from.
type Method struct {
	// Files are the descriptors the pact metadata carries under the
	// interaction's descriptor key.
	Files *proto.Files
	// Desc is the method's descriptor.
	Desc protoreflect.MethodDescriptor
	// Path is the gRPC path, "/package.Service/Method".
	Path string
	// DescriptorKey is the interaction's pluginConfiguration.protobuf.descriptorKey.
	DescriptorKey string
}

// PluginConfig is an interaction's pluginConfiguration.protobuf object
// (see proto.PluginConfig).
type PluginConfig = proto.PluginConfig

// InteractionConfig reads in's pluginConfiguration.protobuf object and
// requires the service and descriptor key of a gRPC interaction.
func InteractionConfig(in *pact.Interaction) (PluginConfig, error) {
	pc, ok, err := proto.InteractionPluginConfig(in.PluginConfiguration)
	if !ok {
		return pc, fmt.Errorf("interaction %q: pluginConfiguration.protobuf is missing: %w", in.Description, ErrNotGRPC)
	}
	if err != nil {
		return pc, fmt.Errorf("interaction %q: %w", in.Description, err)
	}
	if pc.Service == "" {
		return pc, fmt.Errorf("interaction %q: pluginConfiguration.protobuf.service is missing: %w", in.Description, ErrNotGRPC)
	}
	if pc.DescriptorKey == "" {
		return pc, fmt.Errorf("interaction %q: pluginConfiguration.protobuf.descriptorKey is missing: %w", in.Description, ErrNotGRPC)
	}
	return pc, nil
}

// Resolver finds the method of gRPC interactions, decoding each pact's
// descriptors once. It is safe for concurrent use. It holds pacts weakly:
// an entry goes when its pact is garbage collected, so one Resolver serves
// any number of verifications.
type Resolver struct {
	mu    sync.Mutex
	pacts map[weak.Pointer[pact.Pact]]*pactDescriptors
}

type pactDescriptors struct {
	once  sync.Once
	files map[string]*proto.Files
	err   error
}

// Resolve returns the method interaction in of p calls.
func (r *Resolver) Resolve(p *pact.Pact, in *pact.Interaction) (*Method, error) {
	pc, err := InteractionConfig(in)
	if err != nil {
		return nil, err
	}
	key := weak.Make(p)
	r.mu.Lock()
	if r.pacts == nil {
		r.pacts = map[weak.Pointer[pact.Pact]]*pactDescriptors{}
	}
	pd := r.pacts[key]
	if pd == nil {
		pd = &pactDescriptors{}
		r.pacts[key] = pd
		runtime.AddCleanup(p, r.forget, key)
	}
	r.mu.Unlock()
	pd.once.Do(func() { pd.files, pd.err = Descriptors(p) })
	if pd.err != nil {
		return nil, pd.err
	}
	files := pd.files[pc.DescriptorKey]
	if files == nil {
		return nil, fmt.Errorf("interaction %q: descriptor key %q of pluginConfiguration.protobuf.descriptorKey is not in metadata.plugins[].configuration", in.Description, pc.DescriptorKey)
	}
	md, err := files.FindMethod(pc.Service)
	if err != nil {
		return nil, fmt.Errorf("interaction %q: pluginConfiguration.protobuf.service: %w", in.Description, err)
	}
	return &Method{
		Files:         files,
		Desc:          md,
		Path:          "/" + string(md.Parent().FullName()) + "/" + string(md.Name()),
		DescriptorKey: pc.DescriptorKey,
	}, nil
}

func (r *Resolver) forget(key weak.Pointer[pact.Pact]) {
	r.mu.Lock()
	delete(r.pacts, key)
	r.mu.Unlock()
}

// Descriptors decodes the descriptor sets of p's metadata, keyed by
// descriptor key (see proto.PluginsDescriptors).
func Descriptors(p *pact.Pact) (map[string]*proto.Files, error) {
	return proto.PluginsDescriptors(p.Metadata["plugins"])
}
