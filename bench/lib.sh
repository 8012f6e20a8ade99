# Shared helpers for the benchmarks: side-by-side timing with hyperfine, ratio printing, and cleanup of
# everything a benchmark creates (prefix pt-bench / ptb, like the tests' pt prefix).
set -euo pipefail
PLUMB=${PLUMB:-$(cd "$(dirname "$0")/.." && pwd)/.build/release/plumb}
RUNS=${RUNS:-5}
OUT=${OUT:-$(cd "$(dirname "$0")" && pwd)/out}
mkdir -p "$OUT"

# compare NAME TARGET_TEXT PLUMB_CMD OTHER_CMD: times both in one hyperfine run and prints
# "NAME: plumb X ms, other Y ms, ratio plumb/other R (target ...)".
compare() {
  local name=$1 target=$2 ours=$3 theirs=$4
  local json="$OUT/$name.json"
  hyperfine --style none --warmup 1 --runs "$RUNS" --export-json "$json" -n plumb "$ours" -n other "$theirs" >/dev/null
  local a b
  a=$(jq '.results[0].mean * 1000' "$json")
  b=$(jq '.results[1].mean * 1000' "$json")
  printf '%-34s plumb %9.1f ms   other %9.1f ms   plumb/other %6.3f   other/plumb %7.2f   (target: %s)\n' \
    "$name" "$a" "$b" "$(echo "$a / $b" | bc -l)" "$(echo "$b / $a" | bc -l)" "$target" | tee -a "$OUT/summary.txt"
}

# Deletes every benchmark namespace and link; kills benchmark processes by the pids recorded in $OUT/pids.
bench_cleanup() {
  if [ -f "$OUT/pids" ]; then xargs -r kill -9 < "$OUT/pids" 2>/dev/null || true; rm -f "$OUT/pids"; fi
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^pt-bench' || true); do ip netns del "$ns"; done
  for l in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^ptb' || true); do ip link del "$l" 2>/dev/null || true; done
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^pt-bench' || true); do ip netns del "$ns"; done
}
