#!/usr/bin/env bash
# Firewall reads.
#  - 20,000 iptables rules in one namespace: plumb snapshot NS --json vs `ip netns exec NS iptables-save -c`
#    (target: plumb <= 1.2x: parsing must cost next to nothing)
#  - 100 namespaces with 20 rules each: plumb snapshot --json vs a shell loop of
#    `ip netns exec NS iptables-save -c` (target: plumb >= 3x faster)
source "$(dirname "$0")/lib.sh"
[ "${1:-}" = "--keep" ] || trap bench_cleanup EXIT
bench_cleanup
ip netns add pt-bench-fw
{
  echo "*filter"
  echo ":INPUT ACCEPT [0:0]"
  echo ":FORWARD DROP [0:0]"
  echo ":OUTPUT ACCEPT [0:0]"
  for c in $(seq 1 100); do echo ":PT-C$c - [0:0]"; done
  for c in $(seq 1 100); do
    echo "-A FORWARD -s 10.213.$c.0/24 -j PT-C$c"
    for r in $(seq 1 199); do
      echo "-A PT-C$c -s 10.213.$c.$r/32 -p tcp -m tcp --dport $((1000 + r)) -m comment --comment \"rule $c/$r\" -j ACCEPT"
    done
  done
  echo "COMMIT"
} > "$OUT/rules20k.txt"
ip netns exec pt-bench-fw iptables-restore < "$OUT/rules20k.txt"
echo "rules in pt-bench-fw: $(ip netns exec pt-bench-fw iptables-save | grep -c '^-A')"
echo "plumb reads: $("$PLUMB" snapshot pt-bench-fw --json | jq '[.namespaces[0].firewall.tables[].chains[].rules[]] | length') rules"
compare firewall-20k-rules "plumb/other <= 1.2" "$PLUMB fw pt-bench-fw --json" \
  "ip netns exec pt-bench-fw iptables-save -c >/dev/null"
ip netns del pt-bench-fw

for i in $(seq 1 100); do
  ip netns add "pt-bench-w$i"
  {
    echo "*filter"; echo ":INPUT ACCEPT [0:0]"; echo ":FORWARD ACCEPT [0:0]"; echo ":OUTPUT ACCEPT [0:0]"
    for r in $(seq 1 20); do echo "-A INPUT -s 10.213.$i.$r/32 -p udp --dport $((2000 + r)) -j ACCEPT"; done
    echo "COMMIT"
  } | ip netns exec "pt-bench-w$i" iptables-restore
done
ip netns list | awk '{print $1}' | grep '^pt-bench-w' > "$OUT/fwlist"
compare firewall-100ns "other/plumb >= 3" "$PLUMB fw --json" \
  "for n in \$(cat $OUT/fwlist); do ip netns exec \$n iptables-save -c; done >/dev/null"
