#!/usr/bin/env bash
# Discovery, two states, each timed side by side: Plumb `ns ls --json` vs `lsns -t net -J`, target plumb <= 0.5x.
# 1. 300 network namespaces (100 held by processes, 150 by ip-netns bind mounts, 50 only by an open fd) and
#    10,000 processes, all in the host's mount namespace; plumb also finds the fd-held namespaces lsns misses.
# 2. Many mount namespaces (issue 18): 120 `ip netns add` namespaces, 60 of them with 20 sleeps started through
#    `ip netns exec` (each gets its own mount namespace, a copy of the host's with its 120 /run/netns mounts),
#    and 2,000 host sleeps: ~3,270 processes and ~1,200 mount namespaces; then the same with host sleeps up to
#    10,000 processes. Rows: warm (the mount-table index of the previous run, /run/plumb/mount-tables, is valid:
#    every run but the first) and cold (PLUMB_MOUNT_CACHE=0: every mount table is read).
source "$(dirname "$0")/lib.sh"
[ "${1:-}" = "--keep" ] || trap bench_cleanup EXIT
bench_cleanup
NPROC=${NPROC:-10000}
SLEEP=$(command -v busybox)   # a static binary: 10,000 of them cost little memory
nprocs() { { find /proc -maxdepth 1 -name '[0-9]*' 2>/dev/null || true; } | wc -l; }  # processes exit meanwhile: never fails
if [ "${PART:-all}" != 2 ]; then   # PART=2: only the many-mount-namespaces state
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
echo "processes: $(nprocs)"
echo "lsns finds:  $(lsns -t net -J | jq '.namespaces | length') network namespaces"
echo "plumb finds: $("$PLUMB" ns ls --json | jq 'length') network namespaces" \
     "($("$PLUMB" ns ls --json | jq '[.[] | select(.heldBy == ["fd"])] | length') held only by an fd)"
compare discovery-300ns-10kproc "plumb/other <= 0.5" "$PLUMB ns ls --json" "lsns -t net -J"
compare discovery-no-fd-scan "(info)" "$PLUMB ns ls --json --no-fd-scan" "lsns -t net -J"
compare discovery-fdwalk "(info: iterator/walk)" "$PLUMB ns ls --json" "PLUMB_FD_ITER=0 $PLUMB ns ls --json"
fi

# --- 2. many mount namespaces
bench_cleanup
: > "$OUT/pids"
for i in $(seq 1 120); do echo "netns add pt-bench-x$i"; done | ip -batch -
for i in $(seq 1 60); do
  for j in $(seq 1 20); do ip netns exec "pt-bench-x$i" "$SLEEP" sleep 3600 & echo $! >> "$OUT/pids"; done
done
for i in $(seq 1 2000); do "$SLEEP" sleep 3600 & echo $! >> "$OUT/pids"; done 2>/dev/null
sleep 2
mntns_rows() {
  local n=$1
  echo "processes: $(nprocs), mount namespaces: $(lsns -t mnt -n | wc -l)"
  echo "lsns finds:  $(lsns -t net -J | jq '.namespaces | length') network namespaces"
  echo "plumb finds: $("$PLUMB" ns ls --json | jq 'length') network namespaces"
  compare "discovery-mntns-$n" "plumb/other <= 0.5" "$PLUMB ns ls --json" "lsns -t net -J"
  compare "discovery-mntns-$n-cold" "(info: no saved index)" "PLUMB_MOUNT_CACHE=0 $PLUMB ns ls --json" "lsns -t net -J"
  # The fd walk (one readlink per open fd) against the kernel's nsfs fd iterator, both Plumb.
  compare "discovery-mntns-$n-fdwalk" "(info: iterator/walk)" "$PLUMB ns ls --json" "PLUMB_FD_ITER=0 $PLUMB ns ls --json"
}
mntns_rows 3k
have=$(nprocs)
for i in $(seq 1 $((NPROC - have))); do "$SLEEP" sleep 3600 & echo $! >> "$OUT/pids"; done 2>/dev/null
sleep 2
mntns_rows 10k
