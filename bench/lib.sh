# Shared helpers for the benchmarks: side-by-side timing with hyperfine, ratio printing, and cleanup of
# everything a benchmark creates (prefix pt-bench / ptb, like the tests' pt prefix).
set -euo pipefail
PLUMB=${PLUMB:-$(cd "$(dirname "$0")/.." && pwd)/.build/release/plumb}
RUNS=${RUNS:-5}
OUT=${OUT:-$(cd "$(dirname "$0")" && pwd)/out}
mkdir -p "$OUT"

# compare NAME TARGET_TEXT PLUMB_CMD OTHER_CMD: times both in one hyperfine run and prints
# "NAME: plumb X ms, other Y ms, ratio plumb/other R (target ...)".
compare() {
  local name=$1 target=$2 ours=$3 theirs=$4
  local json="$OUT/$name.json"
  hyperfine --style none --warmup 1 --runs "$RUNS" --export-json "$json" -n plumb "$ours" -n other "$theirs" >/dev/null
  local a b
  a=$(jq '.results[0].mean * 1000' "$json")
  b=$(jq '.results[1].mean * 1000' "$json")
  printf '%-34s plumb %9.1f ms   other %9.1f ms   plumb/other %6.3f   other/plumb %7.2f   (target: %s)\n' \
    "$name" "$a" "$b" "$(echo "$a / $b" | bc -l)" "$(echo "$b / $a" | bc -l)" "$target" | tee -a "$OUT/summary.txt"
}

# Deletes every benchmark namespace and link; kills benchmark processes by the pids recorded in $OUT/pids.
bench_cleanup() {
  if [ -f "$OUT/pids" ]; then xargs -r kill -9 < "$OUT/pids" 2>/dev/null || true; rm -f "$OUT/pids"; fi
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^pt-bench' || true); do ip netns del "$ns"; done
  for l in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^ptb' || true); do ip link del "$l" 2>/dev/null || true; done
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^pt-bench' || true); do ip netns del "$ns"; done
}

# The firewall benchmarks' states, shared by bench/firewall.sh and bench/compare-builds.sh.
# fw_one_namespace: pt-bench-fw with 20,000 rules (100 user chains of 199 rules, each jumped to from FORWARD).
fw_one_namespace() {
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
}
# fw_hundred_namespaces: pt-bench-w1..100 with 20 INPUT rules each.
fw_hundred_namespaces() {
  for i in $(seq 1 100); do
    ip netns add "pt-bench-w$i"
    {
      echo "*filter"; echo ":INPUT ACCEPT [0:0]"; echo ":FORWARD ACCEPT [0:0]"; echo ":OUTPUT ACCEPT [0:0]"
      for r in $(seq 1 20); do echo "-A INPUT -s 10.213.$i.$r/32 -p udp --dport $((2000 + r)) -j ACCEPT"; done
      echo "COMMIT"
    } | ip netns exec "pt-bench-w$i" iptables-restore
  done
}

# The snapshot benchmarks' state, shared by snapshot.sh and sockets.sh: N namespaces pt-bench-s1..N, each with a
# veth (addressed, default route) into one of 10 host bridges ptbbr0..9.
snapshot_state() {
  local N=$1
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
}
