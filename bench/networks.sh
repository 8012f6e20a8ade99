#!/usr/bin/env bash
# Networks: create then tear down 200 endpoints across 10 bridge networks (veth, address, default route,
# egress NAT and one published port each), side by side in one run:
#  - plumb: 10 x `net create`, 10 x bulk `net connect NET T1..T20 -p A-B:80`, one `net rm NET1..NET10 --force`
#  - shell: the same work as a script with one `ip`/`iptables` command per step   (target: plumb >= 10x faster)
#  - cni:   Debian's CNI bridge + host-local + portmap plugins invoked directly    (target: plumb >= 3x faster)
#  - per call (issue 18): 30 endpoints made and removed one call at a time, the way runtimes connect
#           containers: plumb `ns add X` + `net connect NET X` / `ns rm X --force`, and the one-step
#           `net connect NET --new-ns X` / `ns rm X --force`, against `ip netns add X` + the CNI bridge plugin
#           (host-local IPAM, ipMasq) ADD / DEL + `ip netns del X`                (target: plumb <= 0.33x CNI);
#           its floor: the same namespace and veth made and removed by `ip` alone, and in one `ip -batch`
#  - floor: the kernel's own cost: one `ip -batch` creating the 200 veth pairs and deleting them (one by one,
#           and as one interface group, as plumb does), and a bare `unshare -n` + veth creation loop
# Everything runs inside pt-cni-bench-* namespaces (not pt-bench-*: lib.sh's bench_cleanup in a benchmark running
# at the same time would delete them mid-run): pt-cni-bench-host plays the host (plumb --host-ns, and the shell
# and CNI runs go through `ip netns exec pt-cni-bench-host`), so the real host's links and firewall are untouched.
# Addresses: 10.213.150.0/19 only.
# PERCALL_ONLY=1 runs only the per-call part (its stand-in host alone, no bulk runs); PLUMB_OLD=PATH adds another
# build's one-step per-call row, interleaved in the same rounds (an A/B beside CNI).
source "$(dirname "$0")/lib.sh"
[ "${1:-}" = "--keep" ] || trap networks_cleanup EXIT
networks_cleanup
W=$OUT/networks
rm -rf "$W"; mkdir -p "$W"
per() { echo "scale=2; $1 / $N" | bc -l; }

# --- setup (timed separately, not part of any method): the stand-in host and 200 target namespaces
t=$(date +%s%N)
if [ -n "${PERCALL_ONLY:-}" ]; then ip netns add $HOSTNS; ip -n $HOSTNS link set lo up; else networks_state; fi
setup=$(ms $t)
echo "setup: stand-in host + $N target namespaces (ip netns add loop): $setup ms ($(per $setup) ms/namespace)"

# --- plumb
run_plumb() {
  networks_plumb_run "$PLUMB" "$W/plumb-state"
  echo "  plumb run: $P_TOTAL ms" >&2
}

# --- shell: one ip/iptables command per step, run inside the stand-in host
cat > "$W/shell.sh" <<EOF
set -e
for k in \$(seq 0 $((NETS - 1))); do
  br=ptcnibr\$k; sub=10.213.\$((150 + k)); lo=\$((20000 + k * $PER))
  if [ "\$1" = up ]; then
    ip link add \$br type bridge
    ip addr add \$sub.1/24 dev \$br
    ip link set \$br up
    iptables -t nat -A POSTROUTING -s \$sub.0/24 ! -o \$br -j MASQUERADE
    iptables -A FORWARD -o \$br -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
    iptables -A FORWARD -i \$br -j ACCEPT
    for i in \$(seq 1 $PER); do
      e=pt-cni-bench-e\$((k * $PER + i)); v=ptcniv\$((k * $PER + i)); a=\$sub.\$((i + 1)); p=\$((lo + i - 1))
      ip link add \$v type veth peer name eth0 netns \$e
      ip link set \$v master \$br
      ip link set \$v up
      ip -n \$e addr add \$a/24 dev eth0
      ip -n \$e link set eth0 up
      ip -n \$e link set lo up
      ip -n \$e route add default via \$sub.1
      iptables -t nat -A PREROUTING -p tcp --dport \$p -j DNAT --to-destination \$a:80
      iptables -A FORWARD -d \$a/32 -o \$br -p tcp --dport 80 -j ACCEPT
    done
  else
    for i in \$(seq 1 $PER); do
      v=ptcniv\$((k * $PER + i)); a=\$sub.\$((i + 1)); p=\$((lo + i - 1))
      iptables -t nat -D PREROUTING -p tcp --dport \$p -j DNAT --to-destination \$a:80
      iptables -D FORWARD -d \$a/32 -o \$br -p tcp --dport 80 -j ACCEPT
      ip link del \$v
    done
    iptables -t nat -D POSTROUTING -s \$sub.0/24 ! -o \$br -j MASQUERADE
    iptables -D FORWARD -o \$br -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
    iptables -D FORWARD -i \$br -j ACCEPT
    ip link del \$br
  fi
done
EOF
run_shell() {
  local t
  t=$(date +%s%N); ip netns exec $HOSTNS bash "$W/shell.sh" up; S_CREATE=$(ms $t)
  t=$(date +%s%N); ip netns exec $HOSTNS bash "$W/shell.sh" down; S_TEARDOWN=$(ms $t)
  S_TOTAL=$((S_CREATE + S_TEARDOWN))
  echo "  shell run: $S_TOTAL ms" >&2
}

# --- CNI: bridge (+ host-local IPAM, ipMasq) then portmap with prevResult, per endpoint; DEL in reverse.
cat > "$W/cni.sh" <<EOF
set -e
export CNI_PATH=/usr/lib/cni CNI_IFNAME=eth0
for k in \$(seq 0 $((NETS - 1))); do
  sub=10.213.\$((150 + k)); lo=\$((20000 + k * $PER))
  for i in \$(seq 1 $PER); do
    e=pt-cni-bench-e\$((k * $PER + i)); p=\$((lo + i - 1))
    export CNI_CONTAINERID=ptbench\$((k * $PER + i)) CNI_NETNS=/run/netns/\$e
    br='{"cniVersion":"1.0.0","name":"ptbcni'\$k'","type":"bridge","bridge":"ptcnibr'\$k'","isGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"'\$sub'.0/24","dataDir":"$W/cni-ipam","routes":[{"dst":"0.0.0.0/0"}]}}'
    pm_head='{"cniVersion":"1.0.0","name":"ptbcni'\$k'","type":"portmap","capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":[{"hostPort":'\$p',"containerPort":80,"protocol":"tcp"}]},"prevResult":'
    if [ "\$1" = up ]; then
      res=\$(CNI_COMMAND=ADD /usr/lib/cni/bridge <<< "\$br")
      res=\$(CNI_COMMAND=ADD /usr/lib/cni/portmap <<< "\$pm_head\$res}")
      printf '%s' "\$res" > "$W/cni-result-\$CNI_CONTAINERID"
    else
      res=\$(< "$W/cni-result-\$CNI_CONTAINERID")
      CNI_COMMAND=DEL /usr/lib/cni/portmap <<< "\$pm_head\$res}" >/dev/null
      CNI_COMMAND=DEL /usr/lib/cni/bridge <<< "\${br%\}},\"prevResult\":\$res}" >/dev/null
    fi
  done
  # The bridge plugin leaves its bridge behind after the last DEL.
  [ "\$1" = up ] || ip link del ptcnibr\$k
done
EOF
run_cni() {
  local t
  t=$(date +%s%N); ip netns exec $HOSTNS bash "$W/cni.sh" up; C_CREATE=$(ms $t)
  t=$(date +%s%N); ip netns exec $HOSTNS bash "$W/cni.sh" down; C_TEARDOWN=$(ms $t)
  C_TOTAL=$((C_CREATE + C_TEARDOWN))
  echo "  cni run: $C_TOTAL ms" >&2
}

# --- floors
run_floor() {
  local t
  { for i in $(seq 1 $N); do echo "link add ptcnif$i type veth peer name eth0 netns pt-cni-bench-e$i"; done
    for i in $(seq 1 $N); do echo "link del ptcnif$i"; done; } > "$W/floor.batch"
  t=$(date +%s%N); ip -n $HOSTNS -batch "$W/floor.batch"; F_BATCH=$(ms $t)
  { for i in $(seq 1 $N); do echo "link add ptcnif$i type veth peer name eth0 netns pt-cni-bench-e$i"; done
    for i in $(seq 1 $N); do echo "link set ptcnif$i group 4242"; done
    echo "link del group 4242"; } > "$W/floor-group.batch"
  t=$(date +%s%N); ip -n $HOSTNS -batch "$W/floor-group.batch"; F_GROUP=$(ms $t)
  t=$(date +%s%N)
  for i in $(seq 1 $N); do unshare -n ip link add ptcniu type veth peer name ptcniu1; done
  F_UNSHARE=$(ms $t)
}

# Checks between runs that every method built what it claims (spot checks on the last endpoint) and
# removed it again.
check_built() {
  local what=$1
  # (Output captured first: `grep -q` closing the pipe early would fail the pipeline under pipefail.)
  local addrs nat
  addrs=$(ip -n pt-cni-bench-e$N -4 -o addr show dev eth0)
  nat=$(ip netns exec $HOSTNS iptables-save -t nat)
  [[ $addrs == *"10.213.$((150 + NETS - 1)).$((PER + 1))/24"* ]] || { echo "$what: pt-cni-bench-e$N lacks its address" >&2; exit 1; }
  [[ $nat == *"--dport $((20000 + N - 1)) "* ]] || { echo "$what: the published port of the last endpoint is missing" >&2; exit 1; }
}
check_clean() {
  local what=$1 links host rules
  links=$(ip -n pt-cni-bench-e1 -o link show); host=$(ip -n $HOSTNS -o link show); rules=$(ip netns exec $HOSTNS iptables-save)
  [[ $links != *eth0* ]] || { echo "$what left links in pt-cni-bench-e1" >&2; exit 1; }
  [ "$(echo "$host" | grep -vc ' lo:')" = 0 ] || { echo "$what left links in $HOSTNS: $host" >&2; exit 1; }
  [[ $rules != *"--dport 2"* ]] || { echo "$what left DNAT rules" >&2; exit 1; }
  return 0
}

if [ -z "${PERCALL_ONLY:-}" ]; then
run_plumb; check_clean plumb
# Verify once, outside the timings, that plumb's bulk connect builds what the others build.
"$PLUMB" net create ptbn$((NETS - 1)) --subnet 10.213.$((150 + NETS - 1)).0/24 --bridge ptcnibr$((NETS - 1)) \
  --host-ns $HOSTNS --state-dir "$W/verify" >/dev/null
lo=$((20000 + (NETS - 1) * PER))
# shellcheck disable=SC2046
"$PLUMB" net connect ptbn$((NETS - 1)) $(targets $((NETS - 1))) -p $lo-$((lo + PER - 1)):80 --host-ns $HOSTNS --state-dir "$W/verify" >/dev/null
check_built plumb
"$PLUMB" net rm ptbn$((NETS - 1)) --force --host-ns $HOSTNS --state-dir "$W/verify" >/dev/null
check_clean plumb-verify

ip netns exec $HOSTNS bash "$W/shell.sh" up; check_built shell; ip netns exec $HOSTNS bash "$W/shell.sh" down; check_clean shell
run_shell; check_clean shell
ip netns exec $HOSTNS bash "$W/cni.sh" up; check_built cni; ip netns exec $HOSTNS bash "$W/cni.sh" down
run_cni
run_floor
# Two more plumb runs after the others; the median of the three is reported (the machine is shared).
runs=("$P_TOTAL:$P_CREATE:$P_CONNECT:$P_TEARDOWN")
for _ in 1 2; do run_plumb; check_clean plumb; runs+=("$P_TOTAL:$P_CREATE:$P_CONNECT:$P_TEARDOWN"); done
IFS=: read -r P_TOTAL P_CREATE P_CONNECT P_TEARDOWN <<< "$(printf '%s\n' "${runs[@]}" | sort -t: -k1,1n | sed -n 2p)"
PLUMB_RUNS=$(printf '%s\n' "${runs[@]}" | cut -d: -f1 | tr '\n' ' ')
fi

# --- per call: 30 endpoints, one call each (issue 18). Network ptbnpc / bridge ptcnibrpc, 10.213.170.0/24.
PC=30
run_percall_plumb() { networks_percall_run "$PLUMB" "$W/percall-state" "$1" $PC; }
cat > "$W/cni-percall.sh" <<EOF
set -e
export CNI_PATH=/usr/lib/cni CNI_IFNAME=eth0
br='{"cniVersion":"1.0.0","name":"ptbcnipc","type":"bridge","bridge":"ptcnibrpc","isGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"10.213.170.0/24","dataDir":"$W/cni-ipam-pc","routes":[{"dst":"0.0.0.0/0"}]}}'
for i in \$(seq 1 $PC); do
  export CNI_CONTAINERID=ptbenchpc\$i CNI_NETNS=/run/netns/pt-cni-bench-p\$i
  if [ "\$1" = up ]; then
    ip netns add pt-cni-bench-p\$i
    CNI_COMMAND=ADD nsenter --net=/run/netns/$HOSTNS /usr/lib/cni/bridge <<< "\$br" > "$W/cni-pc-\$i"
  else
    CNI_COMMAND=DEL nsenter --net=/run/netns/$HOSTNS /usr/lib/cni/bridge <<< "\${br%\}},\"prevResult\":\$(< "$W/cni-pc-\$i")}" >/dev/null
    ip netns del pt-cni-bench-p\$i
  fi
done
[ "\$1" = up ] || ip -n $HOSTNS link del ptcnibrpc
EOF
run_percall_cni() {
  local t
  # Not under `ip netns exec`: its private mount namespace would take the `ip netns add` mounts with it.
  t=$(date +%s%N); bash "$W/cni-percall.sh" up; PCC_CREATE=$(ms $t)
  t=$(date +%s%N); bash "$W/cni-percall.sh" down; PCC_DELETE=$(ms $t)
}
# The floor, with ip alone: one `ip netns add` and one veth into it per endpoint (two processes), then one
# `ip link del` of the host end and one `ip netns del`; and the kernel's own part, without the process starts:
# the same as one `ip -batch` (netns add/del, veth add/del).
run_percall_floor() {
  local t i
  t=$(date +%s%N)
  for i in $(seq 1 $PC); do
    ip netns add pt-cni-bench-p$i
    ip -n $HOSTNS link add ptcnipf$i type veth peer name eth0 netns pt-cni-bench-p$i
  done
  PCF_CREATE=$(ms $t); t=$(date +%s%N)
  for i in $(seq 1 $PC); do ip -n $HOSTNS link del ptcnipf$i; ip netns del pt-cni-bench-p$i; done
  PCF_DELETE=$(ms $t)
  { for i in $(seq 1 $PC); do
      echo "netns add pt-cni-bench-p$i"; echo "link add ptcnipf$i netns $HOSTNS type veth peer name eth0 netns pt-cni-bench-p$i"
    done; } > "$W/floor-pc-add.batch"
  for i in $(seq 1 $PC); do echo "link del ptcnipf$i"; done > "$W/floor-pc-del-links.batch"
  for i in $(seq 1 $PC); do echo "netns del pt-cni-bench-p$i"; done > "$W/floor-pc-del-ns.batch"
  t=$(date +%s%N); ip -batch "$W/floor-pc-add.batch"; PCK_CREATE=$(ms $t)
  t=$(date +%s%N); ip -n $HOSTNS -batch "$W/floor-pc-del-links.batch"; ip -batch "$W/floor-pc-del-ns.batch"; PCK_DELETE=$(ms $t)
}
# Interleaved, three rounds; the median round (by total) of each method is reported.
pc_two=() pc_one=() pc_cni=() pc_floor=() pc_kernel=() pc_old=()
for _ in 1 2 3; do
  if [ -n "${PLUMB_OLD:-}" ]; then
    networks_percall_run "$PLUMB_OLD" "$W/percall-state-old" one $PC; pc_old+=("$((PC_CREATE + PC_DELETE)):$PC_CREATE:$PC_DELETE")
  fi
  run_percall_plumb two; pc_two+=("$((PC_CREATE + PC_DELETE)):$PC_CREATE:$PC_DELETE")
  run_percall_cni; pc_cni+=("$((PCC_CREATE + PCC_DELETE)):$PCC_CREATE:$PCC_DELETE")
  run_percall_plumb one; pc_one+=("$((PC_CREATE + PC_DELETE)):$PC_CREATE:$PC_DELETE")
  run_percall_floor
  pc_floor+=("$((PCF_CREATE + PCF_DELETE)):$PCF_CREATE:$PCF_DELETE"); pc_kernel+=("$((PCK_CREATE + PCK_DELETE)):$PCK_CREATE:$PCK_DELETE")
done
median() { printf '%s\n' "$@" | sort -t: -k1,1n | sed -n 2p; }
IFS=: read -r PT_TOTAL PT_CREATE PT_DELETE <<< "$(median "${pc_two[@]}")"
IFS=: read -r PO_TOTAL PO_CREATE PO_DELETE <<< "$(median "${pc_one[@]}")"
IFS=: read -r PCN_TOTAL PCN_CREATE PCN_DELETE <<< "$(median "${pc_cni[@]}")"
IFS=: read -r PCF_TOTAL PCF_CREATE PCF_DELETE <<< "$(median "${pc_floor[@]}")"
IFS=: read -r PCK_TOTAL PCK_CREATE PCK_DELETE <<< "$(median "${pc_kernel[@]}")"
pcrow() { printf '%-52s %6d ms  create %5.1f  delete %5.1f ms/endpoint\n' "$1" "$2" "$(echo "$3 / $PC" | bc -l)" "$(echo "$4 / $PC" | bc -l)"; }
{
  echo "per call: $PC endpoints, one call each (median of 3 interleaved rounds)"
  pcrow "plumb ns add + net connect / ns rm --force" "$PT_TOTAL" "$PT_CREATE" "$PT_DELETE"
  pcrow "plumb net connect --new-ns / ns rm --force" "$PO_TOTAL" "$PO_CREATE" "$PO_DELETE"
  if [ -n "${PLUMB_OLD:-}" ]; then
    IFS=: read -r POO_TOTAL POO_CREATE POO_DELETE <<< "$(median "${pc_old[@]}")"
    pcrow "the same, PLUMB_OLD build" "$POO_TOTAL" "$POO_CREATE" "$POO_DELETE"
  fi
  pcrow "ip netns add + CNI bridge ADD / DEL + ip netns del" "$PCN_TOTAL" "$PCN_CREATE" "$PCN_DELETE"
  pcrow "floor: ip netns add + veth add / veth del + netns del" "$PCF_TOTAL" "$PCF_CREATE" "$PCF_DELETE"
  pcrow "floor: the same in one ip -batch (kernel only)" "$PCK_TOTAL" "$PCK_CREATE" "$PCK_DELETE"
  printf '%-52s %8.2fx  (target <= 0.33)\n' "per call: plumb (two steps) / CNI" "$(echo "$PT_TOTAL / $PCN_TOTAL" | bc -l)"
  printf '%-52s %8.2fx  (target <= 0.33)\n' "per call: plumb (--new-ns) / CNI" "$(echo "$PO_TOTAL / $PCN_TOTAL" | bc -l)"
  [ -z "${PLUMB_OLD:-}" ] || printf '%-52s %8.2fx\n' "per call: PLUMB_OLD (--new-ns) / CNI" "$(echo "$POO_TOTAL / $PCN_TOTAL" | bc -l)"
  echo "per-call rounds (total:create:delete ms): two ${pc_two[*]} / one ${pc_one[*]} / cni ${pc_cni[*]}${PLUMB_OLD:+ / old ${pc_old[*]}}"
} | tee -a "$OUT/summary.txt"
[ -z "${PERCALL_ONLY:-}" ] || exit 0


row() { printf '%-44s %8d ms  %7s ms/endpoint\n' "$1" "$2" "$(per "$2")"; }
{
  echo "networks: $N endpoints across $NETS bridge networks (veth, address, route, NAT, one published port each)"
  echo "plumb runs (ms, median used): $PLUMB_RUNS"
  row "plumb total (create + connect + teardown)" $P_TOTAL
  row "  plumb net create x$NETS" $P_CREATE
  row "  plumb net connect (bulk, $PER targets) x$NETS" $P_CONNECT
  row "  plumb net rm --force (all $NETS at once)" $P_TEARDOWN
  row "shell script (one ip/iptables per step)" $S_TOTAL
  row "  shell create" $S_CREATE
  row "  shell teardown" $S_TEARDOWN
  row "CNI bridge+host-local+portmap (direct)" $C_TOTAL
  row "  CNI ADD" $C_CREATE
  row "  CNI DEL" $C_TEARDOWN
  row "floor: ip -batch veth create + delete each" $F_BATCH
  row "floor: ip -batch veth create + group delete" $F_GROUP
  row "floor: unshare -n + veth loop" $F_UNSHARE
  printf '%-44s %8.1fx  (target >= 10)\n' "shell / plumb" "$(echo "$S_TOTAL / $P_TOTAL" | bc -l)"
  printf '%-44s %8.1fx  (target >= 3)\n' "CNI / plumb" "$(echo "$C_TOTAL / $P_TOTAL" | bc -l)"
  printf '%-44s %8.1fx  (kernel floor: veths only, group delete)\n' "plumb / floor" "$(echo "$P_TOTAL / $F_GROUP" | bc -l)"
} | tee -a "$OUT/summary.txt"
