#!/usr/bin/env bash
# Full snapshot: 500 namespaces, each with a veth (addressed, default route) into one of 10 host bridges.
#  - plumb snapshot --json --no-firewall vs a shell loop of `ip -n NS -j -s link/addr/route` (target: >= 20x faster)
#  - host alone: plumb snapshot host --json --no-firewall vs `ip -j -s link` + `bridge -j link` (target: <= 1.3x)
source "$(dirname "$0")/lib.sh"
[ "${1:-}" = "--keep" ] || trap bench_cleanup EXIT
bench_cleanup
snapshot_state "${NNS:-500}"
NSLIST=$(ip netns list | awk '{print $1}' | grep '^pt-bench-s' | tr '\n' ' ')
echo "$NSLIST" > "$OUT/nslist"
loop="for n in \$(cat $OUT/nslist); do ip -n \$n -j -s link show; ip -n \$n -j addr show; ip -n \$n -j route show; done >/dev/null"
compare snapshot-500ns ">= 20x faster (other/plumb)" "$PLUMB snapshot --json --no-firewall" "$loop"
compare snapshot-host-only "plumb/other <= 1.3" "$PLUMB snapshot host --json --no-firewall" "ip -j -s link show >/dev/null; bridge -j link show >/dev/null"
