#!/usr/bin/env bash
# Conntrack: a 100,000-entry table in pt-bench-ct (TCP ESTABLISHED entries, every 50th DNATed, made over
# ctnetlink by conntrack-fill.c in about a second), read by plumb and by conntrack-tools, side by side:
#  - plumb conntrack NS --json vs `ip netns exec NS conntrack -L` (target: plumb <= 1.2x)
#  - plumb conntrack NS (text) vs the same                          (target: plumb <= 1.2x)
source "$(dirname "$0")/lib.sh"
[ "${1:-}" = "--keep" ] || trap bench_cleanup EXIT
bench_cleanup
FILL="$OUT/conntrack-fill"
${CC:-cc} -O2 -o "$FILL" "$(dirname "$0")/conntrack-fill.c" 2>/dev/null || clang -O2 -o "$FILL" "$(dirname "$0")/conntrack-fill.c"
ip netns add pt-bench-ct
ip netns exec pt-bench-ct "$FILL" 100000
echo "entries in pt-bench-ct: $(ip netns exec pt-bench-ct cat /proc/sys/net/netfilter/nf_conntrack_count)"
echo "plumb reads: $("$PLUMB" conntrack pt-bench-ct --json | jq '.shown') entries, $("$PLUMB" conntrack pt-bench-ct --nat --json | jq '.shown') with NAT"
compare conntrack-100k-json "plumb/other <= 1.2" "$PLUMB conntrack pt-bench-ct --json" \
  "ip netns exec pt-bench-ct conntrack -L"
compare conntrack-100k-text "plumb/other <= 1.2" "$PLUMB conntrack pt-bench-ct" \
  "ip netns exec pt-bench-ct conntrack -L"
ip netns del pt-bench-ct
