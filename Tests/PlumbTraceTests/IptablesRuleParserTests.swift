import XCTest
@testable import PlumbTrace
import PlumbModel

/// The rule parser on rules exactly as iptables-save 1.8.9 (nf_tables) printed them.
final class IptablesRuleParserTests: XCTestCase {
    func testDockerPublishedPortDNAT() {
        let r = IptablesRuleParser.parse("! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80")
        XCTAssertEqual(r.matches, [.inInterface("docker0", negated: true), .proto("tcp", negated: false),
                                   .destinationPorts([8080...8080], negated: false)])
        XCTAssertEqual(r.target, .dnat(to: "172.17.0.2:80"))
        XCTAssertTrue(r.unsupported.isEmpty)
    }

    func testAddressesMasksAndNegation() {
        let r = IptablesRuleParser.parse("-s 10.213.122.0/255.255.255.0 ! -d 224.0.0.0/4 -j MASQUERADE")
        XCTAssertEqual(r.matches, [.source(IPPrefix(iptables: "10.213.122.0/24")!, negated: false),
                                   .destination(IPPrefix(iptables: "224.0.0.0/4")!, negated: true)])
        XCTAssertEqual(r.target, .masquerade(toPorts: nil))
        let v6 = IptablesRuleParser.parse("-d fd13:120::/48 -j ACCEPT")
        XCTAssertEqual(v6.matches, [.destination(IPPrefix(iptables: "fd13:120::/48")!, negated: false)])
    }

    func testQuotedCommentsWithEscapedQuotes() {
        let text = #"-s 10.22.0.5/32 -m comment --comment "name: \"cbr0\" id: \"7a4c\"" -j CNI-0d9b"#
        let r = IptablesRuleParser.parse(text)
        XCTAssertEqual(r.comment, #"name: "cbr0" id: "7a4c""#)
        XCTAssertEqual(r.target, .jump("CNI-0d9b"))
    }

    func testMultiportRangesStateAddrtypePhysdevMark() {
        let r = IptablesRuleParser.parse("-s 10.213.122.0/24 -p tcp -m multiport --dports 22,8000:8100 -j MARK --set-xmark 0x10/0xff")
        XCTAssertEqual(r.matches[2], .destinationPorts([22...22, 8000...8100], negated: false))
        XCTAssertEqual(r.target, .setMark(value: 0x10, mask: 0xff))
        let s = IptablesRuleParser.parse("-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
        XCTAssertEqual(s.matches, [.connectionState(["RELATED", "ESTABLISHED"], negated: false)])
        let a = IptablesRuleParser.parse("! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER")
        XCTAssertEqual(a.matches[1], .destinationAddressType(["LOCAL"], negated: false, limitToOutInterface: false))
        let p = IptablesRuleParser.parse("-i pttrbr0 -o pttrbr0 -m physdev --physdev-in pttrv+ --physdev-is-bridged -g PT-TR-GOTO")
        XCTAssertEqual(Array(p.matches.suffix(2)), [.physdevIn("pttrv+", negated: false), .physdevIsBridged(negated: false)])
        XCTAssertEqual(p.target, .goto("PT-TR-GOTO"))
        let m = IptablesRuleParser.parse("-m mark --mark 0x2000/0x2000 -j MASQUERADE")
        XCTAssertEqual(m.matches, [.mark(value: 0x2000, mask: 0x2000, negated: false)])
    }

    func testUnknownMatchesAreKeptAsUnsupportedNeverDropped() {
        let r = IptablesRuleParser.parse("-m recent --rcheck --seconds 60 --name ptbad --mask 255.255.255.255 --rsource -j DROP")
        XCTAssertEqual(r.unsupported, ["-m recent --rcheck --seconds 60 --name ptbad --mask 255.255.255.255 --rsource"])
        XCTAssertEqual(r.target, .drop)
        let l = IptablesRuleParser.parse("-p icmp -m icmp --icmp-type 8 -m limit --limit 5/sec -j ACCEPT")
        XCTAssertEqual(l.matches.first, .proto("icmp", negated: false))
        XCTAssertEqual(l.matches[1], .icmpType("8", negated: false))
        XCTAssertEqual(l.unsupported, ["-m limit --limit 5/sec"])
        let set = IptablesRuleParser.parse("-m set --match-set blocked src -s 10.0.0.0/8 -j DROP")
        XCTAssertEqual(set.unsupported, ["-m set --match-set blocked src"])
        XCTAssertEqual(set.matches.last, .source(IPPrefix(iptables: "10.0.0.0/8")!, negated: false))
    }

    func testTargetsAndTheirOptions() {
        XCTAssertEqual(IptablesRuleParser.parse("-p tcp -j REJECT --reject-with tcp-reset").target, .reject(with: "tcp-reset"))
        XCTAssertEqual(IptablesRuleParser.parse("-p tcp -m tcp --dport 2222 -j REDIRECT --to-ports 22").target, .redirect(toPorts: "22"))
        XCTAssertEqual(IptablesRuleParser.parse("-j SNAT --to-source 10.213.123.1").target, .snat(to: "10.213.123.1"))
        XCTAssertEqual(IptablesRuleParser.parse("-j NFQUEUE --queue-num 3").target, .opaque("NFQUEUE"))
        XCTAssertEqual(IptablesRuleParser.parse("-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu").target,
                       .nonTerminal("TCPMSS"))
        XCTAssertEqual(IptablesRuleParser.parse(#"-p icmp -j LOG --log-prefix "pt-tr bridged: ""#).target,
                       .log(prefix: "pt-tr bridged: "))
        XCTAssertNil(IptablesRuleParser.parse("-s 10.0.0.1/32").target)
    }

    /// Every rule of every recorded fixture parses with a target or counts-only, and only the matches Plumb
    /// does not model come out unsupported.
    func testWholeFixturesParse() throws {
        for name in ["docker-iptables-save.txt", "custom-iptables-save.txt", "cni-iptables-save.txt"] {
            let fw = try FixtureFirewall.load(name)
            XCTAssertGreaterThan(fw.ruleCount, 5, name)
            var unsupported: [String] = []
            for t in fw.tables { for c in t.chains { for r in c.rules {
                unsupported += IptablesRuleParser.parse(r.rule).unsupported
            } } }
            let expected = name == "custom-iptables-save.txt"
                ? ["-m limit --limit 5/sec", "-m recent --rcheck --seconds 60 --name ptbad --mask 255.255.255.255 --rsource"]
                : []
            XCTAssertEqual(unsupported, expected, name)
        }
    }

    func testAddressMatches() {
        XCTAssertEqual(IPPrefix(iptables: "10.213.0.0/255.255.0.0")?.description, "10.213.0.0/16")
        XCTAssertEqual(IPPrefix(iptables: "10.213.7.9/24")?.description, "10.213.7.0/24")
        XCTAssertEqual(IPPrefix(iptables: "10.213.7.9")?.description, "10.213.7.9/32")
        XCTAssertNil(IPPrefix(iptables: "fd13::/255.255.0.0"))
        XCTAssertNil(IPPrefix(iptables: "10.0.0.0/33"))
        XCTAssertEqual(IPAddress("fd13:120::1")?.description, "fd13:120::1")
        XCTAssertEqual(IPAddress("::ffff:10.0.0.1")?.description, "::ffff:10.0.0.1")   // as inet_ntop and ip print it
        XCTAssertNil(IPAddress("10.0.0.256"))
        XCTAssertNil(IPAddress("1::2::3"))
        XCTAssertTrue(IPPrefix(iptables: "fd13:120::/48")!.contains(IPAddress("fd13:120:0:5::9")!))
        XCTAssertFalse(IPPrefix(iptables: "fd13:120::/48")!.contains(IPAddress("fd13:121::1")!))
        XCTAssertTrue(IPPrefix(iptables: "10.213.120.0/21")!.contains(IPAddress("10.213.127.255")!))
        XCTAssertFalse(IPPrefix(iptables: "10.213.120.0/21")!.contains(IPAddress("10.213.128.0")!))
    }
}
