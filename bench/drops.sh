#!/usr/bin/env bash
# The drops watcher's cost and its behaviour under a flood (issue 15):
# 1. UDP at 300,000 packets/s asked of the sender, forwarded from pt-bench-dsrc through pt-bench-dfwd to a
#    receiver in pt-bench-ddst that consumes them (no drops): the watcher's CPU (plumb's process plus the BPF
#    program's run time) against the CPU the machine spent on the traffic without a watcher. Target: <= 3%.
# 2. 100,000 drops/s (UDP to a port with no socket in pt-bench-ddst): what `plumb drops --for` counts against
#    what was sent, and the lost count it reports. Target: it keeps up, or reports how many it lost.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")"
bench_cleanup
SECONDS_RUN=${SECONDS_RUN:-10}
SENDER="$OUT/udp-sender"; SINK="$OUT/udp-sink"
${CC:-cc} -O2 -o "$SENDER" udp-sender.c 2>/dev/null || clang -O2 -o "$SENDER" udp-sender.c
${CC:-cc} -O2 -o "$SINK" udp-sink.c 2>/dev/null || clang -O2 -o "$SINK" udp-sink.c
tck=$(getconf CLK_TCK)
# The BPF program's own run time: kernel.bpf_stats_enabled is on only while this benchmark runs.
stats_before=$(sysctl -n kernel.bpf_stats_enabled)
trap 'sysctl -qw kernel.bpf_stats_enabled=$stats_before; bench_cleanup' EXIT
sysctl -qw kernel.bpf_stats_enabled=1
bpf_ns() { bpftool prog show name plumb_kfree_skb -j 2>/dev/null | jq '[.. | .run_time_ns? // empty] | add // 0'; }
# Busy jiffies of the whole machine (user+nice+system+irq+softirq+steal).
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
cpu_of() { awk '{print $14+$15}' "/proc/$1/stat"; }

# src 10.213.90.1 -- fwd 10.213.90.2 | 10.213.91.1 (forwarding) -- dst 10.213.91.2
for n in dsrc dfwd ddst; do ip netns add pt-bench-$n; ip -n pt-bench-$n link set lo up; done
ip -n pt-bench-dsrc link add ptbd0 type veth peer name ptbd1 netns pt-bench-dfwd
ip -n pt-bench-dfwd link add ptbd2 type veth peer name ptbd3 netns pt-bench-ddst
ip -n pt-bench-dsrc addr add 10.213.90.1/24 dev ptbd0
ip -n pt-bench-dfwd addr add 10.213.90.2/24 dev ptbd1
ip -n pt-bench-dfwd addr add 10.213.91.1/24 dev ptbd2
ip -n pt-bench-ddst addr add 10.213.91.2/24 dev ptbd3
for p in "dsrc ptbd0" "dfwd ptbd1" "dfwd ptbd2" "ddst ptbd3"; do set -- $p; ip -n pt-bench-$1 link set $2 up; done
ip -n pt-bench-dsrc route add default via 10.213.90.2
ip -n pt-bench-ddst route add default via 10.213.91.1
ip netns exec pt-bench-dfwd sysctl -qw net.ipv4.ip_forward=1
# Resolve the neighbours first, so the first packets do not wait for ARP.
ip netns exec pt-bench-dsrc ping -c1 -W1 10.213.91.2 >/dev/null

# pps_run WATCH: prints "busy_cpu_s received sent plumb_cpu_s bpf_s" for one run of SECONDS_RUN.
pps_run() {
  local watch=$1 wpid="" b0 b1 p0=0 p1=0 r0=0 r1=0 sent spid
  if [ "$watch" = 1 ]; then
    "$PLUMB" drops --for $((SECONDS_RUN + 3))s --json > "$OUT/drops-watch.json" 2>/dev/null & wpid=$!
    echo $wpid >> "$OUT/pids"; sleep 1.5
  fi
  ip netns exec pt-bench-ddst "$SINK" 9000 $((SECONDS_RUN + 1)) > "$OUT/sink.txt" & spid=$!
  sleep 0.3
  b0=$(busy)
  if [ -n "$wpid" ]; then p0=$(cpu_of $wpid); r0=$(bpf_ns); fi
  sent=$(ip netns exec pt-bench-dsrc "$SENDER" 10.213.91.2 9000 300000 "$SECONDS_RUN" | awk '{print $1}')
  b1=$(busy)
  if [ -n "$wpid" ]; then p1=$(cpu_of $wpid); r1=$(bpf_ns); fi
  wait $spid
  if [ -n "$wpid" ]; then wait $wpid; fi
  echo "$(echo "($b1 - $b0) / $tck" | bc -l) $(cat "$OUT/sink.txt") $sent $(echo "($p1 - $p0) / $tck" | bc -l) $(echo "($r1 - $r0) / 1000000000" | bc -l)"
}
read -r busy_off got_off sent_off _ _ < <(pps_run 0)
read -r busy_on got_on sent_on plumb_cpu bpf_cpu < <(pps_run 1)
drops_seen=$(jq '.total' "$OUT/drops-watch.json")
mode=$(jq -r '.mode' "$OUT/drops-watch.json")
extra=$(echo "100 * ($plumb_cpu + $bpf_cpu) / $busy_off" | bc -l)
printf '%-26s %s: %d pps sent, %d received (watcher off: %d / %d); machine busy %.2f CPU-s off, %.2f on; watcher %.3f CPU-s (plumb) + %.4f s (BPF) = %.2f%% of the traffic'"'"'s CPU; %s drops seen host-wide   (target: <= 3%%)   load %s\n' \
  "drops: forwarding, 0 drops" "$mode" "$((sent_on / SECONDS_RUN))" "$got_on" "$got_off" "$sent_off" "$busy_off" "$busy_on" \
  "$plumb_cpu" "$bpf_cpu" "$extra" "$drops_seen" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/summary.txt"

# 2. 100,000 drops/s: datagrams to a port nobody listens on (NO_SOCKET in pt-bench-ddst).
"$PLUMB" drops pt-bench-ddst --for $((SECONDS_RUN + 2))s --json > "$OUT/drops-flood.json" 2>/dev/null & wpid=$!
echo $wpid >> "$OUT/pids"; sleep 1
r0=$(bpf_ns)
sent=$(ip netns exec pt-bench-dsrc "$SENDER" 10.213.91.2 9001 100000 "$SECONDS_RUN" | awk '{print $1}')
r1=$(bpf_ns)
p=$(cpu_of $wpid)
wait $wpid
seen=$(jq '[.groups[] | select(.reason == "NO_SOCKET") | .count] | add // 0' "$OUT/drops-flood.json")
lost=$(jq '.lost' "$OUT/drops-flood.json")
printf '%-26s %d drops/s sent: %d seen (%.2f%%), %d reported lost, %d unaccounted; plumb %.2f CPU-s over %d s (%.1f%% of a core), BPF %.3f s   (target: keeps up or reports its losses)\n' \
  "drops: 100k drops/s" "$((sent / SECONDS_RUN))" "$seen" "$(echo "100 * $seen / $sent" | bc -l)" "$lost" "$((sent - seen - lost))" \
  "$(echo "$p / $tck" | bc -l)" "$SECONDS_RUN" "$(echo "100 * $p / $tck / $SECONDS_RUN" | bc -l)" \
  "$(echo "($r1 - $r0) / 1000000000" | bc -l)" | tee -a "$OUT/summary.txt"

# 3. The same flood recorded by the tool a user would otherwise reach for: `perf record -e skb:kfree_skb -a`,
#    which also writes every drop (reason, location) to user space. Its own CPU and what it recorded and lost,
#    beside plumb's row above (plumb's includes decoding each drop and attributing it; perf only stores them).
perf record -q -e skb:kfree_skb -a -o "$OUT/drops-perf.data" -- sleep $((SECONDS_RUN + 2)) 2>/dev/null & ppid=$!
echo $ppid >> "$OUT/pids"; sleep 1
sent=$(ip netns exec pt-bench-dsrc "$SENDER" 10.213.91.2 9001 100000 "$SECONDS_RUN" | awk '{print $1}')
pp=$(cpu_of $ppid)
wait $ppid || true
precorded=$(perf script -i "$OUT/drops-perf.data" -F event 2>/dev/null | grep -c kfree_skb || true)
plost=$(perf report -i "$OUT/drops-perf.data" --stats 2>/dev/null | awk '/LOST_SAMPLES|LOST events/ {s += $NF} END {print s + 0}')
# The two floods reach different rates on a loaded machine: compare CPU per drop, not per run.
us_plumb=$(echo "1000000 * $p / $tck / ($seen + 1)" | bc -l); us_perf=$(echo "1000000 * $pp / $tck / ($precorded + 1)" | bc -l)
printf '%-26s %d drops/s sent: perf recorded %d kfree_skb events host-wide, %d reported lost; perf %.2f CPU-s over %d s (%.1f%% of a core); CPU per drop plumb %.2f us, perf %.2f us: plumb/perf %.1fx\n' \
  "drops: 100k/s, perf" "$((sent / SECONDS_RUN))" "$precorded" "$plost" "$(echo "$pp / $tck" | bc -l)" "$SECONDS_RUN" \
  "$(echo "100 * $pp / $tck / $SECONDS_RUN" | bc -l)" "$us_plumb" "$us_perf" "$(echo "$us_plumb / ($us_perf + 0.000001)" | bc -l)" | tee -a "$OUT/summary.txt"
