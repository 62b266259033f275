package grpcmock_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify/grpcverify"
	"github.com/contracts-dev/contracts/verify/mock/grpcmock"
)

func shopPact(tb testing.TB) *pact.Pact {
	tb.Helper()
	return mustParse(tb, filepath.Join(repoRoot(tb), "testdata", "grpc", "full", "order-web-order-service.json"))
}

// callShop makes the calls the shop pact expects: the first interaction,
// and with both also the second.
func callShop(t *testing.T, addr string, p *pact.Pact, both bool) {
	t.Helper()
	files := pactFiles(t, p)
	conn := mustConn(t, addr)
	_, err := call(t, conn, files, getOrder, map[string]any{"id": "o-1"}, metadata.Pairs("authorization", "Bearer abc"))
	require.NoError(t, err)
	if both {
		_, err = call(t, conn, files, getOrder, map[string]any{"id": "o-404"}, nil)
		require.Equal(t, codes.NotFound, status.Code(err))
	}
}

func TestServerWritesExercisedInteractions(t *testing.T) {
	t.Parallel()
	p := shopPact(t)
	addr, srv := mustServePacts(t, p)
	callShop(t, addr, p, true)

	dir := t.TempDir()
	paths, err := srv.WritePact(dir)
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(dir, "order-web-order-service.json")}, paths)
	data := mustReadFile(t, paths[0])
	assertPluginLayout(t, data)
	got := mustParse(t, paths[0])
	require.Equal(t, pact.V4, got.Spec)
	require.Len(t, got.Interactions, 2)
	for i, in := range got.Interactions {
		require.Equal(t, p.Interactions[i].Description, in.Description)
		require.Equal(t, p.Interactions[i].MessageRequest.Contents.Content, in.MessageRequest.Contents.Content)
	}
	// The descriptors written are those of the source pact.
	want, err := grpcverify.Descriptors(p)
	require.NoError(t, err)
	have, err := grpcverify.Descriptors(got)
	require.NoError(t, err)
	require.Equal(t, len(want), len(have))
	for k := range want {
		require.Contains(t, have, k)
	}

	// The written pact is served again.
	addr2, srv2 := mustServePacts(t, got)
	callShop(t, addr2, got, true)
	require.NoError(t, srv2.Verify())
}

func TestServerWritesNothingWhenSomethingWentWrong(t *testing.T) {
	t.Parallel()
	p := shopPact(t)
	addr, srv := mustServePacts(t, p)
	callShop(t, addr, p, false) // the second interaction is never called
	dir := t.TempDir()
	paths, err := srv.WritePact(dir)
	require.ErrorIs(t, err, grpcmock.ErrNotOK)
	require.Empty(t, paths)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)
	// What was exercised is still known.
	ex := srv.Exercised()
	require.Len(t, ex, 1)
	require.Len(t, ex[0].Interactions, 1)
	require.Equal(t, "a request for order o-1", ex[0].Interactions[0].Description)
}

// httpPact is an HTTP pact of the shop's pair, as the HTTP mock writes it.
const httpPact = `{
  "consumer": {"name": "order-web"},
  "provider": {"name": "order-service"},
  "interactions": [{
    "description": "a health check",
    "request": {"method": "GET", "path": "/health"},
    "response": {"status": 200}
  }],
  "metadata": {"pactSpecification": {"version": "3.0.0"}, "client": {"name": "http-mock"}}
}`

func TestServerMergesWithTheHTTPPactOfThePair(t *testing.T) {
	t.Parallel()
	p := shopPact(t)
	addr, srv := mustServePacts(t, p)
	callShop(t, addr, p, true)
	dir := t.TempDir()
	httpPath := filepath.Join(dir, "order-web-order-service.json")
	require.NoError(t, os.WriteFile(httpPath, []byte(httpPact), 0o644))

	// Not named as written in this run: replaced.
	paths, err := srv.WritePact(dir)
	require.NoError(t, err)
	require.Len(t, mustParse(t, paths[0]).Interactions, 2)

	require.NoError(t, os.WriteFile(httpPath, []byte(httpPact), 0o644))
	srv.MergeInto(httpPath)
	paths, err = srv.WritePact(dir)
	require.NoError(t, err)
	require.Equal(t, []string{httpPath}, paths)
	requireMergedLayout(t, mustReadFile(t, httpPath))
	got := mustParse(t, httpPath)
	require.Equal(t, pact.V4, got.Spec)
	require.Len(t, got.Interactions, 3)
	require.Equal(t, pact.HTTP, got.Interactions[0].Type)
	require.Equal(t, "a health check", got.Interactions[0].Description)
	require.Equal(t, pact.SyncMessage, got.Interactions[1].Type)
	require.Equal(t, pact.SyncMessage, got.Interactions[2].Type)
	var meta map[string]any
	require.NoError(t, json.Unmarshal(got.Metadata["client"], &meta))
	require.Equal(t, "http-mock", meta["name"], "the HTTP pact's metadata is kept")
	_, err = grpcverify.Descriptors(got)
	require.NoError(t, err)

	// A file of another pair named by MergeInto is refused, not mixed in.
	other := filepath.Join(t.TempDir(), "order-web-order-service.json")
	require.NoError(t, os.WriteFile(other, []byte(`{"consumer":{"name":"x"},"provider":{"name":"y"},"interactions":[],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`), 0o644))
	srv.MergeInto(other)
	_, err = srv.WritePact(filepath.Dir(other))
	require.ErrorContains(t, err, "it is the pact of x-y, not order-web-order-service")
}

// requireMergedLayout checks a file holding HTTP and gRPC interactions:
// V4, the gRPC interactions in the plugin's layout naming a descriptor key
// that metadata.plugins holds.
func requireMergedLayout(t *testing.T, data []byte) {
	t.Helper()
	var doc struct {
		Interactions []struct {
			Type                string `json:"type"`
			Transport           string `json:"transport"`
			PluginConfiguration struct {
				Protobuf struct {
					DescriptorKey string `json:"descriptorKey"`
				} `json:"protobuf"`
			} `json:"pluginConfiguration"`
		} `json:"interactions"`
		Metadata struct {
			PactSpecification struct {
				Version string `json:"version"`
			} `json:"pactSpecification"`
			Plugins []struct {
				Name          string                     `json:"name"`
				Configuration map[string]json.RawMessage `json:"configuration"`
			} `json:"plugins"`
		} `json:"metadata"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.Equal(t, "4.0", doc.Metadata.PactSpecification.Version)
	require.Len(t, doc.Metadata.Plugins, 1)
	require.Equal(t, "protobuf", doc.Metadata.Plugins[0].Name)
	grpcCount := 0
	for _, in := range doc.Interactions {
		if in.Type != "Synchronous/Messages" {
			continue
		}
		grpcCount++
		require.Equal(t, "grpc", in.Transport)
		require.Contains(t, doc.Metadata.Plugins[0].Configuration, in.PluginConfiguration.Protobuf.DescriptorKey)
	}
	require.Equal(t, 2, grpcCount)
}

// TestServerWritesOnePactPerPair: two pact files of one pair with other
// descriptors give one file whose plugin entry holds both descriptor sets.
func TestServerWritesOnePactPerPair(t *testing.T) {
	t.Parallel()
	shop := shopPact(t)
	legacyDir := filepath.Join(repoRoot(t), "testdata", "proto", "removed-option")
	m := grpcmock.New(t, []string{filepath.Join(legacyDir, "legacy", "billing.proto")}, []string{legacyDir}, grpcmock.Between("order-web", "order-service"))
	m.Expect("legacy.billing.Invoices/GetInvoice").
		UponReceiving("a request for invoice F-1").
		WithRequest(map[string]any{"number": "F-1"}).
		WillRespondWith(map[string]any{"number": "F-1", "total_cents": grpcmock.Integer(1250)})
	billing := m.Pact()

	addr, srv := mustServePacts(t, shop, billing)
	callShop(t, addr, shop, true)
	_, err := call(t, mustConn(t, addr), m.Files(), "/legacy.billing.Invoices/GetInvoice", map[string]any{"number": "F-1"}, nil)
	require.NoError(t, err)

	paths, err := srv.WritePact(t.TempDir())
	require.NoError(t, err)
	require.Len(t, paths, 1)
	got := mustParse(t, paths[0])
	require.Len(t, got.Interactions, 3)
	sets, err := grpcverify.Descriptors(got)
	require.NoError(t, err)
	require.Len(t, sets, 2)
	var r grpcverify.Resolver
	for i, in := range got.Interactions {
		_, err := r.Resolve(got, in)
		require.NoError(t, err, "interaction %d", i)
	}
}
