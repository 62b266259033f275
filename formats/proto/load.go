package proto

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/reporter"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	// The well-known types must be in protoregistry.GlobalFiles so that
	// descriptor sets which import them without including them resolve.
	_ "google.golang.org/protobuf/types/known/anypb"
	_ "google.golang.org/protobuf/types/known/apipb"
	_ "google.golang.org/protobuf/types/known/durationpb"
	_ "google.golang.org/protobuf/types/known/emptypb"
	_ "google.golang.org/protobuf/types/known/fieldmaskpb"
	_ "google.golang.org/protobuf/types/known/sourcecontextpb"
	_ "google.golang.org/protobuf/types/known/structpb"
	_ "google.golang.org/protobuf/types/known/timestamppb"
	_ "google.golang.org/protobuf/types/known/typepb"
	_ "google.golang.org/protobuf/types/known/wrapperspb"
)

// Files is a set of linked protobuf file descriptors.
type Files struct {
	registry *protoregistry.Files
	// files are the files that define the schema, sorted by path: every
	// loaded file except the standard google/protobuf imports.
	files []protoreflect.FileDescriptor
	// display maps a registry path to the path the user named, when they
	// differ (sources loaded from outside any import path).
	display map[string]string
}

// CompileError is one problem found while compiling .proto sources.
type CompileError struct {
	File   string // the file as the caller named it
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based; 0 when unknown
	Err    error
}

// Error implements error as "file:line:col: message".
func (e *CompileError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
}

// Unwrap returns the underlying error.
func (e *CompileError) Unwrap() error { return e.Err }

// Load compiles .proto source files. Imports are looked up in importPaths;
// the standard google/protobuf imports (well-known types, descriptor.proto)
// are always available, and options removed from newer descriptor.proto
// versions but accepted by protoc of their time (php_generic_services) are
// accepted and kept. A file outside every import path is compiled from
// its own directory, so its imports resolve next to it.
//
// A named file is always compiled from where it is, never from another
// import path holding a file of the same name, and imports are looked up
// first in the roots of the named files (the import paths holding them, or
// their directories), then in the other import paths: given two trees with
// the same internal paths as import paths, the files of one tree and their
// imports come from that tree. The returned error joins one *CompileError
// per problem, each naming file, line and column.
func Load(ctx context.Context, files []string, importPaths []string, opts ...LoadOption) (*Files, error) {
	var cfg loadConfig
	for _, o := range opts {
		o(&cfg)
	}
	if len(files) == 0 {
		return nil, errors.New("load proto: no files given")
	}
	var absImports []string
	for _, p := range importPaths {
		a, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("import path %s: %w", p, err)
		}
		absImports = append(absImports, a)
	}
	display := map[string]string{}
	// roots are the directories the named files are compiled from, searched
	// before the other import paths.
	var roots, shownRoots []string
	var names []string
	absOf := map[string]string{} // compiled name -> absolute path
	for _, f := range files {
		info, err := os.Stat(f)
		if err != nil {
			return nil, fmt.Errorf("read proto %s: %w", f, err)
		}
		if info.IsDir() {
			return nil, fmt.Errorf("read proto %s: is a directory", f)
		}
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, fmt.Errorf("read proto %s: %w", f, err)
		}
		name := ""
		for i, ip := range absImports {
			if rel, err := filepath.Rel(ip, abs); err == nil && !strings.HasPrefix(rel, "..") {
				name = filepath.ToSlash(rel)
				if !contains(roots, ip) {
					roots = append(roots, ip)
					shownRoots = append(shownRoots, importPaths[i])
				}
				break
			}
		}
		if name == "" {
			dir := filepath.Dir(abs)
			name = filepath.Base(abs)
			if !contains(roots, dir) {
				roots = append(roots, dir)
				shownRoots = append(shownRoots, filepath.Dir(f))
			}
		}
		if prevAbs, dup := absOf[name]; dup {
			if prevAbs != abs {
				return nil, fmt.Errorf("load proto: %s and %s would both compile as %q; name their root with an import path", display[name], f, name)
			}
			continue // the same file named twice
		}
		absOf[name] = abs
		display[name] = f
		names = append(names, name)
	}

	searchPaths := append([]string(nil), roots...)
	shownPaths := append([]string(nil), shownRoots...) // searchPaths as the user spelled them
	for i, ip := range absImports {
		if !contains(searchPaths, ip) {
			searchPaths = append(searchPaths, ip)
			shownPaths = append(shownPaths, importPaths[i])
		}
	}

	// showPath names a compiled file as the user would find it: as they
	// named it, or joined to the search path it was found under.
	showPath := func(name string) string {
		if d, ok := display[name]; ok {
			return d
		}
		for i, sp := range searchPaths {
			if _, err := os.Stat(filepath.Join(sp, filepath.FromSlash(name))); err == nil {
				return filepath.Join(shownPaths[i], filepath.FromSlash(name))
			}
		}
		return name
	}
	var problems []error
	rep := reporter.NewReporter(func(err reporter.ErrorWithPos) error {
		pos := err.GetPosition()
		file := showPath(pos.Filename)
		problems = append(problems, &CompileError{File: file, Line: pos.Line, Column: pos.Col, Err: err.Unwrap()})
		return nil
	}, nil)
	c := protocompile.Compiler{
		Resolver:       compatResolver(protocompile.WithStandardImports(namedResolver(absOf, notFoundResolver(&protocompile.SourceResolver{ImportPaths: searchPaths}, shownPaths)))),
		SourceInfoMode: sourceInfoMode(cfg),
		Reporter:       rep,
	}
	compiled, err := c.Compile(ctx, names...)
	if len(problems) > 0 {
		return nil, fmt.Errorf("compile proto: %w", errors.Join(problems...))
	}
	if err != nil {
		var ewp reporter.ErrorWithPos
		if errors.As(err, &ewp) {
			pos := ewp.GetPosition()
			err = &CompileError{File: showPath(pos.Filename), Line: pos.Line, Column: pos.Col, Err: ewp.Unwrap()}
		}
		return nil, fmt.Errorf("compile proto: %w", err)
	}
	fds := make([]protoreflect.FileDescriptor, len(compiled))
	for i, f := range compiled {
		fds[i] = f
	}
	out, err := newFiles(fds)
	if err != nil {
		return nil, err
	}
	// Show imported files under the search path they were found in.
	for _, fd := range out.files {
		if shown := showPath(fd.Path()); shown != fd.Path() {
			display[fd.Path()] = shown
		}
	}
	out.display = display
	return out, nil
}

// LoadOption changes how Load and LoadDir compile.
type LoadOption func(*loadConfig)

type loadConfig struct {
	noSourceInfo bool
}

// WithoutSourceInfo compiles without source info: positions have no line,
// and compiling takes about a quarter less time. For a schema only read,
// never reported on (the old side of a breaking-change check).
func WithoutSourceInfo() LoadOption {
	return func(c *loadConfig) { c.noSourceInfo = true }
}

func sourceInfoMode(c loadConfig) protocompile.SourceInfoMode {
	if c.noSourceInfo {
		return protocompile.SourceInfoNone
	}
	return protocompile.SourceInfoStandard
}

// namedResolver serves each named file from where the caller named it, so
// an import path holding another file of the same name cannot take its
// place.
func namedResolver(absOf map[string]string, r protocompile.Resolver) protocompile.Resolver {
	return protocompile.ResolverFunc(func(path string) (protocompile.SearchResult, error) {
		abs, ok := absOf[path]
		if !ok {
			return r.FindFileByPath(path)
		}
		f, err := os.Open(abs)
		if err != nil {
			return protocompile.SearchResult{}, err
		}
		return protocompile.SearchResult{Source: f}, nil
	})
}

// LoadDir compiles every .proto file under root, root being the module's
// import root: a file root/a/b.proto is compiled as "a/b.proto", and imports
// are looked up in root first, then in importPaths. Each side of a
// comparison loaded this way is compiled from its own tree only. Hidden
// directories (".git") are skipped.
func LoadDir(ctx context.Context, root string, importPaths []string, opts ...LoadOption) (*Files, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("read proto directory %s: %w", root, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("read proto directory %s: not a directory", root)
	}
	var files []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.EqualFold(filepath.Ext(path), ".proto") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read proto directory %s: %w", root, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("read proto directory %s: no .proto files", root)
	}
	return Load(ctx, files, append([]string{root}, importPaths...), opts...)
}

// notFoundResolver replaces the resolver's "open /abs/dir/x.proto: no such
// file" with an error naming the import and the directories searched.
func notFoundResolver(r protocompile.Resolver, shownPaths []string) protocompile.Resolver {
	return protocompile.ResolverFunc(func(path string) (protocompile.SearchResult, error) {
		res, err := r.FindFileByPath(path)
		if err != nil && errors.Is(err, fs.ErrNotExist) {
			where := "the current directory"
			if len(shownPaths) > 0 {
				where = strings.Join(shownPaths, ", ")
			}
			return res, fmt.Errorf("file %q not found in %s (add its root with an import path): %w", path, where, fs.ErrNotExist)
		}
		return res, err
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// newFiles registers roots and everything they import.
func newFiles(roots []protoreflect.FileDescriptor) (*Files, error) {
	reg := new(protoregistry.Files)
	out := &Files{registry: reg}
	seen := map[string]bool{}
	var add func(fd protoreflect.FileDescriptor) error
	add = func(fd protoreflect.FileDescriptor) error {
		if seen[fd.Path()] {
			return nil
		}
		seen[fd.Path()] = true
		imports := fd.Imports()
		for i := 0; i < imports.Len(); i++ {
			if err := add(imports.Get(i).FileDescriptor); err != nil {
				return err
			}
		}
		if err := reg.RegisterFile(fd); err != nil {
			return fmt.Errorf("register %s: %w", fd.Path(), err)
		}
		if !isStandard(fd.Path()) {
			out.files = append(out.files, fd)
		}
		return nil
	}
	for _, fd := range roots {
		if err := add(fd); err != nil {
			return nil, err
		}
	}
	sort.Slice(out.files, func(i, j int) bool { return out.files[i].Path() < out.files[j].Path() })
	return out, nil
}

// isStandard reports whether path is one of the files protoc ships
// (google/protobuf/...), which are never part of a user's schema.
func isStandard(path string) bool {
	if !strings.HasPrefix(path, "google/protobuf/") {
		return false
	}
	if contains(featureFiles, path) {
		return true
	}
	_, err := protoregistry.GlobalFiles.FindFileByPath(path)
	return err == nil
}

// ParseDescriptorSet links a serialized google.protobuf.FileDescriptorSet.
// Files the set imports but does not contain resolve only when they are
// standard google/protobuf files.
func ParseDescriptorSet(data []byte) (*Files, error) {
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("parse descriptor set: %w", err)
	}
	if len(set.GetFile()) == 0 {
		return nil, errors.New("parse descriptor set: no files")
	}
	byPath := map[string]*descriptorpb.FileDescriptorProto{}
	for _, f := range set.GetFile() {
		if _, dup := byPath[f.GetName()]; dup {
			return nil, fmt.Errorf("parse descriptor set: file %q appears twice", f.GetName())
		}
		byPath[f.GetName()] = f
	}
	reg := new(protoregistry.Files)
	res := setResolver{reg}
	var roots []protoreflect.FileDescriptor
	building := map[string]bool{}
	var build func(path string, from string) error
	build = func(path, from string) error {
		if _, err := reg.FindFileByPath(path); err == nil {
			return nil
		}
		fdp, ok := byPath[path]
		if !ok {
			if isStandard(path) {
				return nil // resolved from the global registry
			}
			return fmt.Errorf("parse descriptor set: %s imports %q, which the set does not contain", from, path)
		}
		if building[path] {
			return fmt.Errorf("parse descriptor set: import cycle through %q", path)
		}
		building[path] = true
		for _, dep := range fdp.GetDependency() {
			if err := build(dep, path); err != nil {
				return err
			}
		}
		fd, err := protodesc.NewFile(fdp, res)
		if err != nil {
			return fmt.Errorf("parse descriptor set: file %s: %w", path, err)
		}
		if err := reg.RegisterFile(fd); err != nil {
			return fmt.Errorf("parse descriptor set: file %s: %w", path, err)
		}
		roots = append(roots, fd)
		return nil
	}
	for _, f := range set.GetFile() {
		if err := build(f.GetName(), "descriptor set"); err != nil {
			return nil, err
		}
	}
	return newFiles(roots)
}

// DecodeDescriptorSet links a base64-encoded FileDescriptorSet, the form the
// Pact protobuf plugin stores as "protoDescriptors" in pact metadata.
func DecodeDescriptorSet(b64 string) (*Files, error) {
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, fmt.Errorf("decode protoDescriptors: %w", err)
	}
	return ParseDescriptorSet(data)
}

// setResolver resolves against the files built so far, then the standard
// files in the global registry.
type setResolver struct{ reg *protoregistry.Files }

func (r setResolver) FindFileByPath(path string) (protoreflect.FileDescriptor, error) {
	if fd, err := r.reg.FindFileByPath(path); err == nil {
		return fd, nil
	}
	if isStandard(path) {
		return protoregistry.GlobalFiles.FindFileByPath(path)
	}
	return nil, protoregistry.NotFound
}

func (r setResolver) FindDescriptorByName(name protoreflect.FullName) (protoreflect.Descriptor, error) {
	if d, err := r.reg.FindDescriptorByName(name); err == nil {
		return d, nil
	}
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(name)
	if err != nil {
		return nil, err
	}
	if !isStandard(d.ParentFile().Path()) {
		return nil, protoregistry.NotFound
	}
	return d, nil
}

// Registry returns the registry holding every loaded file, the standard
// imports included.
func (f *Files) Registry() *protoregistry.Files { return f.registry }

// Files returns the files that make up the schema, sorted by path: every
// loaded file except the standard google/protobuf ones.
func (f *Files) Files() []protoreflect.FileDescriptor {
	return append([]protoreflect.FileDescriptor(nil), f.files...)
}

// DisplayPath returns the path under which a file should be shown to the
// user: the path they named it by, or its import path.
func (f *Files) DisplayPath(path string) string {
	if d, ok := f.display[path]; ok {
		return d
	}
	return path
}

// Position is where a descriptor is declared.
type Position struct {
	File string // as returned by DisplayPath
	Line int    // 1-based; 0 when the descriptors carry no source info
}

// String formats p as "file:line", or "file" when the line is unknown.
func (p Position) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Position returns where d is declared. Descriptors loaded from a
// descriptor set without source info have line 0.
func (f *Files) Position(d protoreflect.Descriptor) Position {
	fd := d.ParentFile()
	if fd == nil {
		return Position{}
	}
	pos := Position{File: f.DisplayPath(fd.Path())}
	loc := fd.SourceLocations().ByDescriptor(d)
	if loc.Path != nil {
		pos.Line = loc.StartLine + 1
	}
	return pos
}

// SideImportPaths returns the shared import paths one side of a comparison
// may use: those that hold none of the other side's inputs, or hold some of
// this side's too. It keeps "-I old -I new" from resolving one side's
// imports in the other side's tree. Inputs are files or directories.
func SideImportPaths(shared, inputs, otherInputs []string) []string {
	holds := func(dir string, paths []string) bool {
		absDir, err := filepath.Abs(dir)
		if err != nil {
			return false
		}
		for _, p := range paths {
			abs, err := filepath.Abs(p)
			if err != nil {
				continue
			}
			if rel, err := filepath.Rel(absDir, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return true
			}
		}
		return false
	}
	var out []string
	for _, dir := range shared {
		if holds(dir, otherInputs) && !holds(dir, inputs) {
			continue
		}
		out = append(out, dir)
	}
	return out
}

// PositionAt returns where the part of d at sub (a source path below d's,
// e.g. a field's type, {5}, or an option, {8, 11}) is declared, and
// whether the source info has it; when it has not, the position of d.
func (f *Files) PositionAt(d protoreflect.Descriptor, sub ...int32) (Position, bool) {
	pos := f.Position(d)
	fd := d.ParentFile()
	if fd == nil || len(sub) == 0 {
		return pos, false
	}
	var base protoreflect.SourcePath
	if d != fd {
		loc := fd.SourceLocations().ByDescriptor(d)
		if loc.Path == nil {
			return pos, false
		}
		base = loc.Path
	}
	path := append(append(protoreflect.SourcePath{}, base...), sub...)
	loc := fd.SourceLocations().ByPath(path)
	if loc.Path == nil {
		return pos, false
	}
	pos.Line = loc.StartLine + 1
	return pos, true
}
