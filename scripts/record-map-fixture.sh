#!/usr/bin/env bash
# Records a map fixture from a real runtime (issue 16): Tests/PlumbMapTests/Fixtures/<runtime>-host.json.
#
#   flock -o /tmp/plumb-kernel.lock scripts/record-map-fixture.sh docker|podman [PLUMB]
#
# A namespace pt-rec-RT-host plays the host: an uplink veth (ptrecup0, 10.213.199.1/30) to pt-rec-RT-wan, its
# default gateway. dockerd or podman runs with its network namespace set to it, so bridges, veths and firewall
# chains land there; two networks, four containers (a web server with a published port on both networks, an
# api, a db and a cache), all named pt-…. Then `plumb snapshot --json` is cut down to that host
# (map-fixture-from-snapshot.py: the uplink becomes eth0) and everything is removed, also on failure.
#
# Container names are read by Plumb from the runtimes' state where it looks on a real host (/var/lib/docker,
# /var/lib/containers/storage), so the runtime uses its default data root: /var/lib/docker is removed afterwards
# when this script created it; podman (root's default storage, whose database fixes its paths and driver) has
# its containers, networks and image removed by name. dockerd's exec state, socket and pidfile are private. Images cannot be pulled here: a busybox-static root file system is imported.
set -euo pipefail
rt=${1:?docker or podman}
plumb=$(realpath "${2:-.build/debug/plumb}")
cd "$(dirname "$0")/.."
out=Tests/PlumbMapTests/Fixtures/$rt-host.json
host=pt-rec-$rt-host
wan=pt-rec-$rt-wan
dir=$(mktemp -d /tmp/pt-rec-XXXXXX)
dockerd_pid=""
made_docker_root=0

inhost() { nsenter --net=/run/netns/$host "$@"; }
dk() { docker -H "unix://$dir/docker.sock" "$@"; }
pm() {
  inhost podman --runtime runc --cgroup-manager cgroupfs --events-backend file --network-backend cni "$@"
}
cleanup() {
  set +e
  if [ "$rt" = docker ] && [ -n "$dockerd_pid" ]; then
    ids=$(dk ps -aq); [ -n "$ids" ] && dk rm -f $ids >/dev/null
    for n in pt-rec-front pt-rec-back; do dk network rm $n >/dev/null 2>&1; done
    # The daemon's own PID (the job's is the subshell that ran nsenter); it ends its containerd.
    [ -s "$dir/dockerd.pid" ] && dockerd_pid=$(cat "$dir/dockerd.pid")
    kill "$dockerd_pid"; for _ in $(seq 150); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$dockerd_pid" 2>/dev/null && kill -9 "$dockerd_pid"
  fi
  if [ "$rt" = podman ]; then
    for c in pt-web pt-api pt-db pt-cache; do pm rm -f -t 0 $c >/dev/null 2>&1; done
    for n in pt-rec-front pt-rec-back; do pm network rm -f $n >/dev/null 2>&1; rm -rf /var/lib/cni/networks/$n; done
    pm rmi -f localhost/pt-busybox >/dev/null 2>&1
  fi
  awk -v d="$dir" '$5 ~ "^"d {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l
  # dockerd bind-mounts its data root onto itself.
  if [ "$made_docker_root" = 1 ]; then
    while grep -q ' /var/lib/docker ' /proc/self/mountinfo; do umount /var/lib/docker || break; done
    rm -rf /var/lib/docker
  fi
  ip netns del $host 2>/dev/null; ip netns del $wan 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

for n in $host $wan; do ip netns add $n; ip -n $n link set lo up; done
for n in $host $wan; do ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
ip -n $host link add ptrecup0 type veth peer name ptrecwan0 netns $wan
ip -n $host addr add 10.213.199.1/30 dev ptrecup0
ip -n $wan addr add 10.213.199.2/30 dev ptrecwan0
ip -n $host link set ptrecup0 up; ip -n $wan link set ptrecwan0 up
ip -n $host route add default via 10.213.199.2

# The busybox-static root file system the runtimes import (no image can be pulled).
mkdir -p "$dir/rootfs"/{bin,etc,tmp,proc,sys,dev,www,run,var}
cp /bin/busybox "$dir/rootfs/bin/busybox"
for a in sh sleep httpd nc; do ln -s busybox "$dir/rootfs/bin/$a"; done
echo ok > "$dir/rootfs/www/index.html"
tar -C "$dir/rootfs" -cf "$dir/rootfs.tar" .

case $rt in
docker)
  [ -e /var/lib/docker ] || made_docker_root=1
  inhost dockerd --storage-driver=vfs --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    -H "unix://$dir/docker.sock" --bip 10.213.197.1/24 --default-address-pool base=10.213.192.0/21,size=24 \
    --log-level warn > "$dir/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 600); do dk version >/dev/null 2>&1 && break; sleep 0.1; done
  dk version >/dev/null || { tail "$dir/dockerd.log"; exit 1; }
  dk import "$dir/rootfs.tar" pt-busybox >/dev/null
  dk network create --subnet 10.213.195.0/24 pt-rec-front >/dev/null
  dk network create --subnet 10.213.196.0/24 pt-rec-back >/dev/null
  dk run -d --name pt-web --network pt-rec-front -p 8080:80 pt-busybox httpd -f -p 80 -h /www >/dev/null
  dk network connect pt-rec-back pt-web
  dk run -d --name pt-api --network pt-rec-back pt-busybox sleep 3600 >/dev/null
  dk run -d --name pt-db --network pt-rec-back pt-busybox sleep 3600 >/dev/null
  dk run -d --name pt-cache pt-busybox sleep 3600 >/dev/null   # Docker's default bridge, docker0
  ;;
podman)
  pm import "$dir/rootfs.tar" pt-busybox >/dev/null
  pm network create --subnet 10.213.195.0/24 pt-rec-front >/dev/null
  pm network create --subnet 10.213.196.0/24 pt-rec-back >/dev/null
  run=(run -d --ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
  pm "${run[@]}" --name pt-web --network pt-rec-front,pt-rec-back -p 8080:80 localhost/pt-busybox httpd -f -p 80 -h /www >/dev/null
  pm "${run[@]}" --name pt-api --network pt-rec-back localhost/pt-busybox sleep 3600 >/dev/null
  pm "${run[@]}" --name pt-db --network pt-rec-back localhost/pt-busybox sleep 3600 >/dev/null
  pm "${run[@]}" --name pt-cache --network pt-rec-front localhost/pt-busybox sleep 3600 >/dev/null
  ;;
*) echo "usage: $0 docker|podman [PLUMB]" >&2; exit 64 ;;
esac

sleep 1
"$plumb" snapshot --json > "$dir/snapshot.json"
python3 scripts/map-fixture-from-snapshot.py $host ptrecup0 < "$dir/snapshot.json" > "$out"
echo "recorded $out: $(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(len(s["namespaces"]), "namespaces,", sum(len(n.get("containers",[])) for n in s["namespaces"]), "containers")' "$out")"
