package breaking

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Category is one of buf's breaking-change categories, from strictest to
// most lenient: FILE, PACKAGE, WIRE_JSON, WIRE. A rule belongs to one or
// more categories; choosing categories chooses the union of their rules.
type Category string

// buf's categories.
const (
	// CategoryFile also breaks generated code per file: moving a
	// declaration to another file is a change.
	CategoryFile Category = "FILE"
	// CategoryPackage breaks generated code per package.
	CategoryPackage Category = "PACKAGE"
	// CategoryWireJSON breaks the binary encoding or the JSON mapping.
	CategoryWireJSON Category = "WIRE_JSON"
	// CategoryWire breaks the binary encoding only.
	CategoryWire Category = "WIRE"
)

// Categories lists buf's categories from strictest to most lenient.
func Categories() []Category {
	return []Category{CategoryFile, CategoryPackage, CategoryWireJSON, CategoryWire}
}

// DefaultCategories are the categories Check applies: FILE, buf's default,
// so that a user moving from `buf breaking` gets the same findings without
// configuring anything.
func DefaultCategories() []Category { return []Category{CategoryFile} }

// Rule IDs. They are public API: tests, filters and CI configuration match
// them, so they never change once released. Each has one buf rule ID
// (Rule.BufID).
const (
	RuleFileDeleted                   = "file-deleted"
	RulePackageChanged                = "package-changed"
	RuleFileSyntaxChanged             = "file-syntax-changed"
	RuleFileCCEnableArenasChanged     = "file-cc-enable-arenas-changed"
	RuleFileCCGenericServicesChanged  = "file-cc-generic-services-changed"
	RuleFileCSharpNamespaceChanged    = "file-csharp-namespace-changed"
	RuleFileGoPackageChanged          = "file-go-package-changed"
	RuleFileJavaGenericServices       = "file-java-generic-services-changed"
	RuleFileJavaMultipleFilesChanged  = "file-java-multiple-files-changed"
	RuleFileJavaOuterClassnameChanged = "file-java-outer-classname-changed"
	RuleFileJavaPackageChanged        = "file-java-package-changed"
	RuleFileObjCClassPrefixChanged    = "file-objc-class-prefix-changed"
	RuleFileOptimizeForChanged        = "file-optimize-for-changed"
	RuleFilePHPClassPrefixChanged     = "file-php-class-prefix-changed"
	RuleFilePHPMetadataNamespace      = "file-php-metadata-namespace-changed"
	RuleFilePHPNamespaceChanged       = "file-php-namespace-changed"
	RuleFilePyGenericServicesChanged  = "file-py-generic-services-changed"
	RuleFileRubyPackageChanged        = "file-ruby-package-changed"
	RuleFileSwiftPrefixChanged        = "file-swift-prefix-changed"

	RulePackageDeleted          = "package-deleted"
	RulePackageMessageDeleted   = "package-message-deleted"
	RulePackageEnumDeleted      = "package-enum-deleted"
	RulePackageServiceDeleted   = "package-service-deleted"
	RulePackageExtensionDeleted = "package-extension-deleted"

	RuleMessageDeleted                 = "message-deleted"
	RuleMessageDescriptorAccessorGone  = "message-standard-descriptor-accessor-removed"
	RuleMessageRequiredFieldsChanged   = "message-required-fields-changed"
	RuleMessageJSONFormatChanged       = "message-json-format-changed"
	RuleMessageReservedDeleted         = "message-reserved-deleted"
	RuleMessageExtensionRangeDeleted   = "message-extension-range-deleted"
	RuleOneofDeleted                   = "oneof-deleted"
	RuleFieldDeleted                   = "field-deleted"
	RuleFieldDeletedNumberNotReserved  = "field-deleted-number-not-reserved"
	RuleFieldDeletedNameNotReserved    = "field-deleted-name-not-reserved"
	RuleFieldTypeChanged               = "field-type-changed"
	RuleFieldWireTypeChanged           = "field-wire-compatible-type"
	RuleFieldWireJSONTypeChanged       = "field-wire-json-compatible-type"
	RuleFieldCardinalityChanged        = "field-cardinality-changed"
	RuleFieldWireCardinalityChanged    = "field-wire-compatible-cardinality"
	RuleFieldWireJSONCardinality       = "field-wire-json-compatible-cardinality"
	RuleFieldNameChanged               = "field-name-changed"
	RuleFieldJSONNameChanged           = "field-json-name-changed"
	RuleFieldOneofChanged              = "field-oneof-changed"
	RuleFieldDefaultChanged            = "field-default-changed"
	RuleFieldJSTypeChanged             = "field-jstype-changed"
	RuleFieldCppStringTypeChanged      = "field-cpp-string-type-changed"
	RuleFieldJavaUTF8ValidationChanged = "field-java-utf8-validation-changed"
	RuleFieldUTF8ValidationChanged     = "field-utf8-validation-changed"
	RuleExtensionDeleted               = "extension-deleted"

	RuleEnumDeleted                       = "enum-deleted"
	RuleEnumTypeChanged                   = "enum-open-closed-changed"
	RuleEnumJSONFormatChanged             = "enum-json-format-changed"
	RuleEnumReservedDeleted               = "enum-reserved-deleted"
	RuleEnumValueDeleted                  = "enum-value-deleted"
	RuleEnumValueDeletedNumberNotReserved = "enum-value-deleted-number-not-reserved"
	RuleEnumValueDeletedNameNotReserved   = "enum-value-deleted-name-not-reserved"
	RuleEnumValueNameChanged              = "enum-value-name-changed"

	RuleServiceDeleted             = "service-deleted"
	RuleRPCDeleted                 = "rpc-deleted"
	RuleRPCRequestTypeChanged      = "rpc-request-type-changed"
	RuleRPCResponseTypeChanged     = "rpc-response-type-changed"
	RuleRPCClientStreamingChanged  = "rpc-client-streaming-changed"
	RuleRPCServerStreamingChanged  = "rpc-server-streaming-changed"
	RuleRPCIdempotencyLevelChanged = "rpc-idempotency-level-changed"
)

// Rule describes one rule.
type Rule struct {
	ID string
	// BufID is buf's ID for the same rule.
	BufID string
	// Categories are buf's categories the rule belongs to.
	Categories []Category
	Summary    string
}

const (
	cF = CategoryFile
	cP = CategoryPackage
	cJ = CategoryWireJSON
	cW = CategoryWire
)

var allRules = []Rule{
	{RuleFileDeleted, "FILE_NO_DELETE", []Category{cF}, "a file was deleted"},
	{RulePackageChanged, "FILE_SAME_PACKAGE", []Category{cF, cP, cJ, cW}, "a file's package changed"},
	{RuleFileSyntaxChanged, "FILE_SAME_SYNTAX", []Category{cF, cP}, "a file's syntax or edition changed"},
	{RuleFileCCEnableArenasChanged, "FILE_SAME_CC_ENABLE_ARENAS", []Category{cF, cP}, `file option "cc_enable_arenas" changed`},
	{RuleFileCCGenericServicesChanged, "FILE_SAME_CC_GENERIC_SERVICES", []Category{cF, cP}, `file option "cc_generic_services" changed`},
	{RuleFileCSharpNamespaceChanged, "FILE_SAME_CSHARP_NAMESPACE", []Category{cF, cP}, `file option "csharp_namespace" changed`},
	{RuleFileGoPackageChanged, "FILE_SAME_GO_PACKAGE", []Category{cF, cP}, `file option "go_package" changed`},
	{RuleFileJavaGenericServices, "FILE_SAME_JAVA_GENERIC_SERVICES", []Category{cF, cP}, `file option "java_generic_services" changed`},
	{RuleFileJavaMultipleFilesChanged, "FILE_SAME_JAVA_MULTIPLE_FILES", []Category{cF, cP}, `file option "java_multiple_files" changed`},
	{RuleFileJavaOuterClassnameChanged, "FILE_SAME_JAVA_OUTER_CLASSNAME", []Category{cF, cP}, `file option "java_outer_classname" changed`},
	{RuleFileJavaPackageChanged, "FILE_SAME_JAVA_PACKAGE", []Category{cF, cP}, `file option "java_package" changed`},
	{RuleFileObjCClassPrefixChanged, "FILE_SAME_OBJC_CLASS_PREFIX", []Category{cF, cP}, `file option "objc_class_prefix" changed`},
	{RuleFileOptimizeForChanged, "FILE_SAME_OPTIMIZE_FOR", []Category{cF, cP}, `file option "optimize_for" changed`},
	{RuleFilePHPClassPrefixChanged, "FILE_SAME_PHP_CLASS_PREFIX", []Category{cF, cP}, `file option "php_class_prefix" changed`},
	{RuleFilePHPMetadataNamespace, "FILE_SAME_PHP_METADATA_NAMESPACE", []Category{cF, cP}, `file option "php_metadata_namespace" changed`},
	{RuleFilePHPNamespaceChanged, "FILE_SAME_PHP_NAMESPACE", []Category{cF, cP}, `file option "php_namespace" changed`},
	{RuleFilePyGenericServicesChanged, "FILE_SAME_PY_GENERIC_SERVICES", []Category{cF, cP}, `file option "py_generic_services" changed`},
	{RuleFileRubyPackageChanged, "FILE_SAME_RUBY_PACKAGE", []Category{cF, cP}, `file option "ruby_package" changed`},
	{RuleFileSwiftPrefixChanged, "FILE_SAME_SWIFT_PREFIX", []Category{cF, cP}, `file option "swift_prefix" changed`},

	{RulePackageDeleted, "PACKAGE_NO_DELETE", []Category{cP}, "a package was deleted"},
	{RulePackageMessageDeleted, "PACKAGE_MESSAGE_NO_DELETE", []Category{cP}, "a message was deleted from its package"},
	{RulePackageEnumDeleted, "PACKAGE_ENUM_NO_DELETE", []Category{cP}, "an enum was deleted from its package"},
	{RulePackageServiceDeleted, "PACKAGE_SERVICE_NO_DELETE", []Category{cP}, "a service was deleted from its package"},
	{RulePackageExtensionDeleted, "PACKAGE_EXTENSION_NO_DELETE", []Category{cP}, "an extension was deleted from its package"},

	{RuleMessageDeleted, "MESSAGE_NO_DELETE", []Category{cF}, "a message was deleted from its file"},
	{RuleMessageDescriptorAccessorGone, "MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR", []Category{cF, cP}, `message option "no_standard_descriptor_accessor" changed from false to true`},
	{RuleMessageRequiredFieldsChanged, "MESSAGE_SAME_REQUIRED_FIELDS", []Category{cF, cP, cJ, cW}, "a required field was added or deleted"},
	{RuleMessageJSONFormatChanged, "MESSAGE_SAME_JSON_FORMAT", []Category{cF, cP, cJ}, "a message's json_format feature changed from ALLOW"},
	{RuleMessageReservedDeleted, "RESERVED_MESSAGE_NO_DELETE", []Category{cF, cP, cJ, cW}, "a reserved range or name was deleted from a message"},
	{RuleMessageExtensionRangeDeleted, "EXTENSION_MESSAGE_NO_DELETE", []Category{cF, cP}, "an extension range was deleted from a message"},
	{RuleOneofDeleted, "ONEOF_NO_DELETE", []Category{cF, cP}, "a oneof was deleted"},
	{RuleFieldDeleted, "FIELD_NO_DELETE", []Category{cF, cP}, "a field was deleted"},
	{RuleFieldDeletedNumberNotReserved, "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED", []Category{cJ, cW}, "a field was deleted without reserving its number"},
	{RuleFieldDeletedNameNotReserved, "FIELD_NO_DELETE_UNLESS_NAME_RESERVED", []Category{cJ}, "a field was deleted without reserving its name"},
	{RuleFieldTypeChanged, "FIELD_SAME_TYPE", []Category{cF, cP}, "a field's or extension's type changed"},
	{RuleFieldWireTypeChanged, "FIELD_WIRE_COMPATIBLE_TYPE", []Category{cW}, "a field's or extension's type changed to a wire-incompatible one"},
	{RuleFieldWireJSONTypeChanged, "FIELD_WIRE_JSON_COMPATIBLE_TYPE", []Category{cJ}, "a field's or extension's type changed to a wire- or JSON-incompatible one"},
	{RuleFieldCardinalityChanged, "FIELD_SAME_CARDINALITY", []Category{cF, cP}, "a field's or extension's cardinality changed (map -> repeated included)"},
	{RuleFieldWireCardinalityChanged, "FIELD_WIRE_COMPATIBLE_CARDINALITY", []Category{cW}, "a field's cardinality changed in a wire-incompatible way"},
	{RuleFieldWireJSONCardinality, "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY", []Category{cJ}, "a field's cardinality changed in a wire- or JSON-incompatible way (map -> repeated included)"},
	{RuleFieldNameChanged, "FIELD_SAME_NAME", []Category{cF, cP, cJ}, "a field or extension was renamed"},
	{RuleFieldJSONNameChanged, "FIELD_SAME_JSON_NAME", []Category{cF, cP, cJ}, "a field's JSON name changed"},
	{RuleFieldOneofChanged, "FIELD_SAME_ONEOF", []Category{cF, cP, cJ, cW}, "a field moved into, out of or between oneofs"},
	{RuleFieldDefaultChanged, "FIELD_SAME_DEFAULT", []Category{cF, cP, cJ, cW}, "a field's or extension's default value changed (proto2, editions)"},
	{RuleFieldJSTypeChanged, "FIELD_SAME_JSTYPE", []Category{cF, cP}, `a 64-bit field's option "jstype" changed`},
	{RuleFieldCppStringTypeChanged, "FIELD_SAME_CPP_STRING_TYPE", []Category{cF, cP}, "a string field's C++ string type changed"},
	{RuleFieldJavaUTF8ValidationChanged, "FIELD_SAME_JAVA_UTF8_VALIDATION", []Category{cF, cP}, "a string field's Java UTF-8 validation changed"},
	{RuleFieldUTF8ValidationChanged, "FIELD_SAME_UTF8_VALIDATION", []Category{cF, cP}, "a string field's utf8_validation feature changed"},
	{RuleExtensionDeleted, "EXTENSION_NO_DELETE", []Category{cF}, "an extension was deleted from its file"},

	{RuleEnumDeleted, "ENUM_NO_DELETE", []Category{cF}, "an enum was deleted from its file"},
	{RuleEnumTypeChanged, "ENUM_SAME_TYPE", []Category{cF, cP}, "an enum changed between open and closed"},
	{RuleEnumJSONFormatChanged, "ENUM_SAME_JSON_FORMAT", []Category{cF, cP, cJ}, "an enum's json_format feature changed from ALLOW"},
	{RuleEnumReservedDeleted, "RESERVED_ENUM_NO_DELETE", []Category{cF, cP, cJ, cW}, "a reserved range or name was deleted from an enum"},
	{RuleEnumValueDeleted, "ENUM_VALUE_NO_DELETE", []Category{cF, cP}, "an enum value was deleted"},
	{RuleEnumValueDeletedNumberNotReserved, "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED", []Category{cJ, cW}, "an enum value was deleted without reserving its number"},
	{RuleEnumValueDeletedNameNotReserved, "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED", []Category{cJ}, "an enum value was deleted without reserving its names"},
	{RuleEnumValueNameChanged, "ENUM_VALUE_SAME_NAME", []Category{cF, cP, cJ}, "an enum number lost a name (one finding per name it now has)"},

	{RuleServiceDeleted, "SERVICE_NO_DELETE", []Category{cF}, "a service was deleted from its file"},
	{RuleRPCDeleted, "RPC_NO_DELETE", []Category{cF, cP}, "an RPC was deleted"},
	{RuleRPCRequestTypeChanged, "RPC_SAME_REQUEST_TYPE", []Category{cF, cP, cJ, cW}, "an RPC's request type changed"},
	{RuleRPCResponseTypeChanged, "RPC_SAME_RESPONSE_TYPE", []Category{cF, cP, cJ, cW}, "an RPC's response type changed"},
	{RuleRPCClientStreamingChanged, "RPC_SAME_CLIENT_STREAMING", []Category{cF, cP, cJ, cW}, "an RPC's client streaming changed"},
	{RuleRPCServerStreamingChanged, "RPC_SAME_SERVER_STREAMING", []Category{cF, cP, cJ, cW}, "an RPC's server streaming changed"},
	{RuleRPCIdempotencyLevelChanged, "RPC_SAME_IDEMPOTENCY_LEVEL", []Category{cF, cP, cJ, cW}, `an RPC's option "idempotency_level" changed`},
}

// Rules lists every rule, in a stable order.
func Rules() []Rule {
	out := make([]Rule, len(allRules))
	for i, r := range allRules {
		r.Categories = slices.Clone(r.Categories)
		out[i] = r
	}
	return out
}

var ruleByID, ruleByBufID = func() (map[string]Rule, map[string]Rule) {
	byID, byBuf := map[string]Rule{}, map[string]Rule{}
	for _, r := range allRules {
		byID[r.ID] = r
		byBuf[r.BufID] = r
	}
	return byID, byBuf
}()

// BufID returns buf's ID for one of our rule IDs, or "".
func BufID(ruleID string) string { return ruleByID[ruleID].BufID }

// RuleSet is a set of rule IDs to apply.
type RuleSet map[string]bool

// Select returns the rules the names choose: each name is a category
// (FILE, PACKAGE, WIRE_JSON, WIRE), a buf rule ID (FIELD_SAME_TYPE) or one
// of our rule IDs, as a buf.yaml "breaking.use" list is. No names means
// DefaultCategories. An unknown name is an error naming it.
func Select(names []string) (RuleSet, error) {
	if len(names) == 0 {
		for _, c := range DefaultCategories() {
			names = append(names, string(c))
		}
	}
	set := RuleSet{}
	for _, name := range names {
		n := strings.TrimSpace(name)
		if slices.Contains(Categories(), Category(strings.ToUpper(n))) {
			for _, r := range allRules {
				if slices.Contains(r.Categories, Category(strings.ToUpper(n))) {
					set[r.ID] = true
				}
			}
			continue
		}
		if r, ok := ruleByBufID[strings.ToUpper(n)]; ok {
			set[r.ID] = true
			continue
		}
		if r, ok := ruleByID[n]; ok {
			set[r.ID] = true
			continue
		}
		return nil, fmt.Errorf("unknown category or rule %q (categories: FILE, PACKAGE, WIRE_JSON, WIRE)", name)
	}
	return set, nil
}

// IDs returns the set's rule IDs, sorted.
func (s RuleSet) IDs() []string {
	out := make([]string, 0, len(s))
	for id := range s {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
