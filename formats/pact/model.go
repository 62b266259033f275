package pact

import "encoding/json"

// Spec is a Pact specification version.
type Spec int

// Specification versions, in order.
const (
	SpecUnknown Spec = iota
	V1
	V1_1
	V2
	V3
	V4
)

// InteractionType is the kind of an interaction, named as in V4 pact files.
type InteractionType string

// Interaction types. HTTP is used for every V1-V3 request/response
// interaction; AsyncMessage for V3 "messages" entries.
const (
	HTTP         InteractionType = "Synchronous/HTTP"
	AsyncMessage InteractionType = "Asynchronous/Messages"
	SyncMessage  InteractionType = "Synchronous/Messages"
)

// Pact is one contract file between a consumer and a provider.
//
// The model is lossless: fields the model does not understand are kept in
// Extra (at every level that has one) and written back unchanged.
type Pact struct {
	Consumer Pacticipant
	Provider Pacticipant
	// Spec is the specification version the file declares (metadata
	// pactSpecification.version, or pact-specification / pactSpecificationVersion
	// in older files). SpecUnknown when the file declares none.
	Spec         Spec
	Interactions []*Interaction
	// Metadata is the "metadata" object, kept whole (including plugins,
	// pactRust, pactSpecification).
	Metadata map[string]json.RawMessage
	// Messages reports whether the interactions came from a V3 "messages"
	// array (a message pact) rather than "interactions".
	Messages bool
	Extra    map[string]json.RawMessage
	// Layout is the specification whose JSON layout the file was read with:
	// Spec, or the version inferred from the content when the file declares
	// none (V1 files are read with the V2 layout). Write reuses the original
	// JSON kept in Orig fields only when writing in the same layout.
	Layout Spec
}

// Pacticipant is a consumer or provider.
type Pacticipant struct {
	Name  string
	Extra map[string]json.RawMessage
}

// ProviderState is a named state with optional parameters.
type ProviderState struct {
	Name   string
	Params map[string]any
	Extra  map[string]json.RawMessage
}

// Interaction is one expectation. Which parts are set depends on Type:
// HTTP sets Request and Response; AsyncMessage sets Message; SyncMessage sets
// MessageRequest and MessageResponses.
type Interaction struct {
	Type        InteractionType
	Description string
	// Key is the V4 interaction key (may be empty).
	Key            string
	ProviderStates []ProviderState
	Pending        bool
	// Comments is the V4 "comments" object, kept whole.
	Comments json.RawMessage
	// Transport is the V4 "transport" field ("http", "grpc", ...), empty when absent.
	Transport string
	// PluginConfiguration is the V4 "pluginConfiguration" object, kept whole.
	PluginConfiguration map[string]json.RawMessage
	// InteractionMarkup is the V4 "interactionMarkup" object, kept whole.
	InteractionMarkup json.RawMessage

	Request  *Request
	Response *Response

	Message          *Message
	MessageRequest   *Message
	MessageResponses []*Message

	Extra map[string]json.RawMessage
	// Orig holds the JSON of the known fields exactly as read (spelling such
	// as "provider_state", absent vs false "pending", ...). Write uses an
	// entry again only while it still reads back to the current value.
	Orig map[string]json.RawMessage
}

// Request is an HTTP request expectation (or an actual request, when the
// model is used to describe real traffic).
type Request struct {
	// Method and Path are as written; Parse sets "GET" and "/" when the
	// file has none (and Write leaves them out again).
	Method  string
	Path    string
	Query   Query
	Headers Headers
	Body    Body
	Rules   MatchingRules
	Gen     Generators
	Extra   map[string]json.RawMessage
	// Orig holds the JSON of the known fields as read (a V2 query string in
	// its original order and escaping, header values, V2 rule keys, ...).
	// Write uses an entry again only while it still reads back to the
	// current value.
	Orig map[string]json.RawMessage
}

// Response is an HTTP response expectation (or an actual response).
type Response struct {
	// Status is the HTTP status code; Parse sets 200 when the file has none.
	// Write leaves out 0 (unset) and refuses codes outside 100-999.
	Status  int
	Headers Headers
	Body    Body
	Rules   MatchingRules
	Gen     Generators
	Extra   map[string]json.RawMessage
	// Orig holds the JSON of the known fields as read; see Request.Orig.
	Orig map[string]json.RawMessage
}

// Message is a message payload with metadata: an asynchronous message, or
// the request or one response of a synchronous message interaction.
type Message struct {
	Contents Body
	Metadata map[string]any
	Rules    MatchingRules
	Gen      Generators
	Extra    map[string]json.RawMessage
	// Orig holds the JSON of the known fields as read, including which of
	// "metadata" / "metaData" was used; see Request.Orig.
	Orig map[string]json.RawMessage
}

// Query holds query parameters; a key may repeat, so values are lists.
// Order of values within a key is significant.
type Query map[string][]string

// Headers holds header values by name as written in the pact. Lookups
// should use Get, which ignores case.
type Headers map[string][]string

// BodyState says whether a body was absent, null, empty, or present.
type BodyState int

// Body states.
const (
	BodyMissing BodyState = iota // no body field at all
	BodyNull                     // body: null
	BodyEmpty                    // body present with no content ("" or {"content": ""})
	BodyPresent
)

// Body is the contents of a request, response or message.
type Body struct {
	State BodyState
	// Content is the body's bytes as they go on the wire. For a JSON body
	// this is the JSON text.
	Content []byte
	// ContentType is the body's content type: the V4 "contentType" field, or
	// derived from the Content-Type header / message metadata, or detected.
	// Empty when unknown.
	ContentType string
	// Encoded is the V4 "encoded" marker as written in the file: "" (absent
	// or false), "base64" or "json".
	Encoded string
	// ContentTypeHint is the V4 "contentTypeHint" (TEXT, BINARY, DEFAULT).
	ContentTypeHint string
	// Raw is the body exactly as read from the file, used to write it back
	// unchanged when Content was not modified.
	Raw json.RawMessage
}

// Category names for matching rules and generators.
const (
	CategoryBody     = "body"
	CategoryHeader   = "header"
	CategoryQuery    = "query"
	CategoryPath     = "path"
	CategoryMethod   = "method"
	CategoryStatus   = "status"
	CategoryMetadata = "metadata"
	CategoryContent  = "content"
)

// MatchingRules are rules grouped by category. Within a category, rules are
// keyed by a path expression: a JSON path such as "$.a.b[*]" for bodies, or a
// header / query / metadata name. Categories that have no sub-paths (path,
// status, method) use the empty key "".
//
// V2 files with "$.body.x" style keys are converted to this form when read
// and converted back when written as V2.
type MatchingRules map[string]map[string]RuleList

// RuleList is the list of matchers at one path and how they combine.
type RuleList struct {
	// Combine is "AND" or "OR"; empty means AND.
	Combine  string
	Matchers []Matcher
}

// Matcher is one matching rule. Type is the "match" value (type, regex,
// equality, include, integer, decimal, number, null, boolean, date, time,
// timestamp, datetime, contentType, values, eachKey, eachValue,
// arrayContains, notEmpty, semver, statusCode, ...). A V2 rule with no
// "match" key gets the type it implies ("regex" when it has a regex, "type"
// otherwise).
//
// Attrs holds every other field of the rule as decoded JSON (numbers as
// json.Number): "regex", "min", "max", "value", "format", "date", "time",
// "timestamp", "status", "variants", "rules", ...
type Matcher struct {
	Type  string
	Attrs map[string]any
}

// Generators are generators grouped by category, keyed like MatchingRules.
// The path and status categories use the empty key "".
type Generators map[string]map[string]Generator

// Generator is one generator. Type is the "type" value (RandomInt,
// RandomDecimal, RandomHexadecimal, RandomString, Regex, Uuid, Date, Time,
// DateTime, RandomBoolean, ProviderState, MockServerURL); Attrs holds the
// other fields (min, max, digits, size, regex, format, expression,
// example, ...) as decoded JSON (numbers as json.Number).
type Generator struct {
	Type  string
	Attrs map[string]any
}
