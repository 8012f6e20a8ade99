#!/usr/bin/env bash
# Cluster overlays: how soon an endpoint connected on host A is reachable from host B, over 50 endpoints across
# 3 simulated hosts, with `plumb agent` on every host against the shell equivalent (a script that programs the
# FDB and neighbour entries on B by hand right after the connect: the floor). Reported: p50/p95/max of the time
# from `net connect` returning on A to the first ping reply on B. Target: p95 <= 1 s with the agent.
# Hosts are `unshare --net --pid --mount --fork --mount-proc` sandboxes with a private /run, wired by veths to a
# bridge in pt-bench-underlay (10.213.250.0/24) where a private etcd listens; everything is ended by PID and the
# namespaces deleted on exit. Overlay addresses: 10.213.190.0/24 (shell) and 10.213.191.0/24 (agent).
source "$(dirname "$0")/lib.sh"
N=${N:-50}
W=$OUT/overlay-agent
UL=pt-bench-underlay
PIDS=()
oa_cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  ip netns del $UL 2>/dev/null || true
  rm -rf "$W"
}
trap oa_cleanup EXIT
ip netns del $UL 2>/dev/null || true
rm -rf "$W"; mkdir -p "$W"
now() { date +%s%N; }

ip netns add $UL; ip -n $UL link set lo up
ip -n $UL link add ptbul type bridge; ip -n $UL addr add 10.213.250.1/24 dev ptbul; ip -n $UL link set ptbul up
ip netns exec $UL etcd --name pt-bench --data-dir "$W/etcd" --listen-client-urls http://10.213.250.1:2379 \
  --advertise-client-urls http://10.213.250.1:2379 --listen-peer-urls http://10.213.250.1:2380 \
  --initial-advertise-peer-urls http://10.213.250.1:2380 --initial-cluster pt-bench=http://10.213.250.1:2380 \
  --log-level warn --logger zap > "$W/etcd.log" 2>&1 &
PIDS+=($!); disown $!
for _ in $(seq 1 100); do ip netns exec $UL etcdctl --endpoints=10.213.250.1:2379 endpoint health >/dev/null 2>&1 && break; sleep 0.1; done
STORE=etcd://10.213.250.1:2379

HOST_PID=()
for h in 1 2 3; do
  unshare --net --pid --mount --fork --mount-proc sh -c 'mount -t tmpfs none /run && mkdir -p /run/netns && exec sleep 3600' &
  PIDS+=($!); disown $!
  outer=$!
  for _ in $(seq 1 100); do
    inner=$(cat /proc/$outer/task/$outer/children 2>/dev/null | awk '{print $1}')
    [ -n "$inner" ] && [ "$(cat /proc/$inner/comm 2>/dev/null)" = sleep ] && break; sleep 0.02
  done
  HOST_PID[$h]=$inner; PIDS+=($inner)
  ip -n $UL link add ptbu$h type veth peer name ptbe$h netns /proc/$inner/ns/net
  ip -n $UL link set ptbu$h master ptbul up
  nsenter -t $inner -n ip link set lo up
  nsenter -t $inner -n ip addr add 10.213.250.1$h/24 dev ptbe$h
  nsenter -t $inner -n ip link set ptbe$h up
done
in_host() { local h=$1; shift; nsenter -t "${HOST_PID[$h]}" -n -m -p "$@"; }
pl() { local h=$1; shift; in_host "$h" "$PLUMB" "$@" --state-dir "$W/state$h" --store "$STORE" --host-id host$h; }

for net in 190 191; do
  for h in 1 2 3; do
    pl $h net create ptov$net --driver vxlan --vni 4$net --subnet 10.213.$net.0/24 --local 10.213.250.1$h --parent ptbe$h >/dev/null
    in_host $h ip netns add pt-bench-probe$net
    pl $h net connect ptov$net pt-bench-probe$net >/dev/null
  done
done
addr_of() { in_host "$1" ip -n "$2" -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1; }
mac_of() { printf '02:50:%02x:%02x:%02x:%02x' $(echo "$1" | tr . ' '); }

# Phase 1, the shell: no agent runs. The probes' entries are programmed by hand everywhere once; then for each
# endpoint, B gets its MAC and neighbour entries right after the connect on A.
declare -A PROBE
for h in 1 2 3; do PROBE[$h]=$(addr_of $h pt-bench-probe190); done
for h in 1 2 3; do for o in 1 2 3; do
  [ $h = $o ] && continue
  in_host $h bridge fdb append 00:00:00:00:00:00 dev vx-ptov190 dst 10.213.250.1$o self permanent
  m=$(mac_of "${PROBE[$o]}")
  in_host $h bridge fdb replace $m dev vx-ptov190 dst 10.213.250.1$o self permanent
  in_host $h ip neigh replace "${PROBE[$o]}" lladdr $m dev vx-ptov190 nud permanent
done; done
# $1: subnet, $2: by hand (1) or by the agents (0). Appends one latency (ms) per endpoint to $W/lat-$1.
run_phase() {
  local net=$1 hand=$2
  for i in $(seq 1 $N); do
    local a=$(( (i % 3) + 1 )) b=$(( ((i + 1) % 3) + 1 ))
    in_host $a ip netns add pt-bench-e$net-$i
    pl $a net connect ptov$net pt-bench-e$net-$i >/dev/null
    local t0; t0=$(now)
    local ip; ip=$(addr_of $a pt-bench-e$net-$i)
    if [ "$hand" = 1 ]; then
      local m; m=$(mac_of "$ip")
      in_host $b bridge fdb replace $m dev vx-ptov$net dst 10.213.250.1$a self permanent
      in_host $b ip neigh replace "$ip" lladdr $m dev vx-ptov$net nud permanent
    fi
    in_host $b ip netns exec pt-bench-probe$net ping -q -c 1 -w 5 -i 0.01 "$ip" >/dev/null || echo "endpoint $ip on host$a not reachable from host$b" >&2
    echo $(( ($(now) - t0) / 1000000 )) >> "$W/lat-$net"
  done
}
run_phase 190 1
# Phase 2, the agents: one per host (TTL 10 s), then the same connects with nothing done by hand.
for h in 1 2 3; do
  in_host $h "$PLUMB" agent --state-dir "$W/state$h" --store "$STORE" --host-id host$h > "$W/agent$h.log" 2>&1 &
  PIDS+=($!); disown $!
done
for _ in $(seq 1 100); do
  in_host 1 ip netns exec pt-bench-probe191 ping -q -c 1 -W 0.2 "$(addr_of 2 pt-bench-probe191)" >/dev/null 2>&1 && break; sleep 0.1
done
run_phase 191 0
pct() { sort -n "$1" | awk -v p="$2" '{a[NR]=$1} END {i=int((NR*p+99)/100); if (i<1) i=1; print a[i]}'; }
{
  echo "overlay agent: $N endpoints across 3 hosts, connect on A -> first ping reply on B (load $(cut -d' ' -f1 /proc/loadavg))"
  for net in 190 191; do
    name=$([ $net = 190 ] && echo "shell (FDB/neigh by hand)" || echo "plumb agent (etcd watch)")
    printf '%-30s p50 %5d ms   p95 %5d ms   max %5d ms\n' "$name" "$(pct $W/lat-$net 50)" "$(pct $W/lat-$net 95)" "$(pct $W/lat-$net 100)"
  done
  printf '%-30s %8.2fx  (target: agent p95 <= 1000 ms)\n' "p95 agent / shell" "$(echo "$(pct $W/lat-191 95) / ($(pct $W/lat-190 95) + 0.001)" | bc -l)"
} | tee -a "$OUT/summary.txt"
