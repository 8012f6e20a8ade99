import XCTest
@testable import PlumbCapture
import PlumbModel

/// Decodes the real captures and pins their summaries and field values.
final class FixtureDecodeTests: XCTestCase {
    /// Packets per fixture as counted by `tcpdump -n -r FILE | grep -c '^[0-9]'` (lines that start with a
    /// timestamp; plain `wc -l` over-counts VXLAN, which tcpdump prints on two lines per packet) and by
    /// `tshark -r FILE | wc -l`.
    static let packetCounts: [String: Int] = [
        "arp-icmp.pcap": 8, "dhcp.pcap": 4, "dns.pcap": 10, "dumpcap.pcapng": 4, "icmp6.pcap": 7,
        "ip6-ext.pcap": 8, "malformed.pcap": 14, "raw-ip.pcap": 4, "sll.pcap": 2, "sll2.pcap": 2, "tcp.pcap": 22,
        "truncated.pcap": 23, "vlan.pcap": 2, "vxlan.pcap": 6,
    ]

    func testPacketCountsMatchTcpdump() throws {
        XCTAssertEqual(Set(Fixtures.allNames), Set(Self.packetCounts.keys), "every fixture needs a recorded count")
        for (name, count) in Self.packetCounts {
            XCTAssertEqual(try Fixtures.load(name).packets.count, count, name)
        }
    }

    func testEveryFixturePacketDecodesWithoutMalformedMarkers() throws {
        for name in Fixtures.allNames where name != "malformed.pcap" {
            for (i, p) in try Fixtures.decoded(name).enumerated() {
                if case .malformed(let why) = p.status { XCTFail("\(name) #\(i): \(why)") }
                if name != "truncated.pcap" { XCTAssertEqual(p.status, .complete, "\(name) #\(i): \(p.summary)") }
                XCTAssertFalse(p.summary.isEmpty)
                XCTAssertFalse(p.fields().isEmpty)
            }
        }
    }

    func testARPAndICMP() throws {
        XCTAssertEqual(try Fixtures.summaries("arp-icmp.pcap"), [
            "ARP, Request who-has 10.213.1.1 tell 10.213.1.2, length 28",
            "ARP, Reply 10.213.1.1 is-at 02:13:00:00:01:01, length 28",
            "IP 10.213.1.2 > 10.213.1.1: ICMP echo request, id 1, seq 1, length 64",
            "IP 10.213.1.1 > 10.213.1.2: ICMP echo reply, id 1, seq 1, length 64",
            "IP 10.213.1.2 > 10.213.1.1: ICMP echo request, id 1, seq 2, length 64",
            "IP 10.213.1.1 > 10.213.1.2: ICMP echo reply, id 1, seq 2, length 64",
            "IP 10.213.1.2.40123 > 10.213.1.1.9999: UDP, length 13",
            "IP 10.213.1.1 > 10.213.1.2: ICMP 10.213.1.1 udp port 9999 unreachable, length 49",
        ])
        let packets = try Fixtures.decoded("arp-icmp.pcap")
        let request = try XCTUnwrap(packets[0].arp)
        XCTAssertEqual(request.operation, 1)
        XCTAssertEqual(request.senderMAC, MACAddress("02:13:00:00:01:02"))
        XCTAssertEqual(request.senderIP, IPAddress("10.213.1.2"))
        XCTAssertEqual(request.targetMAC, .zero)
        XCTAssertEqual(request.targetIP, IPAddress("10.213.1.1"))
        XCTAssertEqual(packets[0].ethernet?.destination, .broadcast)
        XCTAssertEqual(packets[0].summary(linkLevel: true),
                       "02:13:00:00:01:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: "
                       + "ARP, Request who-has 10.213.1.1 tell 10.213.1.2, length 28")
        XCTAssertEqual(packets[1].arp?.senderMAC, MACAddress("02:13:00:00:01:01"))

        let echo = try XCTUnwrap(packets[2].icmp)
        XCTAssertEqual([echo.type, echo.code], [8, 0])
        XCTAssertEqual(echo.identifier, 1)
        XCTAssertEqual(echo.sequence, 1)
        XCTAssertEqual(packets[2].ipv4?.ttl, 64)
        XCTAssertEqual(packets[2].ipv4?.dontFragment, true)

        let unreachable = try XCTUnwrap(packets[7].icmp?.quoted)
        XCTAssertEqual(unreachable.protocolNumber, 17)
        XCTAssertEqual(unreachable.destination, IPAddress("10.213.1.1"))
        XCTAssertEqual(unreachable.sourcePort, 40123)
        XCTAssertEqual(unreachable.destinationPort, 9999)
    }

    func testTCP() throws {
        let summaries = try Fixtures.summaries("tcp.pcap")
        XCTAssertEqual(Array(summaries.prefix(4)), [
            "IP 10.213.1.2.44822 > 10.213.1.3.80: Flags [S], seq 2567121988, win 64240, length 0",
            "IP 10.213.1.3.80 > 10.213.1.2.44822: Flags [S.], seq 2272616255, ack 2567121989, win 65160, length 0",
            "IP 10.213.1.2.44822 > 10.213.1.3.80: Flags [.], ack 2272616256, win 63, length 0",
            "IP 10.213.1.2.44822 > 10.213.1.3.80: Flags [P.], seq 2567121989:2567121994, ack 2272616256, win 63, length 5",
        ])
        XCTAssertEqual(summaries[7], "IP 10.213.1.2.44822 > 10.213.1.3.80: Flags [F.], seq 2567121994, ack 2272616266, win 63, length 0")
        XCTAssertEqual(summaries[11], "IP6 fd13::1.44823 > fd13::2.80: Flags [S], seq 2803939114, win 64800, length 0")
        XCTAssertEqual(summaries[16], "IP6 fd13::2.80 > fd13::1.44823: Flags [P.], seq 2872521258:2872521268, ack 2803939120, win 63, length 10")

        let packets = try Fixtures.decoded("tcp.pcap")
        let syn = try XCTUnwrap(packets[0].tcp)
        XCTAssertEqual(syn.sourcePort, 44822)
        XCTAssertEqual(syn.destinationPort, 80)
        XCTAssertEqual(syn.flags, .syn)
        XCTAssertEqual(syn.sequenceNumber, 2_567_121_988)
        XCTAssertEqual(syn.window, 64240)
        XCTAssertEqual(syn.headerLength, 40)
        XCTAssertEqual(syn.optionsLength, 20)
        XCTAssertEqual(syn.maximumSegmentSize, 1460)
        XCTAssertEqual(syn.windowScale, 10)
        XCTAssertTrue(syn.sackPermitted)
        XCTAssertNotNil(syn.timestampValue)
        XCTAssertEqual(syn.timestampEcho, 0)
        XCTAssertEqual(packets[1].tcp?.flags, [.syn, .ack])
        XCTAssertEqual(packets[1].tcp?.acknowledgmentNumber, 2_567_121_989)

        let push = try XCTUnwrap(packets[3].tcp)
        XCTAssertEqual(push.flags, [.psh, .ack])
        XCTAssertEqual(push.payloadLength, 5)
        guard case .payload(let payload)? = packets[3].layers.last else { return XCTFail("no payload layer") }
        XCTAssertEqual(payload.length, 5)
        XCTAssertEqual(payload.offset, 14 + 20 + 32)
        let data = try Fixtures.load("tcp.pcap").packets[3].data
        XCTAssertEqual(Array(data[payload.offset...]), Array("pppp\n".utf8))

        let v6 = try XCTUnwrap(packets[11].ipv6)
        XCTAssertEqual(v6.source, IPAddress("fd13::1"))
        XCTAssertEqual(v6.nextHeader, 6)
        XCTAssertEqual(v6.hopLimit, 64)

        let rows = packets[0].fields()
        XCTAssertTrue(rows.contains { $0 == ("TCP", "destination port", "80") })
        XCTAssertTrue(rows.contains { $0 == ("TCP", "flags", "[S] (0x2)") })
        XCTAssertTrue(rows.contains { $0 == ("IPv4", "source", "10.213.1.2") })
        XCTAssertTrue(rows.contains { $0 == ("Ethernet", "type", "IPv4 (0x0800)") })
    }

    func testDNS() throws {
        XCTAssertEqual(try Fixtures.summaries("dns.pcap"), [
            "IP 10.213.1.2.53000 > 10.213.1.1.53: 4321+ A? example.test. (30)",
            "IP 10.213.1.1.53 > 10.213.1.2.53000: 4321 1/0/0 A 10.213.9.9 (46)",
            "IP 10.213.1.2.53000 > 10.213.1.1.53: 4322+ A? www.example.test. (34)",
            "IP 10.213.1.1.53 > 10.213.1.2.53000: 4322 2/0/0 CNAME web.example.test., A 10.213.9.10 (68)",
            "IP 10.213.1.2.53000 > 10.213.1.1.53: 4323+ AAAA? example.test. (30)",
            "IP 10.213.1.1.53 > 10.213.1.2.53000: 4323 1/0/0 AAAA fd13::99 (58)",
            "IP 10.213.1.2.53000 > 10.213.1.1.53: 4324+ PTR? 9.9.213.10.in-addr.arpa. (41)",
            "IP 10.213.1.1.53 > 10.213.1.2.53000: 4324 1/0/0 PTR example.test. (67)",
            "IP 10.213.1.2.53000 > 10.213.1.1.53: 4325+ A? missing.example.test. (38)",
            "IP 10.213.1.1.53 > 10.213.1.2.53000: 4325 NXDomain 0/0/0 (38)",
        ])
        let packets = try Fixtures.decoded("dns.pcap")
        let query = try XCTUnwrap(packets[0].dns)
        XCTAssertFalse(query.isResponse)
        XCTAssertTrue(query.recursionDesired)
        XCTAssertEqual(query.id, 4321)
        XCTAssertEqual(query.questions, [DNSQuestion(name: "example.test.", type: 1, recordClass: 1)])
        XCTAssertEqual(packets[0].udp?.sourcePort, 53000)
        XCTAssertEqual(packets[0].udp?.destinationPort, 53)

        let answer = try XCTUnwrap(packets[1].dns)
        XCTAssertTrue(answer.isResponse)
        XCTAssertEqual(answer.answers, [DNSRecord(name: "example.test.", type: 1, recordClass: 1, ttl: 300,
                                                  data: .a(IPAddress("10.213.9.9")!))])

        // The CNAME target is "web" + a pointer into the question; the A record's owner points at the CNAME rdata.
        let cname = try XCTUnwrap(packets[3].dns)
        XCTAssertEqual(cname.answers.map(\.name), ["www.example.test.", "web.example.test."])
        XCTAssertEqual(cname.answers.map(\.data), [.cname("web.example.test."), .a(IPAddress("10.213.9.10")!)])
        XCTAssertEqual(packets[5].dns?.answers.first?.data, .aaaa(IPAddress("fd13::99")!))
        XCTAssertEqual(packets[7].dns?.answers.first?.data, .ptr("example.test."))
        XCTAssertEqual(packets[9].dns?.responseCode, 3)
        XCTAssertEqual(packets[9].dns?.answers, [])
    }

    func testDHCP() throws {
        XCTAssertEqual(try Fixtures.summaries("dhcp.pcap"), [
            "IP 0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from 02:13:00:00:01:02, DHCP Discover, xid 0x3903f326, length 300",
            "IP 10.213.1.1.67 > 255.255.255.255.68: BOOTP/DHCP, Reply, DHCP Offer, yiaddr 10.213.1.50, xid 0x3903f326, length 300",
            "IP 0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from 02:13:00:00:01:02, DHCP Request, requested 10.213.1.50, xid 0x3903f326, length 300",
            "IP 10.213.1.1.67 > 255.255.255.255.68: BOOTP/DHCP, Reply, DHCP ACK, yiaddr 10.213.1.50, xid 0x3903f326, length 300",
        ])
        let packets = try Fixtures.decoded("dhcp.pcap")
        let discover = try XCTUnwrap(packets[0].dhcp)
        XCTAssertEqual(discover.op, 1)
        XCTAssertEqual(discover.messageType, .discover)
        XCTAssertEqual(discover.clientMAC, MACAddress("02:13:00:00:01:02"))
        XCTAssertEqual(discover.transactionID, 0x3903_F326)
        XCTAssertEqual(discover.hostname, "pt-client")
        XCTAssertTrue(discover.isBroadcast)
        XCTAssertTrue(discover.hasMagicCookie)

        let offer = try XCTUnwrap(packets[1].dhcp)
        XCTAssertEqual(offer.messageType, .offer)
        XCTAssertEqual(offer.yourIP, IPAddress("10.213.1.50"))
        XCTAssertEqual(offer.serverIdentifier, IPAddress("10.213.1.1"))
        XCTAssertEqual(offer.leaseTime, 3600)
        XCTAssertEqual(offer.subnetMask, IPAddress("255.255.255.0"))
        XCTAssertEqual(offer.router, IPAddress("10.213.1.1"))

        XCTAssertEqual(packets[2].dhcp?.messageType, .request)
        XCTAssertEqual(packets[2].dhcp?.requestedIP, IPAddress("10.213.1.50"))
        XCTAssertEqual(packets[3].dhcp?.messageType, .ack)
        XCTAssertTrue(packets[1].fields().contains { $0 == ("DHCP", "message type", "Offer (2)") })
    }

    func testICMPv6NeighborDiscoveryAndEcho() throws {
        XCTAssertEqual(try Fixtures.summaries("icmp6.pcap"), [
            "IP6 fd13::1 > ff02::2: ICMP6, router solicitation, length 16",
            "IP6 fd13::1 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has fd13::2, length 32",
            "IP6 fd13::2 > fd13::1: ICMP6, neighbor advertisement, tgt is fd13::2, length 32",
            "IP6 fd13::1 > fd13::2: ICMP6, echo request, id 7, seq 1, length 64",
            "IP6 fd13::2 > fd13::1: ICMP6, echo reply, id 7, seq 1, length 64",
            "IP6 fd13::1 > fd13::2: ICMP6, echo request, id 7, seq 2, length 64",
            "IP6 fd13::2 > fd13::1: ICMP6, echo reply, id 7, seq 2, length 64",
        ])
        let packets = try Fixtures.decoded("icmp6.pcap")
        XCTAssertEqual(packets[0].icmpv6?.type, 133)
        XCTAssertEqual(packets[0].icmpv6?.sourceLinkLayerAddress, MACAddress("02:13:00:00:01:02"))
        XCTAssertEqual(packets[0].ipv6?.hopLimit, 255)
        let ns = try XCTUnwrap(packets[1].icmpv6)
        XCTAssertEqual(ns.type, 135)
        XCTAssertEqual(ns.targetAddress, IPAddress("fd13::2"))
        XCTAssertEqual(ns.sourceLinkLayerAddress, MACAddress("02:13:00:00:01:02"))
        let na = try XCTUnwrap(packets[2].icmpv6)
        XCTAssertEqual(na.type, 136)
        XCTAssertTrue(na.isSolicited)
        XCTAssertFalse(na.isRouter)
        XCTAssertEqual(na.targetLinkLayerAddress, MACAddress("02:13:00:00:01:01"))
        XCTAssertEqual(packets[3].icmpv6?.identifier, 7)
        XCTAssertEqual(packets[3].icmpv6?.sequence, 1)
    }

    func testIPv6ExtensionHeaders() throws {
        XCTAssertEqual(try Fixtures.summaries("ip6-ext.pcap"), [
            "IP6 fd13::1 > fd13::2: frag (0|1448) ICMP6, echo request, id 9, seq 1, length 1448",
            "IP6 fd13::1 > fd13::2: frag (1448|1448)",
            "IP6 fd13::1 > fd13::2: frag (2896|112)",
            "IP6 fd13::2 > fd13::1: frag (0|1448) ICMP6, echo reply, id 9, seq 1, length 1448",
            "IP6 fd13::2 > fd13::1: frag (1448|1448)",
            "IP6 fd13::2 > fd13::1: frag (2896|112)",
            "IP6 fd13::1 > fd13::2: HBH DSTOPT 40000 > 7777: UDP, length 5",
            "IP6 fd13::2 > fd13::1: ICMP6, destination unreachable, unreachable port, fd13::2 udp port 7777, length 77",
        ])
        let packets = try Fixtures.decoded("ip6-ext.pcap")
        // First fragment: fragment header, then the upper layer (ICMPv6) is decoded.
        XCTAssertEqual(packets[0].ipv6?.nextHeader, 44)
        guard case .ipv6Extension(let frag) = packets[0].layers[2] else { return XCTFail("no fragment header") }
        XCTAssertEqual(frag.kind, .fragment)
        XCTAssertEqual(frag.nextHeader, 58)
        XCTAssertEqual(frag.fragmentOffset, 0)
        XCTAssertTrue(frag.moreFragments)
        guard case .icmpv6(let echo) = packets[0].layers[3] else { return XCTFail("upper layer not decoded") }
        XCTAssertEqual(echo.type, 128)
        XCTAssertEqual(echo.identifier, 9)

        // Later fragments carry no upper-layer header.
        guard case .ipv6Extension(let later) = packets[1].layers[2] else { return XCTFail("no fragment header") }
        XCTAssertEqual(later.fragmentOffset, 1448)
        XCTAssertEqual(later.identification, frag.identification)
        XCTAssertNil(packets[1].icmpv6)
        guard case .payload(let rest) = packets[1].layers.last else { return XCTFail("no payload") }
        XCTAssertEqual(rest.length, 1448)
        XCTAssertFalse(packets[2].layers.contains { if case .ipv6Extension(let e) = $0 { return e.moreFragments } else { return false } })

        let kinds = packets[6].layers.compactMap { layer -> IPv6ExtensionHeader.Kind? in
            if case .ipv6Extension(let e) = layer { return e.kind } else { return nil }
        }
        XCTAssertEqual(kinds, [.hopByHop, .destinationOptions])
        XCTAssertEqual(packets[6].udp?.destinationPort, 7777)
        XCTAssertEqual(packets[7].icmpv6?.quotedProtocol, 17)
        XCTAssertEqual(packets[7].icmpv6?.quotedDestinationPort, 7777)
    }

    func testVXLANDecodesTheInnerFrame() throws {
        let summaries = try Fixtures.summaries("vxlan.pcap")
        XCTAssertEqual(summaries, [
            "IP 10.213.2.1.44739 > 10.213.2.2.4789: VXLAN, vni 42: ARP, Request who-has 10.213.3.2 tell 10.213.3.1, length 28",
            "IP 10.213.2.2.44739 > 10.213.2.1.4789: VXLAN, vni 42: ARP, Reply 10.213.3.2 is-at 02:13:00:00:03:02, length 28",
            "IP 10.213.2.1.50883 > 10.213.2.2.4789: VXLAN, vni 42: IP 10.213.3.1 > 10.213.3.2: ICMP echo request, id 1, seq 1, length 64",
            "IP 10.213.2.2.50883 > 10.213.2.1.4789: VXLAN, vni 42: IP 10.213.3.2 > 10.213.3.1: ICMP echo reply, id 1, seq 1, length 64",
            "IP 10.213.2.1.50883 > 10.213.2.2.4789: VXLAN, vni 42: IP 10.213.3.1 > 10.213.3.2: ICMP echo request, id 1, seq 2, length 64",
            "IP 10.213.2.2.50883 > 10.213.2.1.4789: VXLAN, vni 42: IP 10.213.3.2 > 10.213.3.1: ICMP echo reply, id 1, seq 2, length 64",
        ])
        let p = try Fixtures.decoded("vxlan.pcap")[2]
        XCTAssertEqual(p.udp?.destinationPort, 4789)
        XCTAssertEqual(p.vxlan, VXLANHeader(flags: 0x08, vni: 42))
        XCTAssertEqual(p.ipv4?.source, IPAddress("10.213.2.1"))  // outer
        let inner = p.innerLayers
        guard case .ethernet(let eth) = inner.first else { return XCTFail("inner frame not decoded") }
        XCTAssertEqual(eth.source, MACAddress("02:13:00:00:03:01"))
        XCTAssertEqual(eth.destination, MACAddress("02:13:00:00:03:02"))
        guard case .ipv4(let innerIP) = inner[1], case .icmp(let innerICMP) = inner[2] else {
            return XCTFail("inner IP/ICMP missing: \(inner)")
        }
        XCTAssertEqual(innerIP.source, IPAddress("10.213.3.1"))
        XCTAssertEqual(innerIP.destination, IPAddress("10.213.3.2"))
        XCTAssertEqual(innerICMP.identifier, 1)
        XCTAssertEqual(innerICMP.sequence, 1)
        XCTAssertTrue(p.fields().contains { $0 == ("VXLAN", "vni", "42") })
    }

    func testCookedAndRawLinkTypes() throws {
        let sll = try Fixtures.load("sll.pcap")
        XCTAssertEqual(sll.interfaces.first?.linkType, .linuxSLL)
        XCTAssertEqual(try Fixtures.summaries("sll.pcap"), [
            "Out IP 10.213.1.2 > 10.213.1.1: ICMP echo request, id 3, seq 1, length 64",
            "In IP 10.213.1.1 > 10.213.1.2: ICMP echo reply, id 3, seq 1, length 64",
        ])
        guard case .sll(let h) = sll.decode(0).layers.first else { return XCTFail("no SLL header") }
        XCTAssertEqual(h.packetType, .outgoing)
        XCTAssertEqual(h.protocolType, 0x0800)
        XCTAssertEqual(h.address, MACAddress("02:13:00:00:01:02"))

        let sll2 = try Fixtures.load("sll2.pcap")
        XCTAssertEqual(sll2.interfaces.first?.linkType, .linuxSLL2)
        XCTAssertEqual(try Fixtures.summaries("sll2.pcap"), [
            "ifindex 3 Out IP 10.213.1.2 > 10.213.1.1: ICMP echo request, id 4, seq 1, length 64",
            "ifindex 3 In IP 10.213.1.1 > 10.213.1.2: ICMP echo reply, id 4, seq 1, length 64",
        ])
        guard case .sll2(let h2) = sll2.decode(1).layers.first else { return XCTFail("no SLL2 header") }
        XCTAssertEqual(h2.interfaceIndex, 3)
        XCTAssertEqual(h2.packetType, .host)
        XCTAssertEqual(h2.address, MACAddress("02:13:00:00:01:01"))

        let raw = try Fixtures.load("raw-ip.pcap")
        XCTAssertEqual(raw.interfaces.first?.linkType, .raw)
        XCTAssertEqual(try Fixtures.summaries("raw-ip.pcap"), [
            "IP 10.213.4.1 > 10.213.4.2: ICMP echo request, id 5, seq 1, length 64",
            "IP 10.213.4.2 > 10.213.4.1: ICMP echo reply, id 5, seq 1, length 64",
            "IP 10.213.4.1 > 10.213.4.2: ICMP echo request, id 5, seq 2, length 64",
            "IP 10.213.4.2 > 10.213.4.1: ICMP echo reply, id 5, seq 2, length 64",
        ])
        guard case .ipv4 = raw.decode(0).layers.first else { return XCTFail("raw IP does not start with IPv4") }
        // DLT_RAW as written by some systems (12) decodes the same way.
        let p = raw.packets[0]
        XCTAssertEqual(PacketDecoder.decode(p.data, linkType: .rawLegacy).summary, raw.decode(0).summary)
    }

    func testVLANAndQinQ() throws {
        XCTAssertEqual(try Fixtures.summaries("vlan.pcap"), [
            "vlan 200, p 0, ethertype 802.1Q (0x8100), vlan 100, p 0, ethertype IPv4 (0x0800), IP 10.213.7.1 > 10.213.7.2: ICMP echo request, id 81, seq 1, length 24",
            "vlan 30, p 5, ethertype IPv4 (0x0800), IP 10.213.8.1.40001 > 10.213.8.2.9000: UDP, length 6",
        ])
        let packets = try Fixtures.decoded("vlan.pcap")
        let tags = packets[0].layers.compactMap { layer -> VLANTag? in
            if case .vlan(let t) = layer { return t } else { return nil }
        }
        XCTAssertEqual(tags.map(\.tpid), [0x88A8, 0x8100])
        XCTAssertEqual(tags.map(\.vlanID), [200, 100])
        XCTAssertEqual(packets[0].ethernet?.etherType, 0x88A8)
        guard case .vlan(let single) = packets[1].layers[1] else { return XCTFail("no tag") }
        XCTAssertEqual(single.priority, 5)
        XCTAssertEqual(single.vlanID, 30)
        XCTAssertEqual(packets[1].udp?.destinationPort, 9000)
    }

    func testSnaplenTruncatedCapture() throws {
        let file = try Fixtures.load("truncated.pcap")
        XCTAssertTrue(file.packets.allSatisfy { $0.data.count <= 60 })
        let packets = file.packets.indices.map { file.decode($0) }
        let summaries = packets.map(\.summary)
        XCTAssertEqual(summaries[3], "IP 10.213.1.2.44824 > 10.213.1.3.8080: Flags [P.], seq 2316382579:2316382779, ack 139640001, win 63, length 200 [|tcp]")
        XCTAssertEqual(summaries[11], "IP 10.213.1.2.53001 > 10.213.1.1.53: 4321+ [|domain]")
        XCTAssertEqual(summaries[20], "IP 10.213.1.1.53 > 10.213.1.2.53001: 4325 NXDomain [|domain]")
        XCTAssertEqual(summaries[21], "IP 10.213.1.2 > 10.213.1.1: ICMP echo request, id 2, seq 1, length 208 [|icmp]")

        // A cut SYN: the fixed TCP header is there (ports, flags, seq), its options are not.
        XCTAssertEqual(packets[0].status, .truncated(layer: "TCP"))
        XCTAssertEqual(packets[0].tcp?.flags, .syn)
        XCTAssertEqual(packets[0].tcp?.headerLength, 40)
        XCTAssertEqual(packets[0].capturedLength, 58)  // libpcap on Linux keeps 58 of a 60-byte snaplen
        XCTAssertEqual(packets[0].wireLength, 74)
        XCTAssertEqual(packets[11].status, .truncated(layer: "DNS"))
        XCTAssertEqual(packets[11].dns?.id, 4321)
        XCTAssertEqual(packets[11].dns?.questions, [])
        XCTAssertEqual(packets[21].status, .truncated(layer: "ICMP"))
        XCTAssertTrue(packets[0].fields().contains { $0 == ("Frame", "truncated", "TCP") })
    }

    func testPcapngFromDumpcap() throws {
        let file = try Fixtures.load("dumpcap.pcapng")
        XCTAssertTrue(file.isPcapng)
        XCTAssertEqual(file.interfaces.count, 1)
        XCTAssertEqual(file.interfaces[0].name, "pta0")
        XCTAssertEqual(file.interfaces[0].linkType, .ethernet)
        XCTAssertEqual(try Fixtures.summaries("dumpcap.pcapng"), [
            "IP 10.213.1.2 > 10.213.1.1: ICMP echo request, id 6, seq 1, length 64",
            "IP 10.213.1.1 > 10.213.1.2: ICMP echo reply, id 6, seq 1, length 64",
            "IP 10.213.1.2 > 10.213.1.1: ICMP echo request, id 6, seq 2, length 64",
            "IP 10.213.1.1 > 10.213.1.2: ICMP echo reply, id 6, seq 2, length 64",
        ])
        // Timestamps are from the capture day, increasing.
        let ts = file.packets.map(\.timestamp)
        XCTAssertEqual(ts, ts.sorted())
        XCTAssertGreaterThan(ts[0].seconds, 1_700_000_000)
    }
}
