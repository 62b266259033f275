package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
)

// The typed JSON documents of the broker's API, shared by the server
// (broker/server), the Go client (Client) and the renderers that print
// them (package ci). Field names and shapes are the Pact Broker's: the
// official Pact clients read and write them. Request documents carry
// omitempty on optional fields so that the client sends what the official
// clients send; the server decodes missing and zero alike.

// Links is a HAL _links object whose relations are single links. Decoding
// takes the first link of a relation that is a list, so that a document
// from another broker with more links than expected still reads.
type Links map[string]Link

// UnmarshalJSON implements json.Unmarshaler.
func (l *Links) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(Links, len(raw))
	for rel, v := range raw {
		var one Link
		if json.Unmarshal(v, &one) == nil {
			out[rel] = one
			continue
		}
		var many []Link
		if json.Unmarshal(v, &many) == nil && len(many) > 0 {
			out[rel] = many[0]
		}
	}
	*l = out
	return nil
}

// Named is an object known by its name (a branch, tag or environment in a
// matrix row), with its links when the server has them.
type Named struct {
	Name  string `json:"name"`
	Links Links  `json:"_links,omitempty"`
}

// Notice is a message for the user in a response (publication,
// can-i-deploy).
type Notice struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// PublishContractsRequest is the body of POST /contracts/publish.
type PublishContractsRequest struct {
	PacticipantName          string            `json:"pacticipantName"`
	PacticipantVersionNumber string            `json:"pacticipantVersionNumber"`
	Branch                   string            `json:"branch,omitempty"`
	Tags                     []string          `json:"tags,omitempty"`
	BuildURL                 string            `json:"buildUrl,omitempty"`
	Contracts                []PublishContract `json:"contracts"`
}

// PublishContract is one contract of a PublishContractsRequest; Content is
// the pact document, in base64 on the wire.
type PublishContract struct {
	ConsumerName  string        `json:"consumerName"`
	ProviderName  string        `json:"providerName"`
	Specification string        `json:"specification"`
	ContentType   string        `json:"contentType"`
	Content       Base64Content `json:"content"`
	OnConflict    string        `json:"onConflict,omitempty"`
}

// Base64Content is a document carried as a JSON string of base64 (a
// published pact, up to tens of megabytes). Decoding reads the base64
// straight from the JSON bytes, standard or URL-safe, padded or not, so the
// document is never also held as a Go string of its base64; encoding
// writes standard base64.
type Base64Content struct {
	// Data is the decoded document.
	Data []byte
	// Err is set when the JSON string is not base64: the receiver reports
	// it against the field that held it rather than refusing the whole
	// document as malformed JSON.
	Err error
}

// MarshalJSON implements json.Marshaler.
func (c Base64Content) MarshalJSON() ([]byte, error) {
	out := make([]byte, base64.StdEncoding.EncodedLen(len(c.Data))+2)
	out[0], out[len(out)-1] = '"', '"'
	base64.StdEncoding.Encode(out[1:len(out)-1], c.Data)
	return out, nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *Base64Content) UnmarshalJSON(b []byte) error {
	*c = Base64Content{}
	if string(b) == "null" {
		return nil
	}
	if len(b) < 2 || b[0] != '"' {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[string]()}
	}
	raw := b[1 : len(b)-1]
	if bytes.IndexByte(raw, '\\') >= 0 {
		// Escapes (a "\/" from some JSON encoders) are rare: unquote those.
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		raw = []byte(s)
	}
	c.Data, c.Err = decodeBase64(raw)
	return nil
}

// decodeBase64 accepts standard and URL-safe base64, padded or not.
func decodeBase64(s []byte) ([]byte, error) {
	s = bytes.TrimSpace(s)
	var first error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		dst := make([]byte, enc.DecodedLen(len(s)))
		n, err := enc.Decode(dst, s)
		if err == nil {
			return dst[:n], nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// jsonKind names the kind of a JSON value that is not a string, as
// encoding/json does in an UnmarshalTypeError.
func jsonKind(b []byte) string {
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	}
	return "number"
}

// VerificationResultRequest is the body of a verification result
// publication (the pb:publish-verification-results link of a pact).
type VerificationResultRequest struct {
	Success                    *bool           `json:"success"`
	ProviderApplicationVersion string          `json:"providerApplicationVersion"`
	BuildURL                   string          `json:"buildUrl,omitempty"`
	TestResults                json.RawMessage `json:"testResults,omitempty"`
	VerifiedBy                 json.RawMessage `json:"verifiedBy,omitempty"`
}

// ConsumerVersionSelector is a consumer version selector as JSON (see
// broker.ConsumerVersionSelector).
type ConsumerVersionSelector struct {
	MainBranch         bool   `json:"mainBranch,omitempty"`
	Branch             string `json:"branch,omitempty"`
	FallbackBranch     string `json:"fallbackBranch,omitempty"`
	MatchingBranch     bool   `json:"matchingBranch,omitempty"`
	Tag                string `json:"tag,omitempty"`
	FallbackTag        string `json:"fallbackTag,omitempty"`
	Latest             *bool  `json:"latest,omitempty"`
	Consumer           string `json:"consumer,omitempty"`
	Deployed           bool   `json:"deployed,omitempty"`
	Released           bool   `json:"released,omitempty"`
	DeployedOrReleased bool   `json:"deployedOrReleased,omitempty"`
	Environment        string `json:"environment,omitempty"`
}

// PactsForVerificationRequest is the body of POST
// /pacts/provider/{provider}/for-verification.
type PactsForVerificationRequest struct {
	ConsumerVersionSelectors []ConsumerVersionSelector `json:"consumerVersionSelectors,omitempty"`
	ProviderVersionBranch    string                    `json:"providerVersionBranch,omitempty"`
	ProviderVersionTags      []string                  `json:"providerVersionTags,omitempty"`
	IncludePendingStatus     bool                      `json:"includePendingStatus,omitempty"`
	// IncludeWIPPactsSince is a date or an RFC 3339 timestamp.
	IncludeWIPPactsSince string `json:"includeWipPactsSince,omitempty"`
}

// PactsForVerificationResponse is the answer to a pacts-for-verification
// request.
type PactsForVerificationResponse struct {
	Embedded struct {
		Pacts []VerifiablePact `json:"pacts"`
	} `json:"_embedded"`
	Links Links `json:"_links,omitempty"`
}

// VerifiablePact is one pact to verify; its self link is the pact's URL
// (with the metadata segment the verification result is published under).
type VerifiablePact struct {
	ShortDescription       string                 `json:"shortDescription"`
	VerificationProperties VerificationProperties `json:"verificationProperties"`
	Links                  Links                  `json:"_links"`
}

// VerificationProperties say how a pact is to be verified. Pending is
// present only when the request asked for the pending status.
type VerificationProperties struct {
	Pending *bool                `json:"pending,omitempty"`
	WIP     bool                 `json:"wip,omitempty"`
	Notices []VerificationNotice `json:"notices"`
}

// VerificationNotice tells the verifier why a pact was selected and what
// its result will mean.
type VerificationNotice struct {
	When string `json:"when"`
	Text string `json:"text"`
}

// Matrix is the answer to GET /matrix and /can-i-deploy.
type Matrix struct {
	Summary MatrixSummary `json:"summary"`
	Notices []Notice      `json:"notices"`
	Matrix  []MatrixLine  `json:"matrix"`
}

// MatrixSummary is a matrix's verdict. Deployable is null while unknown;
// Ignored is present when ignore selectors were given.
type MatrixSummary struct {
	Deployable *bool  `json:"deployable"`
	Reason     string `json:"reason"`
	Success    int    `json:"success"`
	Failed     int    `json:"failed"`
	Unknown    int    `json:"unknown"`
	Ignored    *int   `json:"ignored,omitempty"`
}

// MatrixLine is one row of a matrix: a consumer version's pact with a
// provider and its verification by a provider version (null when
// unverified). Ignored is present when ignore selectors were given.
type MatrixLine struct {
	Consumer           MatrixParty         `json:"consumer"`
	Provider           MatrixParty         `json:"provider"`
	Pact               *MatrixPact         `json:"pact,omitempty"`
	VerificationResult *MatrixVerification `json:"verificationResult"`
	Ignored            *bool               `json:"ignored,omitempty"`
}

// MatrixParty is the consumer or provider of a matrix row; the provider's
// Version is null when no provider version is in scope.
type MatrixParty struct {
	Name    string         `json:"name"`
	Version *MatrixVersion `json:"version"`
	Links   Links          `json:"_links,omitempty"`
}

// MatrixVersion is a pacticipant version in a matrix row; Branch is its
// latest branch.
type MatrixVersion struct {
	Number       string  `json:"number"`
	Branch       string  `json:"branch,omitempty"`
	Branches     []Named `json:"branches"`
	Tags         []Named `json:"tags"`
	Environments []Named `json:"environments"`
	Links        Links   `json:"_links,omitempty"`
}

// MatrixPact is the pact of a matrix row.
type MatrixPact struct {
	CreatedAt string `json:"createdAt"`
	Links     Links  `json:"_links,omitempty"`
}

// MatrixVerification is the verification result of a matrix row.
type MatrixVerification struct {
	Success    bool   `json:"success"`
	VerifiedAt string `json:"verifiedAt,omitempty"`
	// VerificationKind says how the row was verified: "pact" (the
	// provider replayed the pact) or "bi-directional" (the pact was
	// compared with the provider version's self-verified provider
	// contract; the self link is then the provider contract).
	VerificationKind string `json:"verificationKind"`
	Links            Links  `json:"_links,omitempty"`
}

// EnvironmentRequest is the body that creates or replaces an environment;
// Name and Production are required (pointers tell missing from zero).
type EnvironmentRequest struct {
	UUID        string          `json:"uuid,omitempty"`
	Name        *string         `json:"name"`
	DisplayName string          `json:"displayName,omitempty"`
	Production  *bool           `json:"production"`
	Contacts    json.RawMessage `json:"contacts,omitempty"`
}

// Environment is an environment resource.
type Environment struct {
	UUID        string          `json:"uuid"`
	Name        string          `json:"name"`
	DisplayName string          `json:"displayName"`
	Production  bool            `json:"production"`
	CreatedAt   string          `json:"createdAt,omitempty"`
	UpdatedAt   string          `json:"updatedAt,omitempty"`
	Contacts    json.RawMessage `json:"contacts,omitempty"`
	Links       Links           `json:"_links,omitempty"`
}

// Environments is the environments collection.
type Environments struct {
	Embedded struct {
		Environments []Environment `json:"environments"`
	} `json:"_embedded"`
	Links map[string]any `json:"_links,omitempty"`
}

// VersionSummary is a version embedded in another resource.
type VersionSummary struct {
	Number string `json:"number"`
	Links  Links  `json:"_links,omitempty"`
}

// PacticipantSummary is a pacticipant embedded in another resource.
type PacticipantSummary struct {
	Name  string `json:"name"`
	Links Links  `json:"_links,omitempty"`
}

// DeployedVersion is a deployed-version resource; ApplicationInstance
// (and its old name Target) is null for the default instance.
type DeployedVersion struct {
	UUID                string  `json:"uuid"`
	CurrentlyDeployed   bool    `json:"currentlyDeployed"`
	ApplicationInstance *string `json:"applicationInstance"`
	Target              *string `json:"target"`
	CreatedAt           string  `json:"createdAt,omitempty"`
	UndeployedAt        string  `json:"undeployedAt,omitempty"`
	Embedded            struct {
		Version     VersionSummary     `json:"version"`
		Pacticipant PacticipantSummary `json:"pacticipant"`
		Environment *Environment       `json:"environment,omitempty"`
	} `json:"_embedded"`
	Links Links `json:"_links,omitempty"`
}

// ReleasedVersion is a released-version resource.
type ReleasedVersion struct {
	UUID               string `json:"uuid"`
	CurrentlySupported bool   `json:"currentlySupported"`
	CreatedAt          string `json:"createdAt,omitempty"`
	UpdatedAt          string `json:"updatedAt,omitempty"`
	SupportEndedAt     string `json:"supportEndedAt,omitempty"`
	Embedded           struct {
		Version     VersionSummary     `json:"version"`
		Pacticipant PacticipantSummary `json:"pacticipant"`
	} `json:"_embedded"`
	Links Links `json:"_links,omitempty"`
}

// DeployedVersions is a collection of deployed versions.
type DeployedVersions struct {
	Embedded struct {
		DeployedVersions []DeployedVersion `json:"deployedVersions"`
	} `json:"_embedded"`
	Links map[string]any `json:"_links,omitempty"`
}

// ReleasedVersions is a collection of released versions.
type ReleasedVersions struct {
	Embedded struct {
		ReleasedVersions []ReleasedVersion `json:"releasedVersions"`
	} `json:"_embedded"`
	Links map[string]any `json:"_links,omitempty"`
}

// Version is a pacticipant version resource. BuildURL is null when the
// version has none.
type Version struct {
	Number    string  `json:"number"`
	BuildURL  *string `json:"buildUrl"`
	CreatedAt string  `json:"createdAt,omitempty"`
	Embedded  struct {
		BranchVersions []Named `json:"branchVersions"`
		Tags           []Named `json:"tags"`
	} `json:"_embedded"`
	// Links holds single links and lists (pb:record-deployment,
	// pb:record-release).
	Links map[string]any `json:"_links,omitempty"`
}

// PublishContractsResponse is the answer to POST /contracts/publish.
type PublishContractsResponse struct {
	Notices []Notice `json:"notices"`
	// Logs are the notices in the older shape some clients read.
	Logs     []PublishLog `json:"logs"`
	Embedded struct {
		Pacticipant any     `json:"pacticipant"`
		Version     Version `json:"version"`
	} `json:"_embedded"`
	Links PublishLinks `json:"_links"`
}

// PublishLog is a notice in the shape of the Pact Broker's deprecated
// logs.
type PublishLog struct {
	Level              string `json:"level"`
	Message            string `json:"message"`
	DeprecationWarning string `json:"deprecationWarning"`
}

// PublishLinks are the links of a PublishContractsResponse.
type PublishLinks struct {
	Pacticipant            Link   `json:"pb:pacticipant"`
	PacticipantVersion     Link   `json:"pb:pacticipant-version"`
	PacticipantVersionTags []Link `json:"pb:pacticipant-version-tags"`
	Contracts              []Link `json:"pb:contracts"`
}
