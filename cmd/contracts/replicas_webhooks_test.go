package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/postgres"
	"github.com/contracts-dev/contracts/broker/postgres/pgtest"
)

// TestReplicasDeliverEachWebhookAttemptOnce runs two `contracts broker`
// processes (each with its webhook worker) on one PostgreSQL database:
// publications through both trigger webhooks whose first attempt fails
// (500) and whose retry succeeds; the real receiver on loopback gets each
// attempt exactly once, so two requests per triggered webhook.
func TestReplicasDeliverEachWebhookAttemptOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts processes")
	}
	const (
		hooks    = 4
		versions = 10
		triggers = hooks * versions
	)
	var (
		mu   sync.Mutex
		seen = map[string]int{} // "/hook/i v" -> requests
	)
	arrived := make(chan struct{}, 4*triggers)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ V string }
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		key := r.URL.Path + " " + body.V
		mu.Lock()
		seen[key]++
		first := seen[key] == 1
		mu.Unlock()
		if first {
			w.WriteHeader(http.StatusInternalServerError)
		} else {
			w.WriteHeader(http.StatusOK)
		}
		arrived <- struct{}{}
	}))
	defer rcv.Close()

	pg := pgtest.Start(t)
	bin := mustBuildContracts(t)
	dsn := pg.NewDatabase(t)
	env := []string{"CONTRACTS_WEBHOOK_DELAY=0s", "CONTRACTS_WEBHOOK_RETRY_SCHEDULE=1s",
		"CONTRACTS_WEBHOOK_ALLOW_SCHEMES=http", "CONTRACTS_WEBHOOK_ALLOW_HOSTS=127.0.0.1"}
	rs := make([]*replica, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs[i], errs[i] = startReplica(t, bin, dsn, env...)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}

	for _, p := range []string{"Web", "API"} {
		code, body, err := send("PUT", rs[0].URL+"/pacticipants/"+p, map[string]any{})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, code, "%s", body)
	}
	for i := range hooks {
		def := map[string]any{"events": []map[string]string{{"name": "contract_published"}},
			"request": map[string]any{"method": "POST", "url": fmt.Sprintf("%s/hook/%d", rcv.URL, i), "body": map[string]string{"v": "${pactbroker.consumerVersionNumber}"}}}
		code, body, err := send("POST", rs[i%2].URL+"/webhooks/provider/API/consumer/Web", def)
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, code, "%s", body)
	}
	statuses := concurrently(t, versions, func(i int) (int, error) {
		code, _, err := send("POST", rs[i%2].URL+"/contracts/publish", publishBodyFor("Web", fmt.Sprint(i), "API", fmt.Sprint("interaction ", i)))
		return code, err
	})
	for _, code := range statuses {
		require.Equal(t, http.StatusOK, code/100*100, "statuses %v", statuses)
	}

	// Every trigger's two attempts arrive (the deadline only turns a hang
	// into a failure); then both replicas stop gracefully, finishing and
	// recording the attempts in flight, so nothing can arrive later.
	deadline := time.After(3 * time.Minute)
	for n := 0; n < 2*triggers; n++ {
		select {
		case <-arrived:
		case <-deadline:
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("%d of %d requests arrived: %v", n, 2*triggers, seen)
		}
	}
	for _, r := range rs {
		require.NoError(t, r.cmd.Process.Signal(syscall.SIGTERM))
	}
	for _, r := range rs {
		require.NoError(t, r.cmd.Wait())
	}

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, triggers)
	for key, n := range seen {
		require.Equal(t, 2, n, "%s: one failed attempt and one retry, each made once", key)
	}
	require.Empty(t, arrived, "no request after the last expected one")

	store, err := postgres.Open(context.Background(), dsn, postgres.Options{})
	require.NoError(t, err)
	defer store.Close()
	ts, err := store.ListTriggeredWebhooks(context.Background(), broker.TriggeredFilter{}, broker.Page{Limit: broker.MaxPageSize})
	require.NoError(t, err)
	require.Len(t, ts, triggers)
	for _, tr := range ts {
		require.Equal(t, broker.TriggerSuccess, tr.Status, tr.UUID)
		require.Equal(t, 2, tr.Attempts, tr.UUID)
	}
}
