#!/usr/bin/env bash
# Compares `contracts compare` with PactFlow's comparator on a generated set:
# an OpenAPI 3.0 document with 500 operations and 100 pacts of 20
# interactions, 10 of them with one incompatible interaction
# (testdata/bench/compare). Checks that both flag the same pacts, then prints
# wall time, CPU time and peak memory of each and the ratios.
#
#   scripts/bench-compare.sh
#
# Environment:
#   BENCH_OPS, BENCH_PACTS, BENCH_INTERACTIONS  the set's size (500, 100, 20)
#   BENCH_RUNS       runs of each tool (default 3; the medians count)
#   BENCH_MIN_RATIO  exit 3 when the CPU-time ratio is below this (default 10; 0 disables)
#   BENCH_OUT        work directory (default bench/out/compare, git-ignored)
#
# Exit status: 0 same verdicts (and the ratio met), 1 verdicts differ, 2 set-up failed, 3 ratio below the minimum.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ops=${BENCH_OPS:-500}
npacts=${BENCH_PACTS:-100}
per=${BENCH_INTERACTIONS:-20}
runs=${BENCH_RUNS:-3}
min_ratio=${BENCH_MIN_RATIO:-10}
out=${BENCH_OUT:-$root/bench/out/compare}
opc=${CONTRACTS_PACTFLOW_COMPARATOR:-$root/.tools/pactflow-comparator/node_modules/@pactflow/openapi-pact-comparator/dist/cli.cjs}

die() { echo "bench: $*" >&2; exit 2; }
[ -f "$opc" ] || die "no PactFlow comparator at $opc (run scripts/install-tools.sh)"
[ -x /usr/bin/time ] || die "/usr/bin/time is required (Debian package time)"
rm -rf "$out" && mkdir -p "$out"
go build -o "$out/contracts" ./cmd/contracts || die "go build failed"
go run ./testdata/bench/compare -out "$out/set" -ops "$ops" -pacts "$npacts" -interactions "$per" | sort >"$out/want.txt" \
  || die "could not generate the set"

# failing FILE LIST: the pacts (by file name) whose results hold an error, from
# NDJSON output with one line per pact in the order of LIST.
failing() {
  paste -d' ' <(tr ' ' '\n' <<<"$2" | xargs -n1 basename) <(jq -c '[.[] | select(.type == "error")] | length' "$1") \
    | awk '$2 > 0 {print $1}' | sort
}

pacts=$(ls "$out"/set/pacts/*.json | tr '\n' ' ')
measure() { # name cmd...: runs it $runs times, records "wall cpu rss" lines
  local name=$1; shift
  : >"$out/$name.times"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S %M" -o "$out/$name.time1" "$@" >"$out/$name.ndjson" 2>"$out/$name.err" || true
    tail -n1 "$out/$name.time1" | awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' >>"$out/$name.times"
  done
}
median() { sort -n -k"$2" "$1" | awk -v k="$2" '{a[NR]=$k} END {print a[int((NR+1)/2)]}'; }

measure ours "$out/contracts" compare --oas "$out/set/openapi.json" --output json $pacts
measure pactflow node "$opc" --oas "$out/set/openapi.json" $pacts

failing "$out/ours.ndjson" "$pacts" >"$out/ours-failing.txt"
failing "$out/pactflow.ndjson" "$pacts" >"$out/pactflow-failing.txt"
if ! diff -u "$out/pactflow-failing.txt" "$out/ours-failing.txt" >&2; then
  echo "bench: the tools flag different pacts" >&2; exit 1
fi
if ! diff -q "$out/want.txt" "$out/ours-failing.txt" >/dev/null; then
  echo "bench: both flag pacts other than the generated incompatible ones" >&2; exit 1
fi

ow=$(median "$out/ours.times" 1); oc=$(median "$out/ours.times" 2); om=$(median "$out/ours.times" 3)
pw=$(median "$out/pactflow.times" 1); pc=$(median "$out/pactflow.times" 2); pm=$(median "$out/pactflow.times" 3)
echo "set: $ops operations, $npacts pacts x $per interactions; both flag the same $(wc -l <"$out/want.txt") pacts"

printf "pactflow comparator: wall %ss cpu %ss peak %d MB\n" "$pw" "$pc" $((pm / 1024))
printf "contracts compare:   wall %ss cpu %ss peak %d MB\n" "$ow" "$oc" $((om / 1024))
ratio=$(awk -v a="$pc" -v b="$oc" 'BEGIN {printf "%.1f", a / (b > 0 ? b : 0.01)}')
wratio=$(awk -v a="$pw" -v b="$ow" 'BEGIN {printf "%.1f", a / (b > 0 ? b : 0.01)}')
echo "ratio: ${ratio}x less CPU time, ${wratio}x less wall time"
if [ "$min_ratio" != 0 ] && awk -v r="$ratio" -v m="$min_ratio" 'BEGIN {exit !(r < m)}'; then
  echo "bench: CPU-time ratio ${ratio}x is below ${min_ratio}x" >&2; exit 3
fi
