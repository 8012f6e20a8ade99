import XCTest
@testable import PlumbActions
import PlumbModel

/// The apply-time decisions about shared chains, on hand-built iptables tables (no root).
final class FirewallReconcilerTests: XCTestCase {
    let reconciler = FirewallReconciler(groups: BridgeFirewall.sharedGroups)
    let net = NetworkSpec(name: "web", config: .bridge(BridgeConfig(bridge: "pl-web")), subnet: prefix("10.1.0.0/24"), gateway: ip("10.1.0.1"))
    let other = NetworkSpec(name: "api", config: .bridge(BridgeConfig(bridge: "pl-api")), subnet: prefix("10.2.0.0/24"), gateway: ip("10.2.0.1"))

    /// The tables as iptables-save would show them after `batches` ran on an empty firewall (plain iptables
    /// semantics, no reconciling: -A appends, -I 1 prepends, -D deletes the first match, -X drops the chain).
    func kernel(after batches: [String]) -> [FirewallTable] {
        var tables: [String: [(String, [String])]] = [:]
        var order: [String] = []
        var table = ""
        func index(_ chain: String) -> Int {
            if let i = tables[table]!.firstIndex(where: { $0.0 == chain }) { return i }
            tables[table]!.append((chain, [])); return tables[table]!.count - 1
        }
        for batch in batches {
            for raw in batch.split(separator: "\n") {
                switch FirewallBatch.parse(raw) {
                case .table(let t):
                    table = t
                    if tables[t] == nil {
                        order.append(t)
                        tables[t] = (t == "filter" ? ["INPUT", "FORWARD", "OUTPUT"] : ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"]).map { ($0, []) }
                    }
                case .declare(let c, _): tables[table]![index(c)].1 = []
                case .add(let c, let spec, let first, _):
                    let i = index(c)
                    if first { tables[table]![i].1.insert(spec, at: 0) } else { tables[table]![i].1.append(spec) }
                case .delete(let c, let spec):
                    let i = index(c)
                    if let j = tables[table]![i].1.firstIndex(of: spec) { tables[table]![i].1.remove(at: j) }
                case .deleteChain(let c): tables[table]!.removeAll { $0.0 == c }
                default: break
                }
            }
        }
        let builtins: Set<String> = ["INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING"]
        return order.map { t in
            FirewallTable(family: "ipv4", name: t, source: "iptables", chains: tables[t]!.map { c in
                FirewallChain(name: c.0, policy: builtins.contains(c.0) ? "ACCEPT" : nil,
                              rules: c.1.map { FirewallRule(rule: $0, target: FirewallBatch.target(of: $0)) })
            })
        }
    }

    func apply(_ batch: String, on current: [FirewallTable]) -> (String, [FirewallTable]) {
        let needed = reconciler.reconcile(batch, current: current)
        return (needed, kernel(after: [flat(current), needed]))
    }

    func lines(_ tables: [FirewallTable], _ table: String, _ chain: String) -> [String] {
        tables.first { $0.name == table }?.chain(chain)?.rules.map(\.rule) ?? []
    }

    func testTheFirstCreateDeclaresTheSharedChainsAndALaterOneDoesNot() {
        let (first, k1) = apply(BridgeFirewall.addBatch(net, bridge: "pl-web"), on: [])
        XCTAssertTrue(first.contains(":PLUMB-FORWARD - [0:0]"), first)
        XCTAssertTrue(first.contains("-I FORWARD 1 -j PLUMB-FORWARD"), first)
        let (second, k2) = apply(BridgeFirewall.addBatch(other, bridge: "pl-api"), on: k1)
        XCTAssertFalse(second.contains(":PLUMB"), "an existing chain is never declared again (that would flush it): \(second)")
        XCTAssertFalse(second.contains("-j PLUMB-FORWARD\n"), "no second jump: \(second)")
        XCTAssertFalse(second.contains("-A PLUMB-ISOLATION-1 -j RETURN"), second)
        XCTAssertEqual(lines(k2, "filter", "FORWARD"), ["-j PLUMB-FORWARD"])
        XCTAssertEqual(lines(k2, "filter", "PLUMB-ISOLATION-1").last, "-j RETURN")
        XCTAssertEqual(lines(k2, "filter", "PLUMB-ISOLATION-1").count, 3)
        XCTAssertEqual(k2.flatMap { $0.chains.flatMap(\.rules) }.filter { $0.rule.contains("\"plumb:web\"") }.count, 7)
    }

    func testTeardownKeepsTheSharedChainsWhileAnyNetworkHasRulesThere() {
        let k = kernel(after: [BridgeFirewall.addBatch(net, bridge: "pl-web"),
                              reconciler.reconcile(BridgeFirewall.addBatch(other, bridge: "pl-api"),
                                                   current: kernel(after: [BridgeFirewall.addBatch(net, bridge: "pl-web")]))])
        let fw = Firewall(tables: k)
        let (batch, after) = apply(BridgeFirewall.teardownBatch("web", current: fw), on: k)
        XCTAssertFalse(batch.contains("-X"), batch)
        XCTAssertFalse(batch.contains("\n-F "), "a shared chain is never flushed: \(batch)")
        XCTAssertEqual(after.flatMap { $0.chains.flatMap(\.rules) }.filter { $0.rule.contains("\"plumb:api\"") }.count, 7)
        XCTAssertTrue(after.flatMap { $0.chains.flatMap(\.rules) }.allSatisfy { !$0.rule.contains("\"plumb:web\"") })

        let (last, empty) = apply(BridgeFirewall.teardownBatch("api", current: Firewall(tables: after)), on: after)
        XCTAssertTrue(last.contains("-X PLUMB-FORWARD"), last)
        XCTAssertTrue(last.contains("-D FORWARD -j PLUMB-FORWARD"), last)
        XCTAssertEqual(empty.flatMap { $0.chains.flatMap(\.rules) }.map(\.rule), [])
        XCTAssertTrue(empty.allSatisfy { $0.chains.allSatisfy { $0.policy != nil } }, "no PLUMB chain is left")
    }

    func testDuplicatedJumpsAreAllRemovedAndAForeignRuleKeepsTheChain() {
        // A kernel the old code left: two jumps into PLUMB-FORWARD, no network rule.
        let setup = BridgeFirewall.sharedGroups.filter { $0.table == "filter" }.flatMap(\.setupLines)
        let k = kernel(after: ["*filter\n" + setup.joined(separator: "\n") + "\n-I FORWARD 1 -j PLUMB-FORWARD\nCOMMIT\n"])
        XCTAssertEqual(lines(k, "filter", "FORWARD"), ["-j PLUMB-FORWARD", "-j PLUMB-FORWARD"])
        let (batch, after) = apply(BridgeFirewall.teardownBatch("gone", current: Firewall(tables: k)), on: k)
        XCTAssertEqual(batch.components(separatedBy: "-D FORWARD -j PLUMB-FORWARD").count - 1, 2, batch)
        XCTAssertEqual(lines(after, "filter", "FORWARD"), [])

        // Someone else's rule in a shared chain: it is not Plumb's to delete, so the chain stays.
        let foreign = kernel(after: ["*filter\n" + setup.joined(separator: "\n") + "\n-A PLUMB-FORWARD -s 192.0.2.1/32 -j DROP\nCOMMIT\n"])
        let (kept, _) = apply(BridgeFirewall.teardownBatch("gone", current: Firewall(tables: foreign)), on: foreign)
        XCTAssertFalse(kept.contains("PLUMB-FORWARD"), kept)
    }

    func testABatchWithoutTheMarkersKeepsItsPlainMeaning() {
        // A doctor fix's undo deleting the FORWARD jump of a chain with someone's rules in it: deleted, as asked.
        let k = kernel(after: ["*filter\n:PLUMB-FORWARD - [0:0]\n-A PLUMB-FORWARD -i br0 -j ACCEPT\n-A FORWARD -j PLUMB-FORWARD\nCOMMIT\n"])
        XCTAssertEqual(reconciler.reconcile("*filter\n-D FORWARD -j PLUMB-FORWARD\nCOMMIT\n", current: k),
                       "*filter\n-D FORWARD -j PLUMB-FORWARD\nCOMMIT\n")
        XCTAssertEqual(reconciler.reconcile("*filter\n-A FORWARD -j PLUMB-FORWARD\nCOMMIT\n", current: k),
                       "*filter\n-A FORWARD -j PLUMB-FORWARD\nCOMMIT\n")
    }

    func testRulesAlreadyGoneAreNotDeletedAgain() {
        let k = kernel(after: [BridgeFirewall.addBatch(net, bridge: "pl-web")])
        var drifted = k
        drifted[0].chains = drifted[0].chains.map { c in
            var c = c; c.rules.removeAll { $0.rule.contains("RELATED,ESTABLISHED") }; return c
        }
        let undo = reconciler.reconcile(BridgeFirewall.deleteBatch(net, bridge: "pl-web"), current: drifted)
        XCTAssertFalse(undo.contains("RELATED,ESTABLISHED"), undo)
        XCTAssertTrue(undo.contains("-X PLUMB-ISOLATION-2"), "the create's undo takes the chains it made: \(undo)")
    }

    func testRestoreRebuildsTheTablesAsTheyWere() {
        let before = kernel(after: ["*filter\n:X - [0:0]\n-A FORWARD -j X\n-A X -s 10.0.0.1/32 -j DROP\n-A X -j ACCEPT\nCOMMIT\n"])
        let now = kernel(after: ["*filter\n:X - [0:0]\n:PLUMB-FORWARD - [0:0]\n-I FORWARD 1 -j PLUMB-FORWARD\n-A FORWARD -j X\n"
            + "-A X -s 10.0.0.1/32 -j DROP\n-A X -j ACCEPT\nCOMMIT\n*nat\n:Y - [0:0]\nCOMMIT\n"])
        let (batch, newTables) = FirewallRestore.batch(from: now, to: before)
        XCTAssertEqual(newTables, ["nat"])
        XCTAssertFalse(batch.contains("-X PREROUTING"), "built-in chains are never deleted: \(batch)")
        XCTAssertTrue(batch.contains("-X Y"), batch)
        XCTAssertEqual(kernel(after: [flat(now), batch]).filter { $0.name == "filter" }, before)
        let dropped = kernel(after: [flat(before), "*filter\n-D X -s 10.0.0.1/32 -j DROP\nCOMMIT\n"])
        XCTAssertEqual(kernel(after: [flat(dropped), FirewallRestore.batch(from: dropped, to: before).batch]), before,
                       "a deleted rule comes back at its old position")
    }

    /// The tables as one iptables-restore text (user chains declared, every rule appended in order).
    func flat(_ tables: [FirewallTable]) -> String {
        var lines: [String] = []
        for t in tables {
            lines.append("*\(t.name)")
            for c in t.chains where c.policy == nil { lines.append(":\(c.name) - [0:0]") }
            for c in t.chains { for r in c.rules { lines.append("-A \(c.name) \(r.rule)") } }
            lines.append("COMMIT")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func testTagsAndLines() {
        XCTAssertEqual(FirewallBatch.tag(of: "-o br -m comment --comment \"plumb:web:42\" -j ACCEPT"), "plumb:web:42")
        XCTAssertEqual(FirewallBatch.tag(of: "-m comment --comment plumb:web -j ACCEPT"), "plumb:web")
        XCTAssertNil(FirewallBatch.tag(of: "-m comment --comment \"docker\" -j ACCEPT"))
        XCTAssertTrue(BridgeFirewall.ownsRule(network: "web", "-m comment --comment \"plumb:web:42\" -j ACCEPT"))
        XCTAssertFalse(BridgeFirewall.ownsRule(network: "web", "-m comment --comment \"plumb:webber\" -j ACCEPT"))
        XCTAssertEqual(FirewallBatch.parse("-I FORWARD 1 -j X"), .add(chain: "FORWARD", spec: "-j X", first: true, text: "-I FORWARD 1 -j X"))
        XCTAssertEqual(FirewallBatch.parse("-D FORWARD 3"), .other("-D FORWARD 3"))
    }

    func testPlannerBuildsIPv6BridgesInIp6tablesAndRefusesForeignTags() throws {
        let planner = NetworkPlanner(hostNamespace: .host)
        var req = NetworkService.CreateRequest(name: "web")
        req.driver = "bridge"
        req.subnet = prefix("fd13:77::/64")
        let host = Namespace(id: 1, isHost: true, links: [Link(index: 1, name: "lo", kind: .loopback)])
        // IPv6 only: ip6tables, IPv6 forwarding, no IPv4 rule, and no masquerade unless asked (--nat66).
        let (plan, _) = try planner.create(req, driver: .bridge, host: host, networks: [], cni: nil, createdAt: 0)
        let families = plan.steps.compactMap { step -> String? in
            if case .firewall(let family, _, _, _) = step { return family }
            return nil
        }
        XCTAssertEqual(families, ["ipv6"])
        XCTAssertTrue(plan.steps.contains(.setSysctl(key: "net/ipv6/conf/all/forwarding", value: "1", previous: nil, in: .host)))
        XCTAssertFalse(plan.steps.contains { if case .setSysctl(let k, _, _, _) = $0 { return k.hasPrefix("net/ipv4") }; return false })
        XCTAssertFalse(plan.steps.contains { if case .firewall(_, let b, _, _) = $0 { return b.contains("MASQUERADE") }; return false })
        req.nat66 = true
        let (nat, _) = try planner.create(req, driver: .bridge, host: host, networks: [], cni: nil, createdAt: 0)
        let batches = nat.steps.compactMap { step -> String? in
            if case .firewall(_, let batch, _, _) = step { return batch }
            return nil
        }.joined()
        XCTAssertTrue(batches.contains("-A PLUMB-POSTROUTING -s fd13:77::/64 ! -o pl-web -m comment --comment \"plumb:web\" -j MASQUERADE"), batches)
        req.nat66 = false
        req.subnet = prefix("10.213.50.0/24")
        var taken = host
        taken.firewall = Firewall(tables: kernel(after: [BridgeFirewall.addBatch(net, bridge: "pl-other")]))
        XCTAssertThrowsError(try planner.create(req, driver: .bridge, host: taken, networks: [], cni: nil, createdAt: 0)) {
            XCTAssertTrue("\($0)".contains("already has firewall rules tagged for a network named web"), "\($0)")
        }
    }
}
