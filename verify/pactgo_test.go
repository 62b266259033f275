//go:build pactffi

// Interop with pact-go v2: a consumer test written with pact-go runs against
// the Pact FFI mock server, which writes a real pact file; verify.Verify
// then checks a real Go provider against that file. It links libpact_ffi
// (cgo); scripts/test.sh runs it with:
//
//	CGO_LDFLAGS="-L$PWD/.tools/pact-ffi -Wl,-rpath,$PWD/.tools/pact-ffi" \
//	  go test -tags pactffi -run PactGo ./verify/
//
// pact-go only downloads the library when asked to (its installer runs from
// version.CheckVersion or the pact-go command, neither used here), so the
// test needs no network. CONTRACTS_UPDATE_PACTGO=1 copies the generated
// pacts to testdata/pactgo/ as fixtures for tests that cannot link the FFI.

package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pact-foundation/pact-go/v2/consumer"
	pactlog "github.com/pact-foundation/pact-go/v2/log"
	"github.com/pact-foundation/pact-go/v2/matchers"
	"github.com/pact-foundation/pact-go/v2/models"
	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/internal/pactclitest"
)

const (
	pactGoConsumer = "PactGoWebApp"
	pactGoProvider = "PactGoUserService"
)

// pactGoInteraction is one consumer expectation, written once and declared
// through pact-go's V3 and V4 builders alike.
type pactGoInteraction struct {
	state       models.ProviderState
	description string
	method      consumer.Method
	path        string
	// pathMatcher, when set, replaces path (a provider-state generator).
	pathMatcher matchers.Matcher
	query       map[string]matchers.Matcher
	reqHeaders  map[string]matchers.Matcher
	reqBody     any
	status      int
	respHeaders map[string]matchers.Matcher
	respBody    any
}

// pactGoInteractions is the consumer's contract with the user service. It
// uses the matchers consumers really write: Like, EachLike, Regex, Integer,
// Decimal, dates and timestamps, provider states with parameters, a query,
// headers, and a path generated from the values a state change returned.
func pactGoInteractions() []pactGoInteraction {
	return []pactGoInteraction{
		{
			state:       models.ProviderState{Name: "a user exists", Parameters: map[string]any{"id": 42, "name": "Ann Lee"}},
			description: "a request for user 42 with roles",
			method:      "GET",
			path:        "/users/42",
			query:       map[string]matchers.Matcher{"expand": matchers.String("roles")},
			reqHeaders:  map[string]matchers.Matcher{"Accept": matchers.String("application/json")},
			status:      200,
			respHeaders: map[string]matchers.Matcher{
				"Content-Type": matchers.Regex("application/json", `^application/json(;.*)?$`),
				"ETag":         matchers.Regex(`"v1"`, `^"v\d+"$`),
			},
			respBody: matchers.Map{
				"id":       matchers.Integer(42),
				"name":     matchers.Like("Ann Lee"),
				"email":    matchers.Regex("ann@example.com", `^[^@\s]+@[^@\s]+$`),
				"balance":  matchers.Decimal(10.5),
				"born":     matchers.DateGenerated("1990-01-02", "yyyy-MM-dd"),
				"lastSeen": matchers.DateTimeGenerated("2024-01-02T10:00:00", "yyyy-MM-dd'T'HH:mm:ss"),
				"joined":   matchers.Timestamp(),
				"roles":    matchers.EachLike("admin", 1),
				"address": matchers.Like(map[string]any{
					"city": "Oslo",
					"zip":  "0150",
				}),
				"kind": matchers.String("person"),
			},
		},
		{
			state:       models.ProviderState{Name: "the directory accepts new users"},
			description: "a request to create a user",
			method:      "POST",
			path:        "/users",
			reqHeaders: map[string]matchers.Matcher{
				"Content-Type":  matchers.String("application/json"),
				"Authorization": matchers.Like("Bearer t0ken"),
			},
			reqBody: matchers.Map{
				"name":  matchers.Like("Bo Chen"),
				"email": matchers.Like("bo@example.com"),
			},
			status: 201,
			respHeaders: map[string]matchers.Matcher{
				"Content-Type": matchers.String("application/json"),
				"Location":     matchers.Regex("/users/43", `^/users/\d+$`),
			},
			respBody: matchers.Map{
				"id":        matchers.Integer(43),
				"name":      matchers.Like("Bo Chen"),
				"createdAt": matchers.DateTimeGenerated("2024-01-02T10:00:00", "yyyy-MM-dd'T'HH:mm:ss"),
				"tags":      matchers.EachLike(matchers.Map{"key": matchers.Like("team"), "value": matchers.Like("core")}, 1),
			},
		},
		{
			state:       models.ProviderState{Name: "a user with an avatar exists", Parameters: map[string]any{"name": "Cy Dale"}},
			description: "a request for the avatar of a user the state created",
			method:      "GET",
			pathMatcher: matchers.FromProviderState("/users/${id}/avatar", "/users/42/avatar"),
			reqHeaders:  map[string]matchers.Matcher{"Accept": matchers.String("application/json")},
			status:      200,
			respHeaders: map[string]matchers.Matcher{"Content-Type": matchers.String("application/json")},
			respBody: matchers.Map{
				"url":    matchers.Regex("https://cdn.example.com/a/42.png", `^https://\S+\.png$`),
				"width":  matchers.Integer(128),
				"height": matchers.Integer(128),
			},
		},
		{
			state:       models.ProviderState{Name: "no user exists", Parameters: map[string]any{"id": 99}},
			description: "a request for a missing user",
			method:      "GET",
			path:        "/users/99",
			query:       map[string]matchers.Matcher{"expand": matchers.String("roles")},
			reqHeaders:  map[string]matchers.Matcher{"Accept": matchers.String("application/json")},
			status:      404,
			respHeaders: map[string]matchers.Matcher{"Content-Type": matchers.String("application/json")},
			respBody:    matchers.Map{"error": matchers.Like("user 99 not found")},
		},
	}
}

// pactGoExercise is the consumer's code under test: it calls the user
// service the way the web app does and checks what it gets back.
func pactGoExercise(baseURL string) error {
	type user struct {
		ID    int      `json:"id"`
		Name  string   `json:"name"`
		Email string   `json:"email"`
		Roles []string `json:"roles"`
	}
	call := func(method, path string, body []byte, want int, out any) error {
		req, err := http.NewRequest(method, baseURL+path, bytes.NewReader(body))
		if err != nil {
			return err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer t0ken")
		} else {
			req.Header.Set("Accept", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != want {
			return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, data)
		}
		return json.Unmarshal(data, out)
	}
	var u user
	if err := call("GET", "/users/42?expand=roles", nil, 200, &u); err != nil {
		return err
	}
	if u.ID == 0 || u.Name == "" || len(u.Roles) == 0 {
		return fmt.Errorf("user 42: incomplete %+v", u)
	}
	var created user
	if err := call("POST", "/users", []byte(`{"name":"Bo Chen","email":"bo@example.com"}`), 201, &created); err != nil {
		return err
	}
	if created.ID == 0 {
		return errors.New("create user: no id")
	}
	var avatar struct {
		URL string `json:"url"`
	}
	if err := call("GET", "/users/42/avatar", nil, 200, &avatar); err != nil {
		return err
	}
	if avatar.URL == "" {
		return errors.New("avatar: no url")
	}
	var problem struct {
		Error string `json:"error"`
	}
	if err := call("GET", "/users/99?expand=roles", nil, 404, &problem); err != nil {
		return err
	}
	if problem.Error == "" {
		return errors.New("missing user: no error message")
	}
	return nil
}

// mustWritePactGoPact runs the pact-go consumer test for spec (models.V3 or
// models.V4) and returns the path of the pact file the FFI wrote.
func mustWritePactGoPact(t *testing.T, spec models.SpecificationVersion) string {
	t.Helper()
	require.NoError(t, pactlog.SetLogLevel("ERROR"))
	dir := t.TempDir()
	cfg := consumer.MockHTTPProviderConfig{
		Consumer: pactGoConsumer,
		Provider: pactGoProvider,
		Host:     "127.0.0.1",
		PactDir:  dir,
		LogDir:   t.TempDir(),
	}
	switch spec {
	case models.V3:
		mock, err := consumer.NewV3Pact(cfg)
		require.NoError(t, err)
		for _, in := range pactGoInteractions() {
			pactGoAddV3(mock, in)
		}
		require.NoError(t, mock.ExecuteTest(t, func(c consumer.MockServerConfig) error {
			return pactGoExercise(fmt.Sprintf("http://%s:%d", c.Host, c.Port))
		}))
	case models.V4:
		mock, err := consumer.NewV4Pact(cfg)
		require.NoError(t, err)
		for _, in := range pactGoInteractions() {
			pactGoAddV4(mock, in)
		}
		require.NoError(t, mock.ExecuteTest(t, func(c consumer.MockServerConfig) error {
			return pactGoExercise(fmt.Sprintf("http://%s:%d", c.Host, c.Port))
		}))
	default:
		t.Fatalf("unsupported spec %s", spec)
	}
	path := filepath.Join(dir, pactGoConsumer+"-"+pactGoProvider+".json")
	require.FileExists(t, path)
	if os.Getenv("CONTRACTS_UPDATE_PACTGO") == "1" {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		fixture := filepath.Join("..", "testdata", "pactgo", "v"+strings.TrimSuffix(string(spec), ".0.0"), "pact.json")
		require.NoError(t, os.MkdirAll(filepath.Dir(fixture), 0o755))
		require.NoError(t, os.WriteFile(fixture, data, 0o644))
	}
	return path
}

func pactGoAddV3(mock *consumer.V3HTTPMockProvider, in pactGoInteraction) {
	mock.AddInteraction().GivenWithParameter(in.state).UponReceiving(in.description).
		WithRequestPathMatcher(in.method, in.pathOrMatcher(), func(b *consumer.V3RequestBuilder) { pactGoRequest(b, in) }).
		WillRespondWith(in.status, func(b *consumer.V3ResponseBuilder) { pactGoResponse(b, in) })
}

func pactGoAddV4(mock *consumer.V4HTTPMockProvider, in pactGoInteraction) {
	mock.AddInteraction().GivenWithParameter(in.state).UponReceiving(in.description).
		WithRequestPathMatcher(in.method, in.pathOrMatcher(), func(b *consumer.V4RequestBuilder) { pactGoRequest(b, in) }).
		WillRespondWith(in.status, func(b *consumer.V4ResponseBuilder) { pactGoResponse(b, in) })
}

// pathOrMatcher is the request path matcher: pathMatcher, else the path.
func (in pactGoInteraction) pathOrMatcher() matchers.Matcher {
	if in.pathMatcher != nil {
		return in.pathMatcher
	}
	return matchers.String(in.path)
}

// pactGoRequestBuilder is what pact-go's V3 and V4 request builders share.
type pactGoRequestBuilder[B any] interface {
	Query(key string, values ...matchers.Matcher) B
	Header(key string, values ...matchers.Matcher) B
	JSONBody(body interface{}) B
}

// pactGoResponseBuilder is what pact-go's V3 and V4 response builders share.
type pactGoResponseBuilder[B any] interface {
	Header(key string, values ...matchers.Matcher) B
	JSONBody(body interface{}) B
}

// pactGoRequest sets the query, headers and body of the request, in key
// order.
func pactGoRequest[B pactGoRequestBuilder[B]](b B, in pactGoInteraction) {
	for _, k := range slices.Sorted(maps.Keys(in.query)) {
		b.Query(k, in.query[k])
	}
	for _, k := range slices.Sorted(maps.Keys(in.reqHeaders)) {
		b.Header(k, in.reqHeaders[k])
	}
	if in.reqBody != nil {
		b.JSONBody(in.reqBody)
	}
}

// pactGoResponse sets the headers and body of the response, in key order.
func pactGoResponse[B pactGoResponseBuilder[B]](b B, in pactGoInteraction) {
	for _, k := range slices.Sorted(maps.Keys(in.respHeaders)) {
		b.Header(k, in.respHeaders[k])
	}
	if in.respBody != nil {
		b.JSONBody(in.respBody)
	}
}

// pactGoUserService is the provider: a small user directory over HTTP, with the
// provider-state endpoint a team would add for contract tests. broken makes
// it drift from the contract the way real services do: a renamed field, a
// value of another type, another status code.
type pactGoUserService struct {
	broken bool

	mu      sync.Mutex
	users   map[int]map[string]any
	avatars map[int]string
	nextID  int
	states  []pactGoStateCall
}

// pactGoStateCall is one provider-state request the service received.
type pactGoStateCall struct {
	State  string         `json:"state"`
	Params map[string]any `json:"params"`
	Action string         `json:"action"`
}

func newPactGoUserService(broken bool) *pactGoUserService {
	return &pactGoUserService{broken: broken, users: map[int]map[string]any{}, avatars: map[int]string{}, nextID: 1000}
}

var (
	pactGoUserPath   = regexp.MustCompile(`^/users/(\d+)$`)
	pactGoAvatarPath = regexp.MustCompile(`^/users/(\d+)/avatar$`)
)

func (s *pactGoUserService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/_pact/state":
		s.changeState(w, r)
	case r.Method == http.MethodGet && pactGoUserPath.MatchString(r.URL.Path):
		id, _ := strconv.Atoi(pactGoUserPath.FindStringSubmatch(r.URL.Path)[1])
		s.getUser(w, r, id)
	case r.Method == http.MethodGet && pactGoAvatarPath.MatchString(r.URL.Path):
		id, _ := strconv.Atoi(pactGoAvatarPath.FindStringSubmatch(r.URL.Path)[1])
		s.getAvatar(w, id)
	case r.Method == http.MethodPost && r.URL.Path == "/users":
		s.createUser(w, r)
	default:
		pactGoWriteJSON(w, http.StatusNotFound, map[string]any{"error": "no route " + r.Method + " " + r.URL.Path})
	}
}

func (s *pactGoUserService) changeState(w http.ResponseWriter, r *http.Request) {
	var c pactGoStateCall
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		pactGoWriteJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
		return
	}
	s.states = append(s.states, c)
	if c.Action != "setup" {
		pactGoWriteJSON(w, http.StatusOK, map[string]any{})
		return
	}
	id, _ := c.Params["id"].(float64)
	switch c.State {
	case "a user exists":
		name, _ := c.Params["name"].(string)
		s.users[int(id)] = map[string]any{
			"id": int(id), "name": name, "email": "ann.lee@users.example.org", "balance": 1234.56,
			"born": "1985-12-24", "lastSeen": "2025-06-30T13:14:15", "joined": "2019-04-01T09:00:00Z",
			"roles": []string{"admin", "ops", "billing"}, "address": map[string]any{"city": "Bergen", "zip": "5003"},
			"kind": matchers.String("person"), "locale": "nb-NO",
		}
	case "a user with an avatar exists":
		// The service picks the id; the state change returns it so that the
		// verifier can put it in the request path.
		s.nextID++
		name, _ := c.Params["name"].(string)
		s.users[s.nextID] = map[string]any{"id": s.nextID, "name": name}
		s.avatars[s.nextID] = fmt.Sprintf("https://cdn.users.example.org/avatars/%d.png", s.nextID)
		pactGoWriteJSON(w, http.StatusOK, map[string]any{"id": s.nextID})
		return
	case "no user exists":
		delete(s.users, int(id))
	case "the directory accepts new users":
	default:
		pactGoWriteJSON(w, http.StatusBadRequest, map[string]any{"error": "unknown state " + c.State})
		return
	}
	pactGoWriteJSON(w, http.StatusOK, map[string]any{})
}

func (s *pactGoUserService) getUser(w http.ResponseWriter, r *http.Request, id int) {
	if r.URL.Query().Get("expand") != "roles" || r.Header.Get("Accept") != "application/json" {
		pactGoWriteJSON(w, http.StatusBadRequest, map[string]any{"error": "want ?expand=roles and Accept: application/json"})
		return
	}
	u, ok := s.users[id]
	if !ok {
		pactGoWriteJSON(w, http.StatusNotFound, map[string]any{"error": fmt.Sprintf("no user with id %d", id)})
		return
	}
	if s.broken {
		u = pactGoClone(u)
		u["mail"] = u["email"] // renamed in a refactoring
		delete(u, "email")
		u["id"] = strconv.Itoa(id) // ids became strings
	}
	w.Header().Set("ETag", `"v7"`)
	pactGoWriteJSON(w, http.StatusOK, u)
}

func (s *pactGoUserService) getAvatar(w http.ResponseWriter, id int) {
	url, ok := s.avatars[id]
	if !ok {
		pactGoWriteJSON(w, http.StatusNotFound, map[string]any{"error": fmt.Sprintf("user %d has no avatar", id)})
		return
	}
	pactGoWriteJSON(w, http.StatusOK, map[string]any{"url": url, "width": 256, "height": 256})
}

func (s *pactGoUserService) createUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		pactGoWriteJSON(w, http.StatusUnauthorized, map[string]any{"error": "no credentials"})
		return
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Name == "" || in.Email == "" {
		pactGoWriteJSON(w, http.StatusBadRequest, map[string]any{"error": "want a JSON body with name and email"})
		return
	}
	s.nextID++
	id := s.nextID
	s.users[id] = map[string]any{"id": id, "name": in.Name, "email": in.Email}
	w.Header().Set("Location", fmt.Sprintf("/users/%d", id))
	status := http.StatusCreated
	if s.broken {
		status = http.StatusOK // the handler forgot its 201
	}
	pactGoWriteJSON(w, status, map[string]any{
		"id": id, "name": in.Name, "createdAt": "2025-07-01T08:09:10",
		"tags": []any{map[string]any{"key": "source", "value": "signup"}, map[string]any{"key": "plan", "value": "free"}},
	})
}

func pactGoClone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func pactGoWriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// mustVerifyPactGo verifies the pact at path against svc served on loopback.
func mustVerifyPactGo(t *testing.T, path string, svc *pactGoUserService) *verify.Report {
	t.Helper()
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	sources, err := verify.LoadPath(path)
	require.NoError(t, err)
	report, err := verify.Verify(context.Background(), verify.Config{
		ProviderBaseURL: srv.URL,
		StateChangeURL:  srv.URL + "/_pact/state",
	}, sources)
	require.NoError(t, err)
	require.Len(t, report.Pacts, 1)
	require.Equal(t, pactGoConsumer, report.Pacts[0].Consumer)
	require.Equal(t, pactGoProvider, report.Pacts[0].Provider)
	return report
}

// pactGoReferenceFailures runs the official Pact verifier on the pact at
// path against svc, and returns the descriptions of the interactions it
// failed, sorted. It skips the test when CONTRACTS_PACT_CLI is not set.
func pactGoReferenceFailures(t *testing.T, path string, svc *pactGoUserService) []string {
	t.Helper()
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	failed, _ := pactclitest.VerifierFailures(t, path, srv.URL, "--state-change-url", srv.URL+"/_pact/state")
	return failed
}

// pactGoKindPath is a mismatch reduced to what tests may compare: its kind and path.
type pactGoKindPath struct{ Kind, Path string }

func pactGoByDescription(r *verify.Report) map[string]verify.InteractionResult {
	out := map[string]verify.InteractionResult{}
	for _, p := range r.Pacts {
		for _, in := range p.Interactions {
			out[in.Description] = in
		}
	}
	return out
}

func pactGoMismatches(r verify.InteractionResult) []pactGoKindPath {
	var out []pactGoKindPath
	for _, f := range r.Failures {
		for _, m := range f.Mismatches {
			out = append(out, pactGoKindPath{m.Kind, m.Path})
		}
	}
	return out
}

func TestPactGoInterop(t *testing.T) {
	for _, spec := range []models.SpecificationVersion{models.V3, models.V4} {
		t.Run(string(spec), func(t *testing.T) {
			path := mustWritePactGoPact(t, spec)

			t.Run("provider that keeps the contract passes", func(t *testing.T) {
				svc := newPactGoUserService(false)
				report := mustVerifyPactGo(t, path, svc)
				for _, in := range report.Pacts[0].Interactions {
					require.Equal(t, verify.StatusPassed, in.Status, "%s: %+v", in.Description, in.Failures)
				}
				require.True(t, report.Success())
				require.Equal(t, verify.Counts{Passed: 4}, report.Counts())

				// The provider states reached the provider, with their parameters.
				setups := map[string]map[string]any{}
				for _, c := range svc.states {
					if c.Action == "setup" {
						setups[c.State] = c.Params
					}
				}
				require.Len(t, setups, 4, "%+v", svc.states)
				require.Equal(t, map[string]any{"id": float64(42), "name": "Ann Lee"}, setups["a user exists"])
				require.Equal(t, map[string]any{"id": float64(99)}, setups["no user exists"])
				require.Contains(t, setups, "the directory accepts new users")
				require.Empty(t, setups["the directory accepts new users"])
				require.Equal(t, map[string]any{"name": "Cy Dale"}, setups["a user with an avatar exists"])
			})

			t.Run("provider that drifted fails with the expected mismatches", func(t *testing.T) {
				report := mustVerifyPactGo(t, path, newPactGoUserService(true))
				require.False(t, report.Success())
				require.Equal(t, verify.Counts{Passed: 2, Failed: 2}, report.Counts())
				results := pactGoByDescription(report)

				get := results["a request for user 42 with roles"]
				require.Equal(t, verify.StatusFailed, get.Status)
				require.True(t, get.HasFailure(verify.FailureBody), "%+v", get.Failures)
				require.False(t, get.HasFailure(verify.FailureStatus), "%+v", get.Failures)
				got := pactGoMismatches(get)
				// The id of the wrong type at $.id; the renamed email as a key
				// missing from the object at $, where the Pact verifier reports it.
				require.ElementsMatch(t, []pactGoKindPath{{"body-mismatch", "$.id"}, {"body-mismatch", "$"}}, got)

				create := results["a request to create a user"]
				require.Equal(t, verify.StatusFailed, create.Status)
				require.True(t, create.HasFailure(verify.FailureStatus), "%+v", create.Failures)
				require.False(t, create.HasFailure(verify.FailureBody), "%+v", create.Failures)
				require.Equal(t, []pactGoKindPath{{"status-mismatch", "status"}}, pactGoMismatches(create))

				require.Equal(t, verify.StatusPassed, results["a request for a missing user"].Status)
				require.Equal(t, verify.StatusPassed, results["a request for the avatar of a user the state created"].Status)
			})

			t.Run("the official pact verifier agrees", func(t *testing.T) {
				for _, broken := range []bool{false, true} {
					want := pactGoReferenceFailures(t, path, newPactGoUserService(broken))
					t.Logf("broken=%v: the pact verifier fails %q", broken, want)
					got := pactclitest.Failed(mustVerifyPactGo(t, path, newPactGoUserService(broken)))
					require.Equal(t, want, got, "broken=%v: failing interactions, pact verifier vs contracts", broken)
				}
			})
		})
	}
}
