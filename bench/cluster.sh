#!/usr/bin/env bash
# Cluster store: `plumb net connect` on a VXLAN network shared through etcd (the address leased with a
# compare-and-swap transaction, then bound) against the same connect on a local-only VXLAN network, one call per
# endpoint, the way a runtime connects containers. 30 endpoints each, three interleaved rounds, the median round
# reported. Target: etcd connect <= 2x local connect.
# A private etcd (Debian's etcd-server) runs on a free loopback port with its own data directory and is ended by
# its PID. Everything else lives in pt-cl-bench-* namespaces; pt-cl-bench-host plays the host (--host-ns).
# Addresses: 10.213.180.0/24 (shared) and 10.213.181.0/24 (local).
source "$(dirname "$0")/lib.sh"
HOSTNS=pt-cl-bench-host
N=${N:-30}
W=$OUT/cluster
ETCD_PID=
cluster_cleanup() {
  # (wait returns etcd's signal status: under set -e that must not end the cleanup early.)
  if [ -n "$ETCD_PID" ]; then kill "$ETCD_PID" 2>/dev/null || true; wait "$ETCD_PID" 2>/dev/null || true; ETCD_PID=; fi
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^pt-cl-bench-' || true); do ip netns del "$ns"; done
  rm -rf "$W/etcd"
}
trap cluster_cleanup EXIT
cluster_cleanup
rm -rf "$W"; mkdir -p "$W/etcd"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

CP=$(free_port); PP=$(free_port)
etcd --name pt-bench --data-dir "$W/etcd/data" --listen-client-urls http://127.0.0.1:$CP --advertise-client-urls http://127.0.0.1:$CP \
  --listen-peer-urls http://127.0.0.1:$PP --initial-advertise-peer-urls http://127.0.0.1:$PP --initial-cluster pt-bench=http://127.0.0.1:$PP \
  --log-level warn --logger zap > "$W/etcd/log" 2>&1 &
ETCD_PID=$!
for _ in $(seq 1 100); do ETCDCTL_API=3 etcdctl --endpoints=127.0.0.1:$CP endpoint health >/dev/null 2>&1 && break; sleep 0.1; done
STORE=etcd://127.0.0.1:$CP

ip netns add $HOSTNS; ip -n $HOSTNS link set lo up
for i in $(seq 1 $N); do ip netns add pt-cl-bench-s$i; ip netns add pt-cl-bench-l$i; done
STATE_S=$W/state-shared STATE_L=$W/state-local
"$PLUMB" net create ptcls --driver vxlan --vni 4180 --remote 10.213.182.2 --subnet 10.213.180.0/24 --bridge ptclbrs \
  --host-ns $HOSTNS --state-dir "$STATE_S" --store "$STORE" --host-id pt-bench-a >/dev/null
"$PLUMB" net create ptcll --driver vxlan --vni 4181 --remote 10.213.182.2 --subnet 10.213.181.0/24 --bridge ptclbrl \
  --host-ns $HOSTNS --state-dir "$STATE_L" >/dev/null

# $1: s (shared, with the store) or l (local). Connects then disconnects the N endpoints, one call each.
round() {
  local k=$1 net=ptcl$1 state args t
  if [ "$k" = s ]; then state=$STATE_S; args=(--store "$STORE" --host-id pt-bench-a); else state=$STATE_L; args=(); fi
  t=$(date +%s%N)
  for i in $(seq 1 $N); do "$PLUMB" net connect $net pt-cl-bench-$k$i --host-ns $HOSTNS --state-dir "$state" "${args[@]}" >/dev/null; done
  CONNECT=$(ms $t); t=$(date +%s%N)
  for i in $(seq 1 $N); do "$PLUMB" net disconnect $net pt-cl-bench-$k$i --host-ns $HOSTNS --state-dir "$state" "${args[@]}" >/dev/null; done
  DISCONNECT=$(ms $t)
}
shared=() local_=()
for _ in 1 2 3; do
  round l; local_+=("$CONNECT:$DISCONNECT")
  round s; shared+=("$CONNECT:$DISCONNECT")
done
# Every shared endpoint took and gave back its lease: none is left.
left=$(ETCDCTL_API=3 etcdctl --endpoints=127.0.0.1:$CP get --prefix --keys-only /plumb/v1/networks/ptcls/leases/ | grep -c . || true)
[ "$left" = 0 ] || { echo "cluster: $left leases left behind" >&2; exit 1; }
median() { printf '%s\n' "$@" | sort -t: -k1,1n | sed -n 2p; }
IFS=: read -r LC LD <<< "$(median "${local_[@]}")"
IFS=: read -r SC SD <<< "$(median "${shared[@]}")"
{
  echo "cluster: $N endpoints, one net connect / net disconnect call each (median of 3 interleaved rounds; load $(cut -d' ' -f1 /proc/loadavg))"
  printf '%-48s %6d ms  %6.1f ms/call\n' "local vxlan: net connect" "$LC" "$(echo "$LC / $N" | bc -l)"
  printf '%-48s %6d ms  %6.1f ms/call\n' "etcd vxlan:  net connect (lease CAS + bind)" "$SC" "$(echo "$SC / $N" | bc -l)"
  printf '%-48s %6d ms  %6.1f ms/call\n' "local vxlan: net disconnect" "$LD" "$(echo "$LD / $N" | bc -l)"
  printf '%-48s %6d ms  %6.1f ms/call\n' "etcd vxlan:  net disconnect (release)" "$SD" "$(echo "$SD / $N" | bc -l)"
  printf '%-48s %8.2fx  (target <= 2)\n' "connect: etcd / local" "$(echo "$SC / $LC" | bc -l)"
  printf '%-48s %8.2fx\n' "disconnect: etcd / local" "$(echo "$SD / $LD" | bc -l)"
} | tee -a "$OUT/summary.txt"
