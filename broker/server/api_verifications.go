package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
)

func (u urls) verificationJSON(v broker.Verification) map[string]any {
	bySHA := u.pactBySHA(v.Provider, v.Consumer, v.PactSHA)
	out := map[string]any{
		"providerName":               v.Provider,
		"providerApplicationVersion": v.ProviderVersion,
		"success":                    v.Success,
		"verificationDate":           timeJSON(v.ExecutionDate),
		"buildUrl":                   nullable(v.BuildURL),
		"_links": links{
			"self":                api.Link{Href: bySHA + "/verification-results/" + strconv.Itoa(v.Number), Title: "Verification result"},
			"pb:pact-version":     api.Link{Href: bySHA, Title: "Pact version", Name: v.PactSHA},
			"pb:provider-version": api.Link{Href: u.version(v.Provider, v.ProviderVersion), Name: v.ProviderVersion},
			"pb:provider":         api.Link{Href: u.pacticipant(v.Provider), Name: v.Provider},
			"pb:consumer":         api.Link{Href: u.pacticipant(v.Consumer), Name: v.Consumer},
		},
	}
	if len(v.TestResults) > 0 {
		out["testResults"] = v.TestResults
	}
	if len(v.VerifiedBy) > 0 {
		out["verifiedBy"] = v.VerifiedBy
	}
	return out
}

func (s *server) publishVerification(w http.ResponseWriter, r *http.Request) error {
	var b api.VerificationResultRequest
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	fe := fieldErrors{}
	if b.Success == nil {
		fe.add("success", "is required (true or false)")
	}
	if strings.TrimSpace(b.ProviderApplicationVersion) == "" {
		fe.add("providerApplicationVersion", "is required")
	}
	if err := fe.errOrNil(); err != nil {
		return err
	}
	wip := false
	if m := r.PathValue("metadata"); m != "" {
		md, err := decodeMetadata(m)
		if err != nil {
			return invalid("metadata", "%v", err)
		}
		// A verification of a pact served as work in progress does not
		// take it out of the WIP set (the Pact Broker's verifications.wip).
		wip = md.Get("w") == "true"
	}
	v, err := s.store.PublishVerification(r.Context(), broker.VerificationInput{
		Consumer:        r.PathValue("consumer"),
		Provider:        r.PathValue("provider"),
		PactSHA:         r.PathValue("sha"),
		ProviderVersion: b.ProviderApplicationVersion,
		Success:         *b.Success,
		BuildURL:        b.BuildURL,
		TestResults:     nonNull(b.TestResults),
		VerifiedBy:      nonNull(b.VerifiedBy),
		WIP:             wip,
	})
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	body := u.verificationJSON(v)
	w.Header().Set("Location", body["_links"].(links)["self"].(api.Link).Href)
	writeJSON(w, http.StatusCreated, body)
	return nil
}

func nonNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return raw
}

func (s *server) getVerification(w http.ResponseWriter, r *http.Request) error {
	consumer, provider, sha := r.PathValue("consumer"), r.PathValue("provider"), r.PathValue("sha")
	var v broker.Verification
	var err error
	if n := r.PathValue("number"); n != "" {
		num, convErr := strconv.Atoi(n)
		if convErr != nil {
			return fmt.Errorf("verification result %q: %w", n, broker.ErrNotFound)
		}
		v, err = s.store.GetVerification(r.Context(), consumer, provider, sha, num)
	} else {
		v, err = s.store.LatestVerification(r.Context(), consumer, provider, sha)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urlsFor(r).verificationJSON(v))
	return nil
}

func (s *server) listVerifications(w http.ResponseWriter, r *http.Request) error {
	page, err := pageFrom(r)
	if err != nil {
		return err
	}
	consumer, provider, sha := r.PathValue("consumer"), r.PathValue("provider"), r.PathValue("sha")
	vs, err := s.store.ListVerifications(r.Context(), consumer, provider, sha, page)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	l := links{"self": api.Link{Href: u.pactBySHA(provider, consumer, sha) + "/verification-results"}}
	u.addPageLinks(r, page, len(vs), l)
	writeJSON(w, http.StatusOK, collection("verificationResults", vs, u.verificationJSON, l))
	return nil
}

// encodeMetadata encodes pact verification metadata the way the Pact
// Broker does: a Rack nested query string (cvn, w, p, s[][b|t|l|e|cv]),
// URL-safe base64 without padding.
func encodeMetadata(p broker.VerifiablePact) string {
	var parts []string
	add := func(k, v string) { parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v)) }
	for _, sel := range p.SelectedBy {
		put := func(k, v string) { add("s[]["+k+"]", v) }
		if sel.Selector.Branch != "" || sel.Selector.MainBranch || sel.Selector.MatchingBranch {
			b := sel.Selector.Branch
			if b == "" {
				b = "main"
			}
			put("b", b)
		}
		if sel.Selector.Tag != "" {
			put("t", sel.Selector.Tag)
		}
		if sel.Selector.Latest != nil && *sel.Selector.Latest {
			put("l", "true")
		}
		if sel.Environment != "" || sel.Selector.Environment != "" {
			put("e", orDefault(sel.Environment, sel.Selector.Environment))
		}
		if sel.ConsumerVersion != "" {
			put("cv", sel.ConsumerVersion)
		}
	}
	if len(p.ConsumerVersions) > 0 {
		add("cvn", p.ConsumerVersions[0])
	}
	if p.WIP {
		add("w", "true")
	}
	if p.Pending {
		add("p", "true")
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "&")))
}

// decodeMetadata decodes a metadata segment into its query values.
func decodeMetadata(m string) (url.Values, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(m, "="))
	if err != nil {
		return nil, fmt.Errorf("metadata segment %q is not URL-safe base64: %v", m, err)
	}
	v, err := url.ParseQuery(string(raw))
	if err != nil {
		return nil, fmt.Errorf("metadata segment %q is not a query string: %v", m, err)
	}
	return v, nil
}

// forVerificationFromQuery reads a GET request's parameters (Rack nested
// query names) into b.
func forVerificationFromQuery(b *api.PactsForVerificationRequest, q url.Values, rawQuery string) error {
	b.ProviderVersionBranch = q.Get("providerVersionBranch")
	b.ProviderVersionTags = append(q["providerVersionTags[]"], q["providerVersionTags"]...)
	b.IncludePendingStatus = q.Get("includePendingStatus") == "true"
	b.IncludeWIPPactsSince = q.Get("includeWipPactsSince")
	for _, h := range rackArray(rawQuery, "consumerVersionSelectors") {
		var sel api.ConsumerVersionSelector
		for k, v := range h {
			switch k {
			case "mainBranch":
				sel.MainBranch = v == "true"
			case "branch":
				sel.Branch = v
			case "fallbackBranch":
				sel.FallbackBranch = v
			case "matchingBranch":
				sel.MatchingBranch = v == "true"
			case "tag":
				sel.Tag = v
			case "fallbackTag":
				sel.FallbackTag = v
			case "latest":
				l := v == "true"
				sel.Latest = &l
			case "consumer":
				sel.Consumer = v
			case "deployed":
				sel.Deployed = v == "true"
			case "released":
				sel.Released = v == "true"
			case "deployedOrReleased":
				sel.DeployedOrReleased = v == "true"
			case "environment":
				sel.Environment = v
			default:
				return invalid("consumerVersionSelectors", "unknown selector key %q", k)
			}
		}
		b.ConsumerVersionSelectors = append(b.ConsumerVersionSelectors, sel)
	}
	return nil
}

func forVerificationRequest(b api.PactsForVerificationRequest, provider string) (broker.PactsForVerificationRequest, error) {
	req := broker.PactsForVerificationRequest{
		Provider:              provider,
		ProviderVersionBranch: b.ProviderVersionBranch,
		ProviderVersionTags:   b.ProviderVersionTags,
		IncludePendingStatus:  b.IncludePendingStatus,
	}
	for _, s := range b.ConsumerVersionSelectors {
		req.ConsumerVersionSelectors = append(req.ConsumerVersionSelectors, s.Domain())
	}
	if b.IncludeWIPPactsSince != "" {
		var t time.Time
		var err error
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
			if t, err = time.Parse(layout, b.IncludeWIPPactsSince); err == nil {
				break
			}
		}
		if err != nil {
			return req, invalid("includeWipPactsSince", "must be a date or an RFC 3339 timestamp, got %q", b.IncludeWIPPactsSince)
		}
		req.IncludeWIPPactsSince = &t
	}
	return req, nil
}

// pactsForVerification serves GET (query parameters) and POST (JSON) of
// /pacts/provider/{provider}/for-verification.
func (s *server) pactsForVerification(w http.ResponseWriter, r *http.Request) error {
	provider := r.PathValue("provider")
	var b api.PactsForVerificationRequest
	if r.Method == http.MethodPost {
		if err := decodeJSON(r, &b); err != nil {
			return err
		}
	} else if err := forVerificationFromQuery(&b, r.URL.Query(), r.URL.RawQuery); err != nil {
		return err
	}
	req, err := forVerificationRequest(b, provider)
	if err != nil {
		return err
	}
	pacts, err := s.store.PactsForVerification(r.Context(), req)
	if err != nil {
		return err
	}
	u := s.urlsFor(r)
	var doc api.PactsForVerificationResponse
	doc.Embedded.Pacts = make([]api.VerifiablePact, 0, len(pacts))
	for _, p := range pacts {
		props := api.VerificationProperties{WIP: p.WIP, Notices: make([]api.VerificationNotice, 0, len(p.Notices))}
		for _, n := range p.Notices {
			props.Notices = append(props.Notices, api.VerificationNotice{When: n.When, Text: n.Text})
		}
		if req.IncludePendingStatus {
			pending := p.Pending
			props.Pending = &pending
		}
		meta := encodeMetadata(p)
		href := u.pactBySHA(p.Provider, p.Consumer, p.SHA) + "/metadata/" + meta
		doc.Embedded.Pacts = append(doc.Embedded.Pacts, api.VerifiablePact{
			ShortDescription:       p.ShortDescription,
			VerificationProperties: props,
			Links: api.Links{"self": api.Link{
				Href: href,
				Name: fmt.Sprintf("Pact between %s (%s) and %s", p.Consumer, strings.Join(p.ConsumerVersions, ", "), p.Provider),
			}},
		})
	}
	doc.Links = api.Links{"self": api.Link{
		Href:  u.href("pacts", "provider", provider, "for-verification"),
		Title: "Pacts to be verified",
	}}
	writeJSON(w, http.StatusOK, doc)
	return nil
}

// rackArray parses name[][key]=value pairs of a raw query into hashes the
// way Rack does (see rackHashes), passing over pairs that do not unescape.
func rackArray(rawQuery, name string) []map[string]string {
	var pairs []queryPair
	for _, pair := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(pair, "=")
		key, kerr := url.QueryUnescape(k)
		val, verr := url.QueryUnescape(v)
		if kerr == nil && verr == nil {
			pairs = append(pairs, queryPair{key, val})
		}
	}
	return rackHashes(rackFields(pairs, name))
}
