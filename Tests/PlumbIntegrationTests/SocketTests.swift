import Foundation
import XCTest
@testable import PlumbKernel
import PlumbModel
import PlumbSystem

/// `plumb ss` and the socket reader against `ss` run inside the namespace (the oracle): two pt- namespaces
/// joined by a veth, a TCP listener with one connection from the other side holding unread bytes, a
/// loopback-only TCP listener, a UDP socket and a unix stream listener, all made by a python3 we start and end
/// by pid. PLUMB_RECORD_SOCKDIAG_FIXTURES=DIR also writes the recorded sock_diag answers and the oracle's
/// output to DIR (that is how Tests/PlumbKernelTests/Fixtures/sockdiag was made).
final class SocketTests: RootTestCase {
    var lab: TestLab!
    var server = "", client = ""
    var serverPid: Int32 = 0, clientPid: Int32 = 0

    static let serverScript = """
        import socket, time
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", 7777)); s.listen(8)
        l = socket.socket(); l.bind(("127.0.0.1", 7778)); l.listen(4)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 7779))
        x = socket.socket(socket.AF_UNIX); x.bind("\\0pt-sock-test"); x.listen(2)
        c, _ = s.accept()
        time.sleep(300)
        """
    static let clientScript = """
        import socket, time
        c = socket.create_connection(("10.213.77.1", 7777)); c.sendall(b"x" * 1000)
        time.sleep(300)
        """

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
        server = try lab.addNamespace("srv")
        client = try lab.addNamespace("cli")
        let a = lab.linkName("a"), b = lab.linkName("b")
        try lab.ip(server, "link", "add", a, "type", "veth", "peer", "name", b, "netns", client)
        try lab.ip(server, "addr", "add", "10.213.77.1/24", "dev", a)
        try lab.ip(client, "addr", "add", "10.213.77.2/24", "dev", b)
        try lab.ip(server, "link", "set", a, "up")
        try lab.ip(client, "link", "set", b, "up")
        let srv = try Shell.spawn(["ip", "netns", "exec", server, "python3", "-c", Self.serverScript])
        lab.ownProcess(srv)
        serverPid = srv.processIdentifier
        try waitFor(server, ["-tln"], contains: "127.0.0.1:7778")
        let cli = try Shell.spawn(["ip", "netns", "exec", client, "python3", "-c", Self.clientScript])
        lab.ownProcess(cli)
        clientPid = cli.processIdentifier
        // The server never reads: the accepted connection holds the 1000 bytes in its receive queue.
        try waitFor(server, ["-tn", "state", "established"], contains: "1000")
    }

    private func waitFor(_ ns: String, _ args: [String], contains text: String) throws {
        for _ in 0..<100 {
            if try Shell.run(["ip", "netns", "exec", ns, "ss", "-H"] + args).contains(text) { return }
            usleep(50_000)
        }
        XCTFail("ss \(args) in \(ns) never showed \(text)")
    }

    private func plumb(_ args: String...) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary] + args)
    }

    /// `plumb ss NS --json`: the sockets of that namespace alone.
    private func sockets(_ ns: String, _ extra: String...) throws -> [[String: Any]] {
        let r = try Shell.result([CLITests.binary, "ss", ns, "--json"] + extra)
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        return try XCTUnwrap(rows.first?["sockets"] as? [[String: Any]])
    }

    private static func endpoint(_ e: Any?) -> String {
        guard let e = e as? [String: Any], let a = e["address"] as? String, let p = e["port"] as? Int else { return "?" }
        return "\(a.contains(":") ? "[\(a)]" : a):\(p == 0 ? "*" : String(p))"
    }

    private static func pids(_ s: [String: Any]) -> [Int] {
        (s["owners"] as? [[String: Any]] ?? []).compactMap { $0["pid"] as? Int }.sorted()
    }

    /// One socket line of `ss -H` output: netid, state, queues, local, peer, owner pids.
    struct OracleLine {
        var netid: String, state: String, recvQ: Int, sendQ: Int, local: String, peer: String, pids: [Int]
        var info = ""

        static func parse(_ text: String) -> [OracleLine] {
            var out: [OracleLine] = []
            for line in text.split(separator: "\n") {
                if line.first == " " || line.first == "\t" {
                    // ss -i puts tcp_info on an indented line after the socket's.
                    if !out.isEmpty { out[out.count - 1].info += line.trimmingCharacters(in: .whitespaces) + " " }
                    continue
                }
                let f = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                guard f.count >= 6, let r = Int(f[2]), let s = Int(f[3]) else { continue }
                let pids = f.dropFirst(6).joined().split(separator: ",").compactMap { part -> Int? in
                    guard part.hasPrefix("pid=") else { return nil }
                    return Int(part.dropFirst(4))
                }.sorted()
                out.append(OracleLine(netid: f[0], state: f[1], recvQ: r, sendQ: s, local: f[4], peer: f[5], pids: pids))
            }
            return out
        }
    }

    func testInetSocketsMatchSsInsideTheNamespace() throws {
        let mine = try sockets(server, "--tcp", "--udp")
        let oracle = OracleLine.parse(try Shell.run("ip", "netns", "exec", server, "ss", "-tuanpi", "-H"))
        XCTAssertGreaterThanOrEqual(oracle.count, 4, "two listeners, a connection and a UDP socket")
        XCTAssertEqual(mine.count, oracle.count, "\(mine)")
        for o in oracle {
            let s = try XCTUnwrap(mine.first {
                ($0["proto"] as? String) == o.netid && Self.endpoint($0["local"]) == o.local
                    && Self.endpoint($0["remote"]) == o.peer
            }, "\(o) missing from plumb ss")
            let state = SocketState(rawValue: s["state"] as? String ?? "")
            XCTAssertEqual(state?.ssName, o.state, "\(o)")
            XCTAssertEqual(s["receiveQueue"] as? Int, o.recvQ, "\(o)")
            XCTAssertEqual(s["sendQueue"] as? Int, o.sendQ, "\(o)")
            XCTAssertEqual(Self.pids(s), o.pids, "\(o)")
            if o.state == "ESTAB" {
                let tcp = try XCTUnwrap(s["tcp"] as? [String: Any], "tcp_info of \(o)")
                XCTAssertGreaterThan(tcp["rttMicros"] as? Int ?? 0, 0)
                let info = o.info.split(whereSeparator: \.isWhitespace)
                let cwnd = info.first { $0.hasPrefix("cwnd:") }.map { Int($0.dropFirst(5)) }
                XCTAssertEqual(tcp["congestionWindow"] as? Int, cwnd ?? nil, o.info)
                XCTAssertEqual(tcp["congestionAlgorithm"] as? String, info.first.map(String.init), o.info)
            }
        }
        // The facts the doctor relies on: the wildcard listener and the loopback-only one, owned by our server.
        let listeners = mine.filter { ($0["state"] as? String) == "listen" }
        XCTAssertEqual(Set(listeners.map { Self.endpoint($0["local"]) }), ["0.0.0.0:7777", "127.0.0.1:7778"])
        XCTAssertTrue(listeners.allSatisfy { Self.pids($0) == [Int(serverPid)] })
        let conn = try XCTUnwrap(mine.first { ($0["state"] as? String) == "established" })
        XCTAssertEqual(conn["receiveQueue"] as? Int, 1000)
        XCTAssertEqual(Self.endpoint(conn["remote"]).hasPrefix("10.213.77.2:"), true)

        // The other end, in the client namespace.
        let out = try sockets(client, "--tcp")
        XCTAssertEqual(out.count, 1)
        XCTAssertEqual(Self.endpoint(out.first?["remote"]), "10.213.77.1:7777")
        XCTAssertEqual(out.first.map(Self.pids), [Int(clientPid)])
    }

    func testUnixListenerAndListeningFilter() throws {
        let mine = try sockets(server, "--unix", "--listening")
        let oracle = OracleLine.parse(try Shell.run("ip", "netns", "exec", server, "ss", "-xlp", "-H"))
        let o = try XCTUnwrap(oracle.first { $0.local == "@pt-sock-test" })
        let s = try XCTUnwrap(mine.first { ($0["path"] as? String) == "@pt-sock-test" })
        XCTAssertEqual(s["proto"] as? String, "unix-stream")
        XCTAssertEqual(s["state"] as? String, "listen")
        XCTAssertEqual(s["sendQueue"] as? Int, o.sendQ, "the backlog limit")
        XCTAssertEqual(Self.pids(s), o.pids)
        XCTAssertEqual(Self.pids(s), [Int(serverPid)])
        // --listening leaves out everything that is not waiting for peers.
        let listening = try sockets(server, "--listening")
        XCTAssertTrue(listening.allSatisfy { ["listen", "close"].contains($0["state"] as? String ?? "") }, "\(listening)")
        XCTAssertTrue(listening.contains { Self.endpoint($0["local"]) == "0.0.0.0:7779" }, "UDP is unconnected")
    }

    func testSnapshotSocketsReaderAPIAndRecordedAnswers() throws {
        // The snapshot's sockets key (opt-in), for the server namespace.
        let r = try plumb("snapshot", server, "--json", "--no-firewall", "--sockets")
        XCTAssertEqual(r.status, 0, r.stderr)
        let snap = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let ns = try XCTUnwrap((snap["namespaces"] as? [[String: Any]])?.first)
        let socks = try XCTUnwrap(ns["sockets"] as? [[String: Any]])
        XCTAssertTrue(socks.contains { Self.endpoint($0["local"]) == "0.0.0.0:7777" })

        // The API other code uses (the doctor's published-port checks).
        let listeners = try SocketReader.listeners(in: .named(server))
        XCTAssertEqual(listeners.filter(\.isWildcard).compactMap { $0.local?.port }.sorted(), [7777, 7779],
                       "TCP 7777 and UDP 7779 on every address")
        XCTAssertEqual(listeners.filter(\.isLoopbackOnly).compactMap { $0.local?.port }, [7778])

        // Recorded answers replay to what the live socket reads.
        let file = try FileDescriptor.open("/run/netns/\(server)", O_RDONLY)
        let noRaw = SocketSelection(protocols: [.tcp, .udp, .unixStream, .unixDatagram, .unixSeqpacket])
        let (recorded, live) = try NamespaceWorkers.run(inNamespaceFd: file.rawValue) {
            (try SockDiagRecorder.record(), SocketReader.readHere(noRaw))
        }
        let replayed = SocketReader.read(from: recorded, noRaw, rawFallback: false)
        func still(_ s: [SocketRecord]) -> [String] {
            s.map { "\($0.proto) \($0.state) \($0.local?.description ?? $0.path ?? "") \($0.remote?.description ?? "") \($0.inode) \($0.receiveQueue)" }.sorted()
        }
        XCTAssertEqual(still(replayed.sockets), still(live.sockets))
        XCTAssertEqual(replayed.notes, [])

        if let dir = ProcessInfo.processInfo.environment["PLUMB_RECORD_SOCKDIAG_FIXTURES"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for (r, bytes) in recorded.answers { try Data(bytes).write(to: URL(fileURLWithPath: "\(dir)/\(r.rawValue).bin")) }
            try Shell.run("ip", "netns", "exec", server, "ss", "-tuani", "-H")
                .write(toFile: "\(dir)/ss-tuani.txt", atomically: true, encoding: .utf8)
            try Shell.run("ip", "netns", "exec", server, "ss", "-xa", "-H")
                .write(toFile: "\(dir)/ss-xa.txt", atomically: true, encoding: .utf8)
        }
    }

    func testErrorsExitCodes() throws {
        let missing = try plumb("ss", "pt-no-such-namespace-\(lab.tag)")
        XCTAssertEqual(missing.status, 4, missing.stderr)
        XCTAssertFalse(missing.stderr.isEmpty)
        let bad = try plumb("ss", "--bogus-filter")
        XCTAssertEqual(bad.status, 64, bad.stderr)
    }
}
