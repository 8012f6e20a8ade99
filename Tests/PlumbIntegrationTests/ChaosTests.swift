import Foundation
import XCTest

/// Kills `net create/connect/disconnect/rm` at random steps (the test build's fault hook), runs `plumb gc`, and
/// checks that the kernel and the store then agree exactly: no leaked link, rule, lease or namespace, and a
/// bystander network and namespace untouched. The run is seeded: the seed is printed on failure, and
/// PLUMB_CHAOS_SEED replays it. PLUMB_CHAOS_RUNS sets the number of operations (`make fuzz` runs many more).
final class ChaosTests: RecoveryTestCase {
    func testKilledOperationsAreRepairedByGc() throws {
        let env = ProcessInfo.processInfo.environment
        let runs = env["PLUMB_CHAOS_RUNS"].flatMap { Int($0) } ?? 24
        let seed = env["PLUMB_CHAOS_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...999_999)
        var rng = SeededGenerator(seed: seed)
        let started = Date()
        let targets = try (0..<4).map { try lab.addNamespace("x\($0)") }
        let ids = Dictionary(uniqueKeysWithValues: try targets.map { ($0, try namespaceID($0)) })
        // The bystanders: a network of the same store with an endpoint and a published port, a test link in the
        // host namespace, and a namespace with an address of its own. None of it may change.
        let by = try lab.addNamespace("by")
        try lab.ip(by, "link", "add", lab.linkName("by0"), "type", "veth", "peer", "name", lab.linkName("by1"))
        try lab.ip(by, "addr", "add", "10.213.239.9/24", "dev", lab.linkName("by0"))
        try lab.ip(host, "link", "add", lab.linkName("hb0"), "type", "veth", "peer", "name", lab.linkName("hb1"))
        let foreign: Set<String> = ["\(lab.linkName("hb0")) -", "\(lab.linkName("hb1")) -"]
        XCTAssertEqual(try plumb("net", "create", "ptbystand", "--subnet", "10.213.238.0/24", "--bridge", lab.linkName("bs")).status, 0)
        let bystander = try lab.addNamespace("bs")
        XCTAssertEqual(try plumb("net", "connect", "ptbystand", bystander, "-p", "18390:80").status, 0)
        func bystanders() throws -> [String] {
            [try addresses(by).joined(separator: ","), try links(by).joined(separator: ","),
                 try addresses(bystander).joined(separator: ",")]
                + (try hostRules().filter { $0.contains("plumb:ptbystand") })
                + (try sql("SELECT network, address, sandbox FROM allocations WHERE network = 'ptbystand'"))
        }
        let bystandersBefore = try bystanders()
        let namespacesBefore = try testNamespaces()
        let networks = [("ptcha", "10.213.236.0/24", lab.linkName("ca")), ("ptchb", "10.213.237.0/24", lab.linkName("cb"))]
        var log: [String] = []
        defer {
            if (testRun?.totalFailureCount ?? 0) > 0 {
                print("ChaosTests: seed \(seed) (PLUMB_CHAOS_SEED=\(seed) replays it); operations:\n" + log.joined(separator: "\n"))
            }
        }
        for run in 0..<runs {
            let existing = Set(try sql("SELECT name FROM networks"))
            let connected = try sql("SELECT network || ' ' || sandbox FROM endpoints WHERE network != 'ptbystand'")
            let (name, subnet, bridge) = networks.randomElement(using: &rng)!
            var args: [String]
            if !existing.contains(name) {
                args = ["net", "create", name, "--subnet", subnet, "--bridge", bridge]
            } else {
                let mine = targets.filter { connected.contains("\(name) \(ids[$0]!)") }
                let free = targets.filter { t in !connected.contains { $0.hasSuffix(" \(ids[t]!)") } }
                switch Int.random(in: 0..<10, using: &rng) {
                case 0..<5 where !free.isEmpty:
                    let chosen = Array(free.shuffled(using: &rng).prefix(Int.random(in: 1...free.count, using: &rng)))
                    let base = 18_400 + 4 * run  // a port of its own: a clash would fail the connect
                    args = ["net", "connect", name] + chosen
                    if Bool.random(using: &rng) { args += ["-p", chosen.count == 1 ? "\(base):80" : "\(base)-\(base + chosen.count - 1):80"] }
                case 0..<8 where !mine.isEmpty:
                    args = ["net", "disconnect", name] + Array(mine.shuffled(using: &rng).prefix(Int.random(in: 1...mine.count, using: &rng)))
                default:
                    args = ["net", "rm", name, "--force"]
                }
            }
            let step = Int.random(in: 1...14, using: &rng)
            let r = try plumb(args, env: ["PLUMB_TEST_KILL_AFTER_STEP": String(step)])
            let gc = try plumb("gc")
            log.append("\(run): \(args.joined(separator: " ")) killed after step \(step): exit \(r.status) \(r.stderr.prefix(200)); gc: exit \(gc.status) \(gc.stdout.replacingOccurrences(of: "\n", with: " | "))")
            XCTAssertTrue(r.status == 0 || r.status == 9, "run \(run): \(args) exit \(r.status): \(r.stderr)")
            XCTAssertEqual(gc.status, 0, "run \(run): gc: \(gc.stderr)")
            let problems = try disagreements(targets: targets + [bystander], foreign: foreign)
            XCTAssertEqual(problems, [], "run \(run) (seed \(seed)): \(args) killed after step \(step)")
            XCTAssertEqual(try bystanders(), bystandersBefore, "run \(run): the bystanders are untouched")
            XCTAssertEqual(try testNamespaces(), namespacesBefore, "run \(run): no namespace leaked or lost")
            if !problems.isEmpty { break }
        }
        XCTAssertEqual(try plumb("gc").stdout, "nothing to clean up\n")
        for (name, _, _) in networks { _ = try plumb("net", "rm", name, "--force") }
        XCTAssertEqual(try plumb("net", "rm", "ptbystand", "--force").status, 0)
        print("ChaosTests: \(runs) killed operations in \(String(format: "%.1f", Date().timeIntervalSince(started))) s (seed \(seed))")
    }
}
