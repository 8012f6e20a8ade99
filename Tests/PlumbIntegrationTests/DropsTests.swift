import Foundation
import Glibc
import XCTest
import PlumbKernel
import PlumbModel
import PlumbSystem

/// The drops feed against real drops with known reasons, made in two test namespaces: a client (a) and a server
/// (b) on a veth pair (pt<tag>d0 in a, pt<tag>d1 in b). Each drop must come with its reason and be attributed
/// to the namespace and interface where the kernel dropped it.
final class DropsTests: RootTestCase {
    var lab: TestLab!
    var client = "", server = ""
    var serverLink = ""
    var serverInode: UInt64 = 0
    let net = "10.213.\(Int.random(in: 200...239))"
    let spoofed = "10.213.\(Int.random(in: 240...249)).1"
    let unrouted = "10.213.250.\(Int.random(in: 1...250))"

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
        client = try lab.addNamespace("da")
        server = try lab.addNamespace("db")
        let clientLink = lab.linkName("d0")
        serverLink = lab.linkName("d1")
        try lab.ip(client, "link", "add", clientLink, "type", "veth", "peer", "name", serverLink, "netns", server)
        try lab.ip(client, "addr", "add", "\(net).1/24", "dev", clientLink)
        try lab.ip(server, "addr", "add", "\(net).2/24", "dev", serverLink)
        try lab.ip(client, "link", "set", clientLink, "up")
        try lab.ip(server, "link", "set", serverLink, "up")
        var st = stat()
        XCTAssertEqual(stat("/run/netns/\(server)", &st), 0)
        serverInode = UInt64(st.st_ino)
    }

    func inClient(_ args: String...) throws { try Shell.run(["ip", "netns", "exec", client] + args, check: false) }
    func inServer(_ args: String...) throws { try Shell.run(["ip", "netns", "exec", server] + args) }

    /// UDP datagrams of `size` bytes from the client to the server's `port`.
    func sendUDP(port: Int, count: Int = 3, size: Int = 64) throws {
        try inClient("bash", "-c", "for i in $(seq \(count)); do head -c \(size) /dev/zero > /dev/udp/\(net).2/\(port); done")
    }

    /// A UDP socket bound to `port` in the server's namespace, made on a thread of its own that enters the
    /// namespace and then ends (the socket stays in the namespace it was made in).
    func udpSocketInServer(port: UInt16, receiveBuffer: Int32) throws -> Int32 {
        let path = "/run/netns/\(server)"
        let ns = open(path, O_RDONLY | O_CLOEXEC)
        guard ns >= 0 else { throw Shell.Failed(command: ["open", path], status: errno, stderr: "") }
        defer { close(ns) }
        return try NamespaceWorkers.run(inNamespaceFd: ns) { () throws -> Int32 in
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var size = receiveBuffer
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard fd >= 0, rc == 0 else { throw Shell.Failed(command: ["bind", ":\(port)"], status: errno, stderr: "") }
            return fd
        }
    }

    /// Waits up to 3 s for the watcher to report a drop of `reason` in the server's namespace.
    func awaitDrop(_ watcher: DropWatcher, reason: String, file: StaticString = #filePath, line: UInt = #line) -> PacketDrop? {
        for _ in 0..<30 {
            if let d = watcher.drops(DropQuery(netnsInode: serverInode, reasonName: reason, lastMillis: 10_000)).last { return d }
            usleep(100_000)
        }
        let seen = Set(watcher.drops(DropQuery(lastMillis: 10_000)).map { "\($0.namespaceLabel)/\($0.reason.name)" })
        XCTFail("no \(reason) drop in \(server) within 3 s; seen: \(seen.sorted())", file: file, line: line)
        return nil
    }

    /// All five known reasons in one watcher session (the BPF program is loaded once).
    func testEachKnownDropIsAttributedToItsNamespaceAndInterface() throws {
        let watcher = try DropWatcher.start()
        defer { watcher.stop() }
        XCTAssertEqual(watcher.mode, .bpf, "BPF should load on this kernel: \(watcher.fallbackReason ?? "")")
        watcher.nameNamespaces([serverInode: server])

        // 1. A firewall drop rule: NETFILTER_DROP in nf_tables (iptables-nft) or ip_tables.
        try inServer("iptables", "-A", "INPUT", "-p", "udp", "--dport", "7001", "-j", "DROP")
        try sendUDP(port: 7001)
        if let d = awaitDrop(watcher, reason: "NETFILTER_DROP") {
            XCTAssertEqual(d.interface, serverLink)
            XCTAssertEqual(d.namespaceName, server)
            XCTAssertTrue(["nft_do_chain", "ipt_do_table"].contains(d.location.symbol ?? ""), "\(d.location)")
            XCTAssertEqual(d.flow?.protocolNumber, 17)
            XCTAssertEqual(d.flow?.dst.description, "\(net).2")
            XCTAssertEqual(d.flow?.dstPort, 7001)
            XCTAssertEqual(d.flow?.src.description, "\(net).1")
        }

        // 2. A UDP port with no socket: NO_SOCKET.
        try sendUDP(port: 7002)
        if let d = awaitDrop(watcher, reason: "NO_SOCKET") {
            XCTAssertEqual(d.interface, serverLink)
            XCTAssertEqual(d.flow?.dstPort, 7002)
        }

        // 3. rp_filter: a source the server has no route back to, arriving on its veth (strict mode).
        try inServer("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1")
        try inServer("sysctl", "-qw", "net.ipv4.conf.\(serverLink).rp_filter=1")
        try lab.ip(client, "addr", "add", "\(spoofed)/32", "dev", "lo")
        try inClient("ping", "-c", "2", "-i", "0.2", "-W", "1", "-I", spoofed, "\(net).2")
        if let d = awaitDrop(watcher, reason: "IP_RPFILTER") {
            XCTAssertEqual(d.interface, serverLink)
            XCTAssertEqual(d.flow?.src.description, spoofed)
            XCTAssertEqual(d.flow?.protocolNumber, 1)
        }

        // 4. No route: the server forwards, but has no route to the destination.
        try inServer("sysctl", "-qw", "net.ipv4.ip_forward=1")
        try lab.ip(client, "route", "add", "\(unrouted)/32", "via", "\(net).2")
        try inClient("ping", "-c", "2", "-i", "0.2", "-W", "1", unrouted)
        if let d = awaitDrop(watcher, reason: "IP_INNOROUTES") {
            XCTAssertEqual(d.interface, serverLink)
            XCTAssertEqual(d.flow?.dst.description, unrouted)
        }

        // 5. A full socket buffer: a UDP socket in the server with a small receive buffer that is never read.
        let sock = try udpSocketInServer(port: 7003, receiveBuffer: 4096)
        defer { close(sock) }
        try sendUDP(port: 7003, count: 40, size: 1400)
        if let d = awaitDrop(watcher, reason: "SOCKET_RCVBUFF") {
            XCTAssertEqual(d.interface, serverLink)
            XCTAssertEqual(d.flow?.dstPort, 7003)
        }

        // Nothing of the above is reported in the client's namespace, which dropped none of it.
        var st = stat()
        XCTAssertEqual(stat("/run/netns/\(client)", &st), 0)
        let inClientNS = watcher.drops(DropQuery(netnsInode: UInt64(st.st_ino), lastMillis: 30_000))
        XCTAssertFalse(inClientNS.contains { ["NETFILTER_DROP", "NO_SOCKET", "SOCKET_RCVBUFF"].contains($0.reason.name) },
                       "\(inClientNS.map(\.reason.name))")
        let c = watcher.counters
        XCTAssertGreaterThan(c.seen, 0)
    }

    /// Tallying: the kernel counts drops per namespace × interface × reason × location with the newest of each,
    /// and user space takes the counts; switched off, drops come one by one again.
    func testTalliesCountEveryDropWithTheNewestAndStopOnRequest() throws {
        var options = DropWatcher.Options()
        options.tallyMillis = 500
        let watcher = try DropWatcher.start(options)
        defer { watcher.stop() }
        XCTAssertEqual(watcher.mode, .bpf, "BPF should load on this kernel: \(watcher.fallbackReason ?? "")")
        watcher.nameNamespaces([serverInode: server])
        watcher.tally(true)
        usleep(300_000)   // the reader switches within pollMillis (100 ms)
        _ = watcher.takeTallies()

        try sendUDP(port: 7011, count: 30)
        try sendUDP(port: 7012, count: 5)
        var mine: [DropTally] = []
        for _ in 0..<40 where mine.reduce(0, { $0 + $1.count }) < 35 {
            usleep(100_000)
            mine += watcher.takeTallies().filter { $0.newest.netnsInode == serverInode && $0.newest.reason.name == "NO_SOCKET" }
        }
        usleep(700_000)   // one more take: nothing may come after the 35
        mine += watcher.takeTallies().filter { $0.newest.netnsInode == serverInode && $0.newest.reason.name == "NO_SOCKET" }
        XCTAssertEqual(mine.reduce(0) { $0 + $1.count }, 35, "\(mine.map(\.count))")
        XCTAssertLessThanOrEqual(mine.count, 6, "35 drops in about a second come as a few tallies, not one by one")
        if let last = mine.max(by: { $0.newest.monotonicNanos < $1.newest.monotonicNanos })?.newest {
            XCTAssertEqual(last.flow?.dstPort, 7012, "the newest drop stands for its tally")
            XCTAssertEqual(last.flow?.src.description, "\(net).1")
            XCTAssertEqual(last.interface, serverLink)
            XCTAssertEqual(last.namespaceName, server)
        }
        let sent = try watcher.waitForNew(timeoutMillis: 0)
        XCTAssertFalse(sent.contains { $0.netnsInode == serverInode && $0.reason.name == "NO_SOCKET" },
                       "tallied drops are not also sent one by one")

        watcher.tally(false)
        usleep(300_000)
        try sendUDP(port: 7013, count: 1)
        if let d = awaitDrop(watcher, reason: "NO_SOCKET") { XCTAssertEqual(d.flow?.dstPort, 7013) }
        XCTAssertNil(watcher.tallyProblem)
        XCTAssertEqual(watcher.counters.lost, 0)
    }

    /// `plumb drops NS --for` summarizes; `--tracepoint` falls back to the bare tracepoint and says it is host-wide.
    func testCommandSummarizesAndFallsBack() throws {
        try inServer("iptables", "-A", "INPUT", "-p", "udp", "--dport", "7011", "-j", "DROP")
        func tracefsMounted() throws -> Bool {
            try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8).split(separator: "\n")
                .contains { $0.hasPrefix("nodev /sys/kernel/tracing tracefs") || $0.split(separator: " ").dropFirst(2).first == "tracefs" }
        }
        let mountedBefore = try tracefsMounted()
        for tracepoint in [false, true] {
            let out = Pipe()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLITests.binary)
            p.arguments = ["drops", server, "--for", "2s", "--json"] + (tracepoint ? ["--tracepoint"] : [])
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Datagrams all through the command's life, not a burst after a guessed start-up time: on a loaded
            // machine the process start and the BPF load can take longer than any fixed sleep, and a burst sent
            // before the program is attached is never seen (this test failed that way). The count asked for
            // (at least 5) is reached only by datagrams sent while the command watched.
            var sent = 0
            while p.isRunning && sent < 150 {
                try sendUDP(port: 7011, count: 1)
                sent += 1
                usleep(50_000)
            }
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0)
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let groups = try XCTUnwrap(json["groups"] as? [[String: Any]])
            XCTAssertEqual(json["mode"] as? String, tracepoint ? "tracepoint" : "bpf")
            let ours = groups.first { $0["reason"] as? String == "NETFILTER_DROP" }
            XCTAssertNotNil(ours, "no NETFILTER_DROP group: \(groups)")
            XCTAssertGreaterThanOrEqual(ours?["count"] as? Int ?? 0, 5)
            if tracepoint {
                XCTAssertEqual(ours?["namespace"] as? String, "host-wide")
            } else {
                XCTAssertEqual(ours?["namespace"] as? String, server)
                XCTAssertEqual(ours?["interfaces"] as? [String], [serverLink])
                let flows = ours?["topFlows"] as? [[String: Any]]
                XCTAssertEqual(flows?.first?["dport"] as? Int, 7011)
                // Every group is of the server's namespace: the target filters.
                XCTAssertEqual(Set(groups.compactMap { $0["namespace"] as? String }), [server])
            }
        }
        // tracefs is left as it was found: mounted only if it was before.
        XCTAssertEqual(try tracefsMounted(), mountedBefore, "plumb drops left tracefs \(mountedBefore ? "unmounted" : "mounted")")
    }
}
