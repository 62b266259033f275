package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

// pactLinks builds the links of a pact resource. metadata is the
// verification metadata segment from a pacts-for-verification URL ("" if
// none); it is carried into the publish-verification-results link.
func (u urls) pactLinks(p broker.Pact, metadata string) links {
	self := u.pactVersion(p.Provider, p.Consumer, p.ConsumerVersion)
	bySHA := u.pactBySHA(p.Provider, p.Consumer, p.SHA)
	results := bySHA
	if metadata != "" {
		results += "/metadata/" + pathSegment(metadata)
	}
	results += "/verification-results"
	base := u.href("pacts", "provider", p.Provider, "consumer", p.Consumer)
	title := fmt.Sprintf("Pact between %s (%s) and %s", p.Consumer, p.ConsumerVersion, p.Provider)
	matrix := u.raw("/matrix?q%5B%5D%5Bpacticipant%5D=" + url.QueryEscape(p.Consumer) + "&q%5B%5D%5Bversion%5D=" + url.QueryEscape(p.ConsumerVersion) + "&latestby=cvpv")
	return links{
		"self":                            api.Link{Href: self, Title: "Pact", Name: title},
		"pb:consumer":                     api.Link{Href: u.pacticipant(p.Consumer), Title: "Consumer", Name: p.Consumer},
		"pb:consumer-version":             api.Link{Href: u.version(p.Consumer, p.ConsumerVersion), Title: "Consumer version", Name: p.ConsumerVersion},
		"pb:provider":                     api.Link{Href: u.pacticipant(p.Provider), Title: "Provider", Name: p.Provider},
		"pb:pact-version":                 api.Link{Href: bySHA, Title: "Pact content version permalink", Name: p.SHA},
		"pb:latest-pact-version":          api.Link{Href: base + "/latest", Title: "Latest version of this pact"},
		"pb:all-pact-versions":            api.Link{Href: base + "/versions", Title: "All versions of this pact"},
		"pb:latest-tagged-pact-version":   api.Link{Href: base + "/latest/{tag}", Title: "Latest version of this pact for a given consumer version tag", Templated: true},
		"pb:pact-webhooks":                api.Link{Href: u.href("webhooks", "provider", p.Provider, "consumer", p.Consumer), Title: "Webhooks for the pact between " + p.Consumer + " and " + p.Provider},
		"pb:tag-version":                  api.Link{Href: u.version(p.Consumer, p.ConsumerVersion) + "/tags/{tag}", Title: "Tag the consumer version", Templated: true},
		"pb:publish-verification-results": api.Link{Href: results, Title: "Publish verification results"},
		"pb:latest-verification-results":  api.Link{Href: bySHA + "/verification-results/latest", Title: "Latest verification results"},
		"pb:matrix-for-consumer-version":  api.Link{Href: matrix, Title: "View matrix rows for the consumer version to which this pact belongs"},
		"pb:verification-results":         api.Link{Href: bySHA + "/verification-results", Title: "Verification results of this pact version"},
	}
}

// pactJSON returns the pact content with createdAt and _links added.
func (u urls) pactJSON(p broker.Pact, metadata string) (map[string]json.RawMessage, error) {
	doc := map[string]json.RawMessage{}
	if err := json.Unmarshal(p.Content, &doc); err != nil {
		return nil, fmt.Errorf("decode stored pact %s/%s %s: %w", p.Consumer, p.Provider, p.ConsumerVersion, err)
	}
	created, _ := json.Marshal(timeJSON(p.CreatedAt))
	l, err := json.Marshal(u.pactLinks(p, metadata))
	if err != nil {
		return nil, err
	}
	doc["createdAt"] = created
	doc["_links"] = l
	return doc, nil
}

func (s *server) writePact(w http.ResponseWriter, r *http.Request, status int, p broker.Pact) error {
	doc, err := s.urlsFor(r).pactJSON(p, r.PathValue("metadata"))
	if err != nil {
		return err
	}
	w.Header().Set("X-Pact-Consumer-Version", p.ConsumerVersion)
	writeJSON(w, status, doc)
	return nil
}

// getPact serves a pact by consumer version, latest, latest by tag, branch
// head or pact version sha.
func (s *server) getPact(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	provider, consumer := r.PathValue("provider"), r.PathValue("consumer")
	var p broker.Pact
	var err error
	switch {
	case r.PathValue("sha") != "":
		p, err = s.store.GetPactBySHA(ctx, consumer, provider, r.PathValue("sha"))
	case r.PathValue("version") != "":
		p, err = s.store.GetPact(ctx, consumer, provider, r.PathValue("version"))
	default:
		p, err = s.store.LatestPact(ctx, consumer, provider, broker.PactFilter{Tag: r.PathValue("tag"), Branch: r.PathValue("branch")})
	}
	if err != nil {
		return err
	}
	return s.writePact(w, r, http.StatusOK, p)
}

// putPact is the legacy publication of one pact (PUT replaces, PATCH
// merges interactions): 201 for a new pact, 200 otherwise.
func (s *server) putPact(w http.ResponseWriter, r *http.Request) error {
	provider, consumer, version := r.PathValue("provider"), r.PathValue("consumer"), r.PathValue("version")
	if err := requireJSONContentType(r); err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if _, err := checkPact(body, consumer, provider, "body"); err != nil {
		return err
	}
	policy := broker.ConflictReject
	if s.cfg.AllowOverwrite {
		policy = broker.ConflictOverwrite
	}
	if r.Method == http.MethodPatch {
		policy = broker.ConflictMerge
	}
	res, err := s.store.PublishContracts(r.Context(), broker.PublishRequest{
		Pacticipant: consumer,
		Version:     version,
		Contracts:   []broker.ContractInput{{Consumer: consumer, Provider: provider, Content: body, OnConflict: policy}},
	})
	if err != nil {
		return err
	}
	if len(res.Contracts) != 1 {
		return fmt.Errorf("publish pact: store returned %d contracts for 1", len(res.Contracts))
	}
	status := http.StatusOK
	if res.Contracts[0].Outcome == broker.PublishCreated {
		status = http.StatusCreated
	}
	return s.writePact(w, r, status, res.Contracts[0].Pact)
}

func (s *server) deletePact(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeletePact(r.Context(), r.PathValue("consumer"), r.PathValue("provider"), r.PathValue("version")))
}

func requireJSONContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
		return fmt.Errorf("content type %q is not JSON: %w", ct, errUnsupportedMediaType)
	}
	return nil
}

// checkPact validates pact content published for consumer and provider;
// field names the input in errors.
func checkPact(content []byte, consumer, provider, field string) (string, error) {
	// Decoding a large pact costs memory: only the error paths decode it
	// here, CheckPactContent decodes it once.
	if !json.Valid(content) || !bytes.HasPrefix(bytes.TrimLeft(content, " \t\r\n"), []byte("{")) {
		var v any
		if err := json.Unmarshal(content, &v); err != nil {
			return "", invalid(field, "is not valid JSON: %s", jsonErrorText(err))
		}
		return "", invalid(field, "must be a JSON object (a pact), got %s", jsonKindOf(v))
	}
	sha, err := broker.CheckPactContent(content, consumer, provider)
	if err != nil {
		var fe *broker.FieldError
		if errors.As(err, &fe) {
			return "", invalid(field, "%s", fe.Message)
		}
		return "", err
	}
	return sha, nil
}

func jsonKindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}

// request validates the body completely before anything is stored.
func publishRequest(b api.PublishContractsRequest, allowOverwrite bool) (broker.PublishRequest, error) {
	fe := fieldErrors{}
	if strings.TrimSpace(b.PacticipantName) == "" {
		fe.add("pacticipantName", "is required")
	}
	if strings.TrimSpace(b.PacticipantVersionNumber) == "" {
		fe.add("pacticipantVersionNumber", "is required")
	}
	for i, t := range b.Tags {
		if strings.TrimSpace(t) == "" {
			fe.add(fmt.Sprintf("tags[%d]", i), "must not be blank")
		}
	}
	if len(b.Contracts) == 0 {
		fe.add("contracts", "at least one contract is required")
	}
	req := broker.PublishRequest{Pacticipant: b.PacticipantName, Version: b.PacticipantVersionNumber, Branch: b.Branch, BuildURL: b.BuildURL, Tags: b.Tags}
	for i, c := range b.Contracts {
		field := fmt.Sprintf("contracts[%d]", i)
		if c.ConsumerName != b.PacticipantName {
			fe.add(field+".consumerName", "%q must match pacticipantName %q", c.ConsumerName, b.PacticipantName)
		}
		if strings.TrimSpace(c.ProviderName) == "" {
			fe.add(field+".providerName", "is required")
		}
		if c.Specification != "pact" {
			fe.add(field+".specification", "must be \"pact\", got %q", c.Specification)
		}
		if c.ContentType != "" && !strings.Contains(c.ContentType, "json") {
			fe.add(field+".contentType", "must be application/json, got %q", c.ContentType)
		}
		var policy broker.ConflictPolicy
		switch c.OnConflict {
		case "merge":
			policy = broker.ConflictMerge
		case "", "overwrite":
			if allowOverwrite {
				policy = broker.ConflictOverwrite
			}
		default:
			fe.add(field+".onConflict", "must be \"overwrite\" or \"merge\", got %q", c.OnConflict)
		}
		content, err := c.Content.Data, c.Content.Err
		if err != nil {
			fe.add(field+".content", "is not valid base64: %v", err)
			continue
		}
		if _, err := checkPact(content, c.ConsumerName, c.ProviderName, field+".content"); err != nil {
			if cf := fieldsOf(err); cf != nil {
				for k, ms := range cf {
					fe[k] = append(fe[k], ms...)
				}
				continue
			}
			return req, err
		}
		req.Contracts = append(req.Contracts, broker.ContractInput{Consumer: c.ConsumerName, Provider: c.ProviderName, Content: content, OnConflict: policy})
	}
	return req, fe.errOrNil()
}

func (s *server) publishContracts(w http.ResponseWriter, r *http.Request) error {
	var b api.PublishContractsRequest
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	req, err := publishRequest(b, s.cfg.AllowOverwrite)
	if err != nil {
		return err
	}
	res, err := s.store.PublishContracts(r.Context(), req)
	if err != nil {
		var conflict *broker.PactConflictError
		if errors.As(err, &conflict) {
			writeJSON(w, http.StatusConflict, map[string]any{
				"notices": []map[string]string{{"type": "error", "text": conflict.Error()}},
				"errors":  map[string][]string{"contracts": {conflict.Error()}},
			})
			return nil
		}
		return err
	}
	u := s.urlsFor(r)
	doc := api.PublishContractsResponse{Notices: publishNotices(req, res)}
	doc.Logs = make([]api.PublishLog, 0, len(doc.Notices))
	for _, n := range doc.Notices {
		level := n.Type
		if level == "success" || level == "prompt" {
			level = "info"
		}
		if level == "warning" {
			level = "warn"
		}
		doc.Logs = append(doc.Logs, api.PublishLog{Level: level, Message: n.Text, DeprecationWarning: "Replaced by notices"})
	}
	doc.Embedded.Pacticipant = u.pacticipantJSON(res.Pacticipant, nil)
	doc.Embedded.Version = u.versionJSON(res.Version, nil)
	doc.Links = api.PublishLinks{
		Pacticipant:            api.Link{Href: u.pacticipant(res.Pacticipant.Name), Name: res.Pacticipant.Name, Title: "Pacticipant"},
		PacticipantVersion:     api.Link{Href: u.version(res.Version.Pacticipant, res.Version.Number), Name: res.Version.Number, Title: "Pacticipant version"},
		PacticipantVersionTags: make([]api.Link, 0, len(res.Tags)),
		Contracts:              make([]api.Link, 0, len(res.Contracts)),
	}
	for _, t := range res.Tags {
		doc.Links.PacticipantVersionTags = append(doc.Links.PacticipantVersionTags, api.Link{Href: u.href("pacticipants", t.Pacticipant, "versions", t.Version, "tags", t.Name), Name: t.Name, Title: "Tag"})
	}
	for _, c := range res.Contracts {
		doc.Links.Contracts = append(doc.Links.Contracts, api.Link{Href: u.pactVersion(c.Pact.Provider, c.Pact.Consumer, c.Pact.ConsumerVersion), Name: fmt.Sprintf("Pact between %s (%s) and %s", c.Pact.Consumer, c.Pact.ConsumerVersion, c.Pact.Provider), Title: "Pact"})
	}
	writeJSON(w, http.StatusOK, doc)
	return nil
}

func publishNotices(req broker.PublishRequest, res broker.PublishResult) []api.Notice {
	var out []api.Notice
	add := func(typ, format string, args ...any) {
		out = append(out, api.Notice{Type: typ, Text: fmt.Sprintf(format, args...)})
	}
	verb := "Updated"
	if res.VersionCreated {
		verb = "Created"
	}
	desc := fmt.Sprintf("%s %s version %s", verb, req.Pacticipant, req.Version)
	if req.Branch != "" {
		desc += " with branch " + req.Branch
	}
	if len(req.Tags) > 0 {
		if req.Branch != "" {
			desc += " and"
		} else {
			desc += " with"
		}
		desc += " tags " + strings.Join(req.Tags, ", ")
	}
	add("debug", "%s", desc)
	for _, c := range res.Contracts {
		p := c.Pact
		switch c.Outcome {
		case broker.PublishUnchanged:
			add("info", "Pact for %s version %s and provider %s is unchanged: it was already published with the same content.", p.Consumer, p.ConsumerVersion, p.Provider)
		case broker.PublishOverwritten:
			add("warning", "Pact for %s version %s and provider %s was overwritten with different content. Changing a published pact is unsafe: a verification may already have been published for the old content.", p.Consumer, p.ConsumerVersion, p.Provider)
		case broker.PublishMerged:
			add("success", "Pact for %s version %s and provider %s was merged into the pact already published.", p.Consumer, p.ConsumerVersion, p.Provider)
		default:
			add("success", "Pact published for %s version %s and provider %s.", p.Consumer, p.ConsumerVersion, p.Provider)
		}
		if c.NewIntegration {
			add("info", "This is the first pact between %s and %s.", p.Consumer, p.Provider)
		} else if !c.NewContent && c.Outcome == broker.PublishCreated {
			add("info", "The content of this pact is the same as a previously published version: existing verification results apply to it.")
		}
	}
	return out
}

// listLatestPacts serves /pacts/latest: the latest pact of every
// integration.
func (s *server) listLatestPacts(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.store.ListLatestPacts(r.Context(), "", broker.PactFilter{})
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	items := make([]map[string]any, 0, len(ps))
	for _, p := range ps {
		items = append(items, map[string]any{
			"createdAt": timeJSON(p.CreatedAt),
			"_embedded": map[string]any{
				"consumer": map[string]any{
					"name":      p.Consumer,
					"_embedded": map[string]any{"version": map[string]any{"number": p.ConsumerVersion}},
					"_links":    links{"self": api.Link{Href: u.pacticipant(p.Consumer)}},
				},
				"provider": map[string]any{
					"name":   p.Provider,
					"_links": links{"self": api.Link{Href: u.pacticipant(p.Provider)}},
				},
			},
			"_links": links{"self": []api.Link{
				{Href: u.href("pacts", "provider", p.Provider, "consumer", p.Consumer, "latest"), Title: "Latest pact"},
				{Href: u.pactVersion(p.Provider, p.Consumer, p.ConsumerVersion), Title: "Pact"},
			}},
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"pacts":  items,
		"_links": links{"self": api.Link{Href: u.href("pacts", "latest")}},
	})
	return nil
}

// listProviderPacts serves the provider's latest pacts (by tag or branch)
// and the legacy all-pacts lists.
func (s *server) listProviderPacts(w http.ResponseWriter, r *http.Request) error {
	provider := r.PathValue("provider")
	if _, err := s.store.GetPacticipant(r.Context(), provider); err != nil {
		return err
	}
	ps, err := s.store.ListLatestPacts(r.Context(), provider, broker.PactFilter{Tag: r.PathValue("tag"), Branch: r.PathValue("branch")})
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	refs := make([]api.Link, 0, len(ps))
	for _, p := range ps {
		refs = append(refs, api.Link{
			Href:  u.pactVersion(p.Provider, p.Consumer, p.ConsumerVersion),
			Name:  p.Consumer,
			Title: fmt.Sprintf("Pact between %s (v%s) and %s", p.Consumer, p.ConsumerVersion, p.Provider),
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_links": links{
			"self":     api.Link{Href: u.raw(r.URL.EscapedPath())},
			"provider": api.Link{Href: u.pacticipant(provider), Title: provider},
			"pb:pacts": refs,
			"pacts":    refs,
		},
	})
	return nil
}

func (s *server) listPactVersions(w http.ResponseWriter, r *http.Request) error {
	page, err := pageFrom(r)
	if err != nil {
		return err
	}
	provider, consumer, tag := r.PathValue("provider"), r.PathValue("consumer"), r.PathValue("tag")
	ps, err := s.store.ListPactVersions(r.Context(), consumer, provider, page)
	if err != nil {
		return err
	}
	if tag != "" {
		// pb:tagged-pact-versions: keep the consumer versions with the tag.
		kept := ps[:0]
		for _, p := range ps {
			if _, err := s.store.GetTag(r.Context(), consumer, p.ConsumerVersion, tag); err == nil {
				kept = append(kept, p)
			} else if !errors.Is(err, broker.ErrNotFound) {
				return err
			}
		}
		ps = kept
	}
	u := s.urlsFor(r)
	items := make([]map[string]any, 0, len(ps))
	refs := make([]api.Link, 0, len(ps))
	for _, p := range ps {
		href := u.pactVersion(p.Provider, p.Consumer, p.ConsumerVersion)
		items = append(items, map[string]any{
			"createdAt": timeJSON(p.CreatedAt),
			"_embedded": map[string]any{"consumerVersion": u.versionSummary(broker.Version{Pacticipant: p.Consumer, Number: p.ConsumerVersion})},
			"_links":    links{"self": api.Link{Href: href, Name: p.ConsumerVersion}},
		})
		refs = append(refs, api.Link{Href: href, Title: "Pact version", Name: p.ConsumerVersion})
	}
	l := links{
		"self":             api.Link{Href: u.raw(r.URL.EscapedPath())},
		"pb:consumer":      api.Link{Href: u.pacticipant(consumer), Name: consumer},
		"pb:provider":      api.Link{Href: u.pacticipant(provider), Name: provider},
		"pb:pact-versions": refs,
	}
	u.addPageLinks(r, page, len(ps), l)
	writeJSON(w, http.StatusOK, map[string]any{
		"_embedded": map[string]any{"pacts": items},
		"_links":    l,
	})
	return nil
}
