#!/usr/bin/env python3
"""Traffic generators for make-fixtures.sh. Each subcommand runs inside a test network namespace, talks only to
addresses of the other test namespace (10.213.0.0/16, fd13::/16), and exits on its own after a bounded time."""
import os, select, socket, struct, sys, time, fcntl

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF

def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))

def ip4(text):
    return socket.inet_aton(text)

def ipv4_header(src, dst, proto, payload_len, ident=0x1234, ttl=64, flags=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident, flags, ttl, proto, 0, ip4(src), ip4(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]

def udp4(src, dst, sport, dport, payload):
    length = 8 + len(payload)
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 17, length)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    c = csum(pseudo + hdr + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, c) + payload

def eth(dst, src, ethertype, payload):
    return mac(dst) + mac(src) + struct.pack("!H", ethertype) + payload

# ---------------------------------------------------------------------------------------------------- DNS
def dns_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"

def dns_server(addr, seconds):
    """Answers a fixed zone; uses compression pointers like real servers (answer names point at the question)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    deadline = time.time() + float(seconds)
    while time.time() < deadline:
        r, _, _ = select.select([s], [], [], 0.2)
        if not r:
            continue
        q, peer = s.recvfrom(512)
        qid, flags = struct.unpack("!HH", q[:4])
        pos = 12
        labels = []
        while q[pos]:
            labels.append(q[pos + 1:pos + 1 + q[pos]].decode())
            pos += 1 + q[pos]
        name = ".".join(labels).lower()
        qtype, = struct.unpack("!H", q[pos + 1:pos + 3])
        question = q[12:pos + 5]
        answers = []
        rcode = 0
        ptr_q = b"\xc0\x0c"
        if name == "example.test" and qtype == 1:
            answers.append(ptr_q + struct.pack("!HHIH", 1, 1, 300, 4) + ip4("10.213.9.9"))
        elif name == "example.test" and qtype == 28:
            answers.append(ptr_q + struct.pack("!HHIH", 28, 1, 300, 16) + socket.inet_pton(socket.AF_INET6, "fd13::99"))
        elif name == "www.example.test" and qtype == 1:
            # CNAME www.example.test -> web.example.test, with "example.test" compressed to offset 16 (inside the
            # question name), then an A record whose owner name points at the CNAME target.
            target = b"\x03web\xc0\x10"
            cname_rdata_offset = 12 + len(question) + 12
            answers.append(ptr_q + struct.pack("!HHIH", 5, 1, 60, len(target)) + target)
            answers.append(struct.pack("!H", 0xC000 | cname_rdata_offset) + struct.pack("!HHIH", 1, 1, 60, 4) + ip4("10.213.9.10"))
        elif name == "9.9.213.10.in-addr.arpa" and qtype == 12:
            target = dns_name("example.test")
            answers.append(ptr_q + struct.pack("!HHIH", 12, 1, 300, len(target)) + target)
        else:
            rcode = 3
        # QR, RD copied, RA set, not authoritative.
        rflags = 0x8000 | (flags & 0x0100) | 0x0080 | rcode
        resp = struct.pack("!HHHHHH", qid, rflags, 1, len(answers), 0, 0) + question + b"".join(answers)
        s.sendto(resp, peer)

def dns_client(server, sport):
    queries = [(4321, "example.test", 1), (4322, "www.example.test", 1), (4323, "example.test", 28),
               (4324, "9.9.213.10.in-addr.arpa", 12), (4325, "missing.example.test", 1)]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(sport)))
    s.settimeout(2)
    for qid, name, qtype in queries:
        s.sendto(struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack("!HH", qtype, 1),
                 (server, 53))
        s.recvfrom(512)

# ---------------------------------------------------------------------------------------------------- TCP
def tcp_server(addr, port, family):
    fam = socket.AF_INET6 if family == "6" else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(1)
    s.settimeout(10)
    c, _ = s.accept()
    c.settimeout(5)
    data = c.recv(1000)
    c.sendall(b"pong " + data)
    time.sleep(0.2)
    c.close()

def tcp_client(src, sport, dst, dport, family, size):
    fam = socket.AF_INET6 if family == "6" else socket.AF_INET
    c = socket.socket(fam, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind((src, int(sport)))
    c.settimeout(5)
    for _ in range(50):
        try:
            c.connect((dst, int(dport)))
            break
        except (ConnectionRefusedError, OSError):
            time.sleep(0.1)
    c.sendall(b"p" * (int(size) - 1) + b"\n")
    c.recv(2000)
    time.sleep(0.1)
    c.close()

# ---------------------------------------------------------------------------------------------------- IPv6
def router_solicitation(ifname):
    """A real RS through the kernel's ICMPv6 raw socket (the kernel fills in the checksum)."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    lladdr = bytes.fromhex(open(f"/sys/class/net/{ifname}/address").read().strip().replace(":", ""))
    msg = bytes([133, 0, 0, 0, 0, 0, 0, 0]) + bytes([1, 1]) + lladdr
    idx = socket.if_nametoindex(ifname)
    s.sendto(msg, ("ff02::2", 0, 0, idx))

def udp6_with_options(dst, port):
    """UDP over IPv6 with a hop-by-hop and a destination-options header (PadN only)."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    padn = bytes([0, 0, 1, 4, 0, 0, 0, 0])  # next header (kernel fills), length 0, PadN of 4
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, padn)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, padn)
    s.bind(("fd13::1", 40000))
    s.sendto(b"plumb", (dst, int(port)))

def udp4_send(src, sport, dst, dport):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, int(sport)))
    s.sendto(b"anyone there?", (dst, int(dport)))

# ---------------------------------------------------------------------------------------------------- frames
def send_frames(ifname, frames):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    for f in frames:
        s.send(f)
        time.sleep(0.05)

def dhcp_message(op, xid, chaddr, yiaddr, siaddr, options):
    bootp = struct.pack("!BBBBIHH4s4s4s4s", op, 1, 6, 0, xid, 0, 0x8000, ip4("0.0.0.0"), ip4(yiaddr), ip4(siaddr),
                        ip4("0.0.0.0"))
    bootp += mac(chaddr) + bytes(10) + bytes(64) + bytes(128) + struct.pack("!I", 0x63825363)
    for code, value in options:
        bootp += bytes([code, len(value)]) + value
    bootp += b"\xff"
    return bootp + bytes(max(0, 300 - len(bootp)))

def dhcp_frame(client_side, src_mac, payload):
    if client_side:
        udp = udp4("0.0.0.0", "255.255.255.255", 68, 67, payload)
        ip = ipv4_header("0.0.0.0", "255.255.255.255", 17, len(udp), ident=0)
    else:
        udp = udp4("10.213.1.1", "255.255.255.255", 67, 68, payload)
        ip = ipv4_header("10.213.1.1", "255.255.255.255", 17, len(udp), ident=0x4d00)
    return eth("ff:ff:ff:ff:ff:ff", src_mac, 0x0800, ip + udp)

def dhcp(role, ifname, client_mac, server_mac):
    xid = 0x3903F326
    lease = [(51, struct.pack("!I", 3600)), (1, ip4("255.255.255.0")), (3, ip4("10.213.1.1"))]
    server_id = (54, ip4("10.213.1.1"))
    if role == "discover":
        opts = [(53, b"\x01"), (61, b"\x01" + mac(client_mac)), (12, b"pt-client"), (55, bytes([1, 3, 6, 51]))]
        send_frames(ifname, [dhcp_frame(True, client_mac, dhcp_message(1, xid, client_mac, "0.0.0.0", "0.0.0.0", opts))])
    elif role == "offer":
        opts = [(53, b"\x02"), server_id] + lease
        send_frames(ifname, [dhcp_frame(False, server_mac, dhcp_message(2, xid, client_mac, "10.213.1.50", "10.213.1.1", opts))])
    elif role == "request":
        opts = [(53, b"\x03"), (50, ip4("10.213.1.50")), server_id, (12, b"pt-client")]
        send_frames(ifname, [dhcp_frame(True, client_mac, dhcp_message(1, xid, client_mac, "0.0.0.0", "0.0.0.0", opts))])
    elif role == "ack":
        opts = [(53, b"\x05"), server_id] + lease
        send_frames(ifname, [dhcp_frame(False, server_mac, dhcp_message(2, xid, client_mac, "10.213.1.50", "10.213.1.1", opts))])

def icmp_echo(ident, seq, data=b"plumb-vlan-test!"):
    body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    return body[:2] + struct.pack("!H", csum(body)) + body[4:]

def vlan_frames(ifname, src_mac, dst_mac):
    """One QinQ frame (802.1ad 200 outside, 802.1Q 100 inside) with an ICMP echo, and one 802.1Q frame (VLAN 30,
    priority 5) with UDP."""
    icmp = icmp_echo(0x51, 1)
    ip = ipv4_header("10.213.7.1", "10.213.7.2", 1, len(icmp), ident=0x0701)
    qinq = mac(dst_mac) + mac(src_mac) + struct.pack("!HHHHH", 0x88A8, 200, 0x8100, 100, 0x0800) + ip + icmp
    udp = udp4("10.213.8.1", "10.213.8.2", 40001, 9000, b"tagged")
    ip2 = ipv4_header("10.213.8.1", "10.213.8.2", 17, len(udp), ident=0x0801)
    dot1q = mac(dst_mac) + mac(src_mac) + struct.pack("!HHH", 0x8100, (5 << 13) | 30, 0x0800) + ip2 + udp
    send_frames(ifname, [qinq, dot1q])

# ---------------------------------------------------------------------------------------------------- tun
def tun_echo(ifname, seconds):
    """Creates a tun device and answers ICMP echo requests sent into it (so its capture is LINKTYPE_RAW)."""
    TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454CA, 0x0001, 0x1000
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", ifname.encode(), IFF_TUN | IFF_NO_PI))
    print("ready", flush=True)
    deadline = time.time() + float(seconds)
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if not r:
            continue
        pkt = bytearray(os.read(fd, 4096))
        if pkt[0] >> 4 != 4 or pkt[9] != 1:
            continue
        ihl = (pkt[0] & 15) * 4
        if pkt[ihl] != 8:
            continue
        pkt[12:16], pkt[16:20] = pkt[16:20], pkt[12:16]
        pkt[10:12] = b"\0\0"
        pkt[10:12] = struct.pack("!H", csum(bytes(pkt[:ihl])))
        pkt[ihl] = 0
        pkt[ihl + 2:ihl + 4] = b"\0\0"
        pkt[ihl + 2:ihl + 4] = struct.pack("!H", csum(bytes(pkt[ihl:])))
        os.write(fd, bytes(pkt))

# ---------------------------------------------------------------------------------------------------- malformed
def write_pcap(path, frames, linktype=1):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)) + fr)

def malformed(path):
    A, B = "02:13:00:00:0a:01", "02:13:00:00:0a:02"
    frames = []
    def ip_frame(ip_and_payload):
        return eth(B, A, 0x0800, ip_and_payload)
    # 0: IPv4 header length 12 (IHL 3)
    h = bytearray(ipv4_header("10.213.10.1", "10.213.10.2", 17, 8)); h[0] = 0x43
    frames.append(ip_frame(bytes(h) + bytes(8)))
    # 1: IPv4 total length 10, smaller than the header
    h = bytearray(ipv4_header("10.213.10.1", "10.213.10.2", 17, 8)); h[2:4] = struct.pack("!H", 10)
    frames.append(ip_frame(bytes(h) + bytes(8)))
    # 2: TCP data offset 2 (8 bytes)
    tcp = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 0x20, 0x02, 1024, 0, 0)
    frames.append(ip_frame(ipv4_header("10.213.10.1", "10.213.10.2", 6, len(tcp)) + tcp))
    # 3: DNS name that is a pointer to itself
    dns = struct.pack("!HHHHHH", 0xBAD1, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c" + struct.pack("!HH", 1, 1)
    u = udp4("10.213.10.1", "10.213.10.2", 40001, 53, dns)
    frames.append(ip_frame(ipv4_header("10.213.10.1", "10.213.10.2", 17, len(u)) + u))
    # 4: DNS answer whose name and rdata point at each other (two-pointer loop)
    dns = struct.pack("!HHHHHH", 0xBAD2, 0x8180, 0, 1, 0, 0) + b"\xc0\x18" + struct.pack("!HHIH", 5, 1, 1, 2) + b"\xc0\x0c"
    u = udp4("10.213.10.2", "10.213.10.1", 53, 40001, dns)
    frames.append(ip_frame(ipv4_header("10.213.10.2", "10.213.10.1", 17, len(u)) + u))
    # 5: DNS label with the reserved 0x40 type
    dns = struct.pack("!HHHHHH", 0xBAD3, 0x0100, 1, 0, 0, 0) + b"\x41abc\x00" + struct.pack("!HH", 1, 1)
    u = udp4("10.213.10.1", "10.213.10.2", 40001, 53, dns)
    frames.append(ip_frame(ipv4_header("10.213.10.1", "10.213.10.2", 17, len(u)) + u))
    # 6: UDP length 4
    u = struct.pack("!HHHH", 40002, 9999, 4, 0) + b"data"
    frames.append(ip_frame(ipv4_header("10.213.10.1", "10.213.10.2", 17, len(u)) + u))
    # 7: UDP length larger than the IP payload
    u = struct.pack("!HHHH", 40002, 9999, 200, 0) + b"data"
    frames.append(ip_frame(ipv4_header("10.213.10.1", "10.213.10.2", 17, len(u)) + u))
    # 8: IPv6 hop-by-hop header claiming 64 bytes in a 16-byte payload
    hbh = bytes([17, 7]) + bytes(6) + bytes(8)
    ip6 = struct.pack("!IHBB", 0x60000000, len(hbh), 0, 64) + socket.inet_pton(socket.AF_INET6, "fd13::a1") + \
        socket.inet_pton(socket.AF_INET6, "fd13::a2")
    frames.append(eth("33:33:00:00:00:01", A, 0x86DD, ip6 + hbh))
    # 9: IPv4 version field 5
    h = bytearray(ipv4_header("10.213.10.1", "10.213.10.2", 17, 8)); h[0] = 0x55
    frames.append(ip_frame(bytes(h) + bytes(8)))
    # 10: runt Ethernet frame (10 bytes)
    frames.append(mac(B) + mac(A)[:4])
    # 11: TCP data offset 60 in a 24-byte segment
    tcp = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 0xF0, 0x02, 1024, 0, 0) + bytes(4)
    frames.append(ip_frame(ipv4_header("10.213.10.1", "10.213.10.2", 6, len(tcp)) + tcp))
    # 12: VXLAN nested ten times
    inner = eth(B, A, 0x0800, ipv4_header("10.213.11.1", "10.213.11.2", 1, 8) + icmp_echo(1, 1, b""))
    for _ in range(10):
        vx = struct.pack("!BBBBI", 8, 0, 0, 0, 42 << 8) + inner
        u = udp4("10.213.11.1", "10.213.11.2", 40003, 4789, vx)
        inner = eth(B, A, 0x0800, ipv4_header("10.213.11.1", "10.213.11.2", 17, len(u)) + u)
    frames.append(inner)
    # 13: ARP cut after the fixed header
    frames.append(eth("ff:ff:ff:ff:ff:ff", A, 0x0806, struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac(A)))
    write_pcap(path, frames)

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"dns-server": dns_server, "dns-client": dns_client, "tcp-server": tcp_server, "tcp-client": tcp_client,
     "rs": router_solicitation, "udp6-options": udp6_with_options, "udp4": udp4_send, "dhcp": dhcp,
     "vlan": vlan_frames, "tun-echo": tun_echo, "malformed": malformed}[cmd](*args)
