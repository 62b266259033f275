// Command contracts is a consumer-driven contract testing tool: it verifies
// providers against Pact contracts, serves mocks, runs a Pact-compatible
// broker and answers can-i-deploy.
//
//	contracts broker                         # serve the broker on ./contracts.db
//	contracts verify --provider-base-url http://localhost:8080 ./pacts
//	contracts mock --port 8081 ./pacts/consumer-provider.json
//	contracts can-i-deploy --pacticipant web --version 1.2.3 --to-environment production
//	contracts breaking --proto v1/orders.proto --against orders.proto --provider orders --broker-url http://localhost:9292
//	contracts breaking --openapi released/openapi.yaml --against openapi.yaml --pact pacts/web-orders.json --fail-on WARN
//	contracts compare --oas openapi.yaml ./pacts/web-orders.json
//	contracts publish-provider-contract openapi.yaml --provider orders --provider-app-version 1.4.0 --verification-success
//
// Exit codes: 0 success, 1 the contract says no, 2 the tool could not decide.
package main
