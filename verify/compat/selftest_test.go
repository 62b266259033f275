package compat_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/cucumber/godog"
)

// wrongScenarios are scenarios of the suite with one Then-step changed to
// state something false. Each must fail: a step that passes whatever it
// is told is not checking anything.
var wrongScenarios = []wrongScenario{
	{"consumer mismatch message", "V1/selftest", `
Feature: x
  Background:
    Given the following HTTP interactions have been defined:
      | No | method | path   | query   | headers | body             | response | response content | response body    |
      | 1  | GET    | /basic |         |         |                  | 200      | application/json | file: basic.json |
      | 2  | GET    | /q     | a=1&b=2 |         |                  | 200      |                  |                  |
      | 4  | PUT    | /basic |         |         | file: basic.json | 200      |                  |                  |
  Scenario: wrong
    When the mock server is started with interaction 4
    And request 4 is made to the mock server with the following changes:
      | body                           |
      | JSON: {"one": "a", "two": "c"} |
    Then the mismatches will contain a "body" mismatch with path "$.two" with error "Expected 'c' (String) to be equal to 'X' (String)"
`},
	{"consumer interaction count", "V1/selftest", `
Feature: x
  Background:
    Given the following HTTP interactions have been defined:
      | No | method | path   | query | headers | body | response | response content | response body    |
      | 1  | GET    | /basic |       |         |      | 200      | application/json | file: basic.json |
  Scenario: wrong
    When the mock server is started with interaction 1
    And request 1 is made to the mock server
    When the pact test is done
    Then the pact file will contain {2} interactions
`},
	{"consumer status", "V1/selftest", `
Feature: x
  Background:
    Given the following HTTP interactions have been defined:
      | No | method | path   | query | headers | body | response | response content | response body    |
      | 1  | GET    | /basic |       |         |      | 200      | application/json | file: basic.json |
      | 2  | GET    | /other |       |         |      | 200      |                  |                  |
  Scenario: wrong
    When the mock server is started with interactions "1, 2"
    And request 1 is made to the mock server
    When the pact test is done
    Then the mock server status will be OK
`},
	{"provider verification", "V1/selftest", `
Feature: x
  Background:
    Given the following HTTP interactions have been defined:
      | No | method | path   | query | headers | body | response | response headers | response content | response body    |
      | 1  | GET    | /basic |       |         |      | 200      |                  | application/json | file: basic.json |
  Scenario: wrong
    Given a provider is started that returns the response from interaction 1, with the following changes:
      | response |
      | 400      |
    And a Pact file for interaction 1 is to be verified
    When the verification is run
    Then the verification will be successful
`},
	{"provider published result", "V1/selftest", `
Feature: x
  Background:
    Given the following HTTP interactions have been defined:
      | No | method | path   | query | headers | body | response | response headers | response content | response body    |
      | 1  | GET    | /basic |       |         |      | 200      |                  | application/json | file: basic.json |
  Scenario: wrong
    Given a provider is started that returns the response from interaction 1
    And a Pact file for interaction 1 is to be verified from a Pact broker
    And publishing of verification results is enabled
    When the verification is run
    Then a failed verification result will be published back for the interaction {1}
`},
	{"provider state name", "V1/selftest", `
Feature: x
  Background:
    Given the following HTTP interactions have been defined:
      | No | method | path   | query | headers | body | response | response headers | response content | response body    |
      | 1  | GET    | /basic |       |         |      | 200      |                  | application/json | file: basic.json |
  Scenario: wrong
    Given a provider is started that returns the response from interaction 1
    And a provider state callback is configured
    And a Pact file for interaction 1 is to be verified with a provider state "state one" defined
    When the verification is run
    Then the provider state callback will receive a setup call with "state two" as the provider state parameter
`},
	{"matching mismatch path", "V3/selftest", `
Feature: x
  Scenario: wrong
    Given an expected request configured with the following:
      | body             | matching rules          |
      | file: basic.json | include-matcher-v3.json |
    And a request is received with the following:
      | body                               |
      | JSON: { "one": "dog", "two": "b" } |
    When the request is compared to the expected one
    Then the mismatches will contain a mismatch with error "$.two" -> "Expected 'dog' to include 'a'"
`},
	{"matching comparison", "V3/selftest", `
Feature: x
  Scenario: wrong
    Given an expected request with a "content-type" header of "application/json;charset=UTF-16"
    And a request is received with a "content-type" header of "application/json;charset=UTF-8"
    When the request is compared to the expected one
    Then the comparison should be OK
`},
	{"generator kind", "V3/selftest", `
Feature: x
  Scenario: wrong
    Given a request configured with the following generators:
      | body             | generators               |
      | file: basic.json | randomstr-generator.json |
    When the request is prepared for use
    Then the body value for "$.one" will have been replaced with a "integer"
`},
	{"pact file field", "V4/selftest", `
Feature: x
  Scenario: wrong
    Given an HTTP interaction is being defined for a consumer test
    And a key of "123ABC" is specified for the HTTP interaction
    When the Pact file for the test is generated
    Then the first interaction in the Pact file will have "key" = '"XYZ"'
`},
}

// wrongScenario is a feature text whose last step states something false,
// run as the feature named (which selects the steps' behaviour).
type wrongScenario struct {
	name, feature, text string
}

func TestStepsCanFail(t *testing.T) {
	requireLastStepsFail(t, wrongScenarios)
}

// requireLastStepsFail runs each scenario and requires it to fail at its
// last step, every other step passing.
func requireLastStepsFail(t *testing.T, scenarios []wrongScenario) {
	t.Helper()
	dir := suiteDir(t)
	for _, tc := range scenarios {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "wrong.feature")
			if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			suite := godog.TestSuite{
				ScenarioInitializer: func(sc *godog.ScenarioContext) { initScenario(t, sc, dir, tc.feature) },
				Options:             &godog.Options{Format: "cucumber", Output: &out, Paths: []string{path}, Strict: true},
			}
			if st := suite.Run(); st == 0 {
				t.Fatalf("scenario %q passed, but its last step states something false", tc.name)
			}
			// Every step but the last must pass, so that the failure is the
			// false statement's and not a set-up problem.
			var report []struct {
				Elements []struct {
					Steps []struct {
						Name   string `json:"name"`
						Result struct {
							Status string `json:"status"`
						} `json:"result"`
					} `json:"steps"`
				} `json:"elements"`
			}
			if err := json.Unmarshal(out.Bytes(), &report); err != nil {
				t.Fatalf("cucumber report: %v\n%s", err, out.String())
			}
			var statuses []string
			for _, f := range report {
				for _, e := range f.Elements {
					for _, st := range e.Steps {
						statuses = append(statuses, st.Result.Status)
					}
				}
			}
			if len(statuses) < 2 {
				t.Fatalf("want several steps, got %v", statuses)
			}
			for i, st := range statuses {
				want := "passed"
				if i == len(statuses)-1 {
					want = "failed"
				}
				if st != want {
					t.Fatalf("step %d is %s, want %s (all: %v)", i+1, st, want, statuses)
				}
			}
		})
	}
}
