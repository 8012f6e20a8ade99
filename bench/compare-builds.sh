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
ip netns add pt-bench-fw
{
  echo "*filter"; echo ":INPUT ACCEPT [0:0]"; echo ":FORWARD DROP [0:0]"; echo ":OUTPUT ACCEPT [0:0]"
  for c in $(seq 1 100); do echo ":PT-C$c - [0:0]"; done
  for c in $(seq 1 100); do
    echo "-A FORWARD -s 10.213.$c.0/24 -j PT-C$c"
    for r in $(seq 1 199); do
      echo "-A PT-C$c -s 10.213.$c.$r/32 -p tcp -m tcp --dport $((1000 + r)) -m comment --comment \"rule $c/$r\" -j ACCEPT"
    done
  done
  echo "COMMIT"
} | ip netns exec pt-bench-fw iptables-restore
ab fw-20k-rules fw pt-bench-fw --json
ip netns del pt-bench-fw
for i in $(seq 1 100); do
  ip netns add "pt-bench-w$i"
  {
    echo "*filter"; echo ":INPUT ACCEPT [0:0]"; echo ":FORWARD ACCEPT [0:0]"; echo ":OUTPUT ACCEPT [0:0]"
    for r in $(seq 1 20); do echo "-A INPUT -s 10.213.$i.$r/32 -p udp --dport $((2000 + r)) -j ACCEPT"; done
    echo "COMMIT"
  } | ip netns exec "pt-bench-w$i" iptables-restore
done
ab fw-100ns fw --json
