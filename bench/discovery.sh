#!/usr/bin/env bash
# Discovery: 300 network namespaces (100 held by processes, 150 by ip-netns bind mounts, 50 only by an open fd)
# and 10,000 processes. Plumb `ns ls --json` vs `lsns -t net -J`. Target: plumb <= 0.5x lsns, and plumb also
# finds the fd-held namespaces that lsns misses.
source "$(dirname "$0")/lib.sh"
[ "${1:-}" = "--keep" ] || trap bench_cleanup EXIT
bench_cleanup
NPROC=${NPROC:-10000}
SLEEP=$(command -v busybox)   # a static binary: 10,000 of them cost little memory
: > "$OUT/pids"
for i in $(seq 1 100); do unshare -n "$SLEEP" sleep 3600 & echo $! >> "$OUT/pids"; done
for i in $(seq 1 150); do echo "netns add pt-bench-m$i"; done | ip -batch -
for i in $(seq 1 50); do
  ip netns add "pt-bench-f$i"
  bash -c "exec 3</run/netns/pt-bench-f$i; exec $SLEEP sleep 3600" & echo $! >> "$OUT/pids"
done
sleep 1
for i in $(seq 1 50); do ip netns del "pt-bench-f$i"; done
for i in $(seq 1 $((NPROC - 150))); do "$SLEEP" sleep 3600 & echo $! >> "$OUT/pids"; done 2>/dev/null
sleep 2
echo "processes: $(ls -d /proc/[0-9]* | wc -l)"
echo "lsns finds:  $(lsns -t net -J | jq '.namespaces | length') network namespaces"
echo "plumb finds: $("$PLUMB" ns ls --json | jq 'length') network namespaces" \
     "($("$PLUMB" ns ls --json | jq '[.[] | select(.heldBy == ["fd"])] | length') held only by an fd)"
compare discovery-300ns-10kproc "plumb/other <= 0.5" "$PLUMB ns ls --json" "lsns -t net -J"
compare discovery-no-fd-scan "(info)" "$PLUMB ns ls --json --no-fd-scan" "lsns -t net -J"
