package breaking

import (
	"sort"
	"strconv"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Source path numbers in FileDescriptorProto.
const (
	filePackagePath = 2
	fileOptionsPath = 8
	fileSyntaxPath  = 12
	fileEditionPath = 14
)

// fileOption is one file option a FILE_SAME_* rule compares, with its
// field number in FileOptions.
type fileOption struct {
	rule   string
	name   string
	number int32
	value  func(*descriptorpb.FileOptions) string
}

func boolString(b bool) string { return strconv.FormatBool(b) }

var fileOptions = []fileOption{
	{RuleFileCCEnableArenasChanged, "cc_enable_arenas", 31, func(o *descriptorpb.FileOptions) string { return boolString(o.GetCcEnableArenas()) }},
	{RuleFileCCGenericServicesChanged, "cc_generic_services", 16, func(o *descriptorpb.FileOptions) string { return boolString(o.GetCcGenericServices()) }},
	{RuleFileCSharpNamespaceChanged, "csharp_namespace", 37, (*descriptorpb.FileOptions).GetCsharpNamespace},
	{RuleFileGoPackageChanged, "go_package", 11, (*descriptorpb.FileOptions).GetGoPackage},
	{RuleFileJavaGenericServices, "java_generic_services", 17, func(o *descriptorpb.FileOptions) string { return boolString(o.GetJavaGenericServices()) }},
	{RuleFileJavaMultipleFilesChanged, "java_multiple_files", 10, func(o *descriptorpb.FileOptions) string { return boolString(o.GetJavaMultipleFiles()) }},
	{RuleFileJavaOuterClassnameChanged, "java_outer_classname", 8, (*descriptorpb.FileOptions).GetJavaOuterClassname},
	{RuleFileJavaPackageChanged, "java_package", 1, (*descriptorpb.FileOptions).GetJavaPackage},
	{RuleFileObjCClassPrefixChanged, "objc_class_prefix", 36, (*descriptorpb.FileOptions).GetObjcClassPrefix},
	{RuleFileOptimizeForChanged, "optimize_for", 9, func(o *descriptorpb.FileOptions) string { return o.GetOptimizeFor().String() }},
	{RuleFilePHPClassPrefixChanged, "php_class_prefix", 40, (*descriptorpb.FileOptions).GetPhpClassPrefix},
	{RuleFilePHPMetadataNamespace, "php_metadata_namespace", 44, (*descriptorpb.FileOptions).GetPhpMetadataNamespace},
	{RuleFilePHPNamespaceChanged, "php_namespace", 41, (*descriptorpb.FileOptions).GetPhpNamespace},
	{RuleFilePyGenericServicesChanged, "py_generic_services", 18, func(o *descriptorpb.FileOptions) string { return boolString(o.GetPyGenericServices()) }},
	{RuleFileRubyPackageChanged, "ruby_package", 45, (*descriptorpb.FileOptions).GetRubyPackage},
	{RuleFileSwiftPrefixChanged, "swift_prefix", 39, (*descriptorpb.FileOptions).GetSwiftPrefix},
}

func fileOpts(fd protoreflect.FileDescriptor) *descriptorpb.FileOptions {
	o, _ := fd.Options().(*descriptorpb.FileOptions)
	return o // the getters accept nil
}

// syntaxName is the file's syntax as buf names it: proto2 when unspecified.
func syntaxName(fd protoreflect.FileDescriptor) string {
	if fd.Syntax() == protoreflect.Editions {
		return "editions"
	}
	if fd.Syntax() == protoreflect.Proto3 {
		return "proto3"
	}
	return "proto2"
}

// checkFiles applies the rules on whole files: deleted files, and the
// package, syntax and options of the files present on both sides.
func (c *checker) checkFiles() {
	paths := make([]string, 0, len(c.oldIdx.files))
	for p := range c.oldIdx.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		of := c.oldIdx.files[p]
		nf, ok := c.pairs[p]
		if !ok {
			// The element is the file's package: consumer-aware mode
			// takes the deletion to break whatever uses that package.
			c.add(RuleFileDeleted, c.fileOnly(c.old, of), string(of.Package()), "file %s was deleted", p)
			continue
		}
		if of.Package() != nf.Package() {
			at, _ := c.new.PositionAt(nf, filePackagePath)
			c.add(RulePackageChanged, at, string(of.Package()), "package changed from %q to %q", of.Package(), nf.Package())
		}
		if o, n := syntaxName(of), syntaxName(nf); o != n {
			at, ok := c.new.PositionAt(nf, fileSyntaxPath)
			if !ok {
				at, _ = c.new.PositionAt(nf, fileEditionPath)
			}
			c.add(RuleFileSyntaxChanged, at, p, "syntax changed from %q to %q", o, n)
		}
		oo, no := fileOpts(of), fileOpts(nf)
		for _, opt := range fileOptions {
			if !c.on(opt.rule) {
				continue
			}
			if o, n := opt.value(oo), opt.value(no); o != n {
				at, _ := c.new.PositionAt(nf, fileOptionsPath, opt.number)
				c.add(opt.rule, at, p, "file option %q changed from %q to %q", opt.name, o, n)
			}
		}
		c.checkFileDeletions(of, nf)
	}
}

// checkFileDeletions applies the FILE category's deletion rules: messages,
// enums, extensions and services that are no longer in the same file.
func (c *checker) checkFileDeletions(of, nf protoreflect.FileDescriptor) {
	if !c.on(RuleMessageDeleted) && !c.on(RuleEnumDeleted) && !c.on(RuleExtensionDeleted) && !c.on(RuleServiceDeleted) {
		return
	}
	oldDecls, newDecls := fileDecls(of), fileDecls(nf)
	for _, d := range oldDecls.sorted() {
		if _, ok := newDecls.byName[d.key]; ok {
			continue
		}
		switch d.kind {
		case "message":
			c.add(RuleMessageDeleted, c.deletedIn(nf, d.nested), string(d.desc.FullName()), "message %s was deleted from file %s", d.nested, of.Path())
		case "enum":
			c.add(RuleEnumDeleted, c.deletedIn(nf, d.nested), string(d.desc.FullName()), "enum %s was deleted from file %s", d.nested, of.Path())
		case "extension":
			c.add(RuleExtensionDeleted, c.deletedIn(nf, d.nested), string(d.desc.FullName()), "extension %s was deleted from file %s", d.nested, of.Path())
		case "service":
			c.add(RuleServiceDeleted, c.fileOnly(c.new, nf), string(d.desc.FullName()), "service %s was deleted from file %s", d.nested, of.Path())
		}
	}
}

// decl is a message, enum, extension or service of a file or package, by
// kind and nested name.
type decl struct {
	kind   string
	nested string
	key    string // kind + " " + nested
	desc   protoreflect.Descriptor
}

type decls struct {
	byName map[string]decl
}

func (ds decls) sorted() []decl {
	out := make([]decl, 0, len(ds.byName))
	for _, d := range ds.byName {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

func (ds decls) add(kind string, d protoreflect.Descriptor) {
	n := nestedName(d)
	ds.byName[kind+" "+n] = decl{kind: kind, nested: n, key: kind + " " + n, desc: d}
}

// addFile adds every declaration of fd, nested ones and map entries
// included.
func (ds decls) addFile(fd protoreflect.FileDescriptor) {
	var addMessages func(protoreflect.MessageDescriptors)
	addRest := func(es protoreflect.EnumDescriptors, xs protoreflect.ExtensionDescriptors) {
		for i := 0; i < es.Len(); i++ {
			ds.add("enum", es.Get(i))
		}
		for i := 0; i < xs.Len(); i++ {
			ds.add("extension", xs.Get(i))
		}
	}
	addMessages = func(ms protoreflect.MessageDescriptors) {
		for i := 0; i < ms.Len(); i++ {
			md := ms.Get(i)
			ds.add("message", md)
			addRest(md.Enums(), md.Extensions())
			addMessages(md.Messages())
		}
	}
	addMessages(fd.Messages())
	addRest(fd.Enums(), fd.Extensions())
	for i := 0; i < fd.Services().Len(); i++ {
		ds.add("service", fd.Services().Get(i))
	}
}

func fileDecls(fd protoreflect.FileDescriptor) decls {
	ds := decls{byName: map[string]decl{}}
	ds.addFile(fd)
	return ds
}

// checkPackages applies the PACKAGE category's deletion rules: packages
// deleted, and messages, enums, extensions and services no longer in their
// package, wherever in it they moved.
func (c *checker) checkPackages() {
	if !c.on(RulePackageDeleted) && !c.on(RulePackageMessageDeleted) && !c.on(RulePackageEnumDeleted) &&
		!c.on(RulePackageServiceDeleted) && !c.on(RulePackageExtensionDeleted) {
		return
	}
	type pkg struct {
		files []string
		decls decls
	}
	byPackage := func(files map[string]protoreflect.FileDescriptor) map[protoreflect.FullName]*pkg {
		out := map[protoreflect.FullName]*pkg{}
		for p, fd := range files {
			pk := out[fd.Package()]
			if pk == nil {
				pk = &pkg{decls: decls{byName: map[string]decl{}}}
				out[fd.Package()] = pk
			}
			pk.files = append(pk.files, p)
			pk.decls.addFile(fd)
		}
		return out
	}
	oldPkgs, newPkgs := byPackage(c.oldIdx.files), byPackage(c.newIdx.files)
	names := make([]protoreflect.FullName, 0, len(oldPkgs))
	for n := range oldPkgs {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	for _, name := range names {
		op := oldPkgs[name]
		np, ok := newPkgs[name]
		if !ok {
			sort.Strings(op.files)
			c.add(RulePackageDeleted, c.fileOnly(c.old, c.oldIdx.files[op.files[0]]), string(name), "package %q was deleted", name)
			continue
		}
		for _, d := range op.decls.sorted() {
			if _, ok := np.decls.byName[d.key]; ok {
				continue
			}
			oldPath := d.desc.ParentFile().Path()
			at := c.fileOnly(c.old, d.desc.ParentFile())
			if nf, ok := c.newIdx.files[oldPath]; ok {
				at = c.deletedIn(nf, d.nested)
				if d.kind == "service" {
					at = c.fileOnly(c.new, nf)
				}
			}
			rule := map[string]string{
				"message": RulePackageMessageDeleted, "enum": RulePackageEnumDeleted,
				"extension": RulePackageExtensionDeleted, "service": RulePackageServiceDeleted,
			}[d.kind]
			c.add(rule, at, string(d.desc.FullName()), "%s %s was deleted from package %q", d.kind, d.nested, name)
		}
	}
}
