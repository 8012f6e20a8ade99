#!/usr/bin/env bash
# The TUI capture pane: how long from a packet being sent to its line on the screen (target: p95 < 200 ms),
# with the pane open on a veth between two namespaces. Each probe is one UDP datagram to a distinct port, so
# its line is recognisable; the screen is polled every 10 ms through tmux.
source "$(dirname "$0")/lib.sh"
A=pt-bench-tca B=pt-bench-tcb
cleanup() { tmux kill-session -t pt-bench-tcap 2>/dev/null || true; ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add $A; ip netns add $B
ip -n $A link add ptbtca type veth peer name ptbtcb netns $B
ip -n $A addr add 10.213.160.1/24 dev ptbtca; ip -n $B addr add 10.213.160.2/24 dev ptbtcb
ip -n $A link set ptbtca up; ip -n $B link set ptbtcb up
tmux new-session -d -s pt-bench-tcap -x 160 -y 45 "env TERM=xterm-256color $PLUMB --interval 1"
sleep 4
tmux send-keys -t pt-bench-tcap ':' 'link ptbtca' Enter
sleep 1
tmux send-keys -t pt-bench-tcap c
sleep 2
lat=()
for i in $(seq 1 ${PROBES:-40}); do
  port=$((30000 + i))
  t0=$(date +%s%N)
  ip netns exec $A bash -c "echo x > /dev/udp/10.213.160.2/$port" 2>/dev/null || true
  while ! tmux capture-pane -p -t pt-bench-tcap | grep -q "10.213.160.2.$port"; do
    sleep 0.01
    [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 3000 ] && break
  done
  lat+=($(( ($(date +%s%N) - t0) / 1000000 )))
  sleep 0.1
done
P95=$(printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.95); if (i<1) i=1; print a[i]}')
MED=$(printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf '%-34s median %s ms  p95 %s ms over %s packets   (target: p95 < 200 ms)\n' "tui-capture-latency" "$MED" "$P95" "${#lat[@]}" | tee -a "$OUT/summary.txt"
