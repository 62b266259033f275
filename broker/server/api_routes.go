package server

// routesAPI registers the Pact-Broker-compatible resources.
func (s *server) routesAPI() {
	// Pacticipants, versions, branches, tags.
	s.handle("GET /pacticipants", s.listPacticipants)
	s.handle("POST /pacticipants", s.createPacticipant)
	s.handle("GET /pacticipants/{pacticipant}", s.getPacticipant)
	s.handle("PUT /pacticipants/{pacticipant}", s.putPacticipant)
	s.handle("PATCH /pacticipants/{pacticipant}", s.patchPacticipant)
	s.handle("DELETE /pacticipants/{pacticipant}", s.deletePacticipant)
	s.handle("GET /pacticipants/{pacticipant}/versions", s.listVersions)
	s.handle("GET /pacticipants/{pacticipant}/versions/{version}", s.getVersion)
	s.handle("PUT /pacticipants/{pacticipant}/versions/{version}", s.putVersion)
	s.handle("PATCH /pacticipants/{pacticipant}/versions/{version}", s.putVersion)
	s.handle("DELETE /pacticipants/{pacticipant}/versions/{version}", s.deleteVersion)
	s.handle("GET /pacticipants/{pacticipant}/latest-version", s.latestVersion)
	s.handle("GET /pacticipants/{pacticipant}/latest-version/{tag}", s.latestVersion)
	s.handle("GET /pacticipants/{pacticipant}/branches", s.listBranches)
	s.handle("GET /pacticipants/{pacticipant}/branches/{branch}", s.getBranch)
	s.handle("DELETE /pacticipants/{pacticipant}/branches/{branch}", s.deleteBranch)
	s.handle("GET /pacticipants/{pacticipant}/branches/{branch}/latest-version", s.latestVersion)
	s.handle("GET /pacticipants/{pacticipant}/branches/{branch}/versions", s.listBranchVersions)
	s.handle("GET /pacticipants/{pacticipant}/branches/{branch}/versions/{version}", s.getBranchVersion)
	s.handle("PUT /pacticipants/{pacticipant}/branches/{branch}/versions/{version}", s.putBranchVersion)
	s.handle("GET /pacticipants/{pacticipant}/versions/{version}/tags", s.listTags)
	s.handle("GET /pacticipants/{pacticipant}/versions/{version}/tags/{tag}", s.getTag)
	s.handle("PUT /pacticipants/{pacticipant}/versions/{version}/tags/{tag}", s.putTag)
	s.handle("DELETE /pacticipants/{pacticipant}/versions/{version}/tags/{tag}", s.deleteTag)

	// Environments, deployments, releases.
	s.handle("GET /environments", s.listEnvironments)
	s.handle("POST /environments", s.createEnvironment)
	s.handle("GET /environments/{uuid}", s.getEnvironment)
	s.handle("PUT /environments/{uuid}", s.putEnvironment)
	s.handle("DELETE /environments/{uuid}", s.deleteEnvironment)
	s.handle("GET /environments/{uuid}/deployed-versions/currently-deployed", s.currentlyDeployed)
	s.handle("GET /environments/{uuid}/released-versions/currently-supported", s.currentlySupported)
	s.handle("POST /pacticipants/{pacticipant}/versions/{version}/deployed-versions/environment/{uuid}", s.recordDeployment)
	s.handle("GET /pacticipants/{pacticipant}/versions/{version}/deployed-versions/environment/{uuid}", s.listVersionDeployments)
	s.handle("GET /deployed-versions/{uuid}", s.getDeployedVersion)
	s.handle("PATCH /deployed-versions/{uuid}", s.patchDeployedVersion)
	s.handle("POST /pacticipants/{pacticipant}/versions/{version}/released-versions/environment/{uuid}", s.recordRelease)
	s.handle("GET /pacticipants/{pacticipant}/versions/{version}/released-versions/environment/{uuid}", s.listVersionReleases)
	s.handle("GET /released-versions/{uuid}", s.getReleasedVersion)
	s.handle("PATCH /released-versions/{uuid}", s.patchReleasedVersion)

	// Pacts.
	s.handle("POST /contracts/publish", s.publishContracts)

	// Provider contracts (bi-directional), as PactFlow has them.
	s.handle("POST /provider-contracts/provider/{provider}/publish", s.publishProviderContracts)
	s.handle("POST /provider-contracts/provider/{provider}/publish-contracts", s.publishProviderContracts)
	s.handle("GET /contracts/provider/{provider}/version/{version}", s.getProviderContract)
	s.handle("GET /pacts/latest", s.listLatestPacts)
	s.handle("GET /pacts/provider/{provider}", s.listProviderPacts)
	s.handle("GET /pacts/provider/{provider}/latest", s.listProviderPacts)
	s.handle("GET /pacts/provider/{provider}/latest/{tag}", s.listProviderPacts)
	s.handle("GET /pacts/provider/{provider}/tag/{tag}", s.listProviderPacts)
	s.handle("GET /pacts/provider/{provider}/branch/{branch}/latest", s.listProviderPacts)
	s.handle("GET /pacts/provider/{provider}/branch", s.listProviderBranchPacts)
	s.handle("GET /pacts/provider/{provider}/provider-states", s.providerStates)
	s.handle("GET /pacts/provider/{provider}/provider-states/branch/{branch}", s.providerStates)
	s.handle("GET /pacts/provider/{provider}/provider-states/environment/{environment}", s.providerStates)
	s.handle("GET /pacts/provider/{provider}/branch/{latest}", s.listProviderBranchPactsOrLatest)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/branch", s.listConsumerBranchPacts)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/branch/latest", s.latestMainBranchPact)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/branch/{branch}", s.listConsumerBranchPacts)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/versions", s.listPactVersions)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/tag/{tag}", s.listPactVersions)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/version/{version}", s.getPact)
	s.handle("PUT /pacts/provider/{provider}/consumer/{consumer}/version/{version}", s.putPact)
	s.handle("PATCH /pacts/provider/{provider}/consumer/{consumer}/version/{version}", s.putPact)
	s.handle("DELETE /pacts/provider/{provider}/consumer/{consumer}/version/{version}", s.deletePact)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/latest", s.getPact)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/latest/{tag}", s.getPact)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/branch/{branch}/latest", s.getPact)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}", s.getPact)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/metadata/{metadata}", s.getPact)

	// Verification results.
	s.handle("POST /pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results", s.publishVerification)
	s.handle("POST /pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/metadata/{metadata}/verification-results", s.publishVerification)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results", s.listVerifications)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results/latest", s.getVerification)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results/{number}", s.getVerification)

	// Pacts for verification.
	s.handle("GET /pacts/provider/{provider}/for-verification", s.pactsForVerification)
	s.handle("POST /pacts/provider/{provider}/for-verification", s.pactsForVerification)

	// Matrix and can-i-deploy.
	s.handle("GET /matrix", s.matrix)
	s.handle("GET /can-i-deploy", s.canIDeploy)

	// Webhooks.
	s.handle("GET /webhooks", s.listWebhooks)
	s.handle("POST /webhooks", s.createWebhook)
	s.handle("GET /webhooks/provider/{provider}", s.listWebhooks)
	s.handle("POST /webhooks/provider/{provider}", s.createWebhook)
	s.handle("GET /webhooks/consumer/{consumer}", s.listWebhooks)
	s.handle("POST /webhooks/consumer/{consumer}", s.createWebhook)
	s.handle("GET /webhooks/provider/{provider}/consumer/{consumer}", s.listWebhooks)
	s.handle("POST /webhooks/provider/{provider}/consumer/{consumer}", s.createWebhook)
	s.handle("GET /webhooks/{uuid}", s.getWebhook)
	s.handle("PUT /webhooks/{uuid}", s.putWebhook)
	s.handle("DELETE /webhooks/{uuid}", s.deleteWebhook)
	// "POST /webhooks/{uuid}/execute" would collide with
	// "POST /webhooks/provider/{provider}"; the action is checked inside.
	s.handle("POST /webhooks/{uuid}/{action}", s.executeWebhook)
	s.handle("POST /webhooks/execute", s.testWebhook)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/webhooks", s.listWebhooks)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/webhooks/status", s.webhookStatus)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/version/{version}/triggered-webhooks", s.triggeredForConsumerVersion)
	s.handle("GET /pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results/{n}/triggered-webhooks", s.triggeredForVerification)
	s.handle("GET /triggered-webhooks", s.listTriggered)
	s.handle("GET /triggered-webhooks/dead", s.listDeadWebhooks)
	s.handle("GET /triggered-webhooks/{uuid}", s.getTriggered)
	s.handle("GET /triggered-webhooks/{uuid}/logs", s.triggeredLogs)

	// Integrations.
	s.handle("GET /integrations", s.listIntegrations)
	s.handle("DELETE /integrations/provider/{provider}/consumer/{consumer}", s.deleteIntegration)
}
