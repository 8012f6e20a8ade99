import Foundation
import XCTest
@testable import PlumbKernel
import PlumbModel
import PlumbSystem

/// Recorded netlink dumps read exactly like the live socket they were recorded from. With
/// PLUMB_RECORD_NETLINK_FIXTURES=DIR the recording (and what `ip -j` printed at the time) is also written to
/// DIR: that is how Tests/PlumbKernelTests/Fixtures/netlink was made.
final class NetlinkRecordingTests: RootTestCase {
    func testRecordedDumpsReadLikeTheLiveSocket() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let ns = try lab.addNamespace("rec")
        let br = lab.linkName("br"), a = lab.linkName("a"), b = lab.linkName("b"), c = lab.linkName("c"), d = lab.linkName("d")
        try lab.ip(ns, "link", "add", br, "type", "bridge")
        try lab.ip(ns, "link", "add", a, "mtu", "1400", "type", "veth", "peer", "name", b)
        try lab.ip(ns, "link", "add", c, "type", "veth", "peer", "name", d)
        try lab.ip(ns, "link", "set", a, "master", br)
        try lab.ip(ns, "link", "set", c, "master", br)
        for l in [br, a, b, c, d] { try lab.ip(ns, "link", "set", l, "up") }
        try lab.ip(ns, "addr", "add", "10.213.90.1/24", "dev", br)
        try lab.ip(ns, "addr", "add", "10.213.90.2/24", "dev", b)
        try lab.ip(ns, "addr", "add", "10.213.91.2/24", "dev", d)
        try lab.ip(ns, "route", "add", "10.213.92.0/24", "via", "10.213.90.9", "dev", br)
        try lab.ip(ns, "neigh", "add", "10.213.90.9", "lladdr", "02:00:00:00:00:09", "dev", br, "nud", "permanent")

        let file = try FileDescriptor.open("/run/netns/\(ns)", O_RDONLY)
        let (recorded, live) = try NamespaceWorkers.run(inNamespaceFd: file.rawValue) {
            (try NetlinkRecorder.record(), try NetlinkDumper.dump(try NetlinkSocket()))
        }
        let replayed = try NetlinkDumper.dump(recorded)

        // Counters may move between the two reads; everything else must be identical.
        func still(_ d: NetlinkDump) -> [Link] { d.links.map { var l = $0.link; l.stats = LinkStats(); return l } }
        XCTAssertEqual(still(replayed), still(live))
        XCTAssertEqual(replayed.links.map(\.lowerIndex), live.links.map(\.lowerIndex))
        XCTAssertEqual(replayed.routes, live.routes)
        XCTAssertEqual(replayed.neighbors, live.neighbors)
        XCTAssertTrue(replayed.links.contains { $0.link.name == br && $0.link.addresses == [IPPrefix("10.213.90.1/24")!] })
        XCTAssertTrue(replayed.routes.contains { $0.destinationText == "10.213.92.0/24" && $0.gateway?.description == "10.213.90.9" && $0.dev == br })

        if let dir = ProcessInfo.processInfo.environment["PLUMB_RECORD_NETLINK_FIXTURES"] {
            try write(recorded, ns: ns, to: dir)
        }
    }

    /// The four dumps as .bin files and `ip -j` of the same namespace beside them.
    private func write(_ r: RecordedNetlinkDump, ns: String, to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, bytes) in [("links", r.linkMessages), ("addresses", r.addressMessages), ("routes", r.routeMessages),
                                  ("neighbours", r.neighbourMessages)] {
            try Data(bytes).write(to: URL(fileURLWithPath: "\(dir)/\(name).bin"))
        }
        for (name, args) in [("ip-link", ["-d", "link", "show"]), ("ip-addr", ["addr", "show"]),
                             ("ip-route", ["route", "show", "table", "all"]), ("ip-neigh", ["neigh", "show"])] {
            try Shell.run(["ip", "-j", "-n", ns] + args).write(toFile: "\(dir)/\(name).json", atomically: true, encoding: .utf8)
        }
    }
}
