#!/usr/bin/env bash
# make bench: every benchmark, side by side with the tool a user would otherwise use, ratios printed.
# Results go to bench/out/summary.txt; copy the numbers into BENCHMARKS.md with the command that made them.
set -euo pipefail
export PLUMB=$(realpath "${1:-$(dirname "$0")/../.build/release/plumb}")
cd "$(dirname "$0")"
export OUT=$PWD/out
mkdir -p "$OUT"
: > "$OUT/summary.txt"
echo "plumb benchmarks — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, kernel $(uname -r)"
for b in discovery snapshot sockets firewall conntrack tui tui-capture tui-map capture doctor map livetrace drops drops-first drops-window; do
  echo "== $b"
  ./$b.sh 2>&1 | grep -v -iE 'warning|outlier|^ *$|consider|caches'
done
echo "== networks"; ./networks.sh 2>&1 | grep -v -iE 'warning|^ *$'
echo "== cluster"; ./cluster.sh 2>&1 | grep -v -iE "warning|^ *$"
echo "== overlay agent"; ./overlay-agent.sh 2>&1 | grep -v -iE "warning|^ *$"
echo
echo "== summary"
cat "$OUT/summary.txt"
