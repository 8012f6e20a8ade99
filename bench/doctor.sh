#!/usr/bin/env bash
# Doctor: 500 namespaces, each with a veth (addressed, default route) into one of 8 bridges that live in a
# namespace playing the host (so the benchmark changes nothing on the machine itself), forwarding on and the
# subnets masqueraded there.
#  - plumb doctor (every check over a full snapshot) vs plumb snapshot --json (target: plumb doctor <= 1.5x)
#  - the same, scoped to the lab: plumb doctor --host-ns
# Objects: namespaces pt-doc-b*, links ptdocb*, addresses 10.213.110.0/21.
source "$(dirname "$0")/lib.sh"
doctor_cleanup() {
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^pt-doc-b' || true); do ip netns del "$ns"; done
}
[ "${1:-}" = "--keep" ] || trap doctor_cleanup EXIT
doctor_cleanup
N=${NNS:-500}
H=pt-doc-bh
ip netns add $H
{
  for b in $(seq 0 7); do
    echo "link add ptdocbbr$b type bridge"
    echo "addr add 10.213.$((110 + b)).1/24 dev ptdocbbr$b"
    echo "link set ptdocbbr$b up"
  done
  echo "link set lo up"
} | ip -n $H -batch -
{
  for i in $(seq 1 "$N"); do echo "netns add pt-doc-b$i"; done
} | ip -batch -
{
  for i in $(seq 1 "$N"); do
    echo "link add ptdocbv$i type veth peer name eth0 netns pt-doc-b$i"
    echo "link set ptdocbv$i master ptdocbbr$((i % 8)) up"
  done
} | ip -n $H -batch -
for i in $(seq 1 "$N"); do
  b=$((i % 8)); h=$((i / 8 + 2))
  printf 'addr add 10.213.%d.%d/24 dev eth0\nlink set eth0 up\nlink set lo up\nroute add default via 10.213.%d.1\n' \
    $((110 + b)) "$h" $((110 + b)) | ip -n "pt-doc-b$i" -batch -
done
ip netns exec $H sysctl -qw net.ipv4.ip_forward=1
for b in $(seq 0 7); do
  ip netns exec $H iptables -t nat -A POSTROUTING -s 10.213.$((110 + b)).0/24 ! -o ptdocbbr$b -j MASQUERADE
done
STATE=$(mktemp -d /tmp/pt-doc-bench-state.XXXXXX)
compare doctor-500ns "plumb doctor / snapshot <= 1.5" "$PLUMB doctor --state-dir $STATE >/dev/null; true" "$PLUMB snapshot --json >/dev/null"
compare doctor-500ns-host-ns "plumb doctor / snapshot <= 1.5" "$PLUMB doctor --host-ns $H --state-dir $STATE >/dev/null; true" "$PLUMB snapshot --json >/dev/null"
# The doctor's own share (its extra inputs and the checks) against the snapshot read inside the same process,
# from PLUMB_TIMING=1: medians over RUNS runs (the shared machine's load moves both together).
own_share() {  # NAME [doctor args...]
  local name=$1; shift
  for _ in $(seq 1 "$RUNS"); do
    PLUMB_TIMING=1 $PLUMB doctor "$@" --state-dir "$STATE" 2>&1 >/dev/null | grep '^doctor snapshot:' || true
  done > "$OUT/$name.timing"
  awk -v name="$name" '
    function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                       return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    { n++; s[n] = $3 + 0; i[n] = $6 + 0; c[n] = $9 + 0; o[n] = i[n] + c[n] }
    END { ms = median(s, n); mo = median(o, n)
          printf "%-34s snapshot %7.1f ms   inputs %6.1f ms   checks %6.1f ms   own %6.1f ms   own/snapshot %5.3f   (%d runs)\n",
                 name, ms, median(i, n), median(c, n), mo, mo / ms, n }' "$OUT/$name.timing" | tee -a "$OUT/summary.txt"
}
own_share doctor-500ns-own-share
own_share doctor-500ns-host-ns-own-share --host-ns $H
rm -rf "$STATE"
