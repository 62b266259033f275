package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
)

// Client talks to a Pact-Broker-compatible broker (this one or the Pact
// Broker) over HTTP. Errors for unsuccessful responses are *ResponseError
// values that match ErrNotFound, ErrConflict, ErrInvalid, ErrUnauthorized or
// ErrForbidden with errors.Is.
type Client struct {
	base *url.URL
	// HTTP is the HTTP client used; NewClient sets one with a timeout.
	HTTP *http.Client
	// Token is sent as a bearer token when set.
	Token string
	// Username and Password are sent as Basic auth when Username is set.
	Username, Password string
	// Sleep waits between can-i-deploy retries; tests replace it. It
	// returns the context's error when the context ends first.
	Sleep func(ctx context.Context, d time.Duration) error
}

// NewClient returns a Client for the broker at baseURL.
func NewClient(baseURL string) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("broker URL %q: %w", baseURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("broker URL %q: must be an absolute http or https URL", baseURL)
	}
	return &Client{base: u, HTTP: &http.Client{Timeout: 60 * time.Second}, Sleep: sleepContext}, nil
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// BaseURL returns the broker's base URL.
func (c *Client) BaseURL() string { return c.base.String() }

// resolve turns a path or an href returned by the broker into a URL on the
// configured base: like the official clients, only the href's path and
// query are kept, so a broker behind a proxy that reports another host
// still works.
func (c *Client) resolve(ref string) (string, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("broker URL %q: %w", ref, err)
	}
	out := *c.base
	path := u.EscapedPath()
	basePath := strings.TrimRight(c.base.EscapedPath(), "/")
	if !u.IsAbs() || !strings.HasPrefix(path, basePath+"/") {
		path = basePath + path
	}
	out.RawPath = path
	p, err := url.PathUnescape(path)
	if err != nil {
		return "", fmt.Errorf("broker URL %q: %w", ref, err)
	}
	out.Path = p
	out.RawQuery = u.RawQuery
	return out.String(), nil
}

// do sends a request with a JSON body (nil for none) and decodes a JSON
// response into out (nil to discard). It returns the status.
func (c *Client) do(ctx context.Context, method, ref string, body, out any) (int, error) {
	target, err := c.resolve(ref)
	if err != nil {
		return 0, err
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, fmt.Errorf("encode %s %s: %w", method, target, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/hal+json, application/json")
	if body != nil {
		ct := "application/json"
		if method == http.MethodPatch {
			ct = "application/merge-patch+json"
		}
		req.Header.Set("Content-Type", ct)
	}
	switch {
	case c.Token != "":
		req.Header.Set("Authorization", "Bearer "+c.Token)
	case c.Username != "":
		req.SetBasicAuth(c.Username, c.Password)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		// *url.Error repeats the method and URL said here.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, fmt.Errorf("broker %s %s: %w", method, target, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("read response of %s %s: %w", method, target, err)
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, &ResponseError{Method: method, URL: target, Status: resp.StatusCode, Messages: errorMessages(data)}
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode response of %s %s: %w", method, target, err)
		}
	}
	return resp.StatusCode, nil
}

// hal is the part of a HAL resource the client reads.
type hal struct {
	Links map[string]json.RawMessage `json:"_links"`
}

// link returns the first href of rel ("" when absent).
func (h hal) link(rel string) string {
	ls := h.links(rel)
	if len(ls) == 0 {
		return ""
	}
	return ls[0].Href
}

// links returns the links of rel, whether one object or an array.
func (h hal) links(rel string) []Link {
	raw, ok := h.Links[rel]
	if !ok {
		return nil
	}
	var one Link
	if json.Unmarshal(raw, &one) == nil && one.Href != "" {
		return []Link{one}
	}
	var many []Link
	_ = json.Unmarshal(raw, &many)
	return many
}

// ContractFile is one pact to publish.
type ContractFile struct {
	Consumer, Provider string
	// Content is the pact JSON document.
	Content []byte
	// OnConflict is "", "overwrite" or "merge".
	OnConflict broker.ConflictPolicy
}

// PublishInput is what PublishContracts publishes: a consumer version with
// its branch, tags, build URL and pacts.
type PublishInput struct {
	Pacticipant string
	Version     string
	Branch      string
	BuildURL    string
	Tags        []string
	Contracts   []ContractFile
}

// PublishResponse is the broker's answer to a publication.
type PublishResponse struct {
	Notices []broker.Notice
	// PactURLs are the URLs of the published pacts.
	PactURLs []string
}

// PublishContracts publishes pacts with POST /contracts/publish.
func (c *Client) PublishContracts(ctx context.Context, in PublishInput) (*PublishResponse, error) {
	body := PublishContractsRequest{
		PacticipantName:          in.Pacticipant,
		PacticipantVersionNumber: in.Version,
		Branch:                   in.Branch,
		BuildURL:                 in.BuildURL,
		Tags:                     in.Tags,
		Contracts:                make([]PublishContract, 0, len(in.Contracts)),
	}
	for _, f := range in.Contracts {
		body.Contracts = append(body.Contracts, PublishContract{
			ConsumerName: f.Consumer, ProviderName: f.Provider, Specification: "pact", ContentType: "application/json",
			Content: Base64Content{Data: f.Content}, OnConflict: string(f.OnConflict),
		})
	}
	var resp PublishContractsResponse
	if _, err := c.do(ctx, http.MethodPost, "/contracts/publish", body, &resp); err != nil {
		return nil, fmt.Errorf("publish contracts for %s version %s: %w", in.Pacticipant, in.Version, err)
	}
	out := &PublishResponse{}
	for _, n := range resp.Notices {
		out.Notices = append(out.Notices, broker.Notice{Type: n.Type, Text: n.Text})
	}
	for _, l := range resp.Links.Contracts {
		out.PactURLs = append(out.PactURLs, l.Href)
	}
	return out, nil
}

// EnsureVersionBranch adds the pacticipant version to the branch, creating
// both as needed.
func (c *Client) EnsureVersionBranch(ctx context.Context, pacticipant, version, branch string) error {
	if _, err := c.do(ctx, http.MethodPut, PathOf("pacticipants", pacticipant, "branches", branch, "versions", version), struct{}{}, nil); err != nil {
		return fmt.Errorf("add %s version %s to branch %s: %w", pacticipant, version, branch, err)
	}
	return nil
}

// EnsureVersionTag tags the pacticipant version, creating it as needed.
func (c *Client) EnsureVersionTag(ctx context.Context, pacticipant, version, tag string) error {
	if _, err := c.do(ctx, http.MethodPut, PathOf("pacticipants", pacticipant, "versions", version, "tags", tag), struct{}{}, nil); err != nil {
		return fmt.Errorf("tag %s version %s with %s: %w", pacticipant, version, tag, err)
	}
	return nil
}

// FetchedPact is a pact retrieved from the broker.
type FetchedPact struct {
	// Content is the pact document without the broker's _links and
	// createdAt.
	Content json.RawMessage
	// ConsumerVersion is the consumer version the broker attributes it to.
	ConsumerVersion string
	// PublishVerificationResultsURL is where to publish the verification.
	PublishVerificationResultsURL string
}

// FetchPact retrieves a pact by URL (as returned by PactsForVerification)
// or by path.
func (c *Client) FetchPact(ctx context.Context, pactURL string) (*FetchedPact, error) {
	var doc map[string]json.RawMessage
	if _, err := c.do(ctx, http.MethodGet, pactURL, nil, &doc); err != nil {
		return nil, fmt.Errorf("fetch pact %s: %w", pactURL, err)
	}
	var h hal
	if raw, ok := doc["_links"]; ok {
		_ = json.Unmarshal(raw, &h.Links)
	}
	out := &FetchedPact{PublishVerificationResultsURL: h.link("pb:publish-verification-results")}
	if l := h.links("pb:consumer-version"); len(l) > 0 {
		out.ConsumerVersion = l[0].Name
	}
	delete(doc, "_links")
	delete(doc, "createdAt")
	content, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	out.Content = content
	return out, nil
}

// PactForVerification is one pact a provider must verify.
type PactForVerification struct {
	// URL fetches the pact (FetchPact); it carries the selection metadata.
	URL              string
	ShortDescription string
	Pending          bool
	WIP              bool
	Notices          []broker.VerificationNotice
}

// PactsForVerification asks the broker which pacts the provider version
// must verify (POST /pacts/provider/{provider}/for-verification).
func (c *Client) PactsForVerification(ctx context.Context, provider string, req broker.PactsForVerificationRequest) ([]PactForVerification, error) {
	body := PactsForVerificationRequest{
		ProviderVersionBranch: req.ProviderVersionBranch,
		ProviderVersionTags:   req.ProviderVersionTags,
		IncludePendingStatus:  req.IncludePendingStatus,
	}
	for _, s := range req.ConsumerVersionSelectors {
		body.ConsumerVersionSelectors = append(body.ConsumerVersionSelectors, SelectorOf(s))
	}
	if req.IncludeWIPPactsSince != nil {
		body.IncludeWIPPactsSince = req.IncludeWIPPactsSince.UTC().Format(time.RFC3339)
	}
	var resp PactsForVerificationResponse
	if _, err := c.do(ctx, http.MethodPost, PathOf("pacts", "provider", provider, "for-verification"), body, &resp); err != nil {
		return nil, fmt.Errorf("pacts for verification of %s: %w", provider, err)
	}
	out := make([]PactForVerification, 0, len(resp.Embedded.Pacts))
	for _, p := range resp.Embedded.Pacts {
		pv := PactForVerification{URL: p.Links["self"].Href, ShortDescription: p.ShortDescription,
			Pending: p.VerificationProperties.Pending != nil && *p.VerificationProperties.Pending, WIP: p.VerificationProperties.WIP}
		for _, n := range p.VerificationProperties.Notices {
			pv.Notices = append(pv.Notices, broker.VerificationNotice{When: n.When, Text: n.Text})
		}
		out = append(out, pv)
	}
	return out, nil
}

// VerificationResult is a provider's verification result to publish.
type VerificationResult struct {
	Success         bool
	ProviderVersion string
	BuildURL        string
	// TestResults and VerifiedBy are JSON documents (optional).
	TestResults json.RawMessage
	VerifiedBy  json.RawMessage
}

// PublishVerificationResult publishes a verification result to the URL
// of a pact's pb:publish-verification-results link.
func (c *Client) PublishVerificationResult(ctx context.Context, resultsURL string, res VerificationResult) error {
	if resultsURL == "" {
		return fmt.Errorf("publish verification result: the pact has no pb:publish-verification-results link: %w", broker.ErrInvalid)
	}
	success := res.Success
	body := VerificationResultRequest{Success: &success, ProviderApplicationVersion: res.ProviderVersion, BuildURL: res.BuildURL,
		TestResults: res.TestResults, VerifiedBy: res.VerifiedBy}
	if _, err := c.do(ctx, http.MethodPost, resultsURL, body, nil); err != nil {
		return fmt.Errorf("publish verification result: %w", err)
	}
	return nil
}

// errNoEnvironment wraps ErrNotFound for an unknown environment name.
func (c *Client) environmentByName(ctx context.Context, name string) (broker.Environment, error) {
	var resp Environments
	if _, err := c.do(ctx, http.MethodGet, "/environments?name="+url.QueryEscape(name), nil, &resp); err != nil {
		return broker.Environment{}, fmt.Errorf("look up environment %s: %w", name, err)
	}
	for _, e := range resp.Embedded.Environments {
		if e.Name == name {
			return e.Domain(), nil
		}
	}
	return broker.Environment{}, fmt.Errorf("no environment named %q on the broker: %w", name, broker.ErrNotFound)
}

// Domain returns the environment as a domain one.
func (e Environment) Domain() broker.Environment {
	return broker.Environment{UUID: e.UUID, Name: e.Name, DisplayName: e.DisplayName, Production: e.Production, Contacts: e.Contacts}
}

// CreateEnvironment creates an environment and returns it with its UUID.
func (c *Client) CreateEnvironment(ctx context.Context, e broker.Environment) (broker.Environment, error) {
	name, production := e.Name, e.Production
	body := EnvironmentRequest{UUID: e.UUID, Name: &name, DisplayName: e.DisplayName, Production: &production, Contacts: e.Contacts}
	var out Environment
	if _, err := c.do(ctx, http.MethodPost, "/environments", body, &out); err != nil {
		return broker.Environment{}, fmt.Errorf("create environment %s: %w", e.Name, err)
	}
	return out.Domain(), nil
}

// Domain returns the deployment as a domain one in env.
func (d DeployedVersion) Domain(env broker.Environment) broker.DeployedVersion {
	out := broker.DeployedVersion{UUID: d.UUID, Pacticipant: d.Embedded.Pacticipant.Name, Version: d.Embedded.Version.Number, EnvironmentUUID: env.UUID, EnvironmentName: env.Name, CurrentlyDeployed: d.CurrentlyDeployed}
	if d.ApplicationInstance != nil {
		out.ApplicationInstance = *d.ApplicationInstance
	}
	return out
}

// Domain returns the release as a domain one in env.
func (r ReleasedVersion) Domain(env broker.Environment) broker.ReleasedVersion {
	return broker.ReleasedVersion{UUID: r.UUID, Pacticipant: r.Embedded.Pacticipant.Name, Version: r.Embedded.Version.Number, EnvironmentUUID: env.UUID, EnvironmentName: env.Name, CurrentlySupported: r.CurrentlySupported}
}

// RecordDeployment records that the pacticipant version is deployed to the
// environment (by name) as applicationInstance ("" for the default).
func (c *Client) RecordDeployment(ctx context.Context, pacticipant, version, environment, applicationInstance string) (broker.DeployedVersion, error) {
	env, err := c.environmentByName(ctx, environment)
	if err != nil {
		return broker.DeployedVersion{}, err
	}
	body := map[string]any{}
	if applicationInstance != "" {
		body["applicationInstance"] = applicationInstance
	}
	var out DeployedVersion
	p := PathOf("pacticipants", pacticipant, "versions", version, "deployed-versions", "environment", env.UUID)
	if _, err := c.do(ctx, http.MethodPost, p, body, &out); err != nil {
		return broker.DeployedVersion{}, fmt.Errorf("record deployment of %s version %s to %s: %w", pacticipant, version, environment, err)
	}
	d := out.Domain(env)
	d.Pacticipant, d.Version = pacticipant, version
	return d, nil
}

// RecordUndeployment marks the pacticipant's current deployments to the
// environment (only those of applicationInstance when it is non-nil) as
// no longer deployed. ErrNotFound when nothing is deployed there.
func (c *Client) RecordUndeployment(ctx context.Context, pacticipant, environment string, applicationInstance *string) ([]broker.DeployedVersion, error) {
	env, err := c.environmentByName(ctx, environment)
	if err != nil {
		return nil, err
	}
	q := url.Values{"pacticipant": {pacticipant}}
	if applicationInstance != nil {
		q.Set("applicationInstance", *applicationInstance)
	}
	var list DeployedVersions
	if _, err := c.do(ctx, http.MethodGet, PathOf("environments", env.UUID, "deployed-versions", "currently-deployed")+"?"+q.Encode(), nil, &list); err != nil {
		return nil, fmt.Errorf("list deployments of %s in %s: %w", pacticipant, environment, err)
	}
	var out []broker.DeployedVersion
	for _, d := range list.Embedded.DeployedVersions {
		if applicationInstance != nil && (d.ApplicationInstance == nil && *applicationInstance != "" || d.ApplicationInstance != nil && *d.ApplicationInstance != *applicationInstance) {
			continue
		}
		var patched DeployedVersion
		if _, err := c.do(ctx, http.MethodPatch, d.Links["self"].Href, map[string]any{"currentlyDeployed": false}, &patched); err != nil {
			return out, fmt.Errorf("record undeployment of %s from %s: %w", pacticipant, environment, err)
		}
		out = append(out, patched.Domain(env))
	}
	if len(out) == 0 {
		what := pacticipant
		if applicationInstance != nil && *applicationInstance != "" {
			what += " (application instance " + *applicationInstance + ")"
		}
		return nil, fmt.Errorf("%s is not currently deployed to %s: %w", what, environment, broker.ErrNotFound)
	}
	return out, nil
}

// RecordRelease records that the pacticipant version is released to the
// environment (by name).
func (c *Client) RecordRelease(ctx context.Context, pacticipant, version, environment string) (broker.ReleasedVersion, error) {
	env, err := c.environmentByName(ctx, environment)
	if err != nil {
		return broker.ReleasedVersion{}, err
	}
	var out ReleasedVersion
	p := PathOf("pacticipants", pacticipant, "versions", version, "released-versions", "environment", env.UUID)
	if _, err := c.do(ctx, http.MethodPost, p, struct{}{}, &out); err != nil {
		return broker.ReleasedVersion{}, fmt.Errorf("record release of %s version %s to %s: %w", pacticipant, version, environment, err)
	}
	r := out.Domain(env)
	r.Pacticipant, r.Version = pacticipant, version
	return r, nil
}

// RecordSupportEnded marks the release of the pacticipant version in the
// environment as no longer supported. ErrNotFound when it is not a
// currently supported release there.
func (c *Client) RecordSupportEnded(ctx context.Context, pacticipant, version, environment string) (broker.ReleasedVersion, error) {
	env, err := c.environmentByName(ctx, environment)
	if err != nil {
		return broker.ReleasedVersion{}, err
	}
	var list ReleasedVersions
	q := url.Values{"pacticipant": {pacticipant}}
	if _, err := c.do(ctx, http.MethodGet, PathOf("environments", env.UUID, "released-versions", "currently-supported")+"?"+q.Encode(), nil, &list); err != nil {
		return broker.ReleasedVersion{}, fmt.Errorf("list releases of %s in %s: %w", pacticipant, environment, err)
	}
	for _, r := range list.Embedded.ReleasedVersions {
		if r.Embedded.Version.Number != version {
			continue
		}
		var patched ReleasedVersion
		if _, err := c.do(ctx, http.MethodPatch, r.Links["self"].Href, map[string]any{"currentlySupported": false}, &patched); err != nil {
			return broker.ReleasedVersion{}, fmt.Errorf("record support ended for %s version %s in %s: %w", pacticipant, version, environment, err)
		}
		return patched.Domain(env), nil
	}
	return broker.ReleasedVersion{}, fmt.Errorf("%s version %s is not a currently supported release in %s: %w", pacticipant, version, environment, broker.ErrNotFound)
}

// DescribeVersion returns a pacticipant version with its branches and
// tags: the given version, or the latest (with tag when tag is set) when
// version is "".
func (c *Client) DescribeVersion(ctx context.Context, pacticipant, version, tag string) (broker.Version, error) {
	p := PathOf("pacticipants", pacticipant, "versions", version)
	switch {
	case version == "" && tag != "":
		p = PathOf("pacticipants", pacticipant, "latest-version", tag)
	case version == "":
		p = PathOf("pacticipants", pacticipant, "latest-version")
	}
	var out Version
	if _, err := c.do(ctx, http.MethodGet, p, nil, &out); err != nil {
		return broker.Version{}, fmt.Errorf("describe %s version %s: %w", pacticipant, orDefault(version, "latest"), err)
	}
	return out.Domain(pacticipant), nil
}

// Matrix runs a matrix query (GET /matrix).
func (c *Client) Matrix(ctx context.Context, q broker.MatrixQuery) (*broker.MatrixResult, error) {
	var parts []string
	add := func(k, v string) { parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v)) }
	addSel := func(name string, s broker.MatrixSelector) {
		add(name+"[][pacticipant]", s.Pacticipant)
		if s.Version != "" {
			add(name+"[][version]", s.Version)
		}
		if s.Latest {
			add(name+"[][latest]", "true")
		}
		if s.Tag != "" {
			add(name+"[][tag]", s.Tag)
		}
		if s.Branch != "" {
			add(name+"[][branch]", s.Branch)
		}
		if s.MainBranch {
			add(name+"[][mainBranch]", "true")
		}
		if s.Environment != "" {
			add(name+"[][environment]", s.Environment)
		}
	}
	for _, s := range q.Selectors {
		addSel("q", s)
	}
	if q.LatestBy != "" {
		add("latestby", string(q.LatestBy))
	}
	if q.Latest {
		add("latest", "true")
	}
	if q.Tag != "" {
		add("tag", q.Tag)
	}
	if q.Environment != "" {
		add("environment", q.Environment)
	}
	if q.MainBranch {
		add("mainBranch", "true")
	}
	for _, s := range q.Ignore {
		addSel("ignore", s)
	}
	if q.Limit > 0 {
		add("limit", fmt.Sprint(q.Limit))
	}
	var resp Matrix
	if _, err := c.do(ctx, http.MethodGet, "/matrix?"+strings.Join(parts, "&"), nil, &resp); err != nil {
		return nil, fmt.Errorf("matrix: %w", err)
	}
	return resp.Result(), nil
}

// CanIDeployRequest asks whether pacticipant versions can be deployed.
type CanIDeployRequest struct {
	// Selectors are the versions to deploy (usually one).
	Selectors []broker.MatrixSelector
	// ToEnvironment, ToTag or ToMainBranch name the target; with none of
	// them the other sides are their latest versions.
	ToEnvironment string
	ToTag         string
	ToMainBranch  bool
	// Ignore lists pacticipants (and versions) whose results do not count.
	Ignore []broker.MatrixSelector
	// RetryWhileUnknown retries that many times while the answer is
	// unknown, waiting RetryInterval between tries.
	RetryWhileUnknown int
	RetryInterval     time.Duration
}

// CanIDeploy asks the matrix whether the selected versions can be
// deployed, retrying while the broker cannot tell (Deployable nil) as
// configured. The result's Summary.Deployable is nil when it still cannot
// tell.
func (c *Client) CanIDeploy(ctx context.Context, req CanIDeployRequest) (*broker.MatrixResult, error) {
	q := broker.MatrixQuery{Selectors: req.Selectors, Ignore: req.Ignore}
	switch {
	case len(req.Selectors) == 0:
		return nil, fmt.Errorf("can-i-deploy: no pacticipant version given: %w", broker.ErrInvalid)
	case req.ToEnvironment != "":
		q.Environment = req.ToEnvironment
		q.LatestBy = broker.LatestByCVPV
	case req.ToTag != "":
		q.Tag, q.Latest = req.ToTag, true
	case req.ToMainBranch:
		q.MainBranch, q.Latest = true, true
	case len(req.Selectors) == 1:
		q.Latest = true
	}
	if q.LatestBy == "" {
		q.LatestBy = broker.LatestByCVP
		if len(req.Selectors) > 1 {
			q.LatestBy = broker.LatestByCVPV
		}
	}
	for attempt := 0; ; attempt++ {
		res, err := c.Matrix(ctx, q)
		if err != nil {
			return nil, err
		}
		if res.Summary.Deployable != nil || attempt >= req.RetryWhileUnknown {
			return res, nil
		}
		if err := c.Sleep(ctx, req.RetryInterval); err != nil {
			return res, fmt.Errorf("can-i-deploy: waiting to retry: %w", err)
		}
	}
}

var _ = errors.Is

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
