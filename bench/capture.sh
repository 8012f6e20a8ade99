#!/usr/bin/env bash
# Capture cost: plumb capture -w /dev/null and tcpdump -w /dev/null side by side on the same veth (one run, same
# traffic), 64-byte UDP at 100k and 300k packets/s and at the sender's maximum. Reports each one's kernel drops
# and CPU (on-CPU time of all the process's threads from /proc/PID/task/*/schedstat, in ns, counted while the
# traffic flows, so plumb's start-up snapshot read is not included) and the CPU ratio. DURATION seconds per rate (default 5; the issue's full run: DURATION=30).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")"
DURATION=${DURATION:-5}
RATES=${RATES:-"100000 300000 0"}
# A last run at the sender's maximum with a small kernel buffer for both (KiB): the drop comparison only means
# something when the buffers overflow. SMALL_BUFFER=0 skips it.
SMALL_BUFFER=${SMALL_BUFFER:-1024}
S=pt-bench-caps R=pt-bench-capr
trap '[ -f "$OUT/pids" ] && xargs -r kill -INT < "$OUT/pids" 2>/dev/null; sleep 0.3; bench_cleanup' EXIT
bench_cleanup

SENDER="$OUT/udp-sender"
${CC:-cc} -O2 -o "$SENDER" udp-sender.c 2>/dev/null || clang -O2 -o "$SENDER" udp-sender.c

ip netns add $S; ip netns add $R
ip link add ptbcaps netns $S type veth peer name ptbcapr netns $R
ip -n $S addr add 10.213.102.1/30 dev ptbcaps
ip -n $R addr add 10.213.102.2/30 dev ptbcapr
for ns in $S $R; do ip -n $ns link set lo up; done
ip -n $S link set ptbcaps up; ip -n $R link set ptbcapr up
ip netns exec $S ping -c 1 -W 2 10.213.102.2 >/dev/null

cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{s += $1} END {print s}'; }
wait_for() { for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; echo "never saw '$2' in $1" >&2; return 1; }
field() { grep -E "^[0-9]+ packets? $2" "$1" | awk '{print $1}' | head -1; }

runs="$RATES"; [ "$SMALL_BUFFER" != 0 ] && runs="$runs small"
for rate in $runs; do
  buf=()
  if [ "$rate" = small ]; then rate=0; buf=(-B "$SMALL_BUFFER"); label="max -B $SMALL_BUFFER"
  else label=$([ "$rate" = 0 ] && echo max || echo "$((rate / 1000))k"); fi
  ip netns exec $R tcpdump -n -i ptbcapr "${buf[@]}" -w /dev/null udp 2>"$OUT/cap-tcpdump.log" & TD=$!
  "$PLUMB" capture $R -i ptbcapr "${buf[@]}" -w /dev/null -f udp 2>"$OUT/cap-plumb.log" & PL=$!
  echo "$TD $PL" >> "$OUT/pids"
  wait_for "$OUT/cap-tcpdump.log" "listening on"; wait_for "$OUT/cap-plumb.log" "capturing on"
  t0=$(cpu_ns $TD); p0=$(cpu_ns $PL)
  read -r sent secs < <(ip netns exec $S "$SENDER" 10.213.102.2 9 "$rate" "$DURATION")
  t1=$(cpu_ns $TD); p1=$(cpu_ns $PL)
  sleep 1.5   # let the last kernel blocks (tcpdump's 1 s timeout) reach both
  kill -INT $TD $PL; wait $TD $PL || true
  tcpu=$(echo "($t1 - $t0) / 1000000000" | bc -l); pcpu=$(echo "($p1 - $p0) / 1000000000" | bc -l)
  tcap=$(field "$OUT/cap-tcpdump.log" captured); tdrop=$(field "$OUT/cap-tcpdump.log" "dropped by kernel")
  pcap=$(field "$OUT/cap-plumb.log" captured); pdrop=$(field "$OUT/cap-plumb.log" "dropped by kernel")
  pown=$(grep -E "dropped by plumb" "$OUT/cap-plumb.log" | awk '{print $1}' || true); pown=${pown:-0}
  ratio=$(echo "$pcpu / ($tcpu + 0.000001)" | bc -l)
  printf '%-34s sent %8d (%7.0f/s)  plumb: %8d captured %7d dropped (+%d own), cpu %6.3f s   tcpdump: %8d captured %7d dropped, cpu %6.3f s   cpu plumb/tcpdump %5.2f   (target: drops <= tcpdump, cpu <= 1.2x)\n' \
    "capture udp64 $label ${DURATION}s" "$sent" "$(echo "$sent / $secs" | bc -l)" "$pcap" "$pdrop" "$pown" "$pcpu" "$tcap" "$tdrop" "$tcpu" "$ratio" \
    | tee -a "$OUT/summary.txt"
  : > "$OUT/pids"
done
