package breaking

import (
	"slices"
	"sort"
	"strings"
)

// InteractionRef names a consumer's interaction.
type InteractionRef struct {
	Consumer    string `json:"consumer"`
	Interaction string `json:"interaction"`
}

// ClassifiedFinding is a finding with the consumer interactions it breaks.
type ClassifiedFinding struct {
	Finding
	// Breaking is true when the change breaks a known client: in plain mode
	// (no consumer usage) every finding; in consumer-aware mode those that
	// break at least one interaction.
	Breaking bool `json:"breaking"`
	// Breaks lists the interactions the change breaks, sorted; empty when
	// no consumer uses what changed.
	Breaks []InteractionRef `json:"breaks,omitempty"`
}

// Classify marks each finding with the consumer interactions it breaks. An
// interaction is broken by a change to anything it uses: its RPC and service,
// the message types it sends or expects, the fields its contents set or its
// matching rules address (and their oneofs and enum types), and the enum
// values present in its contents. Findings no interaction uses are kept,
// marked not breaking. Order is preserved.
func Classify(findings []Finding, usage Usage) []ClassifiedFinding {
	out := make([]ClassifiedFinding, len(findings))
	for i, f := range findings {
		cf := ClassifiedFinding{Finding: f}
		seen := map[InteractionRef]bool{}
		for _, u := range usage.Interactions {
			ref := InteractionRef{Consumer: u.Consumer, Interaction: u.Description}
			if !seen[ref] && uses(u, f) {
				seen[ref] = true
				cf.Breaks = append(cf.Breaks, ref)
			}
		}
		sort.Slice(cf.Breaks, func(a, b int) bool {
			x, y := cf.Breaks[a], cf.Breaks[b]
			if x.Consumer != y.Consumer {
				return x.Consumer < y.Consumer
			}
			return x.Interaction < y.Interaction
		})
		cf.Breaking = len(cf.Breaks) > 0
		out[i] = cf
	}
	return out
}

// Plain wraps findings for output without consumer usage: every finding is
// breaking.
func Plain(findings []Finding) []ClassifiedFinding {
	out := make([]ClassifiedFinding, len(findings))
	for i, f := range findings {
		out[i] = ClassifiedFinding{Finding: f, Breaking: true}
	}
	return out
}

// uses reports whether the change f touches something u uses.
func uses(u InteractionUsage, f Finding) bool {
	el := f.Element
	switch f.RuleID {
	case RulePackageChanged, RulePackageDeleted, RuleFileDeleted:
		return anyHasPrefix(u, el+".")
	case RuleFileSyntaxChanged, RuleFileCCEnableArenasChanged, RuleFileCCGenericServicesChanged,
		RuleFileCSharpNamespaceChanged, RuleFileGoPackageChanged, RuleFileJavaGenericServices,
		RuleFileJavaMultipleFilesChanged, RuleFileJavaOuterClassnameChanged, RuleFileJavaPackageChanged,
		RuleFileObjCClassPrefixChanged, RuleFileOptimizeForChanged, RuleFilePHPClassPrefixChanged,
		RuleFilePHPMetadataNamespace, RuleFilePHPNamespaceChanged, RuleFilePyGenericServicesChanged,
		RuleFileRubyPackageChanged, RuleFileSwiftPrefixChanged:
		// Generated code of the file, not the wire: no interaction's
		// messages break.
		return false
	case RuleMessageDeleted, RulePackageMessageDeleted:
		// The message itself, or anything nested in it.
		return has(u.Messages, el) || anyHasPrefix(u, el+".")
	case RuleMessageRequiredFieldsChanged, RuleFieldDeleted, RuleFieldDeletedNumberNotReserved,
		RuleFieldDeletedNameNotReserved, RuleFieldTypeChanged, RuleFieldWireTypeChanged,
		RuleFieldWireJSONTypeChanged, RuleFieldCardinalityChanged, RuleFieldWireCardinalityChanged,
		RuleFieldWireJSONCardinality, RuleFieldNameChanged, RuleFieldJSONNameChanged, RuleFieldOneofChanged,
		RuleFieldDefaultChanged, RuleFieldJSTypeChanged, RuleFieldCppStringTypeChanged,
		RuleFieldJavaUTF8ValidationChanged, RuleFieldUTF8ValidationChanged:
		return has(u.Fields, el)
	case RuleMessageJSONFormatChanged, RuleMessageDescriptorAccessorGone:
		return has(u.Messages, el)
	case RuleMessageReservedDeleted, RuleMessageExtensionRangeDeleted:
		// A number or name freed for reuse breaks nobody yet; the change
		// that reuses it will be reported.
		return false
	case RuleOneofDeleted:
		return has(u.Oneofs, el)
	case RuleEnumDeleted, RulePackageEnumDeleted, RuleEnumTypeChanged, RuleEnumJSONFormatChanged:
		return has(u.Enums, el)
	case RuleEnumReservedDeleted:
		return false
	case RuleEnumValueDeleted, RuleEnumValueDeletedNumberNotReserved, RuleEnumValueDeletedNameNotReserved,
		RuleEnumValueNameChanged:
		return has(u.EnumValues, el)
	case RuleExtensionDeleted, RulePackageExtensionDeleted:
		return has(u.Fields, el)
	case RuleServiceDeleted, RulePackageServiceDeleted:
		return u.Method != "" && u.service() == el
	case RuleRPCDeleted, RuleRPCRequestTypeChanged, RuleRPCResponseTypeChanged,
		RuleRPCClientStreamingChanged, RuleRPCServerStreamingChanged, RuleRPCIdempotencyLevelChanged:
		return u.Method != "" && u.methodName() == el
	}
	// A rule this function does not know: assume anything near it is used.
	return anyHasPrefix(u, el)
}

func has(list []string, s string) bool {
	return slices.Contains(list, s)
}

func anyHasPrefix(u InteractionUsage, prefix string) bool {
	if strings.HasPrefix(u.methodName(), prefix) {
		return true
	}
	for _, list := range [][]string{u.Messages, u.Fields, u.Oneofs, u.Enums, u.EnumValues} {
		for _, s := range list {
			if strings.HasPrefix(s, prefix) {
				return true
			}
		}
	}
	return false
}
