#!/usr/bin/env bash
# Regenerates the PlumbCapture test fixtures by capturing real traffic between throwaway network namespaces.
# Needs root, iproute2, tcpdump, dumpcap (Wireshark), iputils-ping and python3. Everything it creates is named
# pt-cap-* / pt* and removed on exit; traffic stays between those namespaces (10.213.0.0/16, fd13::/16).
#
#   sudo Tests/PlumbCaptureTests/Fixtures/generate/make-fixtures.sh [output-dir]
#
# The tests pin exact values (ports, ids, addresses) that this script fixes, but also some that the kernel
# picks (VXLAN source ports, TCP initial sequence numbers, timestamps): after regenerating, update the
# expected values in PlumbCaptureTests from `tcpdump -n -S -t -r FILE`.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${1:-$HERE/..}"
TOOLS="$HERE/fixture_tools.py"
NS_A=pt-cap-a NS_B=pt-cap-b NS_C=pt-cap-c NS_D=pt-cap-d
MAC_A=02:13:00:00:01:02 MAC_B=02:13:00:00:01:01

cleanup() {
    set +e
    for ns in $NS_A $NS_B $NS_C $NS_D; do ip netns del "$ns" 2>/dev/null; done
    true
}
trap cleanup EXIT
cleanup

A() { ip netns exec $NS_A "$@"; }
B() { ip netns exec $NS_B "$@"; }

# Captures in namespace $1 on interface $2 into $3 (extra tcpdump args follow) until stop_capture.
start_capture() {
    local ns=$1 ifc=$2 file=$3; shift 3
    # --immediate-mode: without it packets still in a TPACKET_V3 ring block when tcpdump gets SIGINT are lost.
    ip netns exec "$ns" tcpdump --immediate-mode -Z root -U -n -i "$ifc" -w "$file" "$@" >/dev/null 2>&1 &
    CAP_PID=$!
    sleep 1.5
}
stop_capture() { sleep 0.7; kill -INT "$CAP_PID"; wait "$CAP_PID" || true; }

quiet_ipv6() {  # no router solicitations, DAD or RA processing: only the traffic we generate
    local ns=$1
    for key in all default; do
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.$key.router_solicitations=0 net.ipv6.conf.$key.accept_dad=0 \
            net.ipv6.conf.$key.accept_ra=0 net.ipv6.conf.$key.addr_gen_mode=1
    done
}

setup_ab() {
    ip netns add $NS_A; ip netns add $NS_B
    quiet_ipv6 $NS_A; quiet_ipv6 $NS_B
    A ip link add pta0 address $MAC_A type veth peer name ptb0 address $MAC_B
    A ip link set ptb0 netns $NS_B
    A ip addr add 10.213.1.2/24 dev pta0
    B ip addr add 10.213.1.1/24 dev ptb0
    B ip addr add 10.213.1.3/24 dev ptb0
    A ip -6 addr add fd13::1/64 dev pta0 nodad
    B ip -6 addr add fd13::2/64 dev ptb0 nodad
    A ip link set lo up; B ip link set lo up
    A ip link set pta0 up; B ip link set ptb0 up
    sleep 2  # let link-up multicast reports go out before any capture starts
}

setup_ab

# --- ARP + ICMP (echo, port unreachable) ---------------------------------------------------------------------
start_capture $NS_A pta0 "$OUT/arp-icmp.pcap" 'ip or arp'
A ping -n -c 2 -i 0.2 -e 1 10.213.1.1 >/dev/null
A python3 "$TOOLS" udp4 10.213.1.2 40123 10.213.1.1 9999
stop_capture

# --- ICMPv6: router solicitation, neighbor discovery, echo ---------------------------------------------------
B ip -6 neigh flush all; A ip -6 neigh flush all
start_capture $NS_A pta0 "$OUT/icmp6.pcap" ip6
A python3 "$TOOLS" rs pta0
A ping -6 -n -c 2 -i 0.2 -e 7 fd13::2 >/dev/null
stop_capture

# --- TCP over IPv4 and IPv6 ----------------------------------------------------------------------------------
start_capture $NS_A pta0 "$OUT/tcp.pcap" tcp
B python3 "$TOOLS" tcp-server 10.213.1.3 80 4 & SRV=$!
sleep 0.5  # let the server listen first (otherwise the first SYN gets an RST)
A python3 "$TOOLS" tcp-client 10.213.1.2 44822 10.213.1.3 80 4 5
wait $SRV
B python3 "$TOOLS" tcp-server fd13::2 80 6 & SRV=$!
sleep 0.5  # let the server listen first (otherwise the first SYN gets an RST)
A python3 "$TOOLS" tcp-client fd13::1 44823 fd13::2 80 6 5
wait $SRV
stop_capture

# --- DNS ------------------------------------------------------------------------------------------------------
start_capture $NS_A pta0 "$OUT/dns.pcap" 'udp port 53'
B python3 "$TOOLS" dns-server 10.213.1.1 6 & SRV=$!
sleep 0.5
A python3 "$TOOLS" dns-client 10.213.1.1 53000
stop_capture
wait $SRV

# --- IPv6 extension headers: fragments (ping -s 3000) and hop-by-hop + destination options ----------------------
start_capture $NS_A pta0 "$OUT/ip6-ext.pcap" 'ip6 and not icmp6[0] >= 133'
A ping -6 -n -c 1 -s 3000 -e 9 fd13::2 >/dev/null
A python3 "$TOOLS" udp6-options fd13::2 7777
stop_capture

# --- DHCP (crafted frames sent through the veth by both ends, captured on the client side) ----------------------
start_capture $NS_A pta0 "$OUT/dhcp.pcap" 'udp port 67 or udp port 68'
A python3 "$TOOLS" dhcp discover pta0 $MAC_A $MAC_B
B python3 "$TOOLS" dhcp offer ptb0 $MAC_A $MAC_B
A python3 "$TOOLS" dhcp request pta0 $MAC_A $MAC_B
B python3 "$TOOLS" dhcp ack ptb0 $MAC_A $MAC_B
stop_capture

# --- Snaplen 60: TCP with data, DNS, ping ------------------------------------------------------------------------
start_capture $NS_A pta0 "$OUT/truncated.pcap" -s 60 'ip'
B python3 "$TOOLS" tcp-server 10.213.1.3 8080 4 & SRV=$!
sleep 0.5  # let the server listen first (otherwise the first SYN gets an RST)
A python3 "$TOOLS" tcp-client 10.213.1.2 44824 10.213.1.3 8080 4 200
wait $SRV
B python3 "$TOOLS" dns-server 10.213.1.1 3 & SRV=$!
sleep 0.5
A python3 "$TOOLS" dns-client 10.213.1.1 53001
A ping -n -c 1 -s 200 -e 2 10.213.1.1 >/dev/null
stop_capture
wait $SRV

# --- Linux cooked captures on "any" (SLL v1 and v2) ---------------------------------------------------------------
start_capture $NS_A any "$OUT/sll.pcap" -y LINUX_SLL icmp
A ping -n -c 1 -e 3 10.213.1.1 >/dev/null
stop_capture
start_capture $NS_A any "$OUT/sll2.pcap" -y LINUX_SLL2 icmp
A ping -n -c 1 -e 4 10.213.1.1 >/dev/null
stop_capture

# --- 802.1Q and QinQ (crafted tagged frames, captured on the receiving side) ---------------------------------------
start_capture $NS_B ptb0 "$OUT/vlan.pcap" vlan
A python3 "$TOOLS" vlan pta0 $MAC_A $MAC_B
stop_capture

# --- Raw IP (a tun device: LINKTYPE_RAW) ------------------------------------------------------------------------------
A python3 "$TOOLS" tun-echo pttun0 6 > /tmp/pt-cap-tun.ready & TUN=$!
for _ in $(seq 50); do grep -q ready /tmp/pt-cap-tun.ready 2>/dev/null && break; sleep 0.1; done
A ip addr add 10.213.4.1/24 dev pttun0
A ip link set pttun0 up
start_capture $NS_A pttun0 "$OUT/raw-ip.pcap"
A ping -n -c 2 -i 0.2 -e 5 10.213.4.2 >/dev/null
stop_capture
wait $TUN || true
rm -f /tmp/pt-cap-tun.ready

# --- pcapng written by Wireshark's dumpcap (a foreign writer for the pcapng reader) -------------------------------------
ip netns exec $NS_A dumpcap -q -i pta0 -f icmp -w "$OUT/dumpcap.pcapng" >/dev/null 2>&1 & DC=$!
sleep 2
A ping -n -c 2 -i 0.2 -e 6 10.213.1.1 >/dev/null
sleep 0.7; kill -INT $DC; wait $DC || true

# --- VXLAN: underlay veth between C and D, vx0 (VNI 42) on top; captured on the underlay ----------------------------------
ip netns add $NS_C; ip netns add $NS_D
quiet_ipv6 $NS_C; quiet_ipv6 $NS_D
ip netns exec $NS_C ip link add ptc0 address 02:13:00:00:02:01 type veth peer name ptd0 address 02:13:00:00:02:02
ip netns exec $NS_C ip link set ptd0 netns $NS_D
ip netns exec $NS_C ip addr add 10.213.2.1/24 dev ptc0
ip netns exec $NS_D ip addr add 10.213.2.2/24 dev ptd0
ip netns exec $NS_C ip link set ptc0 up
ip netns exec $NS_D ip link set ptd0 up
ip netns exec $NS_C ip link add vx0 address 02:13:00:00:03:01 type vxlan id 42 remote 10.213.2.2 local 10.213.2.1 dstport 4789 dev ptc0
ip netns exec $NS_D ip link add vx0 address 02:13:00:00:03:02 type vxlan id 42 remote 10.213.2.1 local 10.213.2.2 dstport 4789 dev ptd0
ip netns exec $NS_C ip addr add 10.213.3.1/24 dev vx0
ip netns exec $NS_D ip addr add 10.213.3.2/24 dev vx0
ip netns exec $NS_C sysctl -qw net.ipv6.conf.vx0.disable_ipv6=1
ip netns exec $NS_D sysctl -qw net.ipv6.conf.vx0.disable_ipv6=1
ip netns exec $NS_C ip link set vx0 up
ip netns exec $NS_D ip link set vx0 up
sleep 2
start_capture $NS_C ptc0 "$OUT/vxlan.pcap" 'udp port 4789'
ip netns exec $NS_C ping -n -c 2 -i 0.2 -e 1 10.213.3.2 >/dev/null
stop_capture

# --- Malformed frames (constructed) -------------------------------------------------------------------------------------
python3 "$TOOLS" malformed "$OUT/malformed.pcap"

cleanup
trap - EXIT
echo "namespaces left: $(ip netns list | grep -c pt-cap || true)"
for f in "$OUT"/*.pcap "$OUT"/*.pcapng; do
    printf '%-16s %4s packets %6s bytes\n' "$(basename "$f")" "$(tcpdump -n -r "$f" 2>/dev/null | grep -c '^[0-9]' || true)" "$(stat -c %s "$f")"
done
