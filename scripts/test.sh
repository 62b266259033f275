#!/usr/bin/env bash
# The whole test suite, with all set-up: installs the Pact peers (npm) and Go
# modules, then runs every test, including the cgo interop tests that link the
# Pact FFI library (build tag "pactffi").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! command -v npm >/dev/null 2>&1; then
  echo "test: npm not found; installing Node.js with apt-get" >&2
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
if ! command -v gcc >/dev/null 2>&1; then
  echo "test: gcc not found; installing it with apt-get (needed for the cgo interop tests)" >&2
  apt-get update -qq && apt-get install -y -qq gcc libc6-dev >/dev/null
fi
bash scripts/install-tools.sh

export CONTRACTS_PACT_CLI="$root/.tools/pact/bin/pact"
export CONTRACTS_PACT_FFI_DIR="$root/.tools/pact-ffi"
export CGO_LDFLAGS="-L$CONTRACTS_PACT_FFI_DIR -Wl,-rpath,$CONTRACTS_PACT_FFI_DIR"
export PACT_LD_LIBRARY_PATH="$CONTRACTS_PACT_FFI_DIR"

go mod download
go vet ./...

# go.mod and go.sum say exactly what the code uses (prints the diff and fails otherwise).
if ! go mod tidy -diff; then
  echo "test: go.mod/go.sum are not tidy: run go mod tidy" >&2
  exit 1
fi
# staticcheck, installed at a fixed version by scripts/install-tools.sh.
"$root/.tools/bin/staticcheck" ./...

# Tests that read ../shared (the Pact compatibility suite, the official broker
# client's contract, grpc-plugin-pacts) skip when it is absent: say so loudly,
# before and after the run.
note=""
if [ ! -d ../shared ]; then
  suites=$(grep -rl --include='*_test.go' -e '"shared"' . | xargs -n1 dirname | sort -u | tr '\n' ' ')
  note="WARNING: $(cd .. && pwd)/shared is absent: tests in these packages that read it were SKIPPED: $suites(see SKIPPED above)"
  echo "################################################################################" >&2
  echo "$note" >&2
  echo "################################################################################" >&2
fi

# Both runs stream `go test -json` into scripts/testsummary, which prints what
# go test would (failures, build errors, package results), the skipped tests
# with their reasons, and last the line CI reads: "N passed, N failed, N skipped".
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/testsummary" ./scripts/testsummary
status=0
{
  # Interop tests with pact-go v2 (cgo, libpact_ffi.so, build tag pactffi): only the
  # TestPactGo* tests, in the packages that have them; -p 1 keeps FFI mock servers apart.
  pactgo_pkgs=$(grep -rl --include='*_test.go' '^//go:build pactffi' . | xargs -n1 dirname | sort -u)
  CGO_ENABLED=1 go test -json -count=1 -timeout 15m -tags pactffi -run 'PactGo' -p 1 $pactgo_pkgs "$@" || echo "pactffi tests: exit $?" >> "$work/rc"
  # Everything else (./... skips testdata folders; the runnable examples there are named explicitly).
  go test -json -count=1 -timeout 25m ./testdata/examples/... ./... "$@" || echo "tests: exit $?" >> "$work/rc"
} 2>&1 | "$work/testsummary" -note "$note" || status=$?
if [ "$status" -eq 0 ] && [ -s "$work/rc" ]; then
  # go test failed without a failing test or package event (e.g. a bad flag).
  echo "test: go test failed: $(tr '\n' ' ' < "$work/rc")" >&2
  status=1
fi
exit "$status"
