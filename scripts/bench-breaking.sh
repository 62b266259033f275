#!/usr/bin/env bash
# Compares `contracts breaking` with `buf breaking` on a generated module of
# 1,000 messages x 20 fields and 200 RPCs (testdata/bench/protogen), old and
# new versions with a handful of breaking changes: times both (median of
# BENCH_RUNS runs each, interleaved), checks they report the same findings
# (buf's rule ID, file, line), prints the ratio of wall-clock and of CPU
# (user + system) times.
#
#   scripts/bench-breaking.sh
#
# Environment:
#   BENCH_MESSAGES   messages (default 1000)
#   BENCH_FIELDS     fields per message (default 20)
#   BENCH_RPCS       RPCs (default 200)
#   BENCH_RUNS       timed runs of each tool (default 5; the median counts)
#   BENCH_CATEGORY   category both apply (default FILE, buf's default)
#   BENCH_MIN_RATIO  fail (exit 3) when buf's median wall time / ours is below this (default 3; 0 disables)
#   BENCH_OUT        work directory (default bench/out, git-ignored)
#   CONTRACTS_BUF    the buf binary (default .tools/bin/buf, see scripts/install-tools.sh)
#
# Exit status: 0 findings agree (and the ratio is met), 1 findings differ, 2 set-up failed,
# 3 findings agree but the ratio is below BENCH_MIN_RATIO.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

messages=${BENCH_MESSAGES:-1000}
fields=${BENCH_FIELDS:-20}
rpcs=${BENCH_RPCS:-200}
runs=${BENCH_RUNS:-5}
category=${BENCH_CATEGORY:-FILE}
min_ratio=${BENCH_MIN_RATIO:-3}
out=${BENCH_OUT:-$root/bench/out}/breaking
buf=${CONTRACTS_BUF:-$root/.tools/bin/buf}

die() { echo "bench: $*" >&2; exit 2; }
command -v jq >/dev/null || die "jq is required"
[ -x "$buf" ] || die "no buf at $buf (run scripts/install-tools.sh or set CONTRACTS_BUF)"

rm -rf "$out"
mkdir -p "$out"
echo "bench: building contracts, generating $messages messages x $fields fields and $rpcs RPCs" >&2
go build -o "$out/contracts" ./cmd/contracts || die "go build ./cmd/contracts failed"
go run ./testdata/bench/protogen -out "$out/module" -messages "$messages" -fields "$fields" -rpcs "$rpcs" || die "protogen failed"
config="{\"version\":\"v2\",\"breaking\":{\"use\":[\"$category\"]}}"
export BUF_CACHE_DIR="$out/buf-cache"

run_ours() {
  "$out/contracts" breaking --proto "$out/module/old" --against "$out/module/new" --category "$category" --output json \
    >"$out/ours.json" 2>"$out/ours.stderr" || [ $? -eq 1 ]
}
run_buf() {
  (cd "$out/module/new" && "$buf" breaking . --against ../old --config "$config" --error-format json \
    >"$out/buf.json" 2>"$out/buf.stderr") || [ $? -eq 100 ]
}

# timed NAME FUNC: appends "wall cpu" in seconds to $out/NAME.times.
timed() {
  local name=$1 fn=$2 t0 t1 c0 c1
  c0=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
  t0=$(date +%s.%N)
  "$fn" || die "$name failed: $(cat "$out/$name.stderr")"
  t1=$(date +%s.%N)
  c1=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
  echo "$(echo "$t1 - $t0" | bc -l) $(echo "($c1 - $c0) / $(getconf CLK_TCK)" | bc -l)" >>"$out/$name.times"
}

run_buf # warm buf's cache
for _ in $(seq "$runs"); do
  timed ours run_ours
  timed buf run_buf
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ours_wall=$(awk '{print $1}' "$out/ours.times" | median)
buf_wall=$(awk '{print $1}' "$out/buf.times" | median)
ours_cpu=$(awk '{print $2}' "$out/ours.times" | median)
buf_cpu=$(awk '{print $2}' "$out/buf.times" | median)

# Same findings: buf's rule ID, path inside the module, line.
jq -r '.findings[] | "\(.bufRuleId) \(.file) \(.line)"' "$out/ours.json" \
  | sed "s#^\([A-Z_]*\) $out/module/new/#\1 #; s#^\([A-Z_]*\) $out/module/old/[^ ]* #\1 - #" | sort >"$out/ours.txt"
jq -r '"\(.type) \(if .path == null or .path == "" then "-" else .path end) \(.start_line)"' "$out/buf.json" | sort >"$out/buf.txt"
count=$(wc -l <"$out/ours.txt")
if ! diff -u "$out/buf.txt" "$out/ours.txt" >"$out/diff.txt"; then
  echo "bench: findings differ (buf -, contracts +):" >&2
  cat "$out/diff.txt" >&2
  exit 1
fi

wall_ratio=$(echo "$buf_wall / $ours_wall" | bc -l)
cpu_ratio=$(echo "$buf_cpu / $ours_cpu" | bc -l)
printf 'breaking, %s: %d messages x %d fields, %d RPCs, %d findings, same in both\n' "$category" "$messages" "$fields" "$rpcs" "$count"
printf '  buf breaking        wall %.3f s  cpu %.3f s (median of %d)\n' "$buf_wall" "$buf_cpu" "$runs"
printf '  contracts breaking  wall %.3f s  cpu %.3f s (median of %d)\n' "$ours_wall" "$ours_cpu" "$runs"
printf '  ratio               wall %.1fx     cpu %.1fx\n' "$wall_ratio" "$cpu_ratio"
if [ "$min_ratio" != "0" ] && [ "$(echo "$wall_ratio < $min_ratio" | bc -l)" = "1" ]; then
  echo "bench: wall-clock ratio $(printf %.1f "$wall_ratio")x is below $min_ratio" >&2
  exit 3
fi
