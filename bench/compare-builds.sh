#!/usr/bin/env bash
# Two builds of Plumb side by side on the same state, one hyperfine run per row (a refactor must keep every
# row within 5%): snapshot of 500 namespaces, the host alone, `ns ls`, the 20,000-rule firewall and the
# 100-namespace firewall.  usage: bench/compare-builds.sh OLD_PLUMB NEW_PLUMB  (RUNS=15 by default)
source "$(dirname "$0")/lib.sh"
OLD=$(realpath "$1"); NEW=$(realpath "$2"); R=${RUNS:-15}
trap bench_cleanup EXIT
ab() {
  local name=$1; shift
  hyperfine -N --style none --warmup 2 --runs "$R" --export-json "$OUT/ab-$name.json" \
    -n old "$OLD $*" -n new "$NEW $*" >/dev/null
  printf '%-16s old %8.2f ms   new %8.2f ms   new/old %.3f\n' "$name" \
    "$(jq '.results[0].mean*1000' "$OUT/ab-$name.json")" "$(jq '.results[1].mean*1000' "$OUT/ab-$name.json")" \
    "$(jq '.results[1].mean/.results[0].mean' "$OUT/ab-$name.json")" | tee -a "$OUT/summary.txt"
}
# The state of bench/snapshot.sh (500 namespaces on 10 bridges), kept for the rows below.
PLUMB=$NEW RUNS=2 "$(dirname "$0")/snapshot.sh" --keep >/dev/null
ab snapshot-500ns snapshot --json --no-firewall
ab snapshot-host snapshot host --json --no-firewall
ab ns-ls-500 ns ls --json
bench_cleanup
# The state of bench/firewall.sh: 20,000 rules in one namespace, then 100 namespaces of 20 rules.
fw_one_namespace
ab fw-20k-rules fw pt-bench-fw --json
ip netns del pt-bench-fw
fw_hundred_namespaces
ab fw-100ns fw --json
