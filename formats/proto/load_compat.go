package proto

import (
	"sync"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// descriptorProtoPath is the file that declares the option messages.
const descriptorProtoPath = "google/protobuf/descriptor.proto"

// removedOption is an option field that newer versions of descriptor.proto
// removed, leaving its number reserved, but that protoc accepted while it
// existed: .proto files of that time (the Pact protobuf plugin's examples
// among them) still set it.
type removedOption struct {
	message string // the options message, in google.protobuf
	field   *descriptorpb.FieldDescriptorProto
}

// removedOptions lists the removed options that had a name. (The other
// reserved numbers of the options messages were never public options.)
var removedOptions = []removedOption{
	// Added in 2017 for PHP generic services, later removed (number and
	// name reserved).
	{"FileOptions", &descriptorpb.FieldDescriptorProto{
		Name:     proto.String("php_generic_services"),
		Number:   proto.Int32(42),
		Label:    descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
		Type:     descriptorpb.FieldDescriptorProto_TYPE_BOOL.Enum(),
		JsonName: proto.String("phpGenericServices"),
		Options:  &descriptorpb.FieldOptions{Deprecated: proto.Bool(true)},
	}},
}

// compatDescriptorProto is the bundled descriptor.proto with the removed
// options declared again (and no longer reserved). Compiled against it,
// a file that sets one gets the option in its descriptor as protoc of its
// time wrote it: a known field there, an unknown field of the Go
// descriptorpb type here, kept when the descriptor is serialized.
var compatDescriptorProto = sync.OnceValue(func() *descriptorpb.FileDescriptorProto {
	fdp := protodesc.ToFileDescriptorProto(descriptorpb.File_google_protobuf_descriptor_proto)
	for _, ro := range removedOptions {
		for _, msg := range fdp.GetMessageType() {
			if msg.GetName() != ro.message {
				continue
			}
			var ranges []*descriptorpb.DescriptorProto_ReservedRange
			for _, r := range msg.GetReservedRange() {
				n := ro.field.GetNumber()
				if r.GetStart() <= n && n < r.GetEnd() {
					// Split the range around the number.
					if r.GetStart() < n {
						ranges = append(ranges, &descriptorpb.DescriptorProto_ReservedRange{Start: r.Start, End: proto.Int32(n)})
					}
					if n+1 < r.GetEnd() {
						ranges = append(ranges, &descriptorpb.DescriptorProto_ReservedRange{Start: proto.Int32(n + 1), End: r.End})
					}
					continue
				}
				ranges = append(ranges, r)
			}
			msg.ReservedRange = ranges
			var names []string
			for _, name := range msg.GetReservedName() {
				if name != ro.field.GetName() {
					names = append(names, name)
				}
			}
			msg.ReservedName = names
			msg.Field = append(msg.Field, proto.Clone(ro.field).(*descriptorpb.FieldDescriptorProto))
		}
	}
	return fdp
})

// compatResolver serves compatDescriptorProto in place of the standard
// descriptor.proto that r (a protocompile.WithStandardImports resolver)
// would give. protocompile interprets options with a descriptor.proto the
// resolver overrides (see protocompile's Compiler docs on a custom
// descriptor.proto), so no extension or source rewriting is needed. A
// descriptor.proto of the user's own, found in an import path, is left
// alone.
func compatResolver(r protocompile.Resolver) protocompile.Resolver {
	return protocompile.ResolverFunc(func(path string) (protocompile.SearchResult, error) {
		res, err := r.FindFileByPath(path)
		if err != nil || res.Desc == nil {
			return res, err
		}
		if path == descriptorProtoPath && isGlobal(res.Desc) {
			return protocompile.SearchResult{Proto: compatDescriptorProto()}, nil
		}
		if importsDescriptorProto(res.Desc) {
			// A prebuilt standard file (go_features.proto, ...) is linked to
			// the real descriptor.proto; served as a descriptor proto, it is
			// linked to the compatible one, which would otherwise collide
			// with the real one ("symbol already defined").
			return protocompile.SearchResult{Proto: protodesc.ToFileDescriptorProto(res.Desc)}, nil
		}
		return res, nil
	})
}

// isGlobal reports whether fd is the descriptor.proto linked into the
// program (the one protocompile's standard imports serve).
func isGlobal(fd protoreflect.FileDescriptor) bool {
	g, err := protoregistry.GlobalFiles.FindFileByPath(descriptorProtoPath)
	return err == nil && g == fd
}

// featureFiles are the language feature sets editions files import. They
// import descriptor.proto and are standard files, though only
// go_features.proto is linked into the program's registry.
var featureFiles = []string{
	"google/protobuf/cpp_features.proto",
	"google/protobuf/go_features.proto",
	"google/protobuf/java_features.proto",
}

// importsDescriptorProto reports whether fd imports descriptor.proto.
func importsDescriptorProto(fd protoreflect.FileDescriptor) bool {
	imports := fd.Imports()
	for i := 0; i < imports.Len(); i++ {
		if imports.Get(i).Path() == descriptorProtoPath {
			return true
		}
	}
	return false
}
