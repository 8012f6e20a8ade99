import Foundation
import Glibc
import XCTest

/// `plumb conntrack` against conntrack-tools in a pair of test namespaces: a client (a) and a server (b) on a
/// veth pair, with real TCP (through a DNAT rule: b:80 → b:8080), UDP and ICMP flows, and entries made by
/// `conntrack -I` (a mark, a zone). `conntrack -L -o extended`, run inside b, is the oracle.
final class ConntrackTests: RootTestCase {
    var lab: TestLab!
    var client = "", server = "", stateDir = ""
    let net = "10.213.\(Int.random(in: 100...199))"

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
        client = try lab.addNamespace("ca")
        server = try lab.addNamespace("cb")
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-ct-state-\(lab.tag)-\(UUID().uuidString.prefix(6))").path
        lab.onCleanup { [stateDir] in try? FileManager.default.removeItem(atPath: stateDir) }
        try lab.ip(client, "link", "add", "ptc0", "type", "veth", "peer", "name", "ptc1", "netns", server)
        try lab.ip(client, "addr", "add", "\(net).1/24", "dev", "ptc0")
        try lab.ip(server, "addr", "add", "\(net).2/24", "dev", "ptc1")
        try lab.ip(client, "link", "set", "ptc0", "up")
        try lab.ip(server, "link", "set", "ptc1", "up")
        // Rules that use conntrack make the server's namespace track connections; the DNAT gives one a NAT.
        try inServer("iptables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP")
        try inServer("iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-d", "\(net).2", "--dport", "80",
                     "-j", "DNAT", "--to-destination", "\(net).2:8080")
        let listener = try Shell.spawn(["ip", "netns", "exec", server, "busybox", "nc", "-l", "-p", "8080"])
        lab.ownProcess(listener)
        try waitUntil { (try? Shell.run(["ip", "netns", "exec", self.server, "ss", "-Htln", "sport = :8080"]))?.isEmpty == false }
        try Shell.run(["ip", "netns", "exec", client, "busybox", "timeout", "3", "busybox", "nc", "\(net).2", "80"], check: false)
        try Shell.run("ip", "netns", "exec", client, "bash", "-c", "echo x > /dev/udp/\(net).2/5353")
        try Shell.run("ip", "netns", "exec", client, "ping", "-c", "1", "-W", "2", "\(net).2")
        try inServer("conntrack", "-I", "-p", "tcp", "-s", "\(net).7", "-d", "\(net).2", "--sport", "40000", "--dport", "443",
                     "--state", "ESTABLISHED", "-t", "300", "-u", "ASSURED", "--mark", "7")
        try inServer("conntrack", "-I", "-p", "udp", "-s", "\(net).7", "-d", "\(net).2", "--sport", "5000", "--dport", "53",
                     "-t", "300", "--zone", "4")
    }

    @discardableResult
    func inServer(_ args: String...) throws -> String { try Shell.run(["ip", "netns", "exec", server] + args) }

    func plumb(_ args: String...) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary] + args)
    }

    func waitUntil(_ what: () throws -> Bool) throws {
        for _ in 0..<50 { if try what() { return }; usleep(100_000) }
        XCTFail("timed out waiting")
    }

    /// conntrack -L -o extended inside the server, each line as its tuples (the key=value words that do not
    /// change between two reads: no counters, no use count), with the mark and zone.
    func oracle(_ extra: String...) throws -> Set<String> {
        let text = try Shell.run(["ip", "netns", "exec", server, "conntrack", "-L", "-o", "extended"] + extra)
        return Set(text.split(separator: "\n").map { line in
            let words = line.split(separator: " ")
            let kept = words.filter { w in
                w.contains("=") && !["packets", "bytes", "use"].contains(w.split(separator: "=")[0])
            }
            return ([words[2]] + kept).joined(separator: " ") + (line.contains(" zone=") ? "" : " zone=0")
        })
    }

    /// Plumb's JSON entries in the oracle's words.
    func ours(_ json: [String: Any]) throws -> Set<String> {
        let entries = try XCTUnwrap(json["entries"] as? [[String: Any]])
        return Set(entries.map { e in
            func tuple(_ t: Any?) -> String {
                let t = t as! [String: Any]
                var s = "src=\(t["src"]!) dst=\(t["dst"]!)"
                if let sp = t["sport"], let dp = t["dport"] { s += " sport=\(sp) dport=\(dp)" }
                if let ty = t["icmpType"] { s += " type=\(ty) code=\(t["icmpCode"]!) id=\(t["icmpId"]!)" }
                return s
            }
            return "\(e["protocol"]!) \(tuple(e["original"])) \(tuple(e["reply"])) mark=\(e["mark"]!) zone=\(e["zone"]!)"
        })
    }

    func list(_ args: String...) throws -> [String: Any] {
        let r = try Shell.result([CLITests.binary, "conntrack", server, "--json"] + args)
        XCTAssertEqual(r.status, 0, r.stderr)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    func testListingEqualsConntrackTools() throws {
        let json = try list()
        let expected = try oracle()
        XCTAssertGreaterThanOrEqual(expected.count, 5, "tcp via DNAT, udp, icmp and two inserted entries")
        XCTAssertEqual(try ours(json), expected)
        let usage = try XCTUnwrap(json["usage"] as? [String: Any])
        XCTAssertEqual(usage["count"] as? Int, expected.count)
        XCTAssertEqual(usage["max"] as? Int, Int(try inServer("cat", "/proc/sys/net/netfilter/nf_conntrack_max").trimmingCharacters(in: .whitespacesAndNewlines)))
        let entries = try XCTUnwrap(json["entries"] as? [[String: Any]])
        let dnat = try XCTUnwrap(entries.first { ($0["original"] as? [String: Any])?["dport"] as? Int == 80 })
        XCTAssertEqual(dnat["nat"] as? String, "dnat")
        XCTAssertEqual((dnat["reply"] as? [String: Any])?["sport"] as? Int, 8080)
        XCTAssertNotNil(dnat["state"] as? String)
        // The text ends with the summary line.
        let text = try plumb("conntrack", server)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.hasSuffix("\n\(expected.count) entries shown in \(server); \(expected.count) in the table of max \(usage["max"]!) (0.0%); accounting off (no counters)\n"),
                      text.stdout)
        XCTAssertEqual(text.stdout.split(separator: "\n").count, expected.count + 1)
    }

    func testFiltersSelectWhatConntrackToolsSelects() throws {
        XCTAssertEqual(try ours(try list("--proto", "udp")), try oracle("-p", "udp"))
        XCTAssertEqual(try ours(try list("--src", "\(net).7")), try oracle("-s", "\(net).7"))
        let nat = try XCTUnwrap(try list("--nat")["entries"] as? [[String: Any]])
        XCTAssertEqual(nat.count, 1)
        XCTAssertEqual(nat.first?["nat"] as? String, "dnat")
        // The DNATed entry is found by the port the client used and by the one the server answered from.
        XCTAssertEqual(try list("--dst", "\(net).2/32", "--port", "8080")["shown"] as? Int, 1)
        XCTAssertEqual(try list("--proto", "icmp")["shown"] as? Int, 1)
    }

    func testDeleteDryRunChangesNothingAndDeleteRemovesExactlyTheMatches() throws {
        let before = try oracle()
        let refused = try plumb("conntrack", "delete", server, "--state-dir", stateDir)
        XCTAssertEqual(refused.status, 64, refused.stderr)
        let dry = try plumb("conntrack", "delete", server, "--src", "\(net).7", "--dry-run", "--state-dir", stateDir)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertEqual(dry.stdout.components(separatedBy: "conntrack -D").count - 1, 2, dry.stdout)
        XCTAssertEqual(try oracle(), before)
        let real = try plumb("conntrack", "delete", server, "--src", "\(net).7", "--state-dir", stateDir)
        XCTAssertEqual(real.status, 0, real.stderr)
        XCTAssertTrue(real.stdout.contains("deleted 2 conntrack entries"), real.stdout)
        XCTAssertEqual(try oracle(), before.filter { !$0.contains("src=\(net).7 ") })
        let journal = try Shell.run("sqlite3", "\(stateDir)/state.db", "SELECT operation, state FROM journal")
        XCTAssertEqual(journal.trimmingCharacters(in: .whitespacesAndNewlines), "conntrack delete \(server) --src \(net).7/32|applied")
    }

    func testWatchSeesANewFlow() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("pt-ct-watch-\(lab.tag)").path
        lab.onCleanup { try? FileManager.default.removeItem(atPath: out) }
        let done = DispatchSemaphore(value: 0)
        let box = WatchResult()
        let (binary, server) = (CLITests.binary, server)
        Thread.detachNewThread {
            box.value = try? Shell.result(["timeout", "15", binary, "conntrack", server, "--watch", "--json",
                                           "--max-events", "1", "--proto", "udp", "--port", "6000"])
            done.signal()
        }
        // The watcher subscribes within milliseconds; a fresh flow a moment later is the event it must see.
        usleep(700_000)
        try Shell.run("ip", "netns", "exec", client, "bash", "-c", "echo x > /dev/udp/\(net).2/6000")
        XCTAssertEqual(done.wait(timeout: .now() + 20), .success)
        let r = try XCTUnwrap(box.value)
        XCTAssertEqual(r.status, 0, r.stderr)
        let event = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(event["event"] as? String, "new")
        let original = (event["entry"] as? [String: Any])?["original"] as? [String: Any]
        XCTAssertEqual(original?["dport"] as? Int, 6000)
        XCTAssertEqual(original?["src"] as? String, "\(net).1")
    }

    func testUnknownTargetAndBadFilter() throws {
        XCTAssertEqual(try plumb("conntrack", "pt-no-such-namespace").status, 4)
        let bad = try plumb("conntrack", server, "--src", "10.213.0.300")
        XCTAssertEqual(bad.status, 64)
        XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1, bad.stderr)
    }
}

private final class WatchResult: @unchecked Sendable {
    var value: (status: Int32, stdout: String, stderr: String)?
}
