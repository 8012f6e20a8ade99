#!/usr/bin/env bash
# Full snapshot: 500 namespaces, each with a veth (addressed, default route) into one of 10 host bridges.
#  - plumb snapshot --json --no-firewall vs a shell loop of `ip -n NS -j -s link/addr/route` (target: >= 20x faster)
#  - host alone: plumb snapshot host --json --no-firewall vs `ip -j -s link` + `bridge -j link` (target: <= 1.3x)
source "$(dirname "$0")/lib.sh"
[ "${1:-}" = "--keep" ] || trap bench_cleanup EXIT
bench_cleanup
N=${NNS:-500}
{
  for b in $(seq 0 9); do
    echo "link add ptbbr$b type bridge"
    echo "addr add 10.213.$((100 + b)).1/24 dev ptbbr$b"
    echo "link set ptbbr$b up"
  done
  for i in $(seq 1 "$N"); do
    echo "netns add pt-bench-s$i"
    echo "link add ptbv$i type veth peer name eth0 netns pt-bench-s$i"
    echo "link set ptbv$i master ptbbr$((i % 10)) up"
  done
} | ip -batch -
for i in $(seq 1 "$N"); do
  b=$((i % 10)); h=$((i / 10 + 2))
  printf 'addr add 10.213.%d.%d/24 dev eth0\nlink set eth0 up\nlink set lo up\nroute add default via 10.213.%d.1\n' \
    $((100 + b)) "$h" $((100 + b)) | ip -n "pt-bench-s$i" -batch -
done
NSLIST=$(ip netns list | awk '{print $1}' | grep '^pt-bench-s' | tr '\n' ' ')
echo "$NSLIST" > "$OUT/nslist"
loop="for n in \$(cat $OUT/nslist); do ip -n \$n -j -s link show; ip -n \$n -j addr show; ip -n \$n -j route show; done >/dev/null"
compare snapshot-500ns ">= 20x faster (other/plumb)" "$PLUMB snapshot --json --no-firewall" "$loop"
compare snapshot-host-only "plumb/other <= 1.3" "$PLUMB snapshot host --json --no-firewall" "ip -j -s link show >/dev/null; bridge -j link show >/dev/null"
