#!/usr/bin/env bash
# Firewall reads.
#  - 20,000 iptables rules in one namespace: plumb snapshot NS --json vs `ip netns exec NS iptables-save -c`
#    (target: plumb <= 1.2x: parsing must cost next to nothing)
#  - 100 namespaces with 20 rules each: plumb snapshot --json vs a shell loop of
#    `ip netns exec NS iptables-save -c` (target: plumb >= 3x faster)
source "$(dirname "$0")/lib.sh"
[ "${1:-}" = "--keep" ] || trap bench_cleanup EXIT
bench_cleanup
fw_one_namespace
echo "rules in pt-bench-fw: $(ip netns exec pt-bench-fw iptables-save | grep -c '^-A')"
echo "plumb reads: $("$PLUMB" snapshot pt-bench-fw --json | jq '[.namespaces[0].firewall.tables[].chains[].rules[]] | length') rules"
compare firewall-20k-rules "plumb/other <= 1.2" "$PLUMB fw pt-bench-fw --json" \
  "ip netns exec pt-bench-fw iptables-save -c >/dev/null"
ip netns del pt-bench-fw

fw_hundred_namespaces
ip netns list | awk '{print $1}' | grep '^pt-bench-w' > "$OUT/fwlist"
compare firewall-100ns "other/plumb >= 3" "$PLUMB fw --json" \
  "for n in \$(cat $OUT/fwlist); do ip netns exec \$n iptables-save -c; done >/dev/null"
