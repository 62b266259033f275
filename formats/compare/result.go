package compare

// Result types.
const (
	TypeError   = "error"
	TypeWarning = "warning"
	TypeInfo    = "info"
)

// Result codes, as PactFlow's comparator names them.
const (
	CodeRequestPathOrMethodUnknown     = "request.path-or-method.unknown"
	CodeRequestQueryIncompatible       = "request.query.incompatible"
	CodeRequestQueryUnknown            = "request.query.unknown"
	CodeRequestHeaderIncompatible      = "request.header.incompatible"
	CodeRequestHeaderUnknown           = "request.header.unknown"
	CodeRequestAuthorizationMissing    = "request.authorization.missing"
	CodeRequestBodyIncompatible        = "request.body.incompatible"
	CodeRequestBodyUnknown             = "request.body.unknown"
	CodeRequestBodyUnvalidatable       = "request.body.unvalidatable"
	CodeRequestContentTypeIncompatible = "request.content-type.incompatible"
	CodeRequestContentTypeUnknown      = "request.content-type.unknown"
	CodeRequestContentTypeMissing      = "request.content-type.missing"
	CodeRequestAcceptIncompatible      = "request.accept.incompatible"
	CodeRequestAcceptUnknown           = "request.accept.unknown"
	CodeRequestSpecMissing             = "request.spec.missing"

	CodeResponseStatusUnknown           = "response.status.unknown"
	CodeResponseStatusDefault           = "response.status.default"
	CodeResponseHeaderIncompatible      = "response.header.incompatible"
	CodeResponseHeaderUnknown           = "response.header.unknown"
	CodeResponseHeaderUndefined         = "response.header.undefined"
	CodeResponseContentTypeIncompatible = "response.content-type.incompatible"
	CodeResponseContentTypeUnknown      = "response.content-type.unknown"
	CodeResponseBodyIncompatible        = "response.body.incompatible"
	CodeResponseBodyUnknown             = "response.body.unknown"
	CodeResponseBodyUnvalidatable       = "response.body.unvalidatable"
	CodeMessageOperationUnknown         = "message.operation.unknown"
	CodeMessageReferencesMissing        = "message.references.missing"
	CodeMessageNoMatch                  = "message.no.match"
	CodeMessageReplyMissing             = "message.reply.missing"
	CodeMessageResponseMissing          = "message.response.missing"
	CodeMessageSpecMissing              = "message.spec.missing"
	CodeMessagePayloadIncompatible      = "message.payload.incompatible"
	CodeMessagePayloadUnknown           = "message.payload.unknown"
	CodeMessagePayloadUnvalidatable     = "message.payload.unvalidatable"
	CodeMessageHeadersIncompatible      = "message.headers.incompatible"
	CodeMessageMatched                  = "message.matched"
)

// Result is one finding of a comparison, in the shape of PactFlow's
// comparator results.
type Result struct {
	Type        string       `json:"type"`
	Code        string       `json:"code"`
	Message     string       `json:"message"`
	MockDetails *MockDetails `json:"mockDetails,omitempty"`
	SpecDetails *SpecDetails `json:"specDetails,omitempty"`
	// Causes are the errors of each candidate message behind a
	// message.no.match result.
	Causes []Result `json:"causes,omitempty"`
	// Operation groups results for people: "GET /orders/{id}" as the
	// document names it, the pact's "METHOD path" when the document has
	// no such operation, or "operation ID" for messages.
	Operation string `json:"-"`
	// Interaction is the index of the interaction in the pact.
	Interaction int `json:"-"`
}

// MockDetails locates a result in the pact.
type MockDetails struct {
	InteractionDescription string `json:"interactionDescription"`
	InteractionState       string `json:"interactionState"`
	// Location is a path into the pact such as
	// "[root].interactions[0].response.body.items[1].id".
	Location string `json:"location"`
	Value    any    `json:"value,omitempty"`
}

// SpecDetails locates a result in the provider's document.
type SpecDetails struct {
	// Location is a path into the document such as
	// "[root].paths./orders/{id}.get.responses.200".
	Location   string  `json:"location"`
	PathMethod *string `json:"pathMethod"`
	PathName   *string `json:"pathName"`
	Value      any     `json:"value,omitempty"`
}

// HasErrors reports whether any result is an error.
func HasErrors(results []Result) bool {
	for _, r := range results {
		if r.Type == TypeError {
			return true
		}
	}
	return false
}
