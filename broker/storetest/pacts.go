package storetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/contracts-dev/contracts/broker"
	"github.com/stretchr/testify/require"
)

func testPublish(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	req := broker.PublishRequest{
		Pacticipant: "Web", Version: "1", Branch: "main", BuildURL: "https://ci/1", Tags: []string{"dev", "test"},
		Contracts: []broker.ContractInput{
			{Consumer: "Web", Provider: "API", Content: PactJSON("Web", "API", "get a", "get b")},
			{Consumer: "Web", Provider: "Auth", Content: PactJSON("Web", "Auth", "login")},
		},
	}
	res, err := s.PublishContracts(ctx, req)
	require.NoError(t, err)
	require.True(t, res.VersionCreated)
	require.Equal(t, "Web", res.Pacticipant.Name)
	require.Equal(t, "https://ci/1", res.Version.BuildURL)
	require.Equal(t, []string{"main"}, res.Version.Branches)
	require.Equal(t, []string{"dev", "test"}, res.Version.Tags)
	require.Len(t, res.Tags, 2)
	require.Len(t, res.Contracts, 2)
	for _, c := range res.Contracts {
		require.Equal(t, broker.PublishCreated, c.Outcome)
		require.True(t, c.NewContent)
		require.True(t, c.NewIntegration)
		require.Equal(t, 1, c.Pact.Revision)
		require.Equal(t, "1", c.Pact.ConsumerVersion)
		want, err := broker.ContentSHA(c.Pact.Content)
		require.NoError(t, err)
		require.Equal(t, want, c.Pact.SHA)
	}
	apiSHA := res.Contracts[0].Pact.SHA

	// Republishing identical content is a no-op.
	res, err = s.PublishContracts(ctx, req)
	require.NoError(t, err)
	require.False(t, res.VersionCreated)
	require.Equal(t, broker.PublishUnchanged, res.Contracts[0].Outcome)
	require.Equal(t, 1, res.Contracts[0].Pact.Revision)

	// The same interactions in another order, under another version: same
	// content, deduplicated.
	res, err = s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Web", Version: "2", Contracts: []broker.ContractInput{
		{Consumer: "Web", Provider: "API", Content: PactJSON("Web", "API", "get b", "get a")},
	}})
	require.NoError(t, err)
	require.Equal(t, broker.PublishCreated, res.Contracts[0].Outcome)
	require.False(t, res.Contracts[0].NewContent)
	require.False(t, res.Contracts[0].NewIntegration)
	require.Equal(t, apiSHA, res.Contracts[0].Pact.SHA)

	p, err := s.GetPact(ctx, "Web", "API", "1")
	require.NoError(t, err)
	require.Equal(t, apiSHA, p.SHA)
	require.JSONEq(t, string(PactJSON("Web", "API", "get a", "get b")), string(p.Content))

	for _, bad := range []struct {
		name string
		req  broker.PublishRequest
	}{
		{"no pacticipant", broker.PublishRequest{Version: "1"}},
		{"no version", broker.PublishRequest{Pacticipant: "Web"}},
		{"consumer is not the pacticipant", broker.PublishRequest{Pacticipant: "Web", Version: "3", Contracts: []broker.ContractInput{
			{Consumer: "Other", Provider: "API", Content: PactJSON("Other", "API", "x")}}}},
		{"names in the pact differ", broker.PublishRequest{Pacticipant: "Web", Version: "3", Contracts: []broker.ContractInput{
			{Consumer: "Web", Provider: "API", Content: PactJSON("Web", "Other", "x")}}}},
		{"content is not an object", broker.PublishRequest{Pacticipant: "Web", Version: "3", Contracts: []broker.ContractInput{
			{Consumer: "Web", Provider: "API", Content: json.RawMessage(`[1]`)}}}},
		{"no provider", broker.PublishRequest{Pacticipant: "Web", Version: "3", Contracts: []broker.ContractInput{
			{Consumer: "Web", Content: PactJSON("Web", "", "x")}}}},
		{"bad conflict policy", broker.PublishRequest{Pacticipant: "Web", Version: "3", Contracts: []broker.ContractInput{
			{Consumer: "Web", Provider: "API", Content: PactJSON("Web", "API", "x"), OnConflict: "explode"}}}},
	} {
		_, err := s.PublishContracts(ctx, bad.req)
		require.ErrorIs(t, err, broker.ErrInvalid, bad.name)
	}
	_, err = s.GetVersion(ctx, "Web", "3")
	require.ErrorIs(t, err, broker.ErrNotFound, "invalid publications change nothing")

	// Validation errors name the offending field.
	for _, tc := range []struct {
		req   broker.PublishRequest
		field string
	}{
		{broker.PublishRequest{Version: "1"}, "pacticipantName"},
		{broker.PublishRequest{Pacticipant: "Web"}, "pacticipantVersionNumber"},
		{broker.PublishRequest{Pacticipant: "Web", Version: "3", Contracts: []broker.ContractInput{
			{Consumer: "Web", Provider: "API", Content: PactJSON("Web", "API", "x")},
			{Consumer: "Other", Provider: "API", Content: PactJSON("Other", "API", "x")}}}, "contracts[1].consumerName"},
		{broker.PublishRequest{Pacticipant: "Web", Version: "3", Contracts: []broker.ContractInput{
			{Consumer: "Web", Provider: "API", Content: json.RawMessage(`{`)}}}, "contracts[0].content"},
	} {
		_, err := s.PublishContracts(ctx, tc.req)
		var fe *broker.FieldError
		require.ErrorAs(t, err, &fe)
		require.Equal(t, tc.field, fe.Field)
	}
}

func testPublishAtomic(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "1", Pacts: map[string][]string{"API": {"a"}}})
	// The second contract conflicts: the version, branch, tag and first
	// contract must not be written.
	_, err := s.PublishContracts(ctx, broker.PublishRequest{
		Pacticipant: "Web", Version: "1", Branch: "feat", Tags: []string{"t"},
		Contracts: []broker.ContractInput{
			{Consumer: "Web", Provider: "Auth", Content: PactJSON("Web", "Auth", "x")},
			{Consumer: "Web", Provider: "API", Content: PactJSON("Web", "API", "changed")},
		},
	})
	require.ErrorIs(t, err, broker.ErrConflict)
	var pce *broker.PactConflictError
	require.ErrorAs(t, err, &pce)
	require.Equal(t, "API", pce.Provider)
	require.Equal(t, "1", pce.ConsumerVersion)

	v, err := s.GetVersion(ctx, "Web", "1")
	require.NoError(t, err)
	require.Empty(t, v.Branches)
	require.Empty(t, v.Tags)
	_, err = s.GetPact(ctx, "Web", "Auth", "1")
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.GetPacticipant(ctx, "Auth")
	require.ErrorIs(t, err, broker.ErrNotFound)
	ints, err := s.ListIntegrations(ctx, broker.Page{})
	require.NoError(t, err)
	require.Len(t, ints, 1)
}

func testPublishConflicts(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	first := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "1", Pacts: map[string][]string{"API": {"a"}}})
	publish := func(policy broker.ConflictPolicy, descs ...string) (broker.PublishedContract, error) {
		res, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Web", Version: "1", Contracts: []broker.ContractInput{
			{Consumer: "Web", Provider: "API", Content: PactJSON("Web", "API", descs...), OnConflict: policy}}})
		if err != nil {
			return broker.PublishedContract{}, err
		}
		return res.Contracts[0], nil
	}
	_, err := publish(broker.ConflictReject, "b")
	require.ErrorIs(t, err, broker.ErrConflict)

	c, err := publish(broker.ConflictOverwrite, "b")
	require.NoError(t, err)
	require.Equal(t, broker.PublishOverwritten, c.Outcome)
	require.Equal(t, 2, c.Pact.Revision)
	require.NotEqual(t, first["API"], c.Pact.SHA)
	p, err := s.GetPact(ctx, "Web", "API", "1")
	require.NoError(t, err)
	require.Equal(t, c.Pact.SHA, p.SHA)

	c, err = publish(broker.ConflictMerge, "c")
	require.NoError(t, err)
	require.Equal(t, broker.PublishMerged, c.Outcome)
	require.Equal(t, 3, c.Pact.Revision)
	wantSHA, err := broker.ContentSHA(PactJSON("Web", "API", "b", "c"))
	require.NoError(t, err)
	require.Equal(t, wantSHA, c.Pact.SHA, "merge keeps b and adds c")

	c, err = publish(broker.ConflictMerge, "c")
	require.NoError(t, err)
	require.Equal(t, broker.PublishUnchanged, c.Outcome)

	// The overwritten content stays addressable by its SHA.
	old, err := s.GetPactBySHA(ctx, "Web", "API", first["API"])
	require.NoError(t, err)
	require.Equal(t, "1", old.ConsumerVersion)
	require.Equal(t, 1, old.Revision)
}

func testPactQueries(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	s1 := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "1", Branch: "main", Tags: []string{"prod"}, Pacts: map[string][]string{"API": {"a"}}})
	s2 := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "2", Branch: "feat", Pacts: map[string][]string{"API": {"a", "b"}}})
	s3 := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "3", Branch: "main", Pacts: map[string][]string{"API": {"a"}}})
	MustPublish(t, s.Store, Publication{Consumer: "Mobile", Version: "7", Pacts: map[string][]string{"API": {"m"}, "Auth": {"n"}}})
	require.Equal(t, s1["API"], s3["API"])

	p, err := s.GetPactBySHA(ctx, "Web", "API", s1["API"])
	require.NoError(t, err)
	require.Equal(t, "3", p.ConsumerVersion, "attributed to the latest consumer version with that content")
	_, err = s.GetPactBySHA(ctx, "Web", "API", "0000")
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.GetPactBySHA(ctx, "Web", "Auth", s1["API"])
	require.ErrorIs(t, err, broker.ErrNotFound)

	for _, tc := range []struct {
		f    broker.PactFilter
		want string
	}{
		{broker.PactFilter{}, "3"},
		{broker.PactFilter{Branch: "main"}, "3"},
		{broker.PactFilter{Branch: "feat"}, "2"},
		{broker.PactFilter{Tag: "prod"}, "1"},
	} {
		p, err := s.LatestPact(ctx, "Web", "API", tc.f)
		require.NoError(t, err)
		require.Equal(t, tc.want, p.ConsumerVersion, "%+v", tc.f)
		require.NotEmpty(t, p.Content)
	}
	_, err = s.LatestPact(ctx, "Web", "API", broker.PactFilter{Tag: "nope"})
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.LatestPact(ctx, "Web", "Auth", broker.PactFilter{})
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.GetPact(ctx, "Web", "API", "9")
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.GetPact(ctx, "Web", "Nope", "1")
	require.ErrorIs(t, err, broker.ErrNotFound)

	latest, err := s.ListLatestPacts(ctx, "", broker.PactFilter{})
	require.NoError(t, err)
	require.Len(t, latest, 3)
	require.Equal(t, "Mobile", latest[0].Consumer)
	require.Equal(t, "API", latest[0].Provider)
	require.Equal(t, "Auth", latest[1].Provider)
	require.Equal(t, "Web", latest[2].Consumer)
	require.Equal(t, "3", latest[2].ConsumerVersion)
	latest, err = s.ListLatestPacts(ctx, "API", broker.PactFilter{Tag: "prod"})
	require.NoError(t, err)
	require.Len(t, latest, 1)
	require.Equal(t, "1", latest[0].ConsumerVersion)
	_, err = s.ListLatestPacts(ctx, "Nope", broker.PactFilter{})
	require.ErrorIs(t, err, broker.ErrNotFound)

	history, err := s.ListPactVersions(ctx, "Web", "API", broker.Page{})
	require.NoError(t, err)
	require.Len(t, history, 3)
	require.Equal(t, "3", history[0].ConsumerVersion)
	require.Equal(t, s2["API"], history[1].SHA)
	require.Nil(t, history[0].Content)
	_, err = s.ListPactVersions(ctx, "Web", "Nope", broker.Page{})
	require.ErrorIs(t, err, broker.ErrNotFound)

	require.NoError(t, s.DeletePact(ctx, "Web", "API", "3"))
	require.ErrorIs(t, s.DeletePact(ctx, "Web", "API", "3"), broker.ErrNotFound)
	p, err = s.LatestPact(ctx, "Web", "API", broker.PactFilter{Branch: "main"})
	require.NoError(t, err)
	require.Equal(t, "1", p.ConsumerVersion)
}

func testIntegrations(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	sha := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "1", Pacts: map[string][]string{"API": {"a"}, "Auth": {"b"}}})
	MustVerify(t, s.Store, "Web", "API", sha["API"], "p1", true)
	ints, err := s.ListIntegrations(ctx, broker.Page{})
	require.NoError(t, err)
	require.Len(t, ints, 2)
	require.Equal(t, broker.Integration{Consumer: "Web", Provider: "API", CreatedAt: ints[0].CreatedAt, LatestPactCreatedAt: ints[0].LatestPactCreatedAt}, ints[0])
	ints, err = s.ListIntegrations(ctx, broker.Page{Offset: 1})
	require.NoError(t, err)
	require.Len(t, ints, 1)

	consumers, err := s.ConsumersOf(ctx, "API")
	require.NoError(t, err)
	require.Equal(t, []string{"Web"}, consumers)
	providers, err := s.ProvidersOfVersion(ctx, "Web", "1")
	require.NoError(t, err)
	require.Equal(t, []string{"API", "Auth"}, providers)
	_, err = s.ProvidersOfVersion(ctx, "Web", "9")
	require.ErrorIs(t, err, broker.ErrNotFound)

	require.NoError(t, s.DeleteIntegration(ctx, "Web", "API"))
	require.ErrorIs(t, s.DeleteIntegration(ctx, "Web", "API"), broker.ErrNotFound)
	_, err = s.GetPact(ctx, "Web", "API", "1")
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.GetPactBySHA(ctx, "Web", "API", sha["API"])
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.GetPact(ctx, "Web", "Auth", "1")
	require.NoError(t, err)

	// Deleting a consumer version's last pact with a provider removes the
	// integration.
	require.NoError(t, s.DeletePact(ctx, "Web", "Auth", "1"))
	ints, err = s.ListIntegrations(ctx, broker.Page{})
	require.NoError(t, err)
	require.Empty(t, ints)
}

func testVerifications(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	sha := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "1", Pacts: map[string][]string{"API": {"a"}}})["API"]
	v, err := s.PublishVerification(ctx, broker.VerificationInput{
		Consumer: "Web", Provider: "API", PactSHA: sha, ProviderVersion: "p1", Success: true, BuildURL: "https://ci/p1",
		TestResults: json.RawMessage(`{"tests":[]}`), VerifiedBy: json.RawMessage(`{"implementation":"contracts"}`),
	})
	require.NoError(t, err)
	require.Equal(t, 1, v.Number)
	require.Equal(t, "p1", v.ProviderVersion)
	require.True(t, v.Success)
	require.JSONEq(t, `{"tests":[]}`, string(v.TestResults))
	require.False(t, v.ExecutionDate.IsZero())
	_, err = s.GetVersion(ctx, "API", "p1")
	require.NoError(t, err, "the provider version is created")

	v2 := MustVerify(t, s.Store, "Web", "API", sha, "p2", false)
	require.Equal(t, 2, v2.Number)
	require.True(t, v2.ExecutionDate.After(v.ExecutionDate))

	got, err := s.GetVerification(ctx, "Web", "API", sha, 1)
	require.NoError(t, err)
	require.Equal(t, v, got)
	_, err = s.GetVerification(ctx, "Web", "API", sha, 3)
	require.ErrorIs(t, err, broker.ErrNotFound)
	latest, err := s.LatestVerification(ctx, "Web", "API", sha)
	require.NoError(t, err)
	require.Equal(t, v2, latest)
	list, err := s.ListVerifications(ctx, "Web", "API", sha, broker.Page{})
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, 2, list[0].Number)

	// A new consumer version with the same content inherits verifications:
	// they belong to the content.
	sha2 := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "2", Pacts: map[string][]string{"API": {"a"}}})["API"]
	require.Equal(t, sha, sha2)
	latest, err = s.LatestVerification(ctx, "Web", "API", sha2)
	require.NoError(t, err)
	require.Equal(t, 2, latest.Number)

	sha3 := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "3", Pacts: map[string][]string{"API": {"new"}}})["API"]
	_, err = s.LatestVerification(ctx, "Web", "API", sha3)
	require.ErrorIs(t, err, broker.ErrNotFound)

	for _, bad := range []broker.VerificationInput{
		{Consumer: "Web", Provider: "API", PactSHA: "nope", ProviderVersion: "p1"},
		{Consumer: "Nope", Provider: "API", PactSHA: sha, ProviderVersion: "p1"},
	} {
		_, err := s.PublishVerification(ctx, bad)
		require.ErrorIs(t, err, broker.ErrNotFound)
	}
	for _, bad := range []broker.VerificationInput{
		{Consumer: "Web", Provider: "API", PactSHA: sha},
		{Consumer: "Web", Provider: "API", PactSHA: sha, ProviderVersion: "p1", TestResults: json.RawMessage(`{`)},
		{Consumer: "Web", Provider: "API", PactSHA: sha, ProviderVersion: "p1", VerifiedBy: json.RawMessage(`nope`)},
	} {
		_, err := s.PublishVerification(ctx, bad)
		require.ErrorIs(t, err, broker.ErrInvalid)
	}
	_, err = s.ListVerifications(ctx, "Web", "API", "nope", broker.Page{})
	require.ErrorIs(t, err, broker.ErrNotFound)
}

func testWebhooks(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	_, err := s.CreatePacticipant(ctx, broker.Pacticipant{Name: "Web"})
	require.NoError(t, err)
	def := json.RawMessage(`{"description":"notify","events":[{"name":"contract_published"}],"request":{"method":"POST","url":"https://hooks.example/x"}}`)
	w, err := s.CreateWebhook(ctx, broker.Webhook{Consumer: "Web", Definition: def})
	require.NoError(t, err)
	require.NotEmpty(t, w.UUID)
	require.Equal(t, "Web", w.Consumer)
	require.Empty(t, w.Provider)
	require.JSONEq(t, string(def), string(w.Definition))

	_, err = s.CreateWebhook(ctx, broker.Webhook{UUID: w.UUID, Definition: def})
	require.ErrorIs(t, err, broker.ErrConflict)
	_, err = s.CreateWebhook(ctx, broker.Webhook{Definition: json.RawMessage(`[]`)})
	require.ErrorIs(t, err, broker.ErrInvalid)
	_, err = s.CreateWebhook(ctx, broker.Webhook{Provider: "Nope", Definition: def})
	require.ErrorIs(t, err, broker.ErrInvalid)

	got, err := s.GetWebhook(ctx, w.UUID)
	require.NoError(t, err)
	require.Equal(t, w, got)
	_, err = s.GetWebhook(ctx, "nope")
	require.ErrorIs(t, err, broker.ErrNotFound)

	up, created, err := s.PutWebhook(ctx, broker.Webhook{UUID: w.UUID, Definition: json.RawMessage(`{"description":"changed"}`)})
	require.NoError(t, err)
	require.False(t, created)
	require.Empty(t, up.Consumer)
	require.Equal(t, w.CreatedAt, up.CreatedAt)
	_, created, err = s.PutWebhook(ctx, broker.Webhook{UUID: "my-hook", Consumer: "Web", Definition: def})
	require.NoError(t, err)
	require.True(t, created)
	_, _, err = s.PutWebhook(ctx, broker.Webhook{Definition: def})
	require.ErrorIs(t, err, broker.ErrInvalid)

	all, err := s.ListWebhooks(ctx, broker.WebhookFilter{})
	require.NoError(t, err)
	require.Len(t, all, 2)
	mine, err := s.ListWebhooks(ctx, broker.WebhookFilter{Consumer: "Web"})
	require.NoError(t, err)
	require.Len(t, mine, 1)
	require.Equal(t, "my-hook", mine[0].UUID)

	require.NoError(t, s.DeleteWebhook(ctx, "my-hook"))
	require.ErrorIs(t, s.DeleteWebhook(ctx, "my-hook"), broker.ErrNotFound)
}

func testCascades(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	sha := MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "1", Branch: "main", Pacts: map[string][]string{"API": {"a"}}})["API"]
	MustPublish(t, s.Store, Publication{Consumer: "Web", Version: "2", Branch: "main", Pacts: map[string][]string{"API": {"b"}}})
	MustVerify(t, s.Store, "Web", "API", sha, "10", true)
	MustVerify(t, s.Store, "Web", "API", sha, "11", false)
	env := MustEnvironment(t, s.Store, "prod", true)
	MustDeploy(t, s.Store, "API", "11", env, "")

	// Deleting a provider version removes its verifications and deployments.
	require.NoError(t, s.DeleteVersion(ctx, "API", "11"))
	v, err := s.LatestVerification(ctx, "Web", "API", sha)
	require.NoError(t, err)
	require.Equal(t, "10", v.ProviderVersion)
	deployed, err := s.ListDeployedVersions(ctx, broker.DeploymentFilter{EnvironmentUUID: env})
	require.NoError(t, err)
	require.Empty(t, deployed)

	// Deleting the newest consumer version: the previous one is the latest
	// pact and the branch head again.
	require.NoError(t, s.DeleteVersion(ctx, "Web", "2"))
	p, err := s.LatestPact(ctx, "Web", "API", broker.PactFilter{Branch: "main"})
	require.NoError(t, err)
	require.Equal(t, "1", p.ConsumerVersion)
	rows, err := s.MatrixRows(ctx, broker.MatrixRowQuery{Versions: []broker.VersionRef{{Pacticipant: "Web", Number: "1"}}})
	require.NoError(t, err)
	require.Len(t, rows, 1)

	// Deleting a provider removes everything it verified and its
	// integrations.
	require.NoError(t, s.DeletePacticipant(ctx, "API"))
	_, err = s.GetPact(ctx, "Web", "API", "1")
	require.ErrorIs(t, err, broker.ErrNotFound)
	ints, err := s.ListIntegrations(ctx, broker.Page{})
	require.NoError(t, err)
	require.Empty(t, ints)
	_, err = s.GetVersion(ctx, "Web", "1")
	require.NoError(t, err, "the consumer stays")
}
