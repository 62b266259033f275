#!/usr/bin/env bash
# Times `contracts breaking --openapi` (consumer mapping included: 50 pacts of
# 20 interactions) against plain `oasdiff breaking` on the same generated pair of
# 500-operation OpenAPI documents (testdata/bench/openapi), checks both report
# the same rule IDs and levels, and prints the ratio of the median times.
#
#   scripts/bench-openapi-breaking.sh
#
# Environment:
#   BENCH_OPS        operations in each document (default 500)
#   BENCH_PACTS      consumer pacts (default 50), BENCH_INTERACTIONS per pact (default 20)
#   BENCH_RUNS       timed runs of each tool, alternating (default 7; the medians count)
#   BENCH_MAX_RATIO  fail (exit 3) when ours / oasdiff is above this (default 1.5; 0 disables)
#   BENCH_OUT        work directory (default bench/out/openapi, git-ignored)
#   OASDIFF          the oasdiff CLI (default .tools/bin/oasdiff, see scripts/install-tools.sh)
#
# Exit status: 0 same findings and the ratio is met, 1 the findings differ, 2 set-up failed,
# 3 same findings but the ratio is above BENCH_MAX_RATIO.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

ops=${BENCH_OPS:-500}
pacts=${BENCH_PACTS:-50}
interactions=${BENCH_INTERACTIONS:-20}
runs=${BENCH_RUNS:-7}
max_ratio=${BENCH_MAX_RATIO:-1.5}
out=${BENCH_OUT:-bench/out/openapi}
oasdiff=${OASDIFF:-$root/.tools/bin/oasdiff}

if [ ! -x "$oasdiff" ]; then
  echo "bench-openapi-breaking: no oasdiff CLI at $oasdiff (run scripts/install-tools.sh)" >&2
  exit 2
fi
rm -rf "$out"
mkdir -p "$out"
go build -o "$out/contracts" ./cmd/contracts
go run ./testdata/bench/openapi -ops "$ops" -pacts "$pacts" -interactions "$interactions" -out "$out"
base="$out/base.json"
rev="$out/revision.json"
pact_args=()
for p in "$out"/pacts/*.json; do pact_args+=(--pact "$p"); done

ours() { "$out/contracts" breaking --openapi "$base" --against "$rev" "${pact_args[@]}" "$@"; }
theirs() { "$oasdiff" breaking "$base" "$rev" "$@"; }

# Same findings: rule IDs, levels and operations, as sorted lists.
set +e
ours --output json >"$out/ours.json" 2>"$out/ours.err"; ours_code=$?
theirs --format json >"$out/theirs.json"; theirs_code=$?
set -e
if [ "$ours_code" -ge 2 ] || [ "$theirs_code" -ge 2 ]; then
  echo "bench-openapi-breaking: a tool failed (contracts exit $ours_code, oasdiff exit $theirs_code)" >&2
  cat "$out/ours.err" >&2
  exit 2
fi
python3 - "$out/ours.json" "$out/theirs.json" <<'PY' || exit 1
import json, sys
ours = json.load(open(sys.argv[1]))
theirs = json.load(open(sys.argv[2]))
levels = {3: "ERR", 2: "WARN", 1: "INFO"}
a = sorted((f["ruleId"], f["level"], f.get("operation", "")) for f in ours["findings"])
b = sorted((c["id"], levels[c["level"]], (c.get("operation", "") + " " + c.get("path", "")).strip()) for c in theirs)
if a != b:
    print("findings differ:\n ours only:  %s\n oasdiff only: %s" % (sorted(set(a) - set(b)), sorted(set(b) - set(a))), file=sys.stderr)
    sys.exit(1)
print("same findings: %d changes, %d break a consumer interaction" % (len(a), ours["breaking"]))
PY

# Wall and CPU (user + system) time of each run, with bash's time keyword.
TIMEFORMAT='%R %U %S'
declare -a w_ours w_theirs c_ours c_theirs
timed() { { time "$@" >/dev/null 2>&1; } 2>&1 | tail -1; }
for _ in $(seq "$runs"); do
  read -r w u s < <(timed ours || true); w_ours+=("$w"); c_ours+=("$(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')")
  read -r w u s < <(timed theirs || true); w_theirs+=("$w"); c_theirs+=("$(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mw_ours=$(median "${w_ours[@]}"); mw_theirs=$(median "${w_theirs[@]}")
mc_ours=$(median "${c_ours[@]}"); mc_theirs=$(median "${c_theirs[@]}")
ratio=$(awk -v a="$mw_ours" -v b="$mw_theirs" 'BEGIN {printf "%.2f", a / b}')
cpu_ratio=$(awk -v a="$mc_ours" -v b="$mc_theirs" 'BEGIN {printf "%.2f", a / b}')
echo "documents: $ops operations each; pacts: $pacts x $interactions interactions; $runs runs each"
echo "contracts breaking (with consumer mapping): median ${mw_ours} s wall, ${mc_ours} s CPU  (wall: ${w_ours[*]})"
echo "oasdiff breaking:                           median ${mw_theirs} s wall, ${mc_theirs} s CPU  (wall: ${w_theirs[*]})"
echo "ratio contracts / oasdiff: ${ratio}x wall, ${cpu_ratio}x CPU (target: wall at most ${max_ratio}x)"
if [ "$max_ratio" != "0" ] && awk -v r="$ratio" -v m="$max_ratio" 'BEGIN {exit !(r > m)}'; then
  exit 3
fi
