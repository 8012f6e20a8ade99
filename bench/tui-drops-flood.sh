#!/usr/bin/env bash
# The live TUI under a flood of drops (issue 15: "it never stalls the TUI"): UDP at 100,000 datagrams/s from
# pt-bench-tfsrc to a port with no socket in pt-bench-tfdst (NO_SOCKET drops), while `plumb` runs in tmux.
#  - the TUI's CPU over 15 s of flood (its threads, the drops reader included), and idle before the flood;
#  - key-to-screen latency under the flood: `/` is sent and the screen polled (every 10 ms) until the
#    "filter: " prompt shows, then Escape until it is gone (target: every one under 500 ms);
#  - the Drops tab's count shows the flood (the window holds ~1M drops' counts).
# Not part of `make test`; run as root: PLUMB=.build/release/plumb OUT=$(mktemp -d) bash bench/tui-drops-flood.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tui-lib.sh"   # cpu_of, measure_cpu
cd "$(dirname "$0")"
trap 'tmux kill-session -t pt-bench-tflood 2>/dev/null || true; bench_cleanup' EXIT
bench_cleanup
RATE=${RATE:-100000}
FLOOD=${FLOOD:-40}
SENDER="$OUT/udp-sender"
${CC:-cc} -O2 -o "$SENDER" udp-sender.c 2>/dev/null || clang -O2 -o "$SENDER" udp-sender.c
ip netns add pt-bench-tfsrc; ip netns add pt-bench-tfdst
ip -n pt-bench-tfsrc link add ptbf0 type veth peer name ptbf1 netns pt-bench-tfdst
ip -n pt-bench-tfsrc addr add 10.213.92.1/24 dev ptbf0
ip -n pt-bench-tfdst addr add 10.213.92.2/24 dev ptbf1
ip -n pt-bench-tfsrc link set ptbf0 up; ip -n pt-bench-tfdst link set ptbf1 up
ip netns exec pt-bench-tfsrc ping -c1 -W1 10.213.92.2 >/dev/null

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# wait_screen PATTERN PRESENT(1|0): ms until the pane shows (or stops showing) PATTERN; 5000 = never.
wait_screen() {
  local t0; t0=$(now_ms)
  while true; do
    if tmux capture-pane -p -t pt-bench-tflood | grep -qF -- "$1"; then [ "$2" = 1 ] && break; else [ "$2" = 0 ] && break; fi
    [ $(( $(now_ms) - t0 )) -gt 5000 ] && { echo 5000; return; }
    sleep 0.01
  done
  echo $(( $(now_ms) - t0 ))
}

tmux new-session -d -s pt-bench-tflood -x 200 -y 60 "env TERM=xterm-256color $PLUMB --interval 1"
sleep 5
PID=$(tmux display -p -t pt-bench-tflood '#{pane_pid}')
tmux send-keys -t pt-bench-tflood P; sleep 0.5; tmux send-keys -t pt-bench-tflood ']'   # Ports, then the Drops tab
sleep 2
IDLE=$(measure_cpu "$PID" 10)
ip netns exec pt-bench-tfsrc "$SENDER" 10.213.92.2 9001 "$RATE" "$FLOOD" > "$OUT/flood-sent.txt" & SPID=$!
echo $SPID >> "$OUT/pids"
sleep 12   # the 10 s window fills
P_FLOOD=$(measure_cpu "$PID" 15)
lat=()
for _ in $(seq 1 10); do
  tmux send-keys -t pt-bench-tflood /
  lat+=("$(wait_screen 'filter: ' 1)")
  tmux send-keys -t pt-bench-tflood Escape
  lat+=("$(wait_screen 'filter: ' 0)")
  sleep 0.2
done
SHOWN=$(tmux capture-pane -p -t pt-bench-tflood | grep -oE 'BPF · [0-9,]+ drops in 10 s[^│]*' | head -1 || true)
wait $SPID || true
SENT=$(awk '{print $1}' "$OUT/flood-sent.txt")
MAX=$(printf '%s\n' "${lat[@]}" | sort -n | tail -1)
MED=$(printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf '%-34s plumb %6s%% cpu idle, %6s%% cpu during %d drops/s sent (%s sent in %d s); key to screen median %s ms, max %s ms over %d   (target: max < 500 ms); screen: %s   load %s\n' \
  "tui-drops-flood" "$IDLE" "$P_FLOOD" "$RATE" "$SENT" "$FLOOD" "$MED" "$MAX" "${#lat[@]}" "$SHOWN" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/summary.txt"
