package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/formats/pact"
	protofmt "github.com/contracts-dev/contracts/formats/proto"
)

// maxBodyText caps how much of one body or markup block a page shows.
const maxBodyText = 64 << 10

type contractData struct {
	Consumer, Provider       string
	ConsumerVersion          string
	ConsumerURL, ProviderURL string
	MatrixURL                string
	Published                time.Time
	SHA                      string
	Spec                     string
	Status                   string
	ProviderVersion          string
	VerifiedAt               time.Time
	Interactions             []interactionView
	// ParseError is set when the content is not a readable pact; Raw then
	// holds the content, indented.
	ParseError string
	Raw        string
	// BadgeURL is the integration's latest-pact badge; BadgeMarkdown
	// embeds it (absolute URLs) in a README.
	BadgeURL      string
	BadgeMarkdown string
	// DiffURL shows what changed since the previous distinct pact.
	DiffURL string
}

type interactionView struct {
	Anchor      string
	Description string
	// Kind is "HTTP", "Message", "Synchronous message" or "gRPC".
	Kind      string
	KindClass string
	Pending   bool
	States    []stateView
	TestName  string
	Comments  []string

	HTTP          *httpView
	Message       *messageView
	SyncRequest   *messageView
	SyncResponses []messageView
	GRPC          *grpcView
	Markup        []codeBlock
}

type stateView struct {
	Name   string
	Params []kv
}

// kv is one header, query parameter, metadata entry or state parameter,
// with the notes about it.
type kv struct {
	Name  string
	Value string
	Notes []note
}

type httpView struct {
	Method      string
	MethodNotes []note
	Path        string
	PathNotes   []note
	Query       []kv
	ReqHeaders  []kv
	ReqBody     *bodyView

	Status      int
	StatusText  string
	StatusNotes []note
	RespHeaders []kv
	RespBody    *bodyView
}

type bodyView struct {
	ContentType string
	// Text is the body for display (JSON indented); empty with Summary
	// for binary and empty bodies.
	Text    string
	Summary string
	// Decoded says which protobuf message Text was decoded as.
	Decoded string
	Notes   []note
}

type messageView struct {
	Label    string
	Body     *bodyView
	Metadata []kv
}

type grpcView struct {
	Service string
	Method  string
}

type codeBlock struct {
	Lang string
	Text string
}

func (h *handler) contract(r *http.Request) (*page, error) {
	ctx := r.Context()
	consumer, provider := r.PathValue("consumer"), r.PathValue("provider")
	var (
		p       broker.Pact
		err     error
		missing string // what the 404 page says
	)
	switch version, sha, tag, branch := r.PathValue("version"), r.PathValue("sha"), r.PathValue("tag"), r.PathValue("branch"); {
	case version != "":
		p, err = h.store.GetPact(ctx, consumer, provider, version)
		missing = fmt.Sprintf("%s has no pact with %s for version %q", consumer, provider, version)
	case sha != "":
		p, err = h.store.GetPactBySHA(ctx, consumer, provider, sha)
		missing = fmt.Sprintf("there is no pact version %q between %s and %s", sha, consumer, provider)
	default:
		p, err = h.store.LatestPact(ctx, consumer, provider, broker.PactFilter{Tag: tag, Branch: branch})
		switch {
		case tag != "":
			missing = fmt.Sprintf("no version of %s tagged %q has a pact with %s", consumer, tag, provider)
		case branch != "":
			missing = fmt.Sprintf("no version of %s on branch %q has a pact with %s", consumer, branch, provider)
		default:
			missing = fmt.Sprintf("%s has no pact with %s", consumer, provider)
		}
	}
	if errors.Is(err, broker.ErrNotFound) {
		return nil, notFound("%s", missing)
	}
	if err != nil {
		return nil, wrapf(err, "pact between %q and %q", consumer, provider)
	}
	d := contractData{
		Consumer: p.Consumer, Provider: p.Provider, ConsumerVersion: p.ConsumerVersion,
		ConsumerURL: h.pacticipantLink(p.Consumer), ProviderURL: h.pacticipantLink(p.Provider),
		MatrixURL: h.matrixLink(p.Consumer, p.Provider),
		Published: p.CreatedAt, SHA: p.SHA, Status: statusUnverified,
	}
	ver, err := h.store.LatestVerification(ctx, p.Consumer, p.Provider, p.SHA)
	switch {
	case err == nil:
		d.Status = verificationStatus(&ver)
		d.ProviderVersion = ver.ProviderVersion
		d.VerifiedAt = ver.ExecutionDate
	case !errors.Is(err, broker.ErrNotFound):
		return nil, wrapf(err, "latest verification of %q and %q", p.Consumer, p.Provider)
	}
	badge := h.link("/pacts/provider", p.Provider, "consumer", p.Consumer, "latest", "badge")
	d.BadgeURL = badge
	d.DiffURL = h.link("/pacts/provider", p.Provider, "consumer", p.Consumer, "version", p.ConsumerVersion, "diff", "previous-distinct")
	d.BadgeMarkdown = fmt.Sprintf("[![%s/%s pact status](%s)](%s)", p.Consumer, p.Provider,
		h.absolute(r, badge), h.absolute(r, h.link("/pacts/provider", p.Provider, "consumer", p.Consumer, "latest")))
	parsed, err := pact.Parse(p.Content)
	if err != nil {
		d.ParseError = err.Error()
		d.Raw = capText(indentJSON(p.Content))
	} else {
		d.Spec = specName(parsed.Spec)
		schemas := protoSchemas{missing: "the pact carries no protobuf descriptors to decode it"}
		schemas.files, err = protofmt.PactDescriptors(p.Content)
		if err != nil {
			// The pact is still readable; protobuf contents stay summarised.
			schemas.missing = "the pact's protobuf descriptors are unreadable: " + err.Error()
		}
		for i, in := range parsed.Interactions {
			d.Interactions = append(d.Interactions, interactionOf(i, in, schemas.forInteraction(in)))
		}
	}
	title := fmt.Sprintf("%s → %s (%s)", p.Consumer, p.Provider, p.ConsumerVersion)
	return &page{name: "contract", title: title, nav: "integrations", data: d}, nil
}

func specName(s pact.Spec) string {
	switch s {
	case pact.V1:
		return "1.0"
	case pact.V1_1:
		return "1.1"
	case pact.V2:
		return "2.0"
	case pact.V3:
		return "3.0"
	case pact.V4:
		return "4.0"
	}
	return ""
}

// protoSchemas are the protobuf descriptor sets of a pact by descriptor
// key; missing says why there are none.
type protoSchemas struct {
	files   map[string]*protofmt.Files
	missing string
}

// protoSchema is what decodes one interaction's protobuf contents: files,
// or the reason there are none.
type protoSchema struct {
	files   *protofmt.Files
	missing string
}

// forInteraction picks the descriptors an interaction's protobuf plugin
// configuration names (the only ones when it names none).
func (ps protoSchemas) forInteraction(in *pact.Interaction) protoSchema {
	if cfg, ok, err := protofmt.InteractionPluginConfig(in.PluginConfiguration); ok && err == nil && cfg.DescriptorKey != "" {
		if f, ok := ps.files[cfg.DescriptorKey]; ok {
			return protoSchema{files: f}
		}
		if ps.files != nil {
			return protoSchema{missing: fmt.Sprintf("the pact has no protobuf descriptors with key %s", cfg.DescriptorKey)}
		}
		return protoSchema{missing: ps.missing}
	}
	if len(ps.files) == 1 {
		for _, f := range ps.files {
			return protoSchema{files: f}
		}
	}
	return protoSchema{missing: ps.missing}
}

func interactionOf(i int, in *pact.Interaction, schema protoSchema) interactionView {
	v := interactionView{
		Anchor:      "interaction-" + strconv.Itoa(i+1),
		Description: in.Description,
		Pending:     in.Pending,
	}
	if v.Description == "" {
		v.Description = "(no description)"
	}
	for _, s := range in.ProviderStates {
		sv := stateView{Name: s.Name}
		for _, k := range slices.Sorted(maps.Keys(s.Params)) {
			sv.Params = append(sv.Params, kv{Name: k, Value: valueText(s.Params[k])})
		}
		v.States = append(v.States, sv)
	}
	v.TestName, v.Comments = commentsOf(in.Comments)
	v.Markup = markupOf(in.InteractionMarkup)

	switch in.Type {
	case pact.AsyncMessage:
		v.Kind, v.KindClass = "Message", "message"
		if in.Message != nil {
			m := messageOf("Message", in.Message, schema)
			v.Message = &m
		}
	case pact.SyncMessage:
		v.Kind, v.KindClass = "Synchronous message", "sync"
		if in.MessageRequest != nil {
			m := messageOf("Request", in.MessageRequest, schema)
			v.SyncRequest = &m
		}
		for j, resp := range in.MessageResponses {
			label := "Response"
			if len(in.MessageResponses) > 1 {
				label = fmt.Sprintf("Response %d", j+1)
			}
			v.SyncResponses = append(v.SyncResponses, messageOf(label, resp, schema))
		}
	default:
		v.Kind, v.KindClass = "HTTP", "http"
		v.HTTP = httpOf(in.Request, in.Response, schema)
	}
	if g := grpcOf(in); g != nil {
		v.Kind, v.KindClass = "gRPC", "grpc"
		v.GRPC = g
	}
	return v
}

// grpcOf finds the service and method of a gRPC interaction: the
// "service" ("Service/Method") of its plugin configuration.
func grpcOf(in *pact.Interaction) *grpcView {
	var service string
	for _, name := range slices.Sorted(maps.Keys(in.PluginConfiguration)) {
		var cfg struct {
			Service string `json:"service"`
		}
		if json.Unmarshal(in.PluginConfiguration[name], &cfg) == nil && cfg.Service != "" {
			service = cfg.Service
			break
		}
	}
	if service == "" && !strings.EqualFold(in.Transport, "grpc") {
		return nil
	}
	g := &grpcView{Service: service}
	if svc, method, ok := strings.Cut(service, "/"); ok {
		g.Service, g.Method = svc, method
	}
	return g
}

// commentsOf reads the V4 comments: the test name and the text lines.
func commentsOf(raw json.RawMessage) (testName string, text []string) {
	if len(raw) == 0 {
		return "", nil
	}
	var c struct {
		TestName string          `json:"testname"`
		Text     json.RawMessage `json:"text"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return "", nil
	}
	var lines []string
	if json.Unmarshal(c.Text, &lines) != nil {
		var one string
		if json.Unmarshal(c.Text, &one) == nil && one != "" {
			lines = []string{one}
		}
	}
	return c.TestName, lines
}

// markupOf extracts the code blocks of a V4 interactionMarkup (CommonMark
// with fenced blocks, or HTML shown as text). A block holding JSON is
// indented.
func markupOf(raw json.RawMessage) []codeBlock {
	if len(raw) == 0 {
		return nil
	}
	var m struct {
		Markup string `json:"markup"`
	}
	if json.Unmarshal(raw, &m) != nil || strings.TrimSpace(m.Markup) == "" {
		return nil
	}
	var blocks []codeBlock
	var cur *codeBlock
	var prose []string
	for _, line := range strings.Split(m.Markup, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			if cur == nil {
				cur = &codeBlock{Lang: strings.TrimSpace(strings.TrimPrefix(trimmed, "```"))}
				continue
			}
			blocks = append(blocks, finishBlock(*cur))
			cur = nil
			continue
		}
		if cur != nil {
			cur.Text += line + "\n"
			continue
		}
		if trimmed != "" {
			prose = append(prose, line)
		}
	}
	if cur != nil {
		blocks = append(blocks, finishBlock(*cur))
	}
	if len(blocks) == 0 && len(prose) > 0 {
		blocks = append(blocks, finishBlock(codeBlock{Text: strings.Join(prose, "\n")}))
	}
	return blocks
}

func finishBlock(b codeBlock) codeBlock {
	b.Text = strings.TrimRight(b.Text, "\n")
	if t := strings.TrimSpace(b.Text); t != "" && (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)) {
		b.Text = indentJSON([]byte(t))
		if b.Lang == "" {
			b.Lang = "json"
		}
	}
	b.Text = capText(b.Text)
	return b
}

func httpOf(req *pact.Request, resp *pact.Response, schema protoSchema) *httpView {
	v := &httpView{}
	if req != nil {
		v.Method = strings.ToUpper(req.Method)
		v.MethodNotes = notesFor(req.Rules, req.Gen, pact.CategoryMethod)
		v.Path = req.Path
		v.PathNotes = notesFor(req.Rules, req.Gen, pact.CategoryPath)
		v.Query = namedValues(req.Query, notesFor(req.Rules, req.Gen, pact.CategoryQuery), false)
		v.ReqHeaders = namedValues(req.Headers, notesFor(req.Rules, req.Gen, pact.CategoryHeader), true)
		v.ReqBody = bodyOf(req.Body, notesFor(req.Rules, req.Gen, pact.CategoryBody), schema)
	}
	if resp != nil {
		v.Status = resp.Status
		v.StatusText = http.StatusText(resp.Status)
		v.StatusNotes = notesFor(resp.Rules, resp.Gen, pact.CategoryStatus)
		v.RespHeaders = namedValues(resp.Headers, notesFor(resp.Rules, resp.Gen, pact.CategoryHeader), true)
		v.RespBody = bodyOf(resp.Body, notesFor(resp.Rules, resp.Gen, pact.CategoryBody), schema)
	}
	return v
}

func messageOf(label string, m *pact.Message, schema protoSchema) messageView {
	v := messageView{Label: label}
	v.Body = bodyOf(m.Contents, notesFor(m.Rules, m.Gen, pact.CategoryBody, pact.CategoryContent), schema)
	meta := map[string][]string{}
	for k, val := range m.Metadata {
		meta[k] = []string{valueText(val)}
	}
	v.Metadata = namedValues(meta, notesFor(m.Rules, m.Gen, pact.CategoryMetadata), false)
	return v
}

// namedValues lists headers, query parameters or metadata by name with
// their notes; notes about names not present get a row of their own.
func namedValues[M ~map[string][]string](values M, notes []note, foldCase bool) []kv {
	var out []kv
	seen := map[string]bool{}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, kv{Name: k, Value: strings.Join(values[k], ", "), Notes: fieldNotes(notes, k, foldCase)})
		seen[k] = true
		if foldCase {
			seen[strings.ToLower(k)] = true
		}
	}
	for _, n := range notes {
		key := n.Field
		if foldCase {
			key = strings.ToLower(key)
		}
		if seen[key] || seen[n.Field] {
			continue
		}
		seen[key] = true
		out = append(out, kv{Name: n.Field, Notes: fieldNotes(notes, n.Field, foldCase)})
	}
	return out
}

// bodyOf prepares a body for display: JSON indented, text as is, protobuf
// decoded to JSON with the pact's descriptors, other binary summarised.
func bodyOf(b pact.Body, notes []note, schema protoSchema) *bodyView {
	switch b.State {
	case pact.BodyMissing:
		if len(notes) == 0 {
			return nil
		}
		return &bodyView{Summary: "no body", Notes: notes}
	case pact.BodyNull:
		return &bodyView{Text: "null", Notes: notes}
	case pact.BodyEmpty:
		v := &bodyView{ContentType: b.ContentType, Summary: "empty body", Notes: notes}
		decodeProto(v, nil, schema)
		return v
	}
	v := &bodyView{ContentType: b.ContentType, Notes: notes}
	ct := b.ContentType
	if ct == "" {
		ct = pact.DetectContentType(b.Content)
	}
	switch {
	case (pact.IsJSONType(ct) || ct == "") && json.Valid(b.Content):
		v.Text = capText(indentJSON(b.Content))
	case pact.IsTextType(ct) && utf8.Valid(b.Content):
		v.Text = capText(string(b.Content))
	default:
		v.Summary = fmt.Sprintf("%d bytes of binary content", len(b.Content))
		if ct != "" {
			v.Summary = fmt.Sprintf("%d bytes of %s", len(b.Content), ct)
		}
		decodeProto(v, b.Content, schema)
	}
	return v
}

// decodeProto shows a protobuf body as JSON when its content type names a
// message the schema has; otherwise it says why it could not.
func decodeProto(v *bodyView, data []byte, schema protoSchema) {
	msg := protofmt.ContentTypeMessage(v.ContentType)
	if msg == "" {
		return
	}
	if schema.files == nil {
		v.Summary += " (" + schema.missing + ")"
		return
	}
	val, err := schema.files.BinaryToValue(msg, data, protofmt.ValueOptions{})
	if err != nil {
		v.Summary += fmt.Sprintf(" (not decodable as %s: %v)", msg, err)
		return
	}
	text, err := json.MarshalIndent(val, "", "  ")
	if err != nil {
		v.Summary += fmt.Sprintf(" (not decodable as %s: %v)", msg, err)
		return
	}
	v.Text = capText(string(text))
	v.Decoded = "protobuf message " + strings.TrimPrefix(msg, ".") + ", decoded with the pact's descriptors"
}

// indentJSON indents JSON text, keeping key order; text that is not JSON
// is returned as is.
func indentJSON(data []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(data), "", "  "); err != nil {
		return string(data)
	}
	return buf.String()
}

func capText(s string) string {
	if len(s) <= maxBodyText {
		return s
	}
	cut := maxBodyText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("\n… (%d more bytes not shown)", len(s)-cut)
}

// valueText renders a decoded JSON value: strings as they are, the rest
// as JSON.
func valueText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
