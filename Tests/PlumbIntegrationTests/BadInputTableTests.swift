import Dispatch
import Foundation
import XCTest

/// Runs every row of `BadInputTable` against the real binary, in parallel batches, and checks for each: the
/// documented exit code, exactly one line on stderr naming the bad value (no trap, no "Fatal error"), and,
/// for all rows together, that the kernel state of the namespaces involved and the state store are exactly
/// as before.
final class BadInputTableTests: RootTestCase {
    var lab: TestLab!
    var context = BadInputContext()
    var stateDir = ""

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
        context.host = try lab.addNamespace("h")
        context.connected = try lab.addNamespace("a")
        context.free = try lab.addNamespace("b")
        context.other = try lab.addNamespace("c")
        context.bridge = lab.linkName("ok")
        let tmp = FileManager.default.temporaryDirectory.path
        stateDir = "\(tmp)/pt-state-bad-\(lab.tag)-\(UUID().uuidString.prefix(6))"
        context.junkFile = "\(tmp)/pt-junk-\(lab.tag).txt"
        context.emptyConfig = "\(tmp)/pt-empty-\(lab.tag).conflist"
        try "not json, not a snapshot\n".write(toFile: context.junkFile, atomically: true, encoding: .utf8)
        try "{}\n".write(toFile: context.emptyConfig, atomically: true, encoding: .utf8)
        let files = [stateDir, context.junkFile, context.emptyConfig]
        lab.onCleanup { for f in files { try? FileManager.default.removeItem(atPath: f) } }
    }

    func plumb(_ row: BadInputRow) throws -> (status: Int32, stdout: String, stderr: String) {
        try Self.run(row, stateDir: stateDir, host: context.host)
    }

    static func run(_ row: BadInputRow, stateDir: String, host: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let extra = !row.change ? [] : row.stateDirOnly ? ["--state-dir", stateDir] : ["--state-dir", stateDir, "--host-ns", host]
        // A row that wrongly starts a capture or a shell must not hang the suite.
        return try Shell.result(["timeout", "-s", "KILL", "30", CLITests.binary] + row.args + extra)
    }

    func testEveryMalformedInputGetsItsExitCodeOneLineAndChangesNothing() throws {
        let setup: [[String]] = [
            ["net", "create", context.network, "--subnet", "10.213.150.0/24", "--bridge", context.bridge],
            ["net", "connect", context.network, context.connected, "--ip", "10.213.150.7", "-p", "18150:80"],
        ]
        for args in setup {
            let r = try plumb(BadInputRow(args: args, change: true, code: 0, mentions: ""))
            XCTAssertEqual(r.status, 0, "setup \(args): \(r.stderr)")
        }
        let rows = BadInputTable.rows(context)
        XCTAssertGreaterThan(rows.count, 150)
        // The new bridge and veth settle (operstate UNKNOWN -> UP) for a moment after the setup: start from
        // a state that has stopped moving by itself.
        var before = try kernelAndStoreState()
        for _ in 0..<20 {
            usleep(250_000)
            let again = try kernelAndStoreState()
            if again == before { break }
            before = again
        }
        let started = Date()

        let results = Locked<[Int: (status: Int32, stdout: String, stderr: String)]>([:])
        let failures = Locked<[String]>([])
        let durations = Locked<[(Double, String)]>([])
        let gate = DispatchSemaphore(value: 6)
        let (dir, host) = (stateDir, context.host)
        let group = DispatchGroup()
        for (i, row) in rows.enumerated() {
            gate.wait()
            DispatchQueue.global().async(group: group) {
                defer { gate.signal() }
                do {
                    let t0 = Date()
                    let r = try Self.run(row, stateDir: dir, host: host)
                    let seconds = Date().timeIntervalSince(t0)
                    results.mutate { $0[i] = r }
                    durations.mutate { $0.append((seconds, row.description)) }
                } catch {
                    failures.mutate { $0.append("\(row): \(error)") }
                }
            }
        }
        group.wait()
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(failures.value, [])

        for (i, row) in rows.enumerated() {
            guard let r = results.value[i] else { continue }
            let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            XCTAssertEqual(r.status, row.code, "\(row): exit \(r.status), stderr: \(r.stderr)")
            XCTAssertEqual(lines.count, 1, "\(row): exactly one line on stderr, got: \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("plumb: ") || row.code == 127, "\(row): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(row.mentions), "\(row): should mention \(row.mentions): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Fatal error") || r.stderr.contains("Stack dump"), "\(row): \(r.stderr)")
        }
        let after = try kernelAndStoreState()
        for (key, value) in before where after[key] != value {
            XCTFail("\(key) changed:\n--- before\n\(value)\n--- after\n\(after[key] ?? "<gone>")")
        }
        // Bad input is refused before anything slow happens: each row's time is checked, not the table's total,
        // which grows with the row count and the machine's load (112 s for 266 rows at load 12, 23 s when quiet).
        let sorted = durations.value.sorted { $0.0 > $1.0 }
        if let worst = sorted.first { XCTAssertLessThan(worst.0, 30, "\(worst.1) took \(Int(worst.0)) s") }
        let slowest = sorted.prefix(5).map { String(format: "%.1f s %@", $0.0, $0.1) }
        print("bad-input table: \(rows.count) rows in \(String(format: "%.1f", elapsed)) s; slowest: \(slowest.joined(separator: "; "))")

        XCTAssertEqual(try plumb(BadInputRow(args: ["net", "rm", context.network, "--force"], change: true, code: 0, mentions: "")).status, 0)
    }

    /// What the rows could have changed, as text per source: links, addresses and routes (`ip -j -d`) of the
    /// test namespaces, the ip-netns list, the stand-in host's iptables and nftables rulesets, and the state
    /// store's rows. Bridge timers, which tick by themselves, are left out.
    func kernelAndStoreState() throws -> [String: String] {
        var state: [String: String] = [:]
        for ns in [context.host, context.connected, context.free, context.other] {
            for what in [["link", "show"], ["addr", "show"], ["route", "show", "table", "all"]] {
                let text = try Shell.run(["ip", "-n", ns, "-j", "-d"] + what)
                state["\(ns) ip \(what[0])"] = try Self.withoutTimers(text)
            }
        }
        // Names only: an nsid ("(id: N)") is assigned by the kernel when any reader asks about a peer.
        state["ip netns"] = try Shell.run("ip", "netns", "list").split(separator: "\n")
            .map { String($0.split(separator: " ")[0]) }.sorted().joined(separator: "\n")
        for tool in ["iptables-save", "ip6tables-save"] {
            state["\(context.host) \(tool)"] = try Shell.run("ip", "netns", "exec", context.host, tool)
                .split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        }
        // Counters move with any packet (the kernel's own, too): the rules are compared, not the counts.
        state["\(context.host) nft"] = try Shell.run("ip", "netns", "exec", context.host, "nft", "list", "ruleset")
            .replacingOccurrences(of: #"counter packets \d+ bytes \d+"#, with: "counter", options: .regularExpression)
        state["store"] = try Shell.run("sqlite3", "\(stateDir)/state.db", ".dump")
        return state
    }

    static func withoutTimers(_ json: String) throws -> String {
        func strip(_ v: Any) -> Any {
            if let d = v as? [String: Any] {
                return d.filter { !$0.key.hasSuffix("_timer") }.mapValues(strip)
            }
            if let a = v as? [Any] { return a.map(strip) }
            return v
        }
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8))
        let data = try JSONSerialization.data(withJSONObject: strip(value), options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
    }
}

/// Every command of the argument-parser tree has at least one row in `BadInputTable`: a new command must add
/// its malformed inputs there. (No root needed: this reads the command tree and the table only.)
final class BadInputCoverageTests: XCTestCase {
    func testEveryCommandHasBadInputRows() {
        let covered = Set(BadInputTable.rows(BadInputContext()).map { BadInputTable.commandPath(of: $0.args).joined(separator: " ") })
        let leaves = BadInputTable.leafCommands().map { $0.joined(separator: " ") }
        XCTAssertGreaterThan(leaves.count, 15)
        for leaf in leaves {
            XCTAssertTrue(covered.contains(leaf), "`plumb \(leaf)` has no row in BadInputTable: add its malformed inputs")
        }
    }

    func testRowsAreMostlyDistinct() {
        let rows = BadInputTable.rows(BadInputContext())
        XCTAssertEqual(Set(rows.map(\.args)).count, rows.count, "a row is listed twice")
    }
}
