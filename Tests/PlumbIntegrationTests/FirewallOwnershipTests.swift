import Foundation
import XCTest

/// What Plumb owns in a namespace's firewall: its networks' tagged rules, never the shared chains as a whole.
/// Several state stores (and concurrent plumb processes) share one namespace here, with iptables-save as the
/// oracle; each test uses a stand-in host namespace (--host-ns) and temporary state directories.
final class FirewallOwnershipTests: RootTestCase {
    var lab: TestLab!
    var host = ""
    var stores: [String] = []

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
        host = try lab.addNamespace("fw")
    }

    /// A private state directory, removed with the lab.
    func newStore() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-fwstate-\(lab.tag)-\(stores.count)-\(UUID().uuidString.prefix(6))").path
        stores.append(dir)
        lab.onCleanup { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    static func plumb(_ args: [String], store: String, host: String) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary] + args + ["--state-dir", store, "--host-ns", host])
    }

    func plumb(_ store: String, _ args: String...) throws -> (status: Int32, stdout: String, stderr: String) {
        try Self.plumb(args, store: store, host: host)
    }

    /// iptables-save of the stand-in host without its timestamp comments.
    func rules() throws -> [String] {
        try Shell.run("ip", "netns", "exec", host, "iptables-save").split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }

    func tagged(_ net: String) throws -> [String] {
        try rules().filter { $0.contains("\"plumb:\(net)\"") }
    }

    /// The network's rules and its endpoints' published-port rules.
    func owned(_ net: String) throws -> [String] {
        try rules().filter { $0.contains("\"plumb:\(net)\"") || $0.contains("\"plumb:\(net):") }
    }

    func count(_ rule: String) throws -> Int { try rules().filter { $0 == rule }.count }

    /// Runs every argument list as its own plumb process, all at once; their exit codes and stderr in order.
    func concurrently(_ runs: [(args: [String], store: String)]) -> [(Int32, String)] {
        let group = DispatchGroup()
        let results = Locked<[Int: (Int32, String)]>([:])
        let host = self.host
        for (i, run) in runs.enumerated() {
            group.enter()
            Thread {
                let r = try? FirewallOwnershipTests.plumb(run.args, store: run.store, host: host)
                results.mutate { $0[i] = (r?.status ?? -1, r?.stderr ?? "did not run") }
                group.leave()
            }.start()
        }
        group.wait()
        return runs.indices.map { results.value[$0]! }
    }

    func testRemovingTheLastNetworkOfOneStoreKeepsAnotherStoresRules() throws {
        let before = try rules()
        let storeA = newStore(), storeB = newStore()
        let a = try lab.addNamespace("a"), b = try lab.addNamespace("b")
        XCTAssertEqual(try plumb(storeA, "net", "create", "ptfwa", "--subnet", "10.213.120.0/24", "--bridge", lab.linkName("fa")).status, 0)
        let created = try plumb(storeB, "net", "create", "ptfwb", "--subnet", "10.213.121.0/24", "--bridge", lab.linkName("fb"))
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertEqual(try plumb(storeB, "net", "connect", "ptfwb", a, "-p", "18091:80").status, 0)
        let c = try lab.addNamespace("c")
        XCTAssertEqual(try plumb(storeA, "net", "connect", "ptfwa", c, "-p", "18092:80").status, 0)
        XCTAssertEqual(try tagged("ptfwb").count, 7)
        let bRules = try owned("ptfwb")
        XCTAssertEqual(bRules.count, 10, "7 network rules and 3 for the published port: \(bRules.joined(separator: "\n"))")

        let removed = try plumb(storeA, "net", "rm", "ptfwa", "--force")
        XCTAssertEqual(removed.status, 0, removed.stderr)
        XCTAssertEqual(try owned("ptfwb"), bRules, "store B's rules survive the last network of store A")
        XCTAssertEqual(try owned("ptfwa"), [])
        XCTAssertEqual(try count("-A PREROUTING -m addrtype --dst-type LOCAL -j PLUMB-DNAT"), 1)
        XCTAssertEqual(try count("-A FORWARD -j PLUMB-FORWARD"), 1, "the shared chains and their jump stay for B")
        XCTAssertEqual(try count("-A POSTROUTING -j PLUMB-POSTROUTING"), 1)

        // B still works: a second endpoint joins and reaches the first; the store and the kernel agree.
        XCTAssertEqual(try plumb(storeB, "net", "connect", "ptfwb", b, "--ip", "10.213.121.50").status, 0)
        XCTAssertEqual(try Shell.result(["ip", "netns", "exec", a, "ping", "-c", "1", "-W", "2", "10.213.121.50"]).status, 0)
        XCTAssertTrue(try plumb(storeB, "net", "inspect", "ptfwb").stdout.contains("in sync with the kernel"))

        let last = try plumb(storeB, "net", "rm", "ptfwb", "--force")
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertEqual(try rules(), before, "the last Plumb rule gone, the shared chains and jumps go too")
    }

    func testANameTaggedByAnotherStoreIsRefused() throws {
        let storeA = newStore(), storeB = newStore()
        XCTAssertEqual(try plumb(storeA, "net", "create", "ptfwdup", "--subnet", "10.213.122.0/24", "--bridge", lab.linkName("d1")).status, 0)
        let ownRules = try tagged("ptfwdup")
        let r = try plumb(storeB, "net", "create", "ptfwdup", "--subnet", "10.213.123.0/24", "--bridge", lab.linkName("d2"))
        XCTAssertEqual(r.status, 64, "a conflict with what exists is invalid input")
        XCTAssertTrue(r.stderr.contains("already has firewall rules tagged for a network named ptfwdup"), r.stderr)
        XCTAssertEqual(try tagged("ptfwdup"), ownRules)
        XCTAssertEqual(try plumb(storeA, "net", "rm", "ptfwdup").status, 0)
    }

    func testConcurrentFirstCreatesKeepEveryRuleAndOneJumpEach() throws {
        let before = try rules()
        let n = 6
        // Half the processes share a store, half have their own: both kinds of neighbour.
        let shared = newStore()
        let runs = (0..<n).map { i in
            (args: ["net", "create", "ptfwc\(i)", "--subnet", "10.213.\(130 + i).0/24", "--bridge", lab.linkName("c\(i)")],
             store: i % 2 == 0 ? shared : newStore())
        }
        for (i, (status, stderr)) in concurrently(runs).enumerated() { XCTAssertEqual(status, 0, "create \(i): \(stderr)") }
        for i in 0..<n {
            XCTAssertEqual(try tagged("ptfwc\(i)").count, 7, "network \(i) has all its rules")
        }
        XCTAssertEqual(try count("-A FORWARD -j PLUMB-FORWARD"), 1)
        XCTAssertEqual(try count("-A POSTROUTING -j PLUMB-POSTROUTING"), 1)
        XCTAssertEqual(try count("-A PREROUTING -m addrtype --dst-type LOCAL -j PLUMB-DNAT"), 1)
        XCTAssertEqual(try count("-A OUTPUT -m addrtype --dst-type LOCAL -j PLUMB-DNAT"), 1)
        XCTAssertEqual(try count("-A PLUMB-FORWARD -j PLUMB-ISOLATION-1"), 1)
        XCTAssertEqual(try count("-A PLUMB-ISOLATION-1 -j RETURN"), 1)

        let removals = runs.map { (args: ["net", "rm", $0.args[2]], store: $0.store) }
        for (i, (status, stderr)) in concurrently(removals).enumerated() { XCTAssertEqual(status, 0, "rm \(i): \(stderr)") }
        let after = try rules()
        XCTAssertFalse(after.contains { $0.contains("PLUMB") }, after.joined(separator: "\n"))
        XCTAssertEqual(try rules(), before)
    }

    func testAFirewallBatchFailingInItsSecondTableLeavesTheFirewallAsItWas() throws {
        // A nat table iptables cannot use (an nftables base chain of the wrong type): *filter commits, *nat fails.
        try Shell.run("ip", "netns", "exec", host, "nft", "add", "table", "ip", "nat")
        try Shell.run("ip", "netns", "exec", host, "nft", "add chain ip nat POSTROUTING { type filter hook postrouting priority 0; }")
        let before = try rules()
        let nftBefore = try Shell.run("ip", "netns", "exec", host, "nft", "list", "ruleset")
        let linksBefore = try Shell.run("ip", "-n", host, "-o", "link", "show")
        let store = newStore()
        let r = try plumb(store, "net", "create", "ptfwat", "--subnet", "10.213.124.0/24", "--bridge", lab.linkName("at"))
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("were undone"), r.stderr)
        XCTAssertTrue(r.stderr.contains("nothing was left behind"), r.stderr)
        XCTAssertEqual(try rules(), before, "iptables-save is as before")
        XCTAssertEqual(try Shell.run("ip", "netns", "exec", host, "nft", "list", "ruleset"), nftBefore)
        XCTAssertEqual(try Shell.run("ip", "-n", host, "-o", "link", "show"), linksBefore)
        XCTAssertEqual(try plumb(store, "net", "ls", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
    }
}
