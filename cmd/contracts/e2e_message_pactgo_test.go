//go:build pactffi

// A pact-go v2 message consumer through our broker: pact-go's V4
// asynchronous message API (libpact_ffi) writes a parcel event pact,
// `contracts publish` sends it, the Go producer is verified in process
// (message.VerifyPacts, results published by ci.PublishResults) and over its
// HTTP message endpoint (`contracts verify --broker-url ... --publish`), and
// `contracts can-i-deploy` answers yes, then no for a producer that renamed
// a field. It links libpact_ffi (cgo):
//
//	CGO_LDFLAGS="-L$PWD/.tools/pact-ffi -Wl,-rpath,$PWD/.tools/pact-ffi" \
//	  go test -tags pactffi -run PactGo ./cmd/contracts/

package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"testing"

	pactlog "github.com/pact-foundation/pact-go/v2/log"
	"github.com/pact-foundation/pact-go/v2/matchers"
	msgv4 "github.com/pact-foundation/pact-go/v2/message/v4"
	"github.com/pact-foundation/pact-go/v2/models"
	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/message"
)

// parcelDispatched is the event the shipping-label consumer reads.
type parcelDispatched struct {
	ParcelID string `json:"parcelId"`
	Carrier  string `json:"carrier"`
	WeightKg float64
	Lines    []struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	} `json:"lines"`
}

// labelFor is the consumer code under test.
func labelFor(ev parcelDispatched) (string, error) {
	if ev.ParcelID == "" || ev.Carrier == "" || len(ev.Lines) == 0 {
		return "", errors.New("incomplete parcel event")
	}
	return ev.Carrier + "/" + ev.ParcelID, nil
}

// mustWriteParcelPactGo runs the pact-go V4 message consumer test and
// returns the directory holding the pact the FFI wrote.
func mustWriteParcelPactGo(t *testing.T) string {
	t.Helper()
	require.NoError(t, pactlog.SetLogLevel("ERROR"))
	dir := t.TempDir()
	p, err := msgv4.NewAsynchronousPact(msgv4.Config{Consumer: "shipping-label", Provider: "parcel-events", PactDir: dir})
	require.NoError(t, err)
	var label string
	err = p.AddAsynchronousMessage().
		GivenWithParameter(models.ProviderState{Name: "a parcel is packed", Parameters: map[string]any{"parcelId": "p-77"}}).
		ExpectsToReceive("a parcel dispatched event").
		WithMetadata(map[string]string{"kafka_topic": "parcels", "key": "p-77"}).
		WithJSONContent(map[string]any{
			"parcelId": matchers.Term("p-77", `^p-\d+$`),
			"carrier":  matchers.Like("DHL"),
			"lines":    matchers.EachLike(map[string]any{"sku": matchers.Like("SKU-1"), "qty": matchers.Integer(1)}, 1),
		}).
		AsType(&parcelDispatched{}).
		ConsumedBy(func(m msgv4.AsynchronousMessage) error {
			var ev parcelDispatched
			if err := json.Unmarshal(m.Contents, &ev); err != nil {
				return err
			}
			label, err = labelFor(ev)
			return err
		}).
		Verify(t)
	require.NoError(t, err)
	require.Equal(t, "DHL/p-77", label)
	require.FileExists(t, filepath.Join(dir, "shipping-label-parcel-events.json"))
	return dir
}

// parcelProducer produces the event; drift selects a broken variant.
func parcelProducer(drift string) *message.Provider {
	p := message.NewProvider()
	var id string
	p.HandleState("a parcel is packed", func(_ context.Context, params map[string]any) error {
		id, _ = params["parcelId"].(string)
		return nil
	})
	p.Handle("a parcel dispatched event", func(context.Context, []pact.ProviderState) (message.Message, error) {
		ev := map[string]any{"parcelId": id, "carrier": "UPS", "lines": []any{map[string]any{"sku": "SKU-4", "qty": 2}}}
		md := map[string]any{"kafka_topic": "parcels", "key": id}
		switch drift {
		case "renamed-field":
			ev["lines"] = []any{map[string]any{"sku": "SKU-4", "quantity": 2}}
		case "wrong-topic":
			md["kafka_topic"] = "parcels-v2"
		}
		return message.JSON(ev, md)
	})
	return p
}

func TestPactGoMessageThroughBroker(t *testing.T) {
	ctx := context.Background()
	pactDir := mustWriteParcelPactGo(t)
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "w-tok"})
	cli := b.mustCLI
	canIDeploy := func(t *testing.T, want int, providerVersion string) string {
		t.Helper()
		return cli(t, want, "can-i-deploy", "--pacticipant", "shipping-label", "--version", "1.0.0",
			"--pacticipant", "parcel-events", "--version", providerVersion)
	}
	inProcess := func(t *testing.T, drift, version string) *verify.Report {
		t.Helper()
		return b.mustVerifyMessagesInProcess(t, "parcel-events", parcelProducer(drift), version)
	}
	verifyHTTP := func(t *testing.T, want int, drift, version string) string {
		t.Helper()
		srv := httptest.NewServer(parcelProducer(drift))
		t.Cleanup(srv.Close)
		return cli(t, want, "verify", "--provider", "parcel-events", "--provider-base-url", srv.URL,
			"--provider-app-version", version, "--provider-version-branch", "main", "--publish")
	}

	out := cli(t, exitOK, "publish", pactDir, "--consumer-app-version", "1.0.0", "--branch", "main")
	require.Contains(t, out, "shipping-label version 1.0.0 and provider parcel-events")
	stored, err := b.Store.GetPact(ctx, "shipping-label", "parcel-events", "1.0.0")
	require.NoError(t, err)
	parsed, err := pact.Parse(stored.Content)
	require.NoError(t, err)
	require.Equal(t, pact.V4, parsed.Spec, "the pact-go V4 message pact is stored as written")
	require.Equal(t, pact.AsyncMessage, parsed.Interactions[0].Type)

	report := inProcess(t, "", "5.0.0")
	require.True(t, report.Success())
	require.True(t, b.mustLatestVerification(t, "shipping-label", "1.0.0", "parcel-events").Success)
	require.Contains(t, canIDeploy(t, exitOK, "5.0.0"), "Computer says yes")

	out = verifyHTTP(t, exitOK, "", "5.0.1")
	require.Contains(t, out, "a parcel dispatched event")
	require.Contains(t, out, "Published verification result (passed) of parcel-events version 5.0.1 for consumer shipping-label")
	require.Contains(t, canIDeploy(t, exitOK, "5.0.1"), "Computer says yes")

	t.Run("a producer that renames a field may not deploy", func(t *testing.T) {
		report := inProcess(t, "renamed-field", "5.1.0")
		require.False(t, report.Success())
		require.Equal(t, []string{"body-mismatch $.lines[0]"}, mismatchesOf(report))
		ver := b.mustLatestVerification(t, "shipping-label", "1.0.0", "parcel-events")
		require.False(t, ver.Success)
		require.Contains(t, canIDeploy(t, exitNo, "5.1.0"), "Computer says no")

		out := verifyHTTP(t, exitNo, "renamed-field", "5.1.1")
		require.Contains(t, out, "$.lines[0]: Actual map is missing the following keys: qty")
		require.Contains(t, out, "Published verification result (failed) of parcel-events version 5.1.1 for consumer shipping-label")
		require.Contains(t, canIDeploy(t, exitNo, "5.1.1"), "Computer says no")
	})

	t.Run("a wrong topic names the metadata key", func(t *testing.T) {
		sources, err := verify.LoadPath(pactDir)
		require.NoError(t, err)
		report, err := message.VerifyPacts(ctx, parcelProducer("wrong-topic"), sources...)
		require.NoError(t, err)
		require.Equal(t, []string{"metadata-mismatch kafka_topic"}, mismatchesOf(report))
		srv := httptest.NewServer(parcelProducer("wrong-topic"))
		defer srv.Close()
		code, stdout, stderr := runCLI(ctx, nil, "verify", pactDir, "--provider-base-url", srv.URL)
		require.Equal(t, exitNo, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		require.Contains(t, stdout, "kafka_topic: Expected metadata key 'kafka_topic'")
	})
}
