#!/usr/bin/env bash
# The live TUI on 500 namespaces / 1,000 veth ends (each namespace's veth into one of 10 bridges):
#  - CPU over 20 s at the default 1 s refresh while 50 links flap per second, next to `htop -d 10` in the same
#    terminal size and the same flapping (target: plumb at most 0.5x htop's CPU and under 3% of a core). CPU
#    counts the process's threads and the children it waited for (iptables-save), from /proc/PID/stat;
#  - flap-to-screen latency: a link is set down/up and the screen polled (every 10 ms) until it shows the new
#    state (target: 95th percentile under 250 ms);
#  - idle CPU over 60 s beside htop on the same state without IPv6 (tui_quiet): with IPv6 the namespaces'
#    router solicitations and MLD reports are dropped by the thousand a second, which the drops feed counts.
#    Twice, both beside htop over the same 60 s, in a TUI opened on the quiet state: its first minute (the rate
#    history, 60 samples, is still filling, so every second is drawn), and the minute after (nothing on screen
#    changes: nothing is drawn).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tui-lib.sh"
[ "${1:-}" = "--keep" ] || trap 'tmux kill-session -t pt-bench-tui 2>/dev/null || true; tmux kill-session -t pt-bench-htop 2>/dev/null || true; bench_cleanup' EXIT
bench_cleanup
N=${NNS:-500}
tui_state "$N"

tmux new-session -d -s pt-bench-tui -x 200 -y 60 "env TERM=xterm-256color $PLUMB --interval 1"
sleep 5
tmux send-keys -t pt-bench-tui ':' 'ns host' Enter
sleep 2
PID=$(tmux display -p -t pt-bench-tui '#{pane_pid}')  # env execs plumb: the pane's process is plumb itself
# Bytes written to the terminal while nothing changes (tmux pipe-pane sees exactly what the program writes).
tmux pipe-pane -t pt-bench-tui -o "cat > $OUT/tui-bytes-plumb"
P_IDLE=$(measure_cpu "$PID" 20)
IDLE_DROPS=$(drops_per_second 3)
tmux pipe-pane -t pt-bench-tui
# Wake-ups of each thread while idle (voluntary context switches per second), for the record.
wakeups() {
  for t in /proc/"$1"/task/*; do
    echo "$(cat "$t/comm" 2>/dev/null | tr ' ' _) $(awk '/^voluntary_ctxt_switches/ {print $2}' "$t/status")"
  done
}
wakeups "$PID" > "$OUT/tui-wakeups-a"; sleep 10; wakeups "$PID" > "$OUT/tui-wakeups-b"
WAKEUPS=$(paste "$OUT/tui-wakeups-a" "$OUT/tui-wakeups-b" | awk '{printf "%s %.1f/s  ", $1, ($4 - $2) / 10}')
# The Ports tab (the doctor's inputs each second while it is open) and the Sockets tab (sock_diag of the
# namespace on screen), idle.
tmux send-keys -t pt-bench-tui P
sleep 3
P_PORTS=$(measure_cpu "$PID" 20)
tmux send-keys -t pt-bench-tui S
sleep 3
P_SOCKETS=$(measure_cpu "$PID" 20)
tmux send-keys -t pt-bench-tui Escape
tmux send-keys -t pt-bench-tui ':' 'ns host' Enter
sleep 2
flap_start
P_CPU=$(measure_cpu "$PID" 20)

tmux new-session -d -s pt-bench-htop -x 200 -y 60 "env TERM=xterm-256color htop -d 10"
sleep 3
HPID=$(tmux display -p -t pt-bench-htop '#{pane_pid}')
H_CPU=$(measure_cpu "$HPID" 20)
flap_stop
sleep 2
tmux pipe-pane -t pt-bench-htop -o "cat > $OUT/tui-bytes-htop"
sleep 20
tmux pipe-pane -t pt-bench-htop
tmux kill-session -t pt-bench-htop
P_BYTES=$(( $(stat -c %s "$OUT/tui-bytes-plumb") / 20 ))
H_BYTES=$(( $(stat -c %s "$OUT/tui-bytes-htop") / 20 ))

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
# The same state without IPv6 (nothing dropped): the idle cost without the drops feed's work, beside htop.
# A new TUI on the quiet state, on its default (Link) tab: the one above was left on the Sockets tab, which reads
# the namespace on screen every 10 s (sockets send no events).
tmux kill-session -t pt-bench-tui
tui_quiet "$N"
tmux new-session -d -s pt-bench-tui -x 200 -y 60 "env TERM=xterm-256color $PLUMB --interval 1"
sleep 5
tmux send-keys -t pt-bench-tui ':' 'ns host' Enter
sleep 2
PID=$(tmux display -p -t pt-bench-tui '#{pane_pid}')
tmux new-session -d -s pt-bench-htop -x 200 -y 60 "env TERM=xterm-256color htop -d 10"
HPID=$(tmux display -p -t pt-bench-htop '#{pane_pid}')
Q_DROPS=$(drops_per_second 3)
read -r P_QUIET1 H_QUIET1 < <(measure_cpu_pair "$PID" "$HPID" 60)
read -r P_QUIET H_QUIET < <(measure_cpu_pair "$PID" "$HPID" 60)
tmux kill-session -t pt-bench-htop
P95=$(printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.95); if (i<1) i=1; print a[i]}')
MED=$(printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf '%-34s plumb %6s%% cpu   htop -d 10 %6s%% cpu   (targets: <= 0.5x htop and < 3%%)\n' "tui-cpu-500ns-50flaps/s" "$P_CPU" "$H_CPU" | tee -a "$OUT/summary.txt"
printf '%-34s plumb %6s%% cpu   (no flapping; the kernel dropped %s packets/s, IPv6 multicast through the bridges)\n' "tui-cpu-500ns-idle" "$P_IDLE" "$IDLE_DROPS" | tee -a "$OUT/summary.txt"
printf '%-34s plumb %6s%% cpu   htop -d 10 %6s%% cpu   the first 60 s of a TUI opened on the quiet state, %s drops/s\n' "tui-cpu-500ns-quiet-first-minute" "$P_QUIET1" "$H_QUIET1" "$Q_DROPS" | tee -a "$OUT/summary.txt"
printf '%-34s plumb %6s%% cpu   htop -d 10 %6s%% cpu   the next 60 s (IPv6 off: target plumb <= htop)\n' "tui-cpu-500ns-idle-quiet" "$P_QUIET" "$H_QUIET" | tee -a "$OUT/summary.txt"
printf '%-34s %s\n' "tui-idle-wakeups" "$WAKEUPS" | tee -a "$OUT/summary.txt"
printf '%-34s plumb %6s%% cpu   (Ports tab open, idle)\n' "tui-cpu-500ns-ports-tab" "$P_PORTS" | tee -a "$OUT/summary.txt"
printf '%-34s plumb %6s%% cpu   (Sockets tab open, idle)\n' "tui-cpu-500ns-sockets-tab" "$P_SOCKETS" | tee -a "$OUT/summary.txt"
printf '%-34s plumb %6s B/s   htop -d 10 %6s B/s   (1 refresh/s each; target: plumb <= htop)\n' "tui-bytes-per-idle-refresh" "$P_BYTES" "$H_BYTES" | tee -a "$OUT/summary.txt"
printf '%-34s median %s ms  p95 %s ms over %s flaps   (target: p95 < 250 ms)\n' "tui-flap-latency" "$MED" "$P95" "${#lat[@]}" | tee -a "$OUT/summary.txt"
