package compat_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cucumber/godog"
)

// features are the feature files run, relative to the suite's features
// folder. The message features (V3/message_*, V4/message_*,
// V4/synchronous_message_consumer) are not registered yet: their steps go in
// a message_steps_test.go of their own.
var features = []string{
	"V1/http_consumer",
	"V1/http_provider",
	"V2/http_consumer",
	"V2/http_provider",
	"V3/http_consumer",
	"V3/http_provider",
	"V3/matching_rules",
	"V3/http_matching",
	"V3/generators",
	"V3/http_generators",
	"V4/http_consumer",
	"V4/http_provider",
	"V4/matching_rules",
	"V4/generators",
	"V4/v4",
	"V3/message_consumer",
	"V3/message_provider",
	"V4/message_consumer",
	"V4/message_provider",
	"V4/synchronous_message_consumer",
}

func TestCompatibility(t *testing.T) {
	dir := suiteDir(t)
	for _, name := range features {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, "features", filepath.FromSlash(name)+".feature")
			_, err := os.Stat(path)
			if err != nil {
				t.Fatalf("feature file %s: %v", path, err)
			}
			suite := godog.TestSuite{
				Name: name,
				ScenarioInitializer: func(sc *godog.ScenarioContext) {
					initScenario(t, sc, dir, name)
				},
				Options: &godog.Options{
					Format:   "progress",
					Paths:    []string{path},
					TestingT: t,
					Strict:   true,
					NoColors: true,
				},
			}
			if st := suite.Run(); st != 0 {
				t.Errorf("feature %s: godog exit status %d", name, st)
			}
		})
	}
}

// suiteDir locates the compatibility suite beside the repository:
// <root>/../shared/pact-compatibility-suite, where <root> holds go.mod.
func suiteDir(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("working directory: %v", err)
	}
	root := wd
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			t.Fatalf("no go.mod above %s", wd)
		}
		root = parent
	}
	dir := filepath.Join(filepath.Dir(root), "shared", "pact-compatibility-suite")
	if _, err := os.Stat(filepath.Join(dir, "features")); err != nil {
		t.Skipf("Pact compatibility suite not found: folder %s is missing", dir)
	}
	return dir
}

// world is the state of one scenario. Each area of steps keeps its part in
// a field of its own.
type world struct {
	t       *testing.T
	dir     string // the suite folder
	feature string // e.g. "V1/http_consumer"
	// interactions defined by the Background table, by their No (1-based).
	interactions map[int]*interactionRow
	cleanups     []func()

	consumer consumerState
	writer   writerState
	provider providerState
	matching matchingState
	gen      generatorState
	message  messageState
}

// initScenario registers every area's steps bound to a fresh world.
func initScenario(t *testing.T, sc *godog.ScenarioContext, dir, feature string) {
	w := &world{t: t, dir: dir, feature: feature, interactions: map[int]*interactionRow{}}
	sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
		for i := len(w.cleanups) - 1; i >= 0; i-- {
			w.cleanups[i]()
		}
		w.cleanups = nil
		return ctx, err
	})
	sc.Step(`^the following HTTP interactions have been defined:$`, w.interactionsDefined)
	w.consumerSteps(sc)
	w.writerSteps(sc)
	w.providerSteps(sc)
	w.matchingSteps(sc)
	w.generatorSteps(sc)
	w.messageSteps(sc)
}

// cleanup runs fn when the scenario ends.
func (w *world) cleanup(fn func()) { w.cleanups = append(w.cleanups, fn) }
