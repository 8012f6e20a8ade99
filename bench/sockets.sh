#!/usr/bin/env bash
# Sockets, on the snapshot benchmark's 500 namespaces, each given a TCP listener and a UDP socket, and every 10th
# one TCP connection (both ends; CONNECT_EVERY=1 for all), by one helper process (socket-holder.py):
#  - plumb ss host --json vs ss -tuanp (target: <= 1.2x)
#  - every namespace: plumb ss -t -u --json vs a loop of `ip netns exec NS ss -tuan` (target: >= 20x faster)
#  - what reading sockets adds to the snapshot: plumb snapshot --json --no-firewall --sockets vs the same without
#    (decides whether the snapshot reads them by default)
source "$(dirname "$0")/lib.sh"
[ "${1:-}" = "--keep" ] || trap bench_cleanup EXIT
bench_cleanup
snapshot_state "${NNS:-500}"
ip netns list | awk '{print $1}' | grep '^pt-bench-s' > "$OUT/nslist"
python3 "$(dirname "$0")/socket-holder.py" $(cat "$OUT/nslist") > "$OUT/holder.out" &
echo $! >> "$OUT/pids"
for _ in $(seq 1 100); do grep -q ready "$OUT/holder.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$OUT/holder.out" || { echo "socket-holder.py did not start"; exit 1; }
# Check both sides see the same sockets in one namespace before timing them.
one=$(head -1 "$OUT/nslist")
theirs=$(ip netns exec "$one" ss -tuanH | wc -l)
ours=$("$PLUMB" ss "$one" -t -u --json | jq '.[0].sockets | length')
[ "$theirs" = "$ours" ] || { echo "socket counts differ in $one: ss $theirs, plumb $ours"; exit 1; }
compare ss-host "plumb/other <= 1.2" "$PLUMB ss host --json" "ss -tuanp"
loop="for n in \$(cat $OUT/nslist); do ip netns exec \$n ss -tuan; done >/dev/null"
compare ss-500ns ">= 20x faster (other/plumb)" "$PLUMB ss -t -u --json" "$loop"
compare snapshot-sockets-cost "plumb(with)/other(without), for the default" \
  "$PLUMB snapshot --json --no-firewall --sockets" "$PLUMB snapshot --json --no-firewall"
