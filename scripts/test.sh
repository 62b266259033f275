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
# Interop tests with pact-go v2 (cgo, libpact_ffi.so, build tag pactffi): only the
# TestPactGo* tests, in the packages that have them; -p 1 keeps FFI mock servers apart.
pactgo_pkgs=$(grep -rl --include='*_test.go' '^//go:build pactffi' . | xargs -n1 dirname | sort -u)
CGO_ENABLED=1 go test -count=1 -timeout 15m -tags pactffi -run 'PactGo' -p 1 $pactgo_pkgs "$@"
# Everything else (./... skips testdata folders; the runnable examples there are named explicitly).
go test -count=1 -timeout 25m ./testdata/examples/... ./... "$@"
