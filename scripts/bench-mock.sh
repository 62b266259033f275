#!/usr/bin/env bash
# Mock server benchmark: `contracts`' HTTP mock (verify/mock) beside the
# official `pact stub`, serving the verify benchmark's pact
# (testdata/bench/provider) at 100, 1,000 and 10,000 interactions. Prints,
# per server and size, sequential p50/p99 latency and the throughput of 20
# concurrent clients. pact stub answers in 0.1 s and more per request, so it
# gets fewer requests, and runs only for the sizes in BENCH_STUB_SIZES
# (default "100 1000"). Exit 3 when contracts misses a target: 1,000
# interactions at p99 < 1 ms and > 3,000 req/s, 10,000 within 1.5x of 100.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${BENCH_SIZES:-"100 1000 10000"}
stub_sizes=${BENCH_STUB_SIZES-"100 1000"}
cli=${CONTRACTS_PACT_CLI:-.tools/pact/bin/pact}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/provider" ./testdata/bench/provider
go build -o "$tmp/mockbench" ./testdata/bench/mock
out="$tmp/out"
for n in $sizes; do
  "$tmp/provider" -write-pact "$tmp/pact-$n.json" -n "$n"
  args=(-pact "$tmp/pact-$n.json")
  if [[ " $stub_sizes " == *" $n "* && -x "$cli" ]]; then
    args+=(-pact-cli "$cli")
  fi
  "$tmp/mockbench" "${args[@]}" | tee -a "$out"
done
awk '
  $1 == "contracts" {
    split($2, n, "="); split($5, p99, "="); split($7, rps, "="); sub("ms", "", p99[2])
    p[n[2]] = p99[2]; r[n[2]] = rps[2]
  }
  END {
    bad = 0
    if (1000 in p && (p[1000] >= 1 || r[1000] <= 3000)) { print "target missed: 1,000 interactions p99 " p[1000] " ms, " r[1000] " req/s"; bad = 1 }
    if (100 in r && 10000 in r) {
      printf "10,000 vs 100 interactions: p99 %.2fx, throughput %.2fx\n", p[10000] / p[100], r[100] / r[10000]
      if (r[100] / r[10000] > 1.5) { print "target missed: 10,000 interactions more than 1.5x slower than 100"; bad = 1 }
    }
    exit bad ? 3 : 0
  }' "$out"
