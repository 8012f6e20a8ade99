#!/usr/bin/env bash
# The live TUI with the Map view open (`m`), on the state of bench/tui.sh (500 namespaces, each with a veth into
# one of 10 host bridges): CPU over 20 s idle and over 20 s while 50 links flap per second, at the default 1 s
# refresh in a 200x60 terminal. Run twice in the same state: with the map's cache (default) and without it
# (PLUMB_MAP_CACHE=0: the graph built and laid out on every frame and key, as before the cache), so the row
# shows what the cache saves. Target: the map open stays within the live TUI's budget (< 3% of a core idle).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tui-lib.sh"
[ "${1:-}" = "--keep" ] || trap 'tmux kill-session -t pt-bench-tuimap 2>/dev/null || true; bench_cleanup' EXIT
bench_cleanup
N=${NNS:-500}
tui_state "$N"
run_one() {  # label cache(1|0)
  tmux new-session -d -s pt-bench-tuimap -x 200 -y 60 "env TERM=xterm-256color PLUMB_MAP_CACHE=$2 $PLUMB --interval 1"
  sleep 5
  tmux send-keys -t pt-bench-tuimap 'm'
  sleep 3
  tmux capture-pane -p -t pt-bench-tuimap | grep -q 'Map ·' || { echo "the map did not open" >&2; exit 1; }
  local pid idle flap
  pid=$(tmux display -p -t pt-bench-tuimap '#{pane_pid}')
  idle=$(measure_cpu "$pid" 20)
  drops=$(drops_per_second 3)
  flap_start
  flap=$(measure_cpu "$pid" 20)
  flap_stop
  tmux kill-session -t pt-bench-tuimap
  sleep 2
  printf '%-34s plumb %6s%% cpu idle   %6s%% cpu at 50 flaps/s   (%s; %s drops/s)\n' "tui-map-500ns-$1" "$idle" "$flap" \
    "$([ "$2" = 1 ] && echo "map cached" || echo "PLUMB_MAP_CACHE=0: rebuilt every frame")" "$drops" | tee -a "$OUT/summary.txt"
}
run_one cached 1
run_one uncached 0
# Without IPv6 (nothing dropped): the map's own cost, without the drops feed's.
tui_quiet "$N"
run_one cached-quiet 1
