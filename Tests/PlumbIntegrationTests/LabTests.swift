import Foundation
import XCTest

/// `plumb lab up` builds a working, deliberately imperfect world; `lab down` removes all of it. The lab is
/// built inside a test namespace standing in for the host, with the prefix `ptl`.
final class LabTests: RootTestCase {
    func testLabUpWorksAndLabDownLeavesNothing() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let host = try lab.addNamespace("lh")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("pt-lab-\(lab.tag)").path
        lab.onCleanup { try? FileManager.default.removeItem(atPath: state) }
        let prefix = "pt-l\(lab.tag.prefix(2))"
        func plumb(_ args: String...) throws -> (status: Int32, stdout: String, stderr: String) {
            try Shell.result([CLITests.binary] + args + ["--prefix", prefix, "--host-ns", host, "--state-dir", state])
        }
        // Whatever happens, take the lab down (kills its processes by pid, removes its namespaces).
        lab.onCleanup { _ = try? Shell.result([CLITests.binary, "lab", "down", "--prefix", prefix, "--host-ns", host, "--state-dir", state]) }
        let rulesBefore = try Shell.run("ip", "netns", "exec", host, "iptables-save").split(separator: "\n").filter { !$0.hasPrefix("#") }

        let up = try plumb("lab", "up")
        XCTAssertEqual(up.status, 0, up.stderr)
        XCTAssertTrue(up.stdout.contains("is up"), up.stdout)

        let names = try Shell.run("ip", "netns", "list")
        for c in ["web", "client", "db", "broken", "ha", "hb", "ova", "ovb"] {
            XCTAssertTrue(names.contains("\(prefix)-\(c)"), "\(prefix)-\(c) missing: \(names)")
        }
        // Traffic moves: the client fetches from web every second.
        func rx(_ ns: String) throws -> Int {
            let j = try XCTUnwrap(try Shell.json(["ip", "-n", ns, "-j", "-s", "link", "show", "eth0"]) as? [[String: Any]])
            return ((j.first?["stats64"] as? [String: Any])?["rx"] as? [String: Any])?["packets"] as? Int ?? 0
        }
        let r1 = try rx("\(prefix)-web")
        sleep(3)
        XCTAssertGreaterThan(try rx("\(prefix)-web"), r1, "web receives the client's requests")
        let fetched = try Shell.result(["ip", "netns", "exec", "\(prefix)-client", "busybox", "wget", "-q", "-O", "-", "http://10.213.201.2/"])
        XCTAssertTrue(fetched.stdout.contains("plumb lab"), fetched.stdout + fetched.stderr)
        // The published port answers on the (stand-in) host.
        let published = try Shell.result(["timeout", "5", "ip", "netns", "exec", host, "busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:8080/"])
        XCTAssertTrue(published.stdout.contains("plumb lab"), published.stdout + published.stderr)
        // The overlay carries traffic between the two "hosts".
        XCTAssertEqual(try Shell.result(["ip", "netns", "exec", "\(prefix)-ova", "ping", "-c", "1", "-W", "2", "10.213.204.3"]).status, 0)
        // The deliberate faults are there.
        XCTAssertTrue(try Shell.run("ip", "-n", "\(prefix)-broken", "link", "show", "eth0").contains("state DOWN"))
        XCTAssertFalse(try Shell.run("ip", "-n", "\(prefix)-db", "route").contains("default"))
        // And the snapshot attributes the lab's processes to its namespaces.
        let snap = try XCTUnwrap(try Shell.json([CLITests.binary, "snapshot", "\(prefix)-web", "--json"]) as? [String: Any])
        let procs = try XCTUnwrap(snap["processes"] as? [[String: Any]])
        XCTAssertTrue(procs.contains { ($0["cmdline"] as? String)?.contains("httpd") == true }, "\(procs)")

        // Its namespaces are named like containers of runtime plumb, from the lab's record in /run.
        let record = "/run/plumb-lab-\(prefix)/containers.json"
        let rows = try NamespaceListing.rows()
        for c in ["web", "client", "db", "broken", "ha", "hb", "ova", "ovb"] {
            let row = rows.first { NamespaceListing.container($0, "\(prefix)-\(c)") != nil }
            let container = NamespaceListing.container(row, "\(prefix)-\(c)")
            XCTAssertEqual(container?["runtime"] as? String, "plumb", "\(prefix)-\(c): \(String(describing: row))")
            XCTAssertEqual(container?["source"] as? String, record)
            XCTAssertNil(row?["why"], "an attributed namespace needs no reason")
        }
        let listing = try Shell.run(CLITests.binary, "ns", "ls")
        XCTAssertTrue(listing.contains("plumb:\(prefix)-web"), listing)

        let pids = procs.compactMap { $0["pid"] as? Int32 }
        // `lab down --dry-run` prints the plan and changes nothing: namespaces, links, rules and processes stay.
        func world() throws -> [String] {
            [try Shell.run("ip", "netns", "list"), try Shell.run("ip", "-n", host, "-o", "link", "show"),
             try Shell.run("ip", "netns", "exec", host, "iptables-save").replacingOccurrences(of: #"\[\d+:\d+\]|#.*"#, with: "", options: .regularExpression)]
        }
        let beforeDryRun = try world()
        let dry = try plumb("lab", "down", "--dry-run")
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("# dry run: nothing was changed"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("net rm \(prefix)-front"), dry.stdout)
        XCTAssertEqual(try world(), beforeDryRun, "lab down --dry-run changed the kernel")
        XCTAssertTrue(pids.allSatisfy { kill($0, 0) == 0 }, "lab down --dry-run ended the lab's processes")
        let down = try plumb("lab", "down")
        XCTAssertEqual(down.status, 0, down.stderr)
        let after = try Shell.run("ip", "netns", "list")
        XCTAssertFalse(after.contains("\(prefix)-"), after)
        XCTAssertEqual(try Shell.run("ip", "-n", host, "-o", "link", "show").split(separator: "\n").count, 1, "only lo is left")
        let rulesAfter = try Shell.run("ip", "netns", "exec", host, "iptables-save").split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(rulesAfter, rulesBefore)
        for pid in pids {
            // Ended means gone or a zombie waiting for init to reap it (this machine's init may be slow to).
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            let state = stat.split(separator: ")").last?.split(separator: " ").first ?? "X"
            XCTAssertTrue(state == "Z" || stat.isEmpty, "lab process \(pid) was ended (state \(state))")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/run/plumb-lab-\(prefix)"), "lab down removes the lab's record")
        XCTAssertEqual(try plumb("lab", "down").stdout, "No demo lab '\(prefix)' is up.\n")
    }
}
