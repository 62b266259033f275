#!/usr/bin/env bash
# Compares `contracts verify` with the official `pact verifier` on a
# 1,000-interaction V3 JSON pact against a fast local Go provider
# (testdata/bench/provider): times both, checks their verdicts agree, prints
# the ratio.
#
#   scripts/bench-verify.sh
#
# Environment:
#   BENCH_N          interactions in the pact (default 1000)
#   BENCH_RUNS       timed runs of contracts verify (default 5; the median counts)
#   BENCH_MIN_RATIO  fail (exit 3) when pact time / our median is below this (default 50; 0 disables)
#   BENCH_STATES     1 (default): both tools call the provider-states URL before each interaction;
#                    0: no state change URL (contracts then verifies interactions concurrently)
#   BENCH_BROKEN     1 (default): also verify a provider with 10 broken interactions and check both
#                    tools fail on exactly those; 0 skips that pass
#   BENCH_OUT        work directory for binaries, pact and reports (default bench/out, git-ignored)
#   CONTRACTS_PACT_CLI  the pact CLI (default .tools/pact/bin/pact, see scripts/install-tools.sh)
#
# Exit status: 0 verdicts agree (and the ratio is met), 1 verdicts differ, 2 set-up failed,
# 3 verdicts agree but the ratio is below BENCH_MIN_RATIO.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

n=${BENCH_N:-1000}
runs=${BENCH_RUNS:-5}
min_ratio=${BENCH_MIN_RATIO:-50}
use_states=${BENCH_STATES:-1}
check_broken=${BENCH_BROKEN:-1}
out=${BENCH_OUT:-$root/bench/out}
pact_cli=${CONTRACTS_PACT_CLI:-$root/.tools/pact/bin/pact}

die() { echo "bench: $*" >&2; exit 2; }
command -v jq >/dev/null || die "jq is required"
[ -x "$pact_cli" ] || die "no pact CLI at $pact_cli (run scripts/install-tools.sh or set CONTRACTS_PACT_CLI)"

mkdir -p "$out"
provider_pid=""
stop_provider() {
  if [ -n "$provider_pid" ]; then
    kill "$provider_pid" 2>/dev/null || true
    wait "$provider_pid" 2>/dev/null || true
    provider_pid=""
  fi
}
trap stop_provider EXIT

echo "bench: building contracts and the bench provider" >&2
go build -o "$out/contracts" ./cmd/contracts || die "go build ./cmd/contracts failed"
go build -o "$out/provider" ./testdata/bench/provider || die "go build ./testdata/bench/provider failed"
"$out/provider" -write-pact "$out/pact.json" -n "$n" || die "could not write the pact"
"$out/provider" -list-broken -n "$n" | sort >"$out/want-broken.txt" || die "could not list the broken interactions"

# start_provider [-broken]: starts the provider on a free loopback port and
# sets provider_url and provider_port. The URL is read from a FIFO, so there
# is no polling.
start_provider() {
  local fifo="$out/provider.fifo"
  rm -f "$fifo"
  mkfifo "$fifo"
  "$out/provider" -listen 127.0.0.1:0 -n "$n" "$@" >"$fifo" 2>"$out/provider.log" &
  provider_pid=$!
  if ! read -r provider_url <"$fifo"; then
    die "the provider did not start: $(cat "$out/provider.log")"
  fi
  rm -f "$fifo"
  provider_port=${provider_url##*:}
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# run_pact REPORT: runs the pact verifier; sets pact_rc and pact_secs.
run_pact() {
  local args=(verifier --file "$out/pact.json" --hostname 127.0.0.1 --port "$provider_port"
    --json "$1" --no-colour)
  if [ "$use_states" = 1 ]; then args+=(--state-change-url "$provider_url/_pact/provider-states"); fi
  local t0 t1
  rm -f "$1"
  t0=$(now)
  set +e
  "$pact_cli" "${args[@]}" >"${1%.json}.log" 2>&1
  pact_rc=$?
  set -e
  t1=$(now)
  pact_secs=$(elapsed "$t0" "$t1")
}

# run_ours REPORT: runs contracts verify; sets ours_rc and ours_secs.
run_ours() {
  local args=(verify "$out/pact.json" --provider-base-url "$provider_url" --json "$1")
  if [ "$use_states" = 1 ]; then
    # The pact verifier makes no teardown calls unless told to: same calls on both sides.
    args+=(--provider-states-setup-url "$provider_url/_pact/provider-states" --no-state-change-teardown)
  fi
  local t0 t1
  rm -f "$1"
  t0=$(now)
  set +e
  "$out/contracts" "${args[@]}" >"${1%.json}.log" 2>&1
  ours_rc=$?
  set -e
  t1=$(now)
  ours_secs=$(elapsed "$t0" "$t1")
}

# Failing interaction descriptions, sorted, from each tool's JSON report.
# A missing or unreadable report yields a line that never matches the other tool's.
failures() {
  if [ -s "$2" ] && jq -r "$1" "$2" >"$2.tmp" 2>/dev/null; then
    sort "$2.tmp"
  else
    echo "(no readable JSON report $2)"
  fi
  rm -f "$2.tmp"
}
pact_failures() { failures '.interactionResults[] | select(.result != "OK") | .description' "$1"; }
ours_failures() { failures '.pacts[].interactions[] | select(.status == "failed") | .description' "$1"; }

status=0
verdict_differs() { echo "bench: VERDICTS DIFFER: $*" >&2; status=1; }

# compare LABEL WANT_FILE: checks both tools' exit codes and failing interactions.
compare() {
  local label=$1 want=$2
  pact_failures "$out/pact-$label.json" >"$out/pact-$label-failed.txt"
  ours_failures "$out/ours-$label.json" >"$out/ours-$label-failed.txt"
  local want_rc=0
  [ -s "$want" ] && want_rc=1
  [ "$pact_rc" = "$want_rc" ] || verdict_differs "$label: pact verifier exited $pact_rc, want $want_rc (see $out/pact-$label.log)"
  [ "$ours_rc" = "$want_rc" ] || verdict_differs "$label: contracts verify exited $ours_rc, want $want_rc (see $out/ours-$label.log)"
  if ! diff -u --label "pact verifier" --label "contracts verify" \
    "$out/pact-$label-failed.txt" "$out/ours-$label-failed.txt" >&2; then
    verdict_differs "$label: the tools fail different interactions"
  fi
  if ! diff -u --label "expected" --label "pact verifier" "$want" "$out/pact-$label-failed.txt" >&2; then
    verdict_differs "$label: the pact verifier does not fail exactly the broken interactions"
  fi
  echo "bench: $label provider: pact verifier exit $pact_rc, contracts verify exit $ours_rc," \
    "$(wc -l <"$out/pact-$label-failed.txt" | tr -d ' ') vs $(wc -l <"$out/ours-$label-failed.txt" | tr -d ' ') failing interactions"
}

# --- the good provider: timing -------------------------------------------
start_provider
echo "bench: $n interactions, provider at $provider_url, states URL: $([ "$use_states" = 1 ] && echo yes || echo no)"
echo "bench: running pact verifier (this takes a while)" >&2
run_pact "$out/pact-good.json"
pact_good_secs=$pact_secs
ours_times=()
for i in $(seq 1 "$runs"); do
  run_ours "$out/ours-good.json"
  ours_times+=("$ours_secs")
  echo "bench: contracts verify run $i: ${ours_secs}s (exit $ours_rc)" >&2
done
: >"$out/want-none.txt"
compare good "$out/want-none.txt"
stop_provider

median=$(printf '%s\n' "${ours_times[@]}" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
best=$(printf '%s\n' "${ours_times[@]}" | sort -g | head -1)

# --- the broken provider: verdicts ---------------------------------------
if [ "$check_broken" = 1 ]; then
  start_provider -broken
  echo "bench: running both against the broken provider" >&2
  run_pact "$out/pact-broken.json"
  pact_broken_secs=$pact_secs
  run_ours "$out/ours-broken.json"
  ours_broken_secs=$ours_secs
  compare broken "$out/want-broken.txt"
  stop_provider
  echo "bench: broken provider times: pact verifier ${pact_broken_secs}s, contracts verify ${ours_broken_secs}s"
fi

ratio=$(awk -v p="$pact_good_secs" -v o="$median" 'BEGIN { if (o > 0) printf "%.1f", p / o; else print "inf" }')
echo "bench: pact verifier:    ${pact_good_secs}s"
echo "bench: contracts verify: ${ours_times[*]} s (median ${median}s, best ${best}s, $runs runs)"
echo "bench: ratio (pact / contracts median): ${ratio}x (target >= ${min_ratio}x)"

if [ "$status" != 0 ]; then
  exit "$status"
fi
if [ "$min_ratio" != 0 ] && awk -v r="$ratio" -v m="$min_ratio" 'BEGIN { exit !(r != "inf" && r + 0 < m + 0) }'; then
  echo "bench: ratio ${ratio}x is below the target ${min_ratio}x" >&2
  exit 3
fi
echo "bench: verdicts agree"
