#!/usr/bin/env bash
# Installs the real Pact peers used by the interop tests into .tools/ (git-ignored):
#   .tools/pact/bin/pact      the official Pact CLI (pact broker, pact verifier, pact mock, pact stub)
#   .tools/pact-ffi/          libpact_ffi.so for pact-go v2 (FFI 0.4.28)
# Everything comes from the npm registry through the machine's own npm configuration.
# Idempotent: a second run with everything in place does nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools"

PACT_CLI_VERSION=${PACT_CLI_VERSION:-18.1.2}
PACT_CORE_VERSION=${PACT_CORE_VERSION:-18.1.0}

if ! command -v npm >/dev/null 2>&1; then
  echo "install-tools: npm is required (Node.js); install it with apt-get install nodejs npm" >&2
  exit 2
fi

if [ ! -x "$tools/pact/bin/pact" ]; then
  echo "install-tools: installing @pact-foundation/pact-cli-linux-x64@$PACT_CLI_VERSION" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent \
      "@pact-foundation/pact-cli-linux-x64@$PACT_CLI_VERSION" >&2)
  pkg="$tmp/node_modules/@pact-foundation/pact-cli-linux-x64"
  rm -rf "$tools/pact"
  mkdir -p "$tools/pact/bin"
  cp -R "$pkg/." "$tools/pact/pkg"
  bin=$(find "$tools/pact/pkg" -type f -name pact -path '*standalone*' | head -1)
  [ -n "$bin" ] || bin=$(find "$tools/pact/pkg" -type f -name pact | head -1)
  if [ -z "$bin" ]; then echo "install-tools: no pact binary in the package" >&2; exit 2; fi
  chmod +x "$bin"
  ln -sf "$bin" "$tools/pact/bin/pact"
  rm -rf "$tmp"
fi

if [ ! -f "$tools/pact-ffi/libpact_ffi.so" ]; then
  echo "install-tools: installing @pact-foundation/pact-core-linux-x64-glibc@$PACT_CORE_VERSION" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent --ignore-scripts \
      "@pact-foundation/pact-core-linux-x64-glibc@$PACT_CORE_VERSION" >&2)
  lib=$(find "$tmp/node_modules" -name libpact_ffi.so | head -1)
  if [ -z "$lib" ]; then echo "install-tools: no libpact_ffi.so in the package" >&2; exit 2; fi
  mkdir -p "$tools/pact-ffi"
  cp "$lib" "$tools/pact-ffi/libpact_ffi.so"
  rm -rf "$tmp"
fi
# oasdiff's CLI, the reference of the OpenAPI breaking-change differential tests
# (cmd/contracts/breaking_oasdiff_test.go): the version go.mod uses as a library.
OASDIFF_VERSION=$(cd "$root" && go list -m -f '{{.Version}}' github.com/oasdiff/oasdiff)
if [ "$("$tools/bin/oasdiff" --version 2>/dev/null || true)" != "oasdiff version ${OASDIFF_VERSION#v}" ]; then
  echo "install-tools: installing github.com/oasdiff/oasdiff@$OASDIFF_VERSION" >&2
  mkdir -p "$tools/bin"
  (cd "$root" && GOTOOLCHAIN=local GOBIN="$tools/bin" go install "github.com/oasdiff/oasdiff@$OASDIFF_VERSION")
fi
# PostgreSQL server binaries for the broker/postgres tests, which start a
# throwaway cluster with initdb and pg_ctl (Debian's postgresql package).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  echo "install-tools: installing postgresql with apt-get (initdb not found)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

echo "install-tools: pact CLI at $tools/pact/bin/pact, FFI at $tools/pact-ffi" >&2

# PactFlow's OpenAPI/AsyncAPI comparator, the reference for `contracts compare`
# (differential tests): .tools/pactflow-comparator/node_modules/@pactflow/openapi-pact-comparator/dist/cli.cjs
OPC_VERSION=${OPC_VERSION:-2.3.1}
opc="$tools/pactflow-comparator"
if [ ! -f "$opc/node_modules/@pactflow/openapi-pact-comparator/dist/cli.cjs" ]; then
  echo "install-tools: installing @pactflow/openapi-pact-comparator@$OPC_VERSION" >&2
  mkdir -p "$opc"
  (cd "$opc" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-audit --no-fund --silent \
      "@pactflow/openapi-pact-comparator@$OPC_VERSION" >&2)
fi

# Headless Chromium for the web view's browser tests (broker/web, chromedp).
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "install-tools: installing Debian's chromium package" >&2
    apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >&2
  else
    echo "install-tools: chromium is missing and apt-get is not available; install Chromium for the browser tests" >&2
    exit 2
  fi
fi
echo "install-tools: chromium at $(command -v chromium)" >&2

# buf, for the differential tests of `contracts breaking` against `buf breaking`
# (formats/proto/breaking). Built from source with go install at a fixed version.
BUF_VERSION=${BUF_VERSION:-v1.75.0}
if [ ! -x "$tools/bin/buf" ] || ! "$tools/bin/buf" --version 2>/dev/null | grep -qx "${BUF_VERSION#v}"; then
  if ! command -v go >/dev/null 2>&1; then
    echo "install-tools: go is required to install buf" >&2
    exit 2
  fi
  echo "install-tools: installing github.com/bufbuild/buf/cmd/buf@$BUF_VERSION" >&2
  mkdir -p "$tools/bin"
  GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "github.com/bufbuild/buf/cmd/buf@$BUF_VERSION"
fi
echo "install-tools: buf at $tools/bin/buf" >&2
# The README's broker story (run by TestReadmeStory) waits for the servers
# with curl, as a reader's shell would.
if ! command -v curl >/dev/null 2>&1; then
  echo "install-tools: curl not found; installing it with apt-get (the README story uses it)" >&2
  apt-get update -qq && apt-get install -y -qq curl >/dev/null
fi

# staticcheck, run by scripts/test.sh. Built from source with go install at a
# fixed version (its releases name the Go versions they support).
STATICCHECK_VERSION=${STATICCHECK_VERSION:-v0.8.2}
if [ ! -x "$tools/bin/staticcheck" ] || ! "$tools/bin/staticcheck" -version 2>/dev/null | grep -qF "(${STATICCHECK_VERSION#v})"; then
  if ! command -v go >/dev/null 2>&1; then
    echo "install-tools: go is required to install staticcheck" >&2
    exit 2
  fi
  echo "install-tools: installing honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" >&2
  mkdir -p "$tools/bin"
  GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
fi
echo "install-tools: staticcheck at $tools/bin/staticcheck" >&2
