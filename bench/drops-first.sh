#!/usr/bin/env bash
# Time to the first drop line of `plumb drops` (issue 15): a steady trickle of drops (UDP to a port a DROP rule
# closes, 50 datagrams/s) in pt-bench-dfb; each run starts `plumb drops pt-bench-dfb --max-events 1` and times
# until its first line arrives; the run's CPU (user+sys) is that of the whole command, start to exit.
#   RUNS=10 bench/drops-first.sh                      # this build
#   BEFORE=/path/to/old/plumb RUNS=10 bench/drops-first.sh   # and an older build, alternating runs
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")"
bench_cleanup
trap bench_cleanup EXIT
RUNS=${RUNS:-10}
for n in dfa dfb; do ip netns add pt-bench-$n; ip -n pt-bench-$n link set lo up; done
ip -n pt-bench-dfa link add ptbf0 type veth peer name ptbf1 netns pt-bench-dfb
ip -n pt-bench-dfa addr add 10.213.93.1/24 dev ptbf0
ip -n pt-bench-dfb addr add 10.213.93.2/24 dev ptbf1
ip -n pt-bench-dfa link set ptbf0 up; ip -n pt-bench-dfb link set ptbf1 up
ip netns exec pt-bench-dfb iptables -A INPUT -p udp --dport 7999 -j DROP
ip netns exec pt-bench-dfa bash -c 'while :; do echo x > /dev/udp/10.213.93.2/7999; sleep 0.02; done' &
echo $! >> "$OUT/pids"

# one BINARY: prints "first_line_s wall_s cpu_s" for one run.
one() {
  local t0 first
  t0=$(date +%s.%N)
  first=$( { /usr/bin/time -f "%e %U %S" -o "$OUT/drops-first.time" "$1" drops pt-bench-dfb --max-events 1 2>/dev/null \
            | { read -r _; date +%s.%N; cat >/dev/null; }; } )
  read -r wall user sys < "$OUT/drops-first.time"
  echo "$(echo "$first - $t0" | bc -l) $wall $(echo "$user + $sys" | bc -l)"
}
declare -A sum_first sum_wall sum_cpu min_first max_first
builds=(new)
[ -n "${BEFORE:-}" ] && builds=(old new)
for b in "${builds[@]}"; do sum_first[$b]=0; sum_wall[$b]=0; sum_cpu[$b]=0; min_first[$b]=999; max_first[$b]=0; done
for i in $(seq "$RUNS"); do
  for b in "${builds[@]}"; do
    bin=$PLUMB; [ "$b" = old ] && bin=$BEFORE
    read -r f w c < <(one "$bin")
    sum_first[$b]=$(echo "${sum_first[$b]} + $f" | bc -l); sum_wall[$b]=$(echo "${sum_wall[$b]} + $w" | bc -l)
    sum_cpu[$b]=$(echo "${sum_cpu[$b]} + $c" | bc -l)
    (( $(echo "$f < ${min_first[$b]}" | bc -l) )) && min_first[$b]=$f
    (( $(echo "$f > ${max_first[$b]}" | bc -l) )) && max_first[$b]=$f
  done
done
for b in "${builds[@]}"; do
  printf '%-28s %s: first drop line %.3f s mean (%.3f–%.3f), command %.3f s wall, %.3f CPU-s, %d runs   load %s\n' \
    "drops: time to first line" "$b" "$(echo "${sum_first[$b]} / $RUNS" | bc -l)" "${min_first[$b]}" "${max_first[$b]}" \
    "$(echo "${sum_wall[$b]} / $RUNS" | bc -l)" "$(echo "${sum_cpu[$b]} / $RUNS" | bc -l)" "$RUNS" "$(cut -d' ' -f1 /proc/loadavg)" \
    | tee -a "$OUT/summary.txt"
done
