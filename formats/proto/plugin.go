package proto

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	protoapi "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// The Pact protobuf plugin's layout of a pact file, owned here so that every
// reader and writer (verifiers, mocks, the breaking-change check) agrees:
//
//   - each descriptor set is filed under a descriptor key, the hex MD5
//     digest of the serialized google.protobuf.FileDescriptorSet;
//   - the sets live in metadata.plugins[] (the entry named "protobuf"),
//     configuration[<key>].protoDescriptors, base64;
//   - each interaction names its set and RPC or message in
//     pluginConfiguration.protobuf.{descriptorKey, service, message}.

// PluginName is the protobuf plugin's name in metadata.plugins[].name and
// the key of its object in an interaction's pluginConfiguration.
const PluginName = "protobuf"

// DescriptorKey is the key the protobuf plugin files a descriptor set
// under: the hex MD5 digest of the serialized FileDescriptorSet.
func DescriptorKey(set []byte) string {
	sum := md5.Sum(set)
	return hex.EncodeToString(sum[:])
}

// DescriptorSet serializes files and everything they import (the standard
// google/protobuf files too) as a google.protobuf.FileDescriptorSet in the
// order protoc --include_imports writes (each file after its imports, in
// import order), without source info, deterministically.
func DescriptorSet(files *Files) ([]byte, error) {
	set := &descriptorpb.FileDescriptorSet{}
	seen := map[string]bool{}
	var visit func(fd protoreflect.FileDescriptor)
	visit = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		imports := fd.Imports()
		for i := 0; i < imports.Len(); i++ {
			visit(imports.Get(i).FileDescriptor)
		}
		fdp := protodesc.ToFileDescriptorProto(fd)
		fdp.SourceCodeInfo = nil
		set.File = append(set.File, fdp)
	}
	// Start from the files nothing else imports, so that each file's
	// imports come in its own import order, as protoc writes them.
	imported := map[string]bool{}
	for _, fd := range files.Files() {
		imports := fd.Imports()
		for i := 0; i < imports.Len(); i++ {
			imported[imports.Get(i).Path()] = true
		}
	}
	for _, fd := range files.Files() {
		if !imported[fd.Path()] {
			visit(fd)
		}
	}
	for _, fd := range files.Files() {
		visit(fd) // import cycles are refused by the compiler; this is a safety net
	}
	data, err := protoapi.MarshalOptions{Deterministic: true}.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("encode descriptor set: %w", err)
	}
	return data, nil
}

// PluginConfig is an interaction's pluginConfiguration.protobuf object:
// Service for gRPC interactions ("package.Service/Method"), Message for
// message interactions, and per-part overrides some writers add.
type PluginConfig struct {
	DescriptorKey string         `json:"descriptorKey,omitempty"`
	Message       string         `json:"message,omitempty"`
	Service       string         `json:"service,omitempty"`
	Request       *PluginMessage `json:"request,omitempty"`
	Response      *PluginMessage `json:"response,omitempty"`
}

// PluginMessage is a per-part entry of PluginConfig.
type PluginMessage struct {
	DescriptorKey string `json:"descriptorKey,omitempty"`
	Message       string `json:"message,omitempty"`
}

// InteractionPluginConfig reads the protobuf object of an interaction's
// pluginConfiguration. ok is false when there is none.
func InteractionPluginConfig(pluginConfiguration map[string]json.RawMessage) (cfg PluginConfig, ok bool, err error) {
	raw, ok := pluginConfiguration[PluginName]
	if !ok || string(raw) == "null" {
		return cfg, false, nil
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return cfg, true, fmt.Errorf("pluginConfiguration.%s: %w", PluginName, err)
	}
	return cfg, true, nil
}

// JSON is c as written in a pluginConfiguration.
func (c PluginConfig) JSON() json.RawMessage {
	data, _ := json.Marshal(c) // strings and pointers to them only: cannot fail
	return data
}

// PluginDescriptors is one descriptor set of metadata.plugins[].configuration.
type PluginDescriptors struct {
	// Set is the serialized FileDescriptorSet; its key is DescriptorKey(Set).
	Set []byte
	// ProtoFile is the text of the .proto file it was compiled from; nil
	// leaves it out.
	ProtoFile *string
}

// PluginsMetadata is the metadata.plugins value the protobuf plugin writes
// for the given descriptor sets, keyed by descriptor key: one entry named
// "protobuf", of the given plugin version.
func PluginsMetadata(version string, sets map[string]PluginDescriptors) json.RawMessage {
	cfg := map[string]any{}
	for key, s := range sets {
		entry := map[string]any{"protoDescriptors": base64.StdEncoding.EncodeToString(s.Set)}
		if s.ProtoFile != nil {
			entry["protoFile"] = *s.ProtoFile
		}
		cfg[key] = entry
	}
	data, _ := json.Marshal([]any{map[string]any{"name": PluginName, "version": version, "configuration": cfg}})
	return data
}

// MergePluginsMetadata adds the metadata.plugins entries of from to into:
// the entry of a plugin into lacks is appended; for a plugin both have,
// the configuration keys (descriptor keys for protobuf) into lacks are
// added. changed is false, and merged is into, when nothing is added or
// either value is not a list of objects.
func MergePluginsMetadata(into, from json.RawMessage) (merged json.RawMessage, changed bool) {
	var mine, theirs []map[string]any
	if json.Unmarshal(into, &mine) != nil || json.Unmarshal(from, &theirs) != nil {
		return into, false
	}
	for _, t := range theirs {
		name, _ := t["name"].(string)
		idx := -1
		for i, m := range mine {
			if n, _ := m["name"].(string); n == name {
				idx = i
				break
			}
		}
		if idx < 0 {
			mine = append(mine, t)
			changed = true
			continue
		}
		tc, _ := t["configuration"].(map[string]any)
		mc, ok := mine[idx]["configuration"].(map[string]any)
		if !ok {
			mc = map[string]any{}
		}
		for k, v := range tc {
			if _, ok := mc[k]; !ok {
				mc[k] = v
				changed = true
			}
		}
		mine[idx]["configuration"] = mc
	}
	if !changed {
		return into, false
	}
	data, err := json.Marshal(mine)
	if err != nil {
		return into, false // decoded JSON values only: cannot fail
	}
	return data, true
}

// PluginsDescriptors decodes the descriptor sets of a pact's
// metadata.plugins value (see PactDescriptors). An empty value yields an
// empty map.
func PluginsDescriptors(plugins json.RawMessage) (map[string]*Files, error) {
	out := map[string]*Files{}
	if len(plugins) == 0 || string(plugins) == "null" {
		return out, nil
	}
	var list []struct {
		Name          string                     `json:"name"`
		Configuration map[string]json.RawMessage `json:"configuration"`
	}
	if err := json.Unmarshal(plugins, &list); err != nil {
		return nil, fmt.Errorf("read pact metadata: $.metadata.plugins: %w", err)
	}
	for i, p := range list {
		keys := make([]string, 0, len(p.Configuration))
		for k := range p.Configuration {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, key := range keys {
			if _, done := out[key]; done {
				continue
			}
			var entry struct {
				ProtoDescriptors *string `json:"protoDescriptors"`
			}
			if err := json.Unmarshal(p.Configuration[key], &entry); err != nil || entry.ProtoDescriptors == nil {
				continue // not a protobuf descriptor entry
			}
			files, err := DecodeDescriptorSet(*entry.ProtoDescriptors)
			if err != nil {
				return nil, fmt.Errorf("$.metadata.plugins[%d].configuration[%q].protoDescriptors: %w", i, key, err)
			}
			out[key] = files
		}
	}
	return out, nil
}

// PactDescriptors returns the descriptor sets a pact file carries in its
// metadata (metadata.plugins[].configuration[<descriptorKey>].protoDescriptors),
// keyed by descriptor key. A key listed by several plugin entries is decoded
// once. A pact without protobuf descriptors yields an empty map.
func PactDescriptors(pactJSON []byte) (map[string]*Files, error) {
	var doc struct {
		Metadata struct {
			Plugins json.RawMessage `json:"plugins"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(pactJSON, &doc); err != nil {
		return nil, fmt.Errorf("read pact metadata: %w", err)
	}
	return PluginsDescriptors(doc.Metadata.Plugins)
}
