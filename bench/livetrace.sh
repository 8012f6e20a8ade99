#!/usr/bin/env bash
# plumb trace --live: how soon the answer comes after the probe is sent (target: within 1 s), measured by the
# command itself (live.elapsedMillis: probe sent → analysis done), on a 3-namespace Docker-like path (DNAT, FORWARD
# policy DROP, accept rule). Also the whole command beside the static trace of the same path, for reference.
source "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
bench_cleanup
STATE=$(mktemp -d /tmp/pt-bench-lt-state.XXXXXX)
for n in a h b; do ip netns add pt-bench-lt-$n; ip -n pt-bench-lt-$n link set lo up; done
ip -n pt-bench-lt-h link add ptbltA type veth peer name eth0 netns pt-bench-lt-a
ip -n pt-bench-lt-h link add ptbltB type veth peer name eth0 netns pt-bench-lt-b
ip -n pt-bench-lt-a addr add 10.213.60.2/24 dev eth0; ip -n pt-bench-lt-a link set eth0 up
ip -n pt-bench-lt-b addr add 10.213.61.2/24 dev eth0; ip -n pt-bench-lt-b link set eth0 up
ip -n pt-bench-lt-h addr add 10.213.60.1/24 dev ptbltA; ip -n pt-bench-lt-h link set ptbltA up
ip -n pt-bench-lt-h addr add 10.213.61.1/24 dev ptbltB; ip -n pt-bench-lt-h link set ptbltB up
ip -n pt-bench-lt-a route add default via 10.213.60.1; ip -n pt-bench-lt-b route add default via 10.213.61.1
ip netns exec pt-bench-lt-h sysctl -qw net.ipv4.ip_forward=1
ip netns exec pt-bench-lt-h iptables-restore <<'RULES'
*nat
:PREROUTING ACCEPT [0:0]
:PT-DNAT - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j PT-DNAT
-A PT-DNAT -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.213.61.2:80
COMMIT
*filter
:FORWARD DROP [0:0]
:PT-FWD - [0:0]
-A FORWARD -j PT-FWD
-A PT-FWD -d 10.213.61.2/32 -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
RULES
runs=${LIVE_RUNS:-20}
: > "$OUT/livetrace-ms"
for i in $(seq 1 "$runs"); do
  "$PLUMB" trace pt-bench-lt-a 10.213.60.1 --port 8080 --live --json --no-fd-scan --state-dir "$STATE" \
    | jq '.live.elapsedMillis' >> "$OUT/livetrace-ms"
done
sort -n "$OUT/livetrace-ms" | awk -v runs="$runs" '{ v[NR] = $1; s += $1 } END {
  printf "%-34s probe→answer mean %6.1f ms   p50 %5d ms   max %5d ms   (%d runs; target: within 1000 ms)\n",
    "live-trace-answer", s / NR, v[int((NR + 1) / 2)], v[NR], runs }' | tee -a "$OUT/summary.txt"
compare live-trace-command "for reference: the whole command beside the static trace" \
  "$PLUMB trace pt-bench-lt-a 10.213.60.1 --port 8080 --live --no-fd-scan --state-dir $STATE" \
  "$PLUMB trace pt-bench-lt-a 10.213.60.1 --port 8080 --no-fd-scan"
rm -rf "$STATE"
