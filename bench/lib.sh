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

# The networks benchmark's state and Plumb's runs on it, shared by networks.sh and compare-builds.sh. Everything
# lives in pt-cni-bench-* namespaces (not pt-bench-*: bench_cleanup in a benchmark running at the same time would
# delete them mid-run); pt-cni-bench-host plays the host (plumb --host-ns). Addresses: 10.213.150.0/19 only.
NETS=10 PER=20 N=$((10 * 20))
HOSTNS=pt-cni-bench-host
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# Deletes exactly the networks benchmark's namespaces (every link it makes lives in them).
networks_cleanup() {
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^pt-cni-bench-' || true); do ip netns del "$ns"; done
}
# The stand-in host and the N target namespaces pt-cni-bench-e1..N.
networks_state() {
  ip netns add $HOSTNS
  ip -n $HOSTNS link set lo up
  for i in $(seq 1 $N); do ip netns add pt-cni-bench-e$i; done
}
# Network k (0..9): subnet 10.213.(150+k).0/24, gateway .1, bridge ptcnibr$k; endpoint i of it: target
# pt-cni-bench-e$((k*20+i)), address .(i+1), host port 20000+k*20+i-1 -> 80.
targets() { local k=$1; for i in $(seq 1 $PER); do printf 'pt-cni-bench-e%d ' $((k * PER + i)); done; }
# networks_plumb_run PLUMB STATE_DIR: 10 x `net create`, 10 x bulk `net connect` of 20 targets with published
# ports, one `net rm --force` of all ten; sets P_CREATE, P_CONNECT, P_TEARDOWN, P_TOTAL (ms).
networks_plumb_run() {
  local plumb=$1 state=$2 t
  rm -rf "$state"
  t=$(date +%s%N)
  for k in $(seq 0 $((NETS - 1))); do
    "$plumb" net create ptbn$k --subnet 10.213.$((150 + k)).0/24 --bridge ptcnibr$k --host-ns $HOSTNS --state-dir "$state" >/dev/null
  done
  P_CREATE=$(ms $t); t=$(date +%s%N)
  for k in $(seq 0 $((NETS - 1))); do
    local lo=$((20000 + k * PER))
    # shellcheck disable=SC2046
    "$plumb" net connect ptbn$k $(targets $k) -p $lo-$((lo + PER - 1)):80 --host-ns $HOSTNS --state-dir "$state" >/dev/null
  done
  P_CONNECT=$(ms $t); t=$(date +%s%N)
  # shellcheck disable=SC2046
  "$plumb" net rm $(for k in $(seq 0 $((NETS - 1))); do printf 'ptbn%d ' $k; done) --force --host-ns $HOSTNS --state-dir "$state" >/dev/null
  P_TEARDOWN=$(ms $t)
  P_TOTAL=$((P_CREATE + P_CONNECT + P_TEARDOWN))
}
# networks_percall_run PLUMB STATE_DIR MODE COUNT: COUNT endpoints on network ptbnpc (bridge ptcnibrpc,
# 10.213.170.0/24), one call each: MODE "two" (`ns add X` + `net connect NET X`) or "one" (`net connect NET
# --new-ns X`), then `ns rm X --force` each; sets PC_CREATE, PC_DELETE (ms).
networks_percall_run() {
  local plumb=$1 state=$2 mode=$3 count=$4 t
  rm -rf "$state"
  "$plumb" net create ptbnpc --subnet 10.213.170.0/24 --bridge ptcnibrpc --host-ns $HOSTNS --state-dir "$state" >/dev/null
  t=$(date +%s%N)
  for i in $(seq 1 "$count"); do
    if [ "$mode" = two ]; then
      "$plumb" ns add pt-cni-bench-p$i --state-dir "$state" >/dev/null
      "$plumb" net connect ptbnpc pt-cni-bench-p$i --host-ns $HOSTNS --state-dir "$state" >/dev/null
    else
      "$plumb" net connect ptbnpc --new-ns pt-cni-bench-p$i --host-ns $HOSTNS --state-dir "$state" >/dev/null
    fi
  done
  PC_CREATE=$(ms $t); t=$(date +%s%N)
  for i in $(seq 1 "$count"); do "$plumb" ns rm pt-cni-bench-p$i --force --host-ns $HOSTNS --state-dir "$state" >/dev/null; done
  PC_DELETE=$(ms $t)
  "$plumb" net rm ptbnpc --force --host-ns $HOSTNS --state-dir "$state" >/dev/null
}
