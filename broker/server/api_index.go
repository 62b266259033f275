package server

import (
	"net/http"

	"github.com/contracts-dev/contracts/broker/api"
)

// indexRelations are the index resource's relations: name, title, path
// template. Clients detect features by the presence of a relation.
var indexRelations = []struct{ rel, title, path string }{
	{"pb:publish-pact", "Publish a pact", "/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}"},
	{"pb:publish-contracts", "Publish contracts", "/contracts/publish"},
	{"pf:publish-provider-contract", "Publish a provider contract", "/provider-contracts/provider/{provider}/publish"},
	{"pf:publish-provider-contracts", "Publish provider contracts", "/provider-contracts/provider/{provider}/publish-contracts"},
	{"pb:latest-pact-versions", "Latest pact versions", "/pacts/latest"},
	{"pb:tagged-pact-versions", "All versions of a pact for a given consumer, provider and consumer version tag", "/pacts/provider/{provider}/consumer/{consumer}/tag/{tag}"},
	{"pb:pacticipants", "Pacticipants", "/pacticipants"},
	{"pb:pacticipant", "Fetch pacticipant by name", "/pacticipants/{pacticipant}"},
	{"pb:latest-provider-pacts", "Latest pacts by provider", "/pacts/provider/{provider}/latest"},
	{"pb:latest-provider-pacts-with-tag", "Latest pacts for provider with the specified tag", "/pacts/provider/{provider}/latest/{tag}"},
	{"pb:provider-pacts-with-tag", "All pact versions for the provider with the specified consumer version tag", "/pacts/provider/{provider}/tag/{tag}"},
	{"pb:provider-pacts", "All pact versions for the specified provider", "/pacts/provider/{provider}"},
	{"pb:latest-provider-pacts-with-branch", "Latest pacts for provider with the specified consumer branch", "/pacts/provider/{provider}/branch/{branch}/latest"},
	{"pb:provider-pacts-with-branch", "All pact versions for the provider with the specified consumer branch", "/pacts/provider/{provider}/branch/{branch}"},
	{"pb:latest-provider-pacts-with-main-branch", "Latest pacts for provider from each consumer's main branch", "/pacts/provider/{provider}/branch/latest"},
	{"pb:provider-pacts-with-main-branch", "All pact versions for the provider from each consumer's main branch", "/pacts/provider/{provider}/branch"},
	{"pb:branch-pact-versions", "All versions of a pact for a consumer branch", "/pacts/provider/{provider}/consumer/{consumer}/branch/{branch}"},
	{"pb:latest-branch-pact-versions", "Latest version of a pact for a consumer branch", "/pacts/provider/{provider}/consumer/{consumer}/branch/{branch}/latest"},
	{"pb:main-branch-pact-versions", "All versions of a pact for the consumer's main branch", "/pacts/provider/{provider}/consumer/{consumer}/branch"},
	{"pb:latest-main-branch-pact-versions", "Latest version of a pact for the consumer's main branch", "/pacts/provider/{provider}/consumer/{consumer}/branch/latest"},
	{"pb:latest-version", "Latest pacticipant version", "/pacticipants/{pacticipant}/latest-version"},
	{"pb:latest-tagged-version", "Latest pacticipant version with the specified tag", "/pacticipants/{pacticipant}/latest-version/{tag}"},
	{"pb:webhooks", "Webhooks", "/webhooks"},
	{"pb:webhook", "Webhook", "/webhooks/{uuid}"},
	{"pb:integrations", "Integrations", "/integrations"},
	{"pb:pacticipant-version-tag", "Get, create or delete a tag for a pacticipant version", "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}"},
	{"pb:pacticipant-branch", "Get or delete a pacticipant branch", "/pacticipants/{pacticipant}/branches/{branch}"},
	{"pb:pacticipant-branch-version", "Get or add/create a pacticipant version for a branch", "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}"},
	{"pb:pacticipant-version", "Get, create or delete a pacticipant version", "/pacticipants/{pacticipant}/versions/{version}"},
	{"pb:metrics", "Get Pact Broker metrics", "/metrics"},
	{"pb:can-i-deploy-pacticipant-version-to-tag", "Determine if an application version can be safely deployed to an environment identified by the given tag", "/can-i-deploy?pacticipant={pacticipant}&version={version}&to={tag}"},
	{"pb:can-i-deploy-pacticipant-version-to-environment", "Determine if an application version can be safely deployed to an environment", "/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}"},
	{"pb:provider-pacts-for-verification", "Pact versions to be verified for the specified provider", "/pacts/provider/{provider}/for-verification"},
	{"beta:provider-pacts-for-verification", "DEPRECATED - please use pb:provider-pacts-for-verification", "/pacts/provider/{provider}/for-verification"},
	{"pb:environments", "Environments", "/environments"},
	{"pb:environment", "Environment", "/environments/{uuid}"},
}

func (s *server) index(w http.ResponseWriter, r *http.Request) error {
	u := s.urlsFor(r)
	l := links{"self": api.Link{Href: u.raw("/"), Title: "Index"}}
	for _, rel := range indexRelations {
		l[rel.rel] = api.Link{Href: u.raw(rel.path), Title: rel.title, Templated: containsBrace(rel.path)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"_links": l})
	return nil
}

func containsBrace(s string) bool {
	for _, c := range s {
		if c == '{' {
			return true
		}
	}
	return false
}
