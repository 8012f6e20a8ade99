import Foundation
import XCTest

/// The base of the crash-recovery and concurrency tests: a test namespace standing in for the host (`--host-ns`),
/// a private state directory, and readers of both sides (the kernel through `ip`/`iptables-save`, the store
/// through the sqlite3 shell) so a test can check that they agree exactly.
class RecoveryTestCase: RootTestCase {
    var lab: TestLab!
    var host = ""
    var stateDir = ""

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab(prefix: "rc")
        addTeardownBlock { [lab] in lab?.cleanup() }
        host = try lab.addNamespace("h")
        stateDir = FileManager.default.temporaryDirectory
            .appendingPathComponent("pt-rc-state-\(lab.tag)-\(UUID().uuidString.prefix(6))").path
        let dir = stateDir
        lab.onCleanup { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// The command line `plumb(args)` runs, for threads that run it themselves.
    func command(_ args: [String]) -> [String] {
        [CLITests.binary] + args + ["--state-dir", stateDir, "--host-ns", host]
    }

    @discardableResult
    func plumb(_ args: [String], env: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary] + args + ["--state-dir", stateDir, "--host-ns", host], env: env)
    }

    @discardableResult
    func plumb(_ args: String..., env: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try plumb(args, env: env)
    }

    /// Rows of a query on the state database, fields joined by '|'.
    func sql(_ query: String) throws -> [String] {
        try Shell.run("sqlite3", "\(stateDir)/state.db", query).split(separator: "\n").map(String.init)
    }

    /// The host namespace's links as "name master" (master "-" when none), sorted.
    func hostLinks() throws -> [String] {
        let j = try XCTUnwrap(try Shell.json(["ip", "-n", host, "-j", "link", "show"]) as? [[String: Any]])
        return j.compactMap { l in (l["ifname"] as? String).map { "\($0) \(l["master"] as? String ?? "-")" } }.sorted()
    }

    /// The host namespace's iptables rules without counters (chains, rules, jumps).
    func hostRules() throws -> [String] {
        try Shell.run("ip", "netns", "exec", host, "iptables-save").split(separator: "\n")
            .filter { !$0.hasPrefix("#") }
            .map { $0.replacingOccurrences(of: #"\[\d+:\d+\]"#, with: "", options: .regularExpression) }
    }

    /// The `plumb:…` comment tags of the host's rules, each with how many rules carry it.
    func ruleTags() throws -> [String: Int] {
        var tags: [String: Int] = [:]
        for line in try hostRules() {
            guard let r = line.range(of: #"--comment "?plumb:[^" ]+"#, options: .regularExpression) else { continue }
            let tag = line[r].replacingOccurrences(of: "--comment ", with: "").replacingOccurrences(of: "\"", with: "")
            tags[tag, default: 0] += 1
        }
        return tags
    }

    /// The IPv4 addresses on `ns`'s interfaces other than lo, as "ifname address/prefix", sorted.
    func addresses(_ ns: String) throws -> [String] {
        let j = try XCTUnwrap(try Shell.json(["ip", "-n", ns, "-j", "-4", "addr", "show"]) as? [[String: Any]])
        return j.flatMap { l -> [String] in
            let name = l["ifname"] as? String ?? "?"
            if name == "lo" { return [] }
            return (l["addr_info"] as? [[String: Any]] ?? []).map { "\(name) \($0["local"] ?? "?")/\($0["prefixlen"] ?? "?")" }
        }.sorted()
    }

    /// The links of `ns` other than lo.
    func links(_ ns: String) throws -> [String] {
        let j = try XCTUnwrap(try Shell.json(["ip", "-n", ns, "-j", "link", "show"]) as? [[String: Any]])
        return j.compactMap { $0["ifname"] as? String }.filter { $0 != "lo" }.sorted()
    }

    /// This test's namespaces (`ip netns` names with its tag).
    func testNamespaces() throws -> [String] {
        try Shell.run("ip", "netns", "list").split(separator: "\n")
            .map { String($0.split(separator: " ")[0]) }.filter { $0.hasPrefix("pt-\(lab.tag)-") }.sorted()
    }

    /// The namespace id (nsfs inode) of a named namespace, as the store keys endpoints by it.
    func namespaceID(_ ns: String) throws -> String {
        var st = stat()
        guard stat("/run/netns/\(ns)", &st) == 0 else { throw Shell.Failed(command: ["stat", ns], status: errno, stderr: "") }
        return String(st.st_ino)
    }

    /// Checks that the store and the kernel agree exactly for the networks of this state directory: every
    /// network's bridge and rules are there, every endpoint's veth (enslaved to its bridge), address and port
    /// rules are there, every lease belongs to an endpoint, no journal entry is left unfinished, and nothing
    /// else of Plumb's is in the kernel. `targets`: the namespaces endpoints may be in; `foreign`: host links
    /// that belong to the test, not to Plumb. Returns the failures (empty when they agree).
    func disagreements(targets: [String], foreign: Set<String>) throws -> [String] {
        var problems: [String] = []
        let nets = try sql("SELECT name, ifnull(json_extract(options, '$.bridge'), ''), internal FROM networks ORDER BY name")
            .map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        let eps = try sql("SELECT network, sandbox, ifname, ifnull(host_ifname, ''), ifnull(address, ''), ports, sandbox || ifnull('-c' || cookie, '') FROM endpoints")
            .map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        let leases = Set(try sql("SELECT network || ' ' || address FROM allocations"))
        let unfinished = try sql("SELECT id || ' ' || operation FROM journal WHERE state = 'planned'")
        if !unfinished.isEmpty { problems.append("journal entries left planned: \(unfinished)") }

        var expectedLinks = Set(foreign).union(["lo -"])
        var bridgeOf: [String: String] = [:]
        var expectedTags: [String: Int] = [:]
        for n in nets {
            bridgeOf[n[0]] = n[1]
            expectedLinks.insert("\(n[1]) -")
            expectedTags["plumb:\(n[0])"] = n[2] == "1" ? 7 : 7
        }
        var expectedLeases = Set<String>()
        var expectedAddresses: [String: [String]] = [:]
        for e in eps {
            let (net, sandbox, ifname, hostIf, address, ports, key) = (e[0], e[1], e[2], e[3], e[4], e[5], e[6])
            expectedLinks.insert("\(hostIf) \(bridgeOf[net] ?? "?")")
            if !address.isEmpty { expectedLeases.insert("\(net) \(address)") }
            let published = ports.components(separatedBy: "hostPort").count - 1
            if published > 0 { expectedTags["plumb:\(net):\(key)"] = 3 * published }
            if let t = try targets.first(where: { try namespaceID($0) == sandbox }) {
                expectedAddresses[t, default: []].append("\(ifname) \(address)/24")
            } else {
                problems.append("endpoint \(sandbox) of \(net) is in no test namespace")
            }
        }
        let kernelLinks = Set(try hostLinks())
        if kernelLinks != expectedLinks {
            problems.append("host links: kernel-only \(kernelLinks.subtracting(expectedLinks).sorted()), store-only \(expectedLinks.subtracting(kernelLinks).sorted())")
        }
        let tags = try ruleTags()
        if tags != expectedTags { problems.append("rule tags: kernel \(tags.sorted { $0.key < $1.key }), store \(expectedTags.sorted { $0.key < $1.key })") }
        if leases != expectedLeases {
            problems.append("leases: without endpoint \(leases.subtracting(expectedLeases).sorted()), endpoints without lease \(expectedLeases.subtracting(leases).sorted())")
        }
        for t in targets {
            let got = try addresses(t), want = (expectedAddresses[t] ?? []).sorted()
            if got != want { problems.append("\(t): addresses \(got), store says \(want)") }
            let l = try links(t), wantLinks = want.map { String($0.split(separator: " ")[0]) }.sorted()
            if l != wantLinks { problems.append("\(t): links \(l), store says \(wantLinks)") }
        }
        return problems
    }
}

/// A small seeded generator (SplitMix64), so a failing chaos run can be replayed from its printed seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
