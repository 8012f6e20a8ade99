#!/usr/bin/env bash
# The live TUI on 500 namespaces / 1,000 veth ends (each namespace's veth into one of 10 bridges):
#  - CPU over 20 s at the default 1 s refresh, next to `htop -d 10` in the same terminal size (target: plumb at
#    most 0.5x htop's CPU and under 3% of a core);
#  - flap-to-screen latency: a link is set down/up and the screen polled (every 10 ms) until it shows the new
#    state (target: 95th percentile under 250 ms).
source "$(dirname "$0")/lib.sh"
[ "${1:-}" = "--keep" ] || trap 'tmux kill-session -t pt-bench-tui 2>/dev/null; tmux kill-session -t pt-bench-htop 2>/dev/null; bench_cleanup' EXIT
bench_cleanup
N=${NNS:-500}
{
  for b in $(seq 0 9); do echo "link add ptbbr$b type bridge"; echo "link set ptbbr$b up"; done
  for i in $(seq 1 "$N"); do
    echo "netns add pt-bench-s$i"
    echo "link add ptbv$i type veth peer name eth0 netns pt-bench-s$i"
    echo "link set ptbv$i master ptbbr$((i % 10)) up"
  done
} | ip -batch -
for i in $(seq 1 "$N"); do ip -n "pt-bench-s$i" link set eth0 up; done

cpu_of() {  # utime+stime ticks of a pid and its threads
  awk '{print $14 + $15}' "/proc/$1/stat"
}
measure_cpu() {  # pid seconds -> percent of one core
  local pid=$1 secs=$2 a b hz
  hz=$(getconf CLK_TCK); a=$(cpu_of "$pid"); sleep "$secs"; b=$(cpu_of "$pid")
  echo "scale=2; ($b - $a) * 100 / ($hz * $secs)" | bc -l
}

tmux new-session -d -s pt-bench-tui -x 200 -y 60 "env TERM=xterm-256color $PLUMB --interval 1"
sleep 5
tmux send-keys -t pt-bench-tui ':' 'ns host' Enter
sleep 2
PID=$(pgrep -f "^$PLUMB --interval 1" | head -1)
P_CPU=$(measure_cpu "$PID" 20)

tmux new-session -d -s pt-bench-htop -x 200 -y 60 "env TERM=xterm-256color htop -d 10"
sleep 3
HPID=$(pgrep -x htop | head -1)
H_CPU=$(measure_cpu "$HPID" 20)
tmux kill-session -t pt-bench-htop

# Flap latency on links visible in the topology pane.
lat=()
VISIBLE=$(tmux capture-pane -p -t pt-bench-tui | grep -oE 'ptbv[0-9]+' | sed 's/ptbv//' | head -12)
for i in $VISIBLE; do
  for state in down up; do
    want=$([ $state = down ] && echo down || echo "up")
    t0=$(date +%s%N)
    ip link set "ptbv$i" $state
    while ! tmux capture-pane -p -t pt-bench-tui | grep -E "ptbv$i +veth +$want( |$)" -q; do
      sleep 0.01
      [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 3000 ] && break
    done
    lat+=($(( ($(date +%s%N) - t0) / 1000000 )))
  done
done
P95=$(printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.95); if (i<1) i=1; print a[i]}')
MED=$(printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf '%-34s plumb %6s%% cpu   htop -d 10 %6s%% cpu   (targets: <= 0.5x htop and < 3%%)\n' "tui-cpu-500ns" "$P_CPU" "$H_CPU" | tee -a "$OUT/summary.txt"
printf '%-34s median %s ms  p95 %s ms over %s flaps   (target: p95 < 250 ms)\n' "tui-flap-latency" "$MED" "$P95" "${#lat[@]}" | tee -a "$OUT/summary.txt"
