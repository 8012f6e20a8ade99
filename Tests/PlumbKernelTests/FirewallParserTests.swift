import Foundation
import Glibc
import XCTest
@testable import PlumbKernel
import PlumbModel

/// The pure firewall parsers against outputs recorded from iptables 1.8.9 (nf_tables) and nftables 1.0.6 in
/// throwaway namespaces loaded with Docker / CNI / Podman-style rule sets.
final class FirewallParserTests: XCTestCase {
    func fixtureURL(_ name: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/firewall/\(name)")
    }

    func save(_ name: String, family: String = "ipv4") throws -> [FirewallTable] {
        try IptablesSaveParser.parse(String(contentsOf: fixtureURL(name), encoding: .utf8), family: family)
    }

    func nft(skip: Bool) throws -> [FirewallTable] {
        try NftJsonParser.parse(Array(Data(contentsOf: fixtureURL("nft-ruleset.json"))), skipIptablesManaged: skip)
    }

    func table(_ tables: [FirewallTable], _ name: String, file: StaticString = #filePath,
               line: UInt = #line) throws -> FirewallTable {
        try XCTUnwrap(tables.first { $0.name == name }, "no table \(name)", file: file, line: line)
    }

    func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> FirewallParseError? {
        do {
            _ = try IptablesSaveParser.parse(text, family: "ipv4")
            XCTFail("expected a parse error", file: file, line: line)
            return nil
        } catch let e as FirewallParseError {
            return e
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    // MARK: iptables-save

    func testDockerTablesAndChains() throws {
        let tables = try save("docker-iptables-save.txt")
        XCTAssertEqual(tables.map(\.name), ["raw", "filter", "nat"])
        XCTAssertTrue(tables.allSatisfy { $0.family == "ipv4" && $0.source == "iptables" })
        XCTAssertEqual(tables.map { $0.chains.count }, [2, 10, 5])
        XCTAssertEqual(Firewall(tables: tables).ruleCount, 30)
        let filter = try table(tables, "filter")
        XCTAssertEqual(filter.chains.map(\.name), ["INPUT", "FORWARD", "OUTPUT", "DOCKER", "DOCKER-BRIDGE", "DOCKER-CT",
                                                   "DOCKER-FORWARD", "DOCKER-ISOLATION-STAGE-1",
                                                   "DOCKER-ISOLATION-STAGE-2", "DOCKER-USER"])
        XCTAssertEqual(filter.chains.map { $0.rules.count }, [0, 2, 0, 4, 2, 2, 5, 2, 2, 1])
    }

    func testDockerPoliciesAndUserChains() throws {
        let filter = try table(save("docker-iptables-save.txt"), "filter")
        let forward = try XCTUnwrap(filter.chain("FORWARD"))
        XCTAssertEqual(forward.policy, "DROP")
        XCTAssertTrue(forward.isBuiltin)
        XCTAssertEqual(forward.packets, 12)
        XCTAssertEqual(forward.bytes, 720)
        XCTAssertEqual(filter.chain("INPUT")?.packets, 20731)
        XCTAssertEqual(filter.chain("INPUT")?.bytes, 28112390)
        let user = try XCTUnwrap(filter.chain("DOCKER-USER"))
        XCTAssertNil(user.policy)
        XCTAssertFalse(user.isBuiltin)
        XCTAssertEqual(user.packets, 0)
        XCTAssertNil(user.hook)
    }

    func testDockerRuleTextsCountersAndTargets() throws {
        let tables = try save("docker-iptables-save.txt")
        let filter = try table(tables, "filter")
        XCTAssertEqual(filter.chain("FORWARD")?.rules,
                       [FirewallRule(rule: "-j DOCKER-USER", packets: 27466, bytes: 3765170, target: "DOCKER-USER"),
                        FirewallRule(rule: "-j DOCKER-FORWARD", packets: 27466, bytes: 3765170,
                                     target: "DOCKER-FORWARD")])
        let ct = try XCTUnwrap(filter.chain("DOCKER-CT")?.rules.first)
        XCTAssertEqual(ct.rule, "-o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
        XCTAssertEqual(ct.packets, 13107)
        XCTAssertEqual(ct.bytes, 2170458)
        XCTAssertEqual(ct.target, "ACCEPT")
        XCTAssertEqual(filter.chain("DOCKER-ISOLATION-STAGE-1")?.rules.map(\.target),
                       ["DOCKER-ISOLATION-STAGE-2", "DOCKER-ISOLATION-STAGE-2"])

        let nat = try table(tables, "nat")
        XCTAssertEqual(nat.chain("POSTROUTING")?.rules.first,
                       FirewallRule(rule: "-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE", packets: 241, bytes: 14460,
                                    target: "MASQUERADE"))
        let dnat = try XCTUnwrap(nat.chain("DOCKER")?.rules[2])
        XCTAssertEqual(dnat.rule, "! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80")
        XCTAssertEqual(dnat.target, "DNAT")
        XCTAssertEqual(dnat.packets, 14)
        XCTAssertEqual(try table(tables, "raw").chain("PREROUTING")?.rules[1].rule,
                       "-d 172.18.0.2/32 ! -i br-5f1c9a7e2b41 -j DROP")
    }

    func testCNIBridgeAndPortmapChainsWithQuotedComments() throws {
        let tables = try save("cni-iptables-save.txt")
        XCTAssertEqual(tables.map(\.name), ["filter", "nat"])
        XCTAssertEqual(tables.map { $0.chains.count }, [5, 9])
        XCTAssertEqual(Firewall(tables: tables).ruleCount, 16)
        let nat = try table(tables, "nat")
        let id = "7a4c2e9f1b3d5a6c8e0f2a4b6c8d0e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d"
        let post = try XCTUnwrap(nat.chain("POSTROUTING")?.rules)
        XCTAssertEqual(post[0].rule, "-m comment --comment \"CNI portfwd requiring masquerade\" -j CNI-HOSTPORT-MASQ")
        XCTAssertEqual(post[1].rule, "-s 10.22.0.5/32 -m comment --comment \"name: \\\"cbr0\\\" id: \\\"\(id)\\\"\" "
                                     + "-j CNI-0d9b8e3ab63f1a7c3e6a5b4f")
        XCTAssertEqual(post[1].target, "CNI-0d9b8e3ab63f1a7c3e6a5b4f")
        XCTAssertEqual(post[1].packets, 57)
        XCTAssertEqual(post[1].bytes, 3594)
        XCTAssertEqual(nat.chain("CNI-0d9b8e3ab63f1a7c3e6a5b4f")?.rules.map(\.target), ["ACCEPT", "MASQUERADE"])
        XCTAssertEqual(nat.chain("CNI-HOSTPORT-DNAT")?.rules.first?.target, "CNI-DN-0d9b8e3ab63f1a7c3e6a5")
        XCTAssertEqual(nat.chain("CNI-DN-0d9b8e3ab63f1a7c3e6a5")?.rules.map(\.target),
                       ["CNI-HOSTPORT-SETMARK", "CNI-HOSTPORT-SETMARK", "DNAT"])
        XCTAssertEqual(nat.chain("CNI-HOSTPORT-SETMARK")?.rules.first?.target, "MARK")
        XCTAssertNil(nat.chain("CNI-HOSTPORT-MASQ")?.policy)
        XCTAssertEqual(nat.chain("POSTROUTING")?.policy, "ACCEPT")
    }

    func testPodmanNetavarkChains() throws {
        let tables = try save("podman-iptables-save.txt")
        XCTAssertEqual(tables.map { $0.chains.count }, [7, 10])
        XCTAssertEqual(Firewall(tables: tables).ruleCount, 27)
        let filter = try table(tables, "filter")
        XCTAssertEqual(filter.chain("NETAVARK_FORWARD")?.rules.count, 5)
        XCTAssertEqual(filter.chain("NETAVARK_FORWARD")?.rules[0].rule, "-m conntrack --ctstate INVALID -j DROP")
        // An admin rule whose comment itself says "-j ACCEPT,": the target is the real one, after the quotes.
        let ssh = try XCTUnwrap(filter.chain("INPUT")?.rules[1])
        XCTAssertEqual(ssh.target, "ACCEPT")
        XCTAssertTrue(ssh.rule.hasSuffix("--comment \"admin: ssh from lan -j ACCEPT, see wiki\" -j ACCEPT"))
        XCTAssertEqual(ssh.packets, 88)
        let nat = try table(tables, "nat")
        XCTAssertEqual(nat.chain("NETAVARK-DN-1D8721804F16F")?.rules.last?.rule,
                       "-p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.88.0.2:80")
        XCTAssertEqual(nat.chain("NETAVARK-HOSTPORT-DNAT")?.rules.first?.target, "NETAVARK-DN-1D8721804F16F")
        XCTAssertEqual(nat.chain("POSTROUTING")?.rules.map(\.target),
                       ["NETAVARK-HOSTPORT-MASQ", "NETAVARK-1D8721804F16F", "NETAVARK-4A2F9E2C1B2E1"])
    }

    func testIp6tablesSave() throws {
        let tables = try save("ip6tables-save.txt", family: "ipv6")
        XCTAssertEqual(tables.map(\.name), ["filter", "nat"])
        XCTAssertTrue(tables.allSatisfy { $0.family == "ipv6" })
        XCTAssertEqual(tables.map { $0.chains.count }, [10, 5])
        XCTAssertEqual(Firewall(tables: tables).ruleCount, 24)
        let input = try XCTUnwrap(table(tables, "filter").chain("INPUT"))
        XCTAssertEqual(input.policy, "DROP")
        XCTAssertEqual(input.packets, 31)
        XCTAssertEqual(input.bytes, 2712)
        XCTAssertEqual(input.rules[0],
                       FirewallRule(rule: "-i lo -j ACCEPT", packets: 10, bytes: 1040, target: "ACCEPT"))
        XCTAssertEqual(input.rules[4].rule,
                       "-p tcp -m tcp --dport 22 -m comment --comment \"ssh \\\"bastion\\\" access\" -j ACCEPT")
        XCTAssertEqual(input.rules[4].target, "ACCEPT")
        XCTAssertEqual(input.rules[5].rule,
                       "-p tcp -m multiport --dports 80,443 -j LOG --log-prefix \"v6 web: \" --log-level 6")
        XCTAssertEqual(input.rules[5].target, "LOG")
        let dnat = try XCTUnwrap(table(tables, "nat").chain("DOCKER")?.rules.last)
        XCTAssertEqual(dnat.rule, "! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd00:db8:1::2]:80")
    }

    func testTargetIgnoresQuotedTextAndReadsGoto() throws {
        let text = """
            *filter
            :INPUT ACCEPT [0:0]
            :X - [0:0]
            -A INPUT -m comment --comment "a -j b" -j X
            -A INPUT -m comment --comment "quote \\" -j inner \\\\" -g X
            -A INPUT -m comment --comment "-j first"
            -A INPUT -p tcp
            -A X
            COMMIT

            """
        let chains = try IptablesSaveParser.parse(text, family: "ipv4")[0].chains
        XCTAssertEqual(chains[0].rules.map(\.target), ["X", "X", nil, nil])
        XCTAssertEqual(chains[0].rules[0].rule, "-m comment --comment \"a -j b\" -j X")
        XCTAssertEqual(chains[1].rules, [FirewallRule(rule: "")])
    }

    func testLenientInput() throws {
        // No counters, CRLF endings, an undeclared chain, trailing blanks, no COMMIT at the very end.
        let text = "# comment\r\n*filter\r\n:INPUT ACCEPT\r\n-A INPUT -j LATE\r\n-A LATE -s 10.0.0.1/32 -j DROP  \r\n"
        let t = try IptablesSaveParser.parse(text, family: "ipv4")
        XCTAssertEqual(t.count, 1)
        XCTAssertEqual(t[0].chains.map(\.name), ["INPUT", "LATE"])
        XCTAssertEqual(t[0].chains[0].policy, "ACCEPT")
        XCTAssertEqual(t[0].chains[0].packets, 0)
        XCTAssertNil(t[0].chains[1].policy)
        XCTAssertEqual(t[0].chains[1].rules, [FirewallRule(rule: "-s 10.0.0.1/32 -j DROP", target: "DROP")])
        XCTAssertEqual(try IptablesSaveParser.parse("", family: "ipv4"), [])
        XCTAssertEqual(try IptablesSaveParser.parse("# only a comment\n\n", family: "ipv6"), [])
        // A chain declared after rules already reached it keeps those rules and gains its policy.
        let lateText = "*nat\n[1:2] -A POSTROUTING -j MASQUERADE\n:POSTROUTING ACCEPT [3:4]\nCOMMIT\n"
        let late = try IptablesSaveParser.parse(lateText, family: "ipv4")
        XCTAssertEqual(late[0].chains, [FirewallChain(name: "POSTROUTING", policy: "ACCEPT", packets: 3, bytes: 4,
                                                      rules: [FirewallRule(rule: "-j MASQUERADE", packets: 1, bytes: 2,
                                                                           target: "MASQUERADE")])])
    }

    func testMalformedInputIsAnErrorWithItsLine() {
        let cases: [(String, Int, String)] = [
            ("# c\n[0:0] -A INPUT -j ACCEPT\n", 2, "rule before any *table line"),
            ("-A INPUT -j ACCEPT\n", 1, "rule before any *table line"),
            ("*filter\n:INPUT ACCEPT [0:0]\n[12:x] -A INPUT -j ACCEPT\n", 3, "bad counter"),
            ("*filter\n:INPUT ACCEPT [0:0]\n[12:34 -A INPUT -j ACCEPT\n", 3, "bad counter"),
            ("*filter\n:INPUT ACCEPT [0:0\n", 2, "bad counter"),
            ("*filter\n[99999999999999999999:1] -A INPUT\n", 2, "out of range"),
            ("*filter\n[1:2] -I INPUT -j ACCEPT\n", 2, "expected -A"),
            ("COMMIT\n", 1, "COMMIT without a table"),
            (":INPUT ACCEPT [0:0]\n", 1, "chain declared before any *table line"),
            ("*filter\n:INPUT\n", 2, "no policy"),
            ("*filter\nhello world\n", 2, "unexpected line"),
            ("*\n", 1, "table line without a name"),
        ]
        for (text, line, message) in cases {
            guard let e = parseError(text) else { continue }
            XCTAssertEqual(e.line, line, text)
            XCTAssertTrue(e.message.contains(message), "\(e.message) for \(text)")
            XCTAssertTrue(e.description.hasPrefix("line \(line): "), e.description)
        }
    }

    /// Feeds `text` to the streaming parser in pieces of `size` bytes.
    func streamed(_ text: String, size: Int, family: String = "ipv4") throws -> [FirewallTable] {
        var stream = IptablesSaveStream(family: family)
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            // Each piece from its own buffer, as the pipe reader reuses one: nothing may point into an old one.
            let piece = Array(bytes[i..<min(i + size, bytes.count)])
            piece.withUnsafeBufferPointer { stream.feed($0) }
            i += size
        }
        return try stream.finish()
    }

    /// The live path parses iptables-save's output as it arrives through the pipe: any cut, even inside a
    /// chain name that the parser caches between rules, must give the same tables as parsing it whole.
    func testStreamingParseEqualsWholeParseForEveryChunking() throws {
        for name in ["docker-iptables-save.txt", "cni-iptables-save.txt", "podman-iptables-save.txt"] {
            let text = try String(contentsOf: fixtureURL(name), encoding: .utf8)
            let whole = try IptablesSaveParser.parse(text, family: "ipv4")
            XCTAssertFalse(whole.isEmpty, name)
            for size in [1, 2, 3, 7, 64, 4096, text.utf8.count] {
                XCTAssertEqual(try streamed(text, size: size), whole, "\(name) in pieces of \(size)")
            }
        }
        let v6 = try String(contentsOf: fixtureURL("ip6tables-save.txt"), encoding: .utf8)
        XCTAssertEqual(try streamed(v6, size: 5, family: "ipv6"), try IptablesSaveParser.parse(v6, family: "ipv6"))
        // No final newline: the last line is still parsed.
        XCTAssertEqual(try streamed("*filter\n:INPUT DROP [1:2]\nCOMMIT", size: 4)[0].chains[0].policy, "DROP")
    }

    func testStreamingParseReportsTheFirstErrorWithItsLine() {
        for size in [1, 6, 100] {
            XCTAssertThrowsError(try streamed("*filter\n:INPUT ACCEPT [0:0]\n[12:x] -A INPUT -j ACCEPT\nhello\n", size: size)) {
                let e = $0 as? FirewallParseError
                XCTAssertEqual(e?.line, 3, "pieces of \(size)")
                XCTAssertEqual(e?.message.contains("bad counter"), true, "\(String(describing: e))")
            }
        }
    }

    /// The iptables-save parse must be negligible next to running iptables-save itself (bench/firewall.sh).
    func testParses20000RulesQuickly() throws {
        var text = "# Generated by iptables-save v1.8.9 (nf_tables)\n*filter\n"
        text += ":INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        for c in 1...100 { text += ":PT-C\(c) - [0:0]\n" }
        for c in 1...100 {
            text += "[\(c):\(c * 60)] -A FORWARD -s 10.213.\(c).0/24 -j PT-C\(c)\n"
            for r in 1...199 {
                text += "[\(r):\(r * 1000)] -A PT-C\(c) -s 10.213.\(c).\(r)/32 -p tcp -m tcp --dport \(1000 + r) "
                    + "-m comment --comment \"rule \(c)/\(r)\" -j ACCEPT\n"
            }
        }
        text += "COMMIT\n"
        _ = try IptablesSaveParser.parse(text, family: "ipv4")  // warm up
        var best = Double.infinity
        var tables: [FirewallTable] = []
        for _ in 0..<3 {
            let start = threadCPUMilliseconds()
            tables = try IptablesSaveParser.parse(text, family: "ipv4")
            best = min(best, threadCPUMilliseconds() - start)
        }
        print("IptablesSaveParser: 20000 rules (\(text.utf8.count) bytes) in \(String(format: "%.2f", best)) ms of CPU")
        XCTAssertEqual(Firewall(tables: tables).ruleCount, 20000)
        XCTAssertEqual(tables[0].chains.count, 103)
        XCTAssertEqual(tables[0].chain("PT-C100")?.rules.last?.bytes, 199_000)
        XCTAssertEqual(tables[0].chain("PT-C7")?.rules[3].rule,
                       "-s 10.213.7.4/32 -p tcp -m tcp --dport 1004 -m comment --comment \"rule 7/4\" -j ACCEPT")
        XCTAssertLessThan(best, 100, "parsing 20k rules took \(best) ms of CPU")
    }

    // MARK: nft -j

    func testNftSkipsIptablesManagedTables() throws {
        let tables = try nft(skip: true)
        XCTAssertEqual(tables.map { "\($0.family) \($0.name)" }, ["inet filter", "inet nat"])
        XCTAssertTrue(tables.allSatisfy { $0.source == "nft" })
        XCTAssertEqual(tables.map { $0.chains.count }, [5, 2])
        let all = try nft(skip: false)
        XCTAssertEqual(all.map { "\($0.family) \($0.name)" }, ["inet filter", "inet nat", "ip filter", "ip nat"])
        XCTAssertEqual(all.map { $0.chains.count }, [5, 2, 4, 4])
        let dockerUser = try XCTUnwrap(all[2].chain("DOCKER-USER"))
        XCTAssertEqual(dockerUser.rules[0].rule,
                       "meta l4proto tcp xt match \"multiport\" xt match \"comment\" counter drop")
        XCTAssertEqual(all[3].chain("POSTROUTING")?.rules[0].rule,
                       "oifname != \"docker0\" ip saddr 172.17.0.0/16 counter xt target \"MASQUERADE\"")
        XCTAssertEqual(all[2].chain("FORWARD")?.rules[0].target, "DOCKER-USER")
    }

    func testNftChainsPoliciesAndHooks() throws {
        let filter = try nft(skip: true)[0]
        XCTAssertEqual(filter.chains.map(\.name), ["input", "forward", "containers", "egress", "output"])
        XCTAssertEqual(filter.chains.map(\.policy), ["DROP", "ACCEPT", nil, nil, "ACCEPT"])
        XCTAssertEqual(filter.chains.map(\.hook), ["input", "forward", nil, nil, "output"])
        XCTAssertEqual(filter.chains.map { $0.rules.count }, [10, 2, 3, 2, 0])
        XCTAssertEqual(filter.chain("input")?.packets, 0)
        let nat = try nft(skip: true)[1]
        XCTAssertEqual(nat.chains.map(\.hook), ["prerouting", "postrouting"])
        XCTAssertEqual(nat.chains.map(\.policy), ["ACCEPT", "ACCEPT"])
    }

    func testNftRuleRendering() throws {
        let tables = try nft(skip: true)
        let filter = tables[0], nat = tables[1]
        XCTAssertEqual(filter.chain("input")?.rules.map(\.rule), [
            "ct state established,related counter accept",
            "ct state invalid counter drop",
            "iif \"lo\" ip daddr 127.0.0.0/8 counter accept comment \"loopback\"",
            "meta l4proto { icmp, ipv6-icmp } counter accept",
            "tcp dport @allowed_tcp counter accept",
            "ip saddr 10.0.0.0/8 tcp dport 9000-9100 counter accept",
            "ip6 saddr fe80::/10 udp dport 546 accept",
            "tcp dport 23 counter reject with tcp reset",
            "limit rate 5/minute log prefix \"input drop: \" level info",
            "counter comment \"dropped by policy\"",
        ])
        XCTAssertEqual(filter.chain("forward")?.rules,
                       [FirewallRule(rule: "iifname \"veth*\" jump containers", target: "containers"),
                        FirewallRule(rule: "oifname != \"eth0\" counter goto egress", target: "egress")])
        XCTAssertEqual(filter.chain("containers")?.rules.map(\.rule),
                       ["ip saddr != 172.30.0.0/16 counter drop", "meta mark set 1", "return"])
        XCTAssertEqual(filter.chain("egress")?.rules.map(\.rule),
                       ["ip daddr { 192.0.2.0/24, 198.51.100.7 } counter reject with icmp port-unreachable", "accept"])
        XCTAssertEqual(nat.chain("prerouting")?.rules.map(\.rule), ["tcp dport 8080 counter dnat ip to 172.30.0.2:80"])
        XCTAssertEqual(nat.chain("postrouting")?.rules.map(\.rule), [
            "ip saddr 172.30.0.0/16 oifname != \"br-plumb\" counter masquerade",
            "ip saddr 172.31.0.0/16 snat ip to 192.0.2.10",
        ])
        XCTAssertTrue(filter.chains.flatMap(\.rules).filter { !$0.rule.contains("jump") && !$0.rule.contains("goto") }
            .allSatisfy { $0.target == nil })
    }

    func testNftCounters() throws {
        let input = try XCTUnwrap(nft(skip: true)[0].chain("input"))
        XCTAssertEqual(input.rules[0].packets, 9)
        XCTAssertEqual(input.rules[0].bytes, 580)
        XCTAssertEqual(input.rules[2].packets, 5)
        XCTAssertEqual(input.rules[2].bytes, 324)
        XCTAssertEqual(input.rules[6].packets, 0, "no counter expression")
    }

    func testNftSkipsAnyTableWithXtAndRendersOtherShapes() throws {
        let json = """
            {"nftables": [{"metainfo": {"json_schema_version": 1}},
             {"table": {"family": "inet", "name": "custom", "handle": 1}},
             {"chain": {"family": "inet", "table": "custom", "name": "in", "handle": 1, "type": "filter",
                        "hook": "input", "prio": 0}},
             {"rule": {"family": "inet", "table": "custom", "chain": "in", "handle": 2,
                       "expr": [{"xt": {"type": "match", "name": "addrtype"}}, {"accept": null}]}},
             {"table": {"family": "ip6", "name": "mine", "handle": 2}},
             {"chain": {"family": "ip6", "table": "mine", "name": "post", "handle": 1, "type": "nat",
                        "hook": "postrouting", "prio": 100, "policy": "accept"}},
             {"rule": {"family": "ip6", "table": "mine", "chain": "post", "handle": 3, "expr": [
                {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": {"set": ["eth0", "eth1"]}}},
                {"match": {"op": "!=", "left": {"ct": {"key": "mark"}}, "right": 8192}},
                {"limit": {"rate": 10, "burst": 20, "per": "second", "inv": true}},
                {"counter": {"packets": 18446744073709551615, "bytes": 7}},
                {"masquerade": {"port": {"range": [1024, 2048]}, "flags": ["random", "persistent"]}}]}},
             {"rule": {"family": "ip6", "table": "mine", "chain": "post", "handle": 4, "expr": [
                {"match": {"op": "==", "left": {"fib": {"result": "type", "flags": ["daddr"]}}, "right": "local"}},
                {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}},
                           "right": {"set": [{"range": [8000, 8100]}, 9000]}}},
                {"dnat": {"family": "ip6", "addr": "fd00::2", "port": 80}},
                {"futurething": {"b": [1, "x/y"], "a": null}}]}},
             {"rule": {"family": "ip6", "table": "mine", "chain": "other", "handle": 5,
                       "expr": [{"log": null}, {"reject": {"type": "icmpx", "expr": "admin-prohibited"}}]}}
            ]}
            """
        let tables = try NftJsonParser.parse(Array(json.utf8), skipIptablesManaged: true)
        XCTAssertEqual(tables.map(\.name), ["mine"], "the table with an xt expression is skipped")
        let mine = tables[0]
        XCTAssertEqual(mine.family, "ip6")
        XCTAssertEqual(mine.chains.map(\.name), ["post", "other"], "a rule's undeclared chain is created")
        XCTAssertNil(mine.chain("other")?.policy)
        let r = try XCTUnwrap(mine.chain("post")?.rules)
        XCTAssertEqual(r[0].rule, "iifname { \"eth0\", \"eth1\" } ct mark != 8192 limit rate over 10/second "
                                  + "burst 20 packets counter masquerade to :1024-2048 random,persistent")
        XCTAssertEqual(r[0].packets, UInt64.max)
        XCTAssertEqual(r[0].bytes, 7)
        XCTAssertEqual(r[1].rule, "fib daddr type local tcp dport { 8000-8100, 9000 } dnat ip6 to [fd00::2]:80 "
                                  + "{\"futurething\":{\"a\":null,\"b\":[1,\"x/y\"]}}")
        XCTAssertEqual(mine.chain("other")?.rules.first?.rule, "log reject with icmpx admin-prohibited")
        XCTAssertEqual(try NftJsonParser.parse(Array(json.utf8), skipIptablesManaged: false).map(\.name),
                       ["custom", "mine"])
        // A base chain without a policy key gets nft's default.
        XCTAssertEqual(try NftJsonParser.parse(Array(json.utf8), skipIptablesManaged: false)[0].chains[0].policy,
                       "ACCEPT")
    }

    func testNftMalformedInput() {
        XCTAssertEqual(try NftJsonParser.parse([], skipIptablesManaged: true), [])
        XCTAssertEqual(try NftJsonParser.parse(Array(" \n".utf8), skipIptablesManaged: true), [])
        XCTAssertThrowsError(try NftJsonParser.parse(Array("{\"nftables\": [".utf8), skipIptablesManaged: true)) {
            XCTAssertTrue("\($0)".contains("not valid JSON"), "\($0)")
        }
        XCTAssertThrowsError(try NftJsonParser.parse(Array("[1, 2]".utf8), skipIptablesManaged: true)) {
            XCTAssertTrue("\($0)".contains("nftables"), "\($0)")
        }
        let noTable = "{\"nftables\": [{\"rule\": {\"family\": \"inet\", \"chain\": \"x\", \"expr\": []}}]}"
        XCTAssertThrowsError(try NftJsonParser.parse(Array(noTable.utf8), skipIptablesManaged: true)) {
            XCTAssertEqual("\($0)", "nft JSON: rule without \"table\"")
        }
    }

    // MARK: ChainOwner

    func testChainOwner() throws {
        XCTAssertEqual(ChainOwner.of(chain: "DOCKER"), .docker)
        XCTAssertEqual(ChainOwner.of(chain: "DOCKER-USER"), .docker)
        XCTAssertEqual(ChainOwner.of(chain: "DOCKER-ISOLATION-STAGE-2"), .docker)
        XCTAssertEqual(ChainOwner.of(chain: "CNI-HOSTPORT-DNAT"), .cni)
        XCTAssertEqual(ChainOwner.of(chain: "CNI-DN-0d9b8e3ab63f1a7c3e6a5"), .cni)
        XCTAssertEqual(ChainOwner.of(chain: "NETAVARK_FORWARD"), .podman)
        XCTAssertEqual(ChainOwner.of(chain: "NETAVARK-1D8721804F16F"), .podman)
        XCTAssertEqual(ChainOwner.of(chain: "PLUMB-TRACE"), .plumb)
        XCTAssertEqual(ChainOwner.of(chain: "KUBE-SERVICES"), .kubernetes)
        XCTAssertEqual(ChainOwner.of(chain: "FORWARD"), .system)
        XCTAssertEqual(ChainOwner.of(chain: "CNI"), .system)
        XCTAssertEqual(ChainOwner.of(chain: "docker-bridges"), .docker, "any ASCII case")
        XCTAssertEqual(ChainOwner.of(chain: "cni-x"), .cni)
        XCTAssertEqual(ChainOwner.of(chain: "KUBE"), .system)
        XCTAssertEqual(ChainOwner.of(chain: ""), .system)
        XCTAssertEqual(ChainOwner.docker.rawValue, "docker")
        // Every chain in the recorded fixtures is attributed to the tool that made it.
        let owners = Set(try save("podman-iptables-save.txt").flatMap(\.chains).map { ChainOwner.of(chain: $0.name) })
        XCTAssertEqual(owners, [.podman, .system])
        let docker = try save("docker-iptables-save.txt").flatMap(\.chains)
            .filter { ChainOwner.of(chain: $0.name) == .docker }
        XCTAssertEqual(docker.count, 8)
    }
}

/// CPU time this thread has used, in milliseconds. Speed limits in unit tests are checked against it, not against
/// the wall clock: on a shared machine the wall clock measures the other processes as much as the code.
func threadCPUMilliseconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
}
