package breaking

import "sort"

// checkPackages reports files present in both schemas whose package
// changed: every message, enum and service in them gets a new full name,
// which breaks gRPC method paths, Any type URLs and generated code.
func (c *checker) checkPackages() {
	paths := make([]string, 0, len(c.oldIdx.files))
	for p := range c.oldIdx.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		of := c.oldIdx.files[p]
		nf, ok := c.pairs[p]
		if !ok || of.Package() == nf.Package() {
			continue
		}
		c.add(RulePackageChanged, filePosition(c.new, nf), string(of.Package()),
			"package changed from %q to %q", of.Package(), nf.Package())
	}
}
