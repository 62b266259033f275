// Package storetest is the conformance suite every broker.Store must pass.
//
// A Store implementation runs it from its own tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) broker.Store { return mustOpen(t) })
//	}
//
// newStore must return an empty store whose clock advances on every read
// (by one second per reading: successive writes get increasing times).
// The suite drives it through broker.NewService with broker.DefaultRules,
// as the broker does: the rules are the Service's, and what they need of
// a store (conditional writes such as BranchWrite, TagWrite and
// PactWrite.Replaces) is tested here with them.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/contracts-dev/contracts/broker"
	"github.com/stretchr/testify/require"
)

// Run runs the conformance suite against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) broker.Store) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s *broker.Service)
	}{
		{"Pacticipants", testPacticipants},
		{"Versions", testVersions},
		{"Branches", testBranches},
		{"Tags", testTags},
		{"Environments", testEnvironments},
		{"Deployments", testDeployments},
		{"Releases", testReleases},
		{"Publish", testPublish},
		{"PublishAtomic", testPublishAtomic},
		{"PublishConflicts", testPublishConflicts},
		{"PactQueries", testPactQueries},
		{"Integrations", testIntegrations},
		{"PageQueries", testPageQueries},
		{"Verifications", testVerifications},
		{"Cascades", testCascades},
		{"Webhooks", testWebhooks},
		{"TriggeredWebhooks", testTriggeredWebhooks},
		{"RequiringVerification", testRequiringVerification},
		{"Labels", testLabels},
		{"LabelledWebhooks", testLabelledWebhooks},
		{"ContentChanged", testContentChanged},
		{"ResolveVersions", testResolveVersions},
		{"MatrixRows", testMatrixRows},
		{"SelectPacts", testSelectPacts},
		{"SuccessfullyVerified", testSuccessfullyVerified},
		{"WIPCandidates", testWIPCandidates},
		{"ProviderContracts", testProviderContracts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, broker.NewService(newStore(t), broker.DefaultRules()))
		})
	}
}

// PactJSON returns a V3 pact document between consumer and provider with
// one HTTP interaction per description.
func PactJSON(consumer, provider string, descriptions ...string) []byte {
	var its []string
	for _, d := range descriptions {
		its = append(its, fmt.Sprintf(`{"description":%q,"request":{"method":"GET","path":"/%s"},"response":{"status":200}}`, d, strings.ReplaceAll(d, " ", "-")))
	}
	return []byte(fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[%s],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`,
		consumer, provider, strings.Join(its, ",")))
}

// Publication describes one consumer version publishing pacts for MustPublish.
type Publication struct {
	Consumer string
	Version  string
	Branch   string
	Tags     []string
	// Pacts maps provider name to interaction descriptions.
	Pacts map[string][]string
}

// MustPublish publishes p through a broker.Service with
// broker.DefaultRules and returns the SHA per provider.
func MustPublish(tb testing.TB, s broker.Store, p Publication) map[string]string {
	tb.Helper()
	req := broker.PublishRequest{Pacticipant: p.Consumer, Version: p.Version, Branch: p.Branch, Tags: p.Tags}
	for prov, descs := range p.Pacts {
		req.Contracts = append(req.Contracts, broker.ContractInput{Consumer: p.Consumer, Provider: prov, Content: PactJSON(p.Consumer, prov, descs...)})
	}
	res, err := broker.NewService(s, broker.DefaultRules()).PublishContracts(context.Background(), req)
	require.NoError(tb, err)
	out := map[string]string{}
	for _, c := range res.Contracts {
		out[c.Pact.Provider] = c.Pact.SHA
	}
	return out
}

// MustVerify publishes a verification result.
func MustVerify(tb testing.TB, s broker.Store, consumer, provider, sha, providerVersion string, success bool) broker.Verification {
	tb.Helper()
	v, err := s.PublishVerification(context.Background(), broker.VerificationInput{
		Consumer: consumer, Provider: provider, PactSHA: sha, ProviderVersion: providerVersion, Success: success,
	})
	require.NoError(tb, err)
	return v
}

// MustEnvironment creates an environment and returns its UUID.
func MustEnvironment(tb testing.TB, s broker.Store, name string, production bool) string {
	tb.Helper()
	e, err := s.CreateEnvironment(context.Background(), broker.Environment{Name: name, DisplayName: name, Production: production})
	require.NoError(tb, err)
	return e.UUID
}

// MustDeploy records a deployment.
func MustDeploy(tb testing.TB, s broker.Store, pacticipant, version, envUUID, instance string) broker.DeployedVersion {
	tb.Helper()
	d, _, err := s.RecordDeployment(context.Background(), pacticipant, version, envUUID, instance)
	require.NoError(tb, err)
	return d
}

func mustVersion(tb testing.TB, s broker.Store, pacticipant, number string) {
	tb.Helper()
	_, _, err := s.PutVersion(context.Background(), pacticipant, number, "")
	require.NoError(tb, err)
}

func testPacticipants(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	p, err := s.CreatePacticipant(ctx, broker.Pacticipant{Name: "Foo", DisplayName: "The Foo", RepositoryURL: "https://git.example/foo", MainBranch: "main"})
	require.NoError(t, err)
	require.Equal(t, "Foo", p.Name)
	require.Equal(t, "The Foo", p.DisplayName)
	require.Equal(t, "main", p.MainBranch)
	require.False(t, p.CreatedAt.IsZero())

	_, err = s.CreatePacticipant(ctx, broker.Pacticipant{Name: "Foo"})
	require.ErrorIs(t, err, broker.ErrConflict)
	_, err = s.CreatePacticipant(ctx, broker.Pacticipant{Name: "  "})
	require.ErrorIs(t, err, broker.ErrInvalid)
	_, _, err = s.PutPacticipant(ctx, broker.Pacticipant{})
	require.ErrorIs(t, err, broker.ErrInvalid)

	got, err := s.GetPacticipant(ctx, "Foo")
	require.NoError(t, err)
	require.Equal(t, p, got)
	_, err = s.GetPacticipant(ctx, "Nope")
	require.ErrorIs(t, err, broker.ErrNotFound)

	up, created, err := s.PutPacticipant(ctx, broker.Pacticipant{Name: "Foo", MainBranch: "trunk"})
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, "trunk", up.MainBranch)
	require.Empty(t, up.DisplayName, "put replaces every field")
	require.Equal(t, p.CreatedAt, up.CreatedAt)
	require.True(t, up.UpdatedAt.After(p.UpdatedAt))

	_, created, err = s.PutPacticipant(ctx, broker.Pacticipant{Name: "Bar"})
	require.NoError(t, err)
	require.True(t, created)

	list, err := s.ListPacticipants(ctx, broker.Page{})
	require.NoError(t, err)
	require.Equal(t, []string{"Bar", "Foo"}, pacticipantNames(list))
	list, err = s.ListPacticipants(ctx, broker.Page{Offset: 1, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, []string{"Foo"}, pacticipantNames(list))

	mustVersion(t, s.Store, "Foo", "1")
	require.NoError(t, s.DeletePacticipant(ctx, "Foo"))
	require.ErrorIs(t, s.DeletePacticipant(ctx, "Foo"), broker.ErrNotFound)
	_, err = s.GetVersion(ctx, "Foo", "1")
	require.ErrorIs(t, err, broker.ErrNotFound)
}

func pacticipantNames(ps []broker.Pacticipant) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func versionNumbers(vs []broker.Version) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Number)
	}
	return out
}

func testVersions(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	v, created, err := s.PutVersion(ctx, "Foo", "1.0.0", "https://ci/1")
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, broker.Version{Pacticipant: "Foo", Number: "1.0.0", BuildURL: "https://ci/1", CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}, v)
	_, err = s.GetPacticipant(ctx, "Foo")
	require.NoError(t, err, "PutVersion creates the pacticipant")

	v2, created, err := s.PutVersion(ctx, "Foo", "1.0.0", "")
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, "https://ci/1", v2.BuildURL, "an empty build URL keeps the old one")

	_, _, err = s.PutVersion(ctx, "Foo", "", "")
	require.ErrorIs(t, err, broker.ErrInvalid)
	_, _, err = s.PutVersion(ctx, "", "1", "")
	require.ErrorIs(t, err, broker.ErrInvalid)

	mustVersion(t, s.Store, "Foo", "2.0.0")
	mustVersion(t, s.Store, "Foo", "1.5.0") // created last: latest by creation, not by number
	latest, err := s.LatestVersion(ctx, "Foo", broker.VersionFilter{})
	require.NoError(t, err)
	require.Equal(t, "1.5.0", latest.Number)
	_, err = s.LatestVersion(ctx, "Foo", broker.VersionFilter{Tag: "prod"})
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.LatestVersion(ctx, "Foo", broker.VersionFilter{Branch: "main"})
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.LatestVersion(ctx, "Nope", broker.VersionFilter{})
	require.ErrorIs(t, err, broker.ErrNotFound)

	list, err := s.ListVersions(ctx, "Foo", broker.Page{})
	require.NoError(t, err)
	require.Equal(t, []string{"1.5.0", "2.0.0", "1.0.0"}, versionNumbers(list))
	list, err = s.ListVersions(ctx, "Foo", broker.Page{Limit: 2, Offset: 1})
	require.NoError(t, err)
	require.Equal(t, []string{"2.0.0", "1.0.0"}, versionNumbers(list))
	_, err = s.ListVersions(ctx, "Nope", broker.Page{})
	require.ErrorIs(t, err, broker.ErrNotFound)

	_, err = s.GetVersion(ctx, "Foo", "9")
	require.ErrorIs(t, err, broker.ErrNotFound)
	require.NoError(t, s.DeleteVersion(ctx, "Foo", "1.5.0"))
	require.ErrorIs(t, s.DeleteVersion(ctx, "Foo", "1.5.0"), broker.ErrNotFound)
	latest, err = s.LatestVersion(ctx, "Foo", broker.VersionFilter{})
	require.NoError(t, err)
	require.Equal(t, "2.0.0", latest.Number)
}

func testBranches(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	bv, created, err := s.AddBranchVersion(ctx, "Foo", "main", "1")
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, "main", bv.Branch)
	_, created, err = s.AddBranchVersion(ctx, "Foo", "main", "1")
	require.NoError(t, err)
	require.False(t, created)
	_, _, err = s.AddBranchVersion(ctx, "Foo", "", "1")
	require.ErrorIs(t, err, broker.ErrInvalid)

	_, _, err = s.AddBranchVersion(ctx, "Foo", "main", "2")
	require.NoError(t, err)
	_, _, err = s.AddBranchVersion(ctx, "Foo", "feat", "3")
	require.NoError(t, err)
	// Adding an older version to a branch does not move the head back.
	_, _, err = s.AddBranchVersion(ctx, "Foo", "feat", "1")
	require.NoError(t, err)

	b, err := s.GetBranch(ctx, "Foo", "main")
	require.NoError(t, err)
	require.Equal(t, "2", b.Head)
	p, err := s.GetPacticipant(ctx, "Foo")
	require.NoError(t, err)
	require.Equal(t, "main", p.MainBranch, "a branch named main becomes the main branch when there is none")
	_, _, err = s.AddBranchVersion(ctx, "Other", "main", "1")
	require.NoError(t, err)
	_, _, err = s.AddBranchVersion(ctx, "Other", "master", "2")
	require.NoError(t, err)
	p, err = s.GetPacticipant(ctx, "Other")
	require.NoError(t, err)
	require.Equal(t, "main", p.MainBranch, "an existing main branch is kept")
	_, _, err = s.AddTag(ctx, "Tagged", "1", "develop")
	require.NoError(t, err)
	p, err = s.GetPacticipant(ctx, "Tagged")
	require.NoError(t, err)
	require.Equal(t, "develop", p.MainBranch, "a tag named like a main branch candidate counts too")
	b, err = s.GetBranch(ctx, "Foo", "feat")
	require.NoError(t, err)
	require.Equal(t, "3", b.Head)
	_, err = s.GetBranch(ctx, "Foo", "nope")
	require.ErrorIs(t, err, broker.ErrNotFound)

	latest, err := s.LatestVersion(ctx, "Foo", broker.VersionFilter{Branch: "main"})
	require.NoError(t, err)
	require.Equal(t, "2", latest.Number)
	v, err := s.GetVersion(ctx, "Foo", "1")
	require.NoError(t, err)
	require.Equal(t, []string{"main", "feat"}, v.Branches)

	_, err = s.GetBranchVersion(ctx, "Foo", "main", "1")
	require.NoError(t, err)
	_, err = s.GetBranchVersion(ctx, "Foo", "main", "3")
	require.ErrorIs(t, err, broker.ErrNotFound)

	branches, err := s.ListBranches(ctx, "Foo", broker.Page{})
	require.NoError(t, err)
	require.Len(t, branches, 2)
	require.Equal(t, "feat", branches[0].Name, "most recently updated first")
	_, err = s.ListBranches(ctx, "Nope", broker.Page{})
	require.ErrorIs(t, err, broker.ErrNotFound)

	vs, err := s.ListBranchVersions(ctx, "Foo", "main", broker.Page{})
	require.NoError(t, err)
	require.Equal(t, []string{"2", "1"}, versionNumbers(vs))
	_, err = s.ListBranchVersions(ctx, "Foo", "nope", broker.Page{})
	require.ErrorIs(t, err, broker.ErrNotFound)

	// Deleting the head version moves the head to the previous one.
	require.NoError(t, s.DeleteVersion(ctx, "Foo", "2"))
	b, err = s.GetBranch(ctx, "Foo", "main")
	require.NoError(t, err)
	require.Equal(t, "1", b.Head)

	require.NoError(t, s.DeleteBranch(ctx, "Foo", "main"))
	require.ErrorIs(t, s.DeleteBranch(ctx, "Foo", "main"), broker.ErrNotFound)
	_, err = s.GetVersion(ctx, "Foo", "1")
	require.NoError(t, err, "deleting a branch keeps its versions")
}

func testTags(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	tag, created, err := s.AddTag(ctx, "Foo", "1", "prod")
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, broker.Tag{Pacticipant: "Foo", Version: "1", Name: "prod", CreatedAt: tag.CreatedAt}, tag)
	_, created, err = s.AddTag(ctx, "Foo", "1", "prod")
	require.NoError(t, err)
	require.False(t, created)
	_, _, err = s.AddTag(ctx, "Foo", "1", "")
	require.ErrorIs(t, err, broker.ErrInvalid)
	_, _, err = s.AddTag(ctx, "Foo", "1", "test")
	require.NoError(t, err)
	_, _, err = s.AddTag(ctx, "Foo", "2", "test")
	require.NoError(t, err)

	got, err := s.GetTag(ctx, "Foo", "1", "prod")
	require.NoError(t, err)
	require.Equal(t, tag, got)
	_, err = s.GetTag(ctx, "Foo", "2", "prod")
	require.ErrorIs(t, err, broker.ErrNotFound)

	tags, err := s.ListTags(ctx, "Foo", "1")
	require.NoError(t, err)
	require.Len(t, tags, 2)
	require.Equal(t, "prod", tags[0].Name)
	_, err = s.ListTags(ctx, "Foo", "9")
	require.ErrorIs(t, err, broker.ErrNotFound)

	latest, err := s.LatestVersion(ctx, "Foo", broker.VersionFilter{Tag: "test"})
	require.NoError(t, err)
	require.Equal(t, "2", latest.Number)
	latest, err = s.LatestVersion(ctx, "Foo", broker.VersionFilter{Tag: "prod"})
	require.NoError(t, err)
	require.Equal(t, "1", latest.Number)

	v, err := s.GetVersion(ctx, "Foo", "2")
	require.NoError(t, err)
	require.Equal(t, []string{"test"}, v.Branches, "the first tag of a new version without a branch is its branch")
	_, _, err = s.AddBranchVersion(ctx, "Foo", "feat", "3")
	require.NoError(t, err)
	_, _, err = s.AddTag(ctx, "Foo", "3", "dev")
	require.NoError(t, err)
	v, err = s.GetVersion(ctx, "Foo", "3")
	require.NoError(t, err)
	require.Equal(t, []string{"feat"}, v.Branches, "a version with a branch keeps it")

	require.NoError(t, s.DeleteTag(ctx, "Foo", "1", "prod"))
	require.ErrorIs(t, s.DeleteTag(ctx, "Foo", "1", "prod"), broker.ErrNotFound)
	v, err = s.GetVersion(ctx, "Foo", "1")
	require.NoError(t, err)
	require.Equal(t, []string{"test"}, v.Tags)
}

func testEnvironments(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	e, err := s.CreateEnvironment(ctx, broker.Environment{Name: "prod", DisplayName: "Production", Production: true, Contacts: json.RawMessage(`[{"name":"ops"}]`)})
	require.NoError(t, err)
	require.NotEmpty(t, e.UUID)
	require.True(t, e.Production)
	require.JSONEq(t, `[{"name":"ops"}]`, string(e.Contacts))

	_, err = s.CreateEnvironment(ctx, broker.Environment{Name: "prod"})
	require.ErrorIs(t, err, broker.ErrConflict)
	_, err = s.CreateEnvironment(ctx, broker.Environment{Name: "my env"})
	require.ErrorIs(t, err, broker.ErrInvalid)
	_, err = s.CreateEnvironment(ctx, broker.Environment{Name: ""})
	require.ErrorIs(t, err, broker.ErrInvalid)
	_, err = s.CreateEnvironment(ctx, broker.Environment{Name: "x", Contacts: json.RawMessage(`{`)})
	require.ErrorIs(t, err, broker.ErrInvalid)
	_, err = s.CreateEnvironment(ctx, broker.Environment{UUID: e.UUID, Name: "other"})
	require.ErrorIs(t, err, broker.ErrConflict)

	test, err := s.CreateEnvironment(ctx, broker.Environment{UUID: "fixed-uuid", Name: "test"})
	require.NoError(t, err)
	require.Equal(t, "fixed-uuid", test.UUID)

	got, err := s.GetEnvironment(ctx, e.UUID)
	require.NoError(t, err)
	require.Equal(t, e, got)
	got, err = s.GetEnvironmentByName(ctx, "test")
	require.NoError(t, err)
	require.Equal(t, test, got)
	_, err = s.GetEnvironment(ctx, "nope")
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.GetEnvironmentByName(ctx, "nope")
	require.ErrorIs(t, err, broker.ErrNotFound)

	test.DisplayName = "Test"
	up, err := s.UpdateEnvironment(ctx, test)
	require.NoError(t, err)
	require.Equal(t, "Test", up.DisplayName)
	test.Name = "prod"
	_, err = s.UpdateEnvironment(ctx, test)
	require.ErrorIs(t, err, broker.ErrConflict)
	_, err = s.UpdateEnvironment(ctx, broker.Environment{UUID: "nope", Name: "x"})
	require.ErrorIs(t, err, broker.ErrNotFound)

	list, err := s.ListEnvironments(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, "prod", list[0].Name)

	require.NoError(t, s.DeleteEnvironment(ctx, test.UUID))
	require.ErrorIs(t, s.DeleteEnvironment(ctx, test.UUID), broker.ErrNotFound)
}

func testDeployments(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	prod := MustEnvironment(t, s.Store, "prod", true)
	for _, v := range []string{"1", "2", "3"} {
		mustVersion(t, s.Store, "Foo", v)
	}
	d1, created, err := s.RecordDeployment(ctx, "Foo", "1", prod, "")
	require.NoError(t, err)
	require.True(t, created)
	require.True(t, d1.CurrentlyDeployed)
	require.Equal(t, "prod", d1.EnvironmentName)
	require.Nil(t, d1.UndeployedAt)

	again, created, err := s.RecordDeployment(ctx, "Foo", "1", prod, "")
	require.NoError(t, err)
	require.False(t, created, "same version, environment and instance is idempotent")
	require.Equal(t, d1.UUID, again.UUID)

	d2 := MustDeploy(t, s.Store, "Foo", "2", prod, "")
	old, err := s.GetDeployedVersion(ctx, d1.UUID)
	require.NoError(t, err)
	require.False(t, old.CurrentlyDeployed, "a new deployment replaces the previous one")
	require.NotNil(t, old.UndeployedAt)

	// Another application instance does not replace the default one.
	d3 := MustDeploy(t, s.Store, "Foo", "3", prod, "blue")
	cur, err := s.ListDeployedVersions(ctx, broker.DeploymentFilter{EnvironmentUUID: prod, Pacticipant: "Foo", CurrentOnly: true})
	require.NoError(t, err)
	require.Len(t, cur, 2)
	require.Equal(t, d3.UUID, cur[0].UUID)
	require.Equal(t, d2.UUID, cur[1].UUID)
	blue := "blue"
	cur, err = s.ListDeployedVersions(ctx, broker.DeploymentFilter{ApplicationInstance: &blue})
	require.NoError(t, err)
	require.Len(t, cur, 1)
	all, err := s.ListDeployedVersions(ctx, broker.DeploymentFilter{Version: "1"})
	require.NoError(t, err)
	require.Len(t, all, 1)

	und, err := s.MarkUndeployed(ctx, d2.UUID)
	require.NoError(t, err)
	require.False(t, und.CurrentlyDeployed)
	und2, err := s.MarkUndeployed(ctx, d2.UUID)
	require.NoError(t, err)
	require.Equal(t, und.UndeployedAt, und2.UndeployedAt, "undeploying twice keeps the first time")
	_, err = s.MarkUndeployed(ctx, "nope")
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.GetDeployedVersion(ctx, "nope")
	require.ErrorIs(t, err, broker.ErrNotFound)

	// Tagging a version with an environment's name deploys it there.
	mustVersion(t, s.Store, "Bar", "5")
	_, _, err = s.AddTag(ctx, "Bar", "5", "prod")
	require.NoError(t, err)
	bar, err := s.ListDeployedVersions(ctx, broker.DeploymentFilter{Pacticipant: "Bar", CurrentOnly: true})
	require.NoError(t, err)
	require.Len(t, bar, 1)
	require.Equal(t, "5", bar[0].Version)
	require.Equal(t, "prod", bar[0].EnvironmentName)

	// Redeploying an older version makes a new current record.
	re, created, err := s.RecordDeployment(ctx, "Foo", "1", prod, "")
	require.NoError(t, err)
	require.True(t, created)
	require.NotEqual(t, d1.UUID, re.UUID)

	_, _, err = s.RecordDeployment(ctx, "Foo", "9", prod, "")
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, _, err = s.RecordDeployment(ctx, "Foo", "1", "nope", "")
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, _, err = s.RecordDeployment(ctx, "Nope", "1", prod, "")
	require.ErrorIs(t, err, broker.ErrNotFound)
}

func testReleases(t *testing.T, s *broker.Service) {
	ctx := context.Background()
	prod := MustEnvironment(t, s.Store, "prod", true)
	mustVersion(t, s.Store, "App", "1")
	mustVersion(t, s.Store, "App", "2")
	r1, created, err := s.RecordRelease(ctx, "App", "1", prod)
	require.NoError(t, err)
	require.True(t, created)
	require.True(t, r1.CurrentlySupported)
	r2, _, err := s.RecordRelease(ctx, "App", "2", prod)
	require.NoError(t, err)
	cur, err := s.ListReleasedVersions(ctx, broker.DeploymentFilter{EnvironmentUUID: prod, CurrentOnly: true})
	require.NoError(t, err)
	require.Len(t, cur, 2, "releases do not replace each other")

	ended, err := s.EndSupport(ctx, r1.UUID)
	require.NoError(t, err)
	require.False(t, ended.CurrentlySupported)
	require.NotNil(t, ended.SupportEndedAt)
	cur, err = s.ListReleasedVersions(ctx, broker.DeploymentFilter{Pacticipant: "App", CurrentOnly: true})
	require.NoError(t, err)
	require.Len(t, cur, 1)
	require.Equal(t, r2.UUID, cur[0].UUID)

	again, created, err := s.RecordRelease(ctx, "App", "1", prod)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, r1.UUID, again.UUID)
	require.True(t, again.CurrentlySupported, "re-releasing makes it supported again")

	got, err := s.GetReleasedVersion(ctx, r2.UUID)
	require.NoError(t, err)
	require.Equal(t, r2, got)
	_, err = s.GetReleasedVersion(ctx, "nope")
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.EndSupport(ctx, "nope")
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, _, err = s.RecordRelease(ctx, "App", "9", prod)
	require.ErrorIs(t, err, broker.ErrNotFound)
}
