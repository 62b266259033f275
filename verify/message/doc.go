// Package message verifies message producers against message pacts: V3
// "messages" pacts and V4 Asynchronous/Messages and Synchronous/Messages
// interactions.
//
// Two transports plug into verify.Config.Transports under the keys
// "message" and "sync-message" (see verify.TransportKey):
//
//   - NewHTTPTransport follows the Pact verifier's message convention: it
//     POSTs {"description", "providerStates"} (and, for a synchronous
//     message, "request": the V4 request contents) as JSON to the provider's
//     message URL and reads the message back: the payload is the response
//     body with its Content-Type, the metadata a JSON object, base64
//     encoded, in the Pact-Message-Metadata response header.
//   - NewInProcess calls Go producer functions registered on a Provider,
//     so a Go service verifies its messages in `go test` with no server.
//
// A Provider is also an http.Handler speaking that convention, so the same
// producers can be verified by the official Pact verifier:
//
//	p := message.NewProvider()
//	p.HandleState("an order exists", func(ctx context.Context, params map[string]any) error { ... })
//	p.Handle("an order created event", func(ctx context.Context, states []pact.ProviderState) (message.Message, error) {
//		return message.JSON(order, map[string]any{"kafka_topic": "orders"})
//	})
//	report, err := message.VerifyPacts(ctx, p, sources...)
package message
