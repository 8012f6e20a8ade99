#!/usr/bin/env bash
# Several TUI builds side by side on one state, so that the host's noise (the bridges' IPv6 drop bursts, other
# load) falls on all of them at once: bench/tui.sh's 500-namespace state, each program in its own 200x60 tmux
# session, and the CPU ticks (10 ms) of each over 20-s rounds.
# usage: bench/tui-ab.sh BUILD [BUILD...]   (a BUILD named htop runs `htop -d 10`)
#   QUIET=1  the state without IPv6 (tui_quiet: nothing dropped)
#   FLAP=1   50 link flaps a second during the rounds
#   KEYS=m   keys sent to each plumb after it opened the host (m: the Map view)
#   ROUNDS=3
#   BYTES=1  also the bytes each program wrote to its terminal over the rounds (tmux pipe-pane), per second
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tui-lib.sh"
[ $# -ge 1 ] || { echo "usage: $0 BUILD [BUILD...]" >&2; exit 2; }
cleanup() {
  local i
  for i in $(seq 0 9); do tmux kill-session -t pt-bench-ab$i 2>/dev/null || true; done
  if [ -n "${FLAPPER:-}" ]; then flap_stop; fi
  bench_cleanup
}
trap cleanup EXIT
bench_cleanup
tui_state 500
if [ -n "${QUIET:-}" ]; then tui_quiet 500; fi
i=0
for b in "$@"; do
  if [ "$b" = htop ]; then cmd="htop -d 10"; else cmd="$b --interval 1"; fi
  tmux new-session -d -s pt-bench-ab$i -x 200 -y 60 "env TERM=xterm-256color $cmd"
  i=$((i + 1))
done
sleep 8
i=0; pids=()
for b in "$@"; do
  if [ "$b" != htop ]; then
    tmux send-keys -t pt-bench-ab$i ':' 'ns host' Enter
    if [ -n "${KEYS:-}" ]; then tmux send-keys -t pt-bench-ab$i "$KEYS"; fi
  fi
  pids+=("$(tmux display -p -t pt-bench-ab$i '#{pane_pid}')")
  i=$((i + 1))
done
sleep 4
if [ -n "${FLAP:-}" ]; then flap_start; fi
if [ -n "${BYTES:-}" ]; then
  for i in $(seq 0 $(( $# - 1 ))); do tmux pipe-pane -t pt-bench-ab$i -o "cat > $OUT/bytes-$i"; done
fi
for round in $(seq "${ROUNDS:-3}"); do
  before=(); for p in "${pids[@]}"; do before+=("$(cpu_of "$p")"); done
  sleep 20
  line="round $round:"; j=0
  for b in "$@"; do line="$line $(basename "$b")=$(( $(cpu_of "${pids[$j]}") - ${before[$j]} ))"; j=$((j + 1)); done
  echo "$line ticks/20s  load $(cut -d' ' -f1 /proc/loadavg)  drops/s after: $(drops_per_second 2)" | tee -a "$OUT/summary.txt"
done
if [ -n "${BYTES:-}" ]; then
  line="bytes/s:"; j=0
  for b in "$@"; do
    tmux pipe-pane -t pt-bench-ab$j
    line="$line $(basename "$b")=$(( $(stat -c %s "$OUT/bytes-$j") / (20 * ${ROUNDS:-3}) ))"; j=$((j + 1))
  done
  echo "$line" | tee -a "$OUT/summary.txt"
fi
