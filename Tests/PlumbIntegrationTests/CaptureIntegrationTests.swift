import Foundation
import Glibc
import XCTest
import PlumbCapture
import PlumbModel

/// `plumb capture` and the LiveCapture engine against the real kernel, with tcpdump and tshark as oracles.
/// Two namespaces pt-cap-TAG-a/b joined by a veth (10.213.100.1/30 <-> .2), traffic from ping.
final class CaptureIntegrationTests: RootTestCase {
    var lab: CaptureLab!
    var dir: String!

    override func setUpWithError() throws {
        try requireRoot()
        lab = try CaptureLab()
        dir = NSTemporaryDirectory() + "pt-cap-\(lab.tag)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        lab?.cleanup()
        if let dir { try? FileManager.default.removeItem(atPath: dir) }
    }

    static let echoRequests = "icmp[icmptype] == icmp-echo"

    /// The same bounded flow (exactly 5 echo requests) seen by tcpdump and by plumb in each namespace, and by
    /// one merged plumb capture of both; then every file is read back by tshark.
    func testCountsEqualTcpdumpInEachNamespaceAndInTheMergedCapture() throws {
        let f = { (name: String) in "\(self.dir!)/\(name)" }
        var procs: [BackgroundProcess] = []
        defer { procs.forEach { $0.kill() } }
        for (ns, link, name) in [(lab.a, lab.linkA, "a"), (lab.b, lab.linkB, "b")] {
            procs.append(try BackgroundProcess(["ip", "netns", "exec", ns, "tcpdump", "-n", "-i", link, "-w", f("tcpdump-\(name).pcap"),
                                                Self.echoRequests], log: f("tcpdump-\(name).log")))
            procs.append(try BackgroundProcess([plumb, "capture", ns, "-i", link, "-f", Self.echoRequests, "-w", f("plumb-\(name).pcap")],
                                               log: f("plumb-\(name).log")))
        }
        procs.append(try BackgroundProcess([plumb, "capture", lab.a, lab.b, "-i", lab.linkA, "-i", lab.linkB,
                                            "-f", Self.echoRequests, "-w", f("merged.pcapng")], log: f("merged.log")))
        for p in procs { try p.waitForLog(containing: p.argv[0] == plumb ? "capturing on" : "listening on") }

        try Shell.run("ip", "netns", "exec", lab.a, "ping", "-c", "5", "-i", "0.2", "-W", "2", "10.213.100.2")
        // tcpdump hands over a kernel block at most ~1 s after its first packet: let every block retire.
        usleep(2_500_000)
        for p in procs { p.signal(SIGINT) }
        for p in procs { XCTAssertEqual(p.waitForExit(seconds: 10), 0, "\(p.argv.joined(separator: " ")): \(p.log)") }

        for name in ["a", "b"] {
            let oracle = try tsharkCount(f("tcpdump-\(name).pcap"))
            XCTAssertEqual(oracle, 5, "tcpdump in namespace \(name) saw the 5 echo requests")
            XCTAssertEqual(try tsharkCount(f("plumb-\(name).pcap")), oracle, "plumb = tcpdump in namespace \(name)")
            let ours = try PcapReader.read(path: f("plumb-\(name).pcap"))
            XCTAssertEqual(ours.packets.count, oracle)
            XCTAssertEqual(ours.linkType, .ethernet)
            // Same frames, byte for byte, as tcpdump's.
            XCTAssertEqual(ours.packets.map(\.data), try PcapReader.read(path: f("tcpdump-\(name).pcap")).packets.map(\.data))
        }
        let merged = try PcapngReader.read(path: f("merged.pcapng"))
        XCTAssertEqual(merged.packets.count, 10)
        XCTAssertEqual(try tsharkCount(f("merged.pcapng")), 10)
        XCTAssertEqual(merged.interfaces.map(\.name), [lab.linkA, lab.linkB])
        XCTAssertTrue(merged.interfaces[0].description?.contains("netns \(lab.a)") ?? false, "\(merged.interfaces)")
        XCTAssertTrue(merged.interfaces[1].description?.contains("netns \(lab.b)") ?? false, "\(merged.interfaces)")
        XCTAssertEqual(merged.interfaces[1].comment, "plumb capture source \(lab.b)/\(lab.linkB): \(lab.linkB) in \(merged.interfaces[1].description ?? "")")
        XCTAssertEqual(merged.comment, "plumb capture \(lab.a) \(lab.b) -i \(lab.linkA) -i \(lab.linkB) -f '\(Self.echoRequests)'")
        XCTAssertEqual(merged.packets.filter { $0.interfaceID == 0 }.count, 5)
        XCTAssertEqual(merged.packets.filter { $0.interfaceID == 1 }.count, 5)
        let times = merged.packets.map(\.timestamp)
        XCTAssertEqual(times, times.sorted(), "the merged stream is in time order")
        // Each request leaves a before it arrives in b: interfaces alternate a, b, a, b...
        XCTAssertEqual(merged.packets.map(\.interfaceID), [0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
        // tshark sees the interface names and the namespace in the pcapng interface blocks.
        let ifaces = try Shell.run("tshark", "-r", f("merged.pcapng"), "-T", "fields", "-e", "frame.interface_name", "-e", "frame.interface_description")
        XCTAssertTrue(ifaces.contains(lab.linkA) && ifaces.contains(lab.linkB) && ifaces.contains("netns \(lab.b)"), ifaces)
    }

    func testBadFilterGivesLibpcapsMessageExit64AndNoFile() throws {
        let file = "\(dir!)/bad.pcap"
        let r = try Shell.result([plumb, "capture", lab.a, "-i", lab.linkA, "-f", "icmp and and", "-w", file])
        XCTAssertEqual(r.status, 64)
        // tcpdump compiles filters with the same libpcap: its message is the oracle.
        let oracle = try Shell.result(["tcpdump", "-d", "icmp and and"]).stderr
        let message = try XCTUnwrap(oracle.split(separator: "\n").last.map(String.init))
        XCTAssertTrue(message.contains("syntax error"), oracle)
        XCTAssertTrue(r.stderr.contains(message.replacingOccurrences(of: "tcpdump: ", with: "")), "\(r.stderr) vs \(message)")
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line: \(r.stderr)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: file))
    }

    /// `-w` as root in a directory anyone can write (like /tmp): a planted symlink is never followed (the
    /// victim keeps its bytes, a dangling link's target is not created), an existing file is kept unless
    /// --force, and a new file is 0600 and belongs to the user who ran sudo.
    func testWriteNeverFollowsALinkNorOverwritesAndCreatesAPrivateFile() throws {
        chmod(dir, 0o1777)
        let victim = "\(dir!)/victim", link = "\(dir!)/link.pcap", dangling = "\(dir!)/dangling.pcap"
        try "secret".write(toFile: victim, atomically: false, encoding: .utf8)
        chmod(victim, 0o600)
        XCTAssertEqual(symlink(victim, link), 0)
        XCTAssertEqual(symlink("\(dir!)/made-by-root", dangling), 0)
        // `timeout`: a plumb that did open the file would capture until stopped.
        let refused = ["timeout", "20", plumb, "capture", lab.a, "-i", lab.linkA, "-w"]
        for path in [link, dangling] {
            for force in [[], ["--force"]] {
                let r = try Shell.result(refused + [path] + force)
                XCTAssertEqual(r.status, 1, r.stderr)
                XCTAssertTrue(r.stderr.contains("is a symbolic link"), r.stderr)
                XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line: \(r.stderr)")
            }
        }
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "secret")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir!)/made-by-root"))

        let theirs = "\(dir!)/theirs.pcap"
        try "nobody's".write(toFile: theirs, atomically: false, encoding: .utf8)
        XCTAssertEqual(chown(theirs, 65534, 65534), 0)
        let exists = try Shell.result(refused + [theirs])
        XCTAssertEqual(exists.status, 64, exists.stderr)
        XCTAssertTrue(exists.stderr.contains("already exists") && exists.stderr.contains("--force"), exists.stderr)
        let forced = try Shell.result(refused + [theirs, "--force"])
        XCTAssertEqual(forced.status, 1, forced.stderr)
        XCTAssertTrue(forced.stderr.contains("belongs to uid 65534"), forced.stderr)
        XCTAssertEqual(try String(contentsOfFile: theirs, encoding: .utf8), "nobody's")

        let file = "\(dir!)/new.pcap"
        let cap = try BackgroundProcess(["env", "SUDO_UID=65534", "SUDO_GID=65533", plumb, "capture", lab.a, "-i", lab.linkA,
                                         "-f", Self.echoRequests, "-c", "1", "-w", file], log: "\(dir!)/new.log")
        defer { cap.kill() }
        try cap.waitForLog(containing: "capturing on")
        try Shell.run("ip", "netns", "exec", lab.a, "ping", "-c", "1", "10.213.100.2")
        XCTAssertEqual(cap.waitForExit(seconds: 5), 0, cap.log)
        var st = stat()
        XCTAssertEqual(lstat(file, &st), 0)
        XCTAssertEqual(st.st_mode & 0o7777, 0o600)
        XCTAssertEqual(st.st_uid, 65534)
        XCTAssertEqual(st.st_gid, 65533)
        XCTAssertEqual(try PcapReader.read(path: file).packets.count, 1)
    }

    func testUnknownTargetAndInterfaceExit4() throws {
        let r = try Shell.result([plumb, "capture", "pt-cap-none-\(lab.tag)"])
        XCTAssertEqual(r.status, 4, r.stderr)
        let i = try Shell.result([plumb, "capture", lab.a, "-i", "ptcapnope"])
        XCTAssertEqual(i.status, 4, i.stderr)
        XCTAssertTrue(i.stderr.contains(lab.linkA), "lists the interfaces that exist: \(i.stderr)")
    }

    func testDeletedNamespaceEndsTheCaptureWithAValidFile() throws {
        let file = "\(dir!)/vanish.pcap"
        let ping = try BackgroundProcess(["ip", "netns", "exec", lab.a, "ping", "-i", "0.1", "10.213.100.2"], log: "\(dir!)/ping.log")
        defer { ping.kill() }
        let cap = try BackgroundProcess([plumb, "capture", lab.b, "-i", lab.linkB, "-f", "icmp", "-w", file], log: "\(dir!)/vanish.log")
        defer { cap.kill() }
        try cap.waitForLog(containing: "capturing on")
        usleep(1_000_000)
        try Shell.run("ip", "netns", "del", lab.b)
        let status = cap.waitForExit(seconds: 5)
        XCTAssertEqual(status, 1, "ended by the environment: \(cap.log)")
        XCTAssertTrue(cap.log.contains("was deleted"), cap.log)
        XCTAssertTrue(cap.log.contains("packets received by filter"), "summary printed: \(cap.log)")
        let ours = try PcapReader.read(path: file)
        XCTAssertFalse(ours.truncatedAtEnd)
        XCTAssertGreaterThan(ours.packets.count, 5)
        XCTAssertEqual(try tsharkCount(file), ours.packets.count)
    }

    func testDeletedInterfaceEndsTheCaptureWithAValidFile() throws {
        let file = "\(dir!)/gone.pcapng"
        let cap = try BackgroundProcess([plumb, "capture", lab.a, "-i", lab.linkA, "-w", file], log: "\(dir!)/gone.log")
        defer { cap.kill() }
        try cap.waitForLog(containing: "capturing on")
        try Shell.run("ip", "netns", "exec", lab.a, "ping", "-c", "2", "-i", "0.2", "10.213.100.2")
        // Deleting the peer removes both ends of the veth.
        try Shell.run("ip", "-n", lab.b, "link", "del", lab.linkB)
        XCTAssertEqual(cap.waitForExit(seconds: 5), 1, cap.log)
        XCTAssertTrue(cap.log.contains("went away"), cap.log)
        let ours = try PcapngReader.read(path: file)
        XCTAssertFalse(ours.truncatedAtEnd)
        XCTAssertGreaterThanOrEqual(ours.packets.count, 4, "2 requests + 2 replies")
        XCTAssertEqual(try tsharkCount(file), ours.packets.count)
    }

    /// `pid:N` resolves through the snapshot like `plumb ns`: the capture runs in that process's namespace.
    func testPidTargetCapturesInTheProcessNamespace() throws {
        let sleeper = try BackgroundProcess(["ip", "netns", "exec", lab.b, "sleep", "30"], log: "\(dir!)/sleep.log")
        defer { sleeper.kill() }
        usleep(200_000)
        let cap = try BackgroundProcess([plumb, "capture", "pid:\(sleeper.pid)", "-i", lab.linkB, "-f", Self.echoRequests, "-c", "2"],
                                        log: "\(dir!)/pid.log", stdout: "\(dir!)/pid.out")
        defer { cap.kill() }
        try cap.waitForLog(containing: "capturing on")
        XCTAssertTrue(cap.log.contains("capturing on \(lab.b)/\(lab.linkB)"), cap.log)
        try Shell.run("ip", "netns", "exec", lab.a, "ping", "-c", "2", "-i", "0.2", "10.213.100.2")
        XCTAssertEqual(cap.waitForExit(seconds: 5), 0, cap.log)
        let out = try String(contentsOfFile: "\(dir!)/pid.out", encoding: .utf8)
        XCTAssertEqual(out.split(separator: "\n").filter { $0.contains("ICMP echo request") }.count, 2, out)
    }

    func testSigintAndSigtermLeaveValidFiles() throws {
        for (sig, ext) in [(SIGINT, "pcap"), (SIGTERM, "pcapng")] {
            let file = "\(dir!)/sig.\(ext)"
            let cap = try BackgroundProcess([plumb, "capture", lab.a, "-i", lab.linkA, "-w", file], log: "\(dir!)/sig-\(ext).log")
            defer { cap.kill() }
            try cap.waitForLog(containing: "capturing on")
            try Shell.run("ip", "netns", "exec", lab.a, "ping", "-c", "3", "-i", "0.2", "10.213.100.2")
            usleep(400_000)
            cap.signal(sig)
            XCTAssertEqual(cap.waitForExit(seconds: 5), 0, cap.log)
            XCTAssertTrue(cap.log.contains("interrupted by \(sig == SIGINT ? "SIGINT" : "SIGTERM")"), cap.log)
            let ours = try CaptureFile.read(path: file)
            XCTAssertEqual(ours.isPcapng, ext == "pcapng")
            XCTAssertGreaterThanOrEqual(ours.packets.filter { ($0.data.count > 34) && $0.data[23] == 1 }.count, 6, "3 requests + 3 replies")
            XCTAssertEqual(try tsharkCount(file), ours.packets.count)
            XCTAssertTrue(cap.log.contains("\(ours.packets.count) packets captured"), cap.log)
        }
    }

    func testCountStopsAtExactlyNAndTextMatchesTcpdumpSummaries() throws {
        let cap = try BackgroundProcess([plumb, "capture", lab.b, "-i", lab.linkB, "-f", "icmp", "-c", "4"], log: "\(dir!)/count.log",
                                        stdout: "\(dir!)/count.out")
        defer { cap.kill() }
        try cap.waitForLog(containing: "capturing on")
        try Shell.run("ip", "netns", "exec", lab.a, "ping", "-c", "4", "-i", "0.2", "10.213.100.2")
        XCTAssertEqual(cap.waitForExit(seconds: 5), 0, cap.log)
        let lines = try String(contentsOfFile: "\(dir!)/count.out", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        XCTAssertTrue(lines[0].contains("IP 10.213.100.1 > 10.213.100.2: ICMP echo request, id "), "\(lines)")
        XCTAssertTrue(lines[1].contains("IP 10.213.100.2 > 10.213.100.1: ICMP echo reply, id "), "\(lines)")
        XCTAssertTrue(cap.log.contains("count of 4 reached"), cap.log)
    }

    /// Without -i the capture is on `any` (LINUX_SLL2), and each line names the packet's interface and
    /// direction, as `tcpdump -i any` does.
    func testAnyCaptureNamesTheInterfaceOfEachPacket() throws {
        let cap = try BackgroundProcess([plumb, "capture", lab.a, "-f", Self.echoRequests, "-c", "1"],
                                        log: "\(dir!)/any.log", stdout: "\(dir!)/any.out")
        defer { cap.kill() }
        try cap.waitForLog(containing: "capturing on")
        XCTAssertTrue(cap.log.contains("link-type LINUX_SLL2"), cap.log)
        try Shell.run("ip", "netns", "exec", lab.a, "ping", "-c", "1", "10.213.100.2")
        XCTAssertEqual(cap.waitForExit(seconds: 5), 0, cap.log)
        let out = try String(contentsOfFile: "\(dir!)/any.out", encoding: .utf8)
        XCTAssertTrue(out.contains(" \(lab.linkA) Out IP 10.213.100.1 > 10.213.100.2: ICMP echo request"), out)
    }

    /// `-w -` streams pcap to stdout (for `| wireshark -k -i -`).
    func testWriteDashStreamsPcapToStdout() throws {
        let out = "\(dir!)/stream.pcap"
        let cap = try BackgroundProcess([plumb, "capture", lab.b, "-i", lab.linkB, "-f", Self.echoRequests, "-c", "3", "-w", "-"],
                                        log: "\(dir!)/stream.log", stdout: out)
        defer { cap.kill() }
        try cap.waitForLog(containing: "capturing on")
        try Shell.run("ip", "netns", "exec", lab.a, "ping", "-c", "3", "-i", "0.2", "10.213.100.2")
        XCTAssertEqual(cap.waitForExit(seconds: 5), 0, cap.log)
        XCTAssertEqual(try PcapReader.read(path: out).packets.count, 3)
        XCTAssertEqual(try tsharkCount(out), 3)
    }

    func testJSONLinesCarryDecodedFields() throws {
        let cap = try BackgroundProcess([plumb, "capture", lab.a, lab.b, "-i", lab.linkA, "-i", lab.linkB, "-f", Self.echoRequests,
                                         "-c", "2", "--json"], log: "\(dir!)/json.log", stdout: "\(dir!)/json.out")
        defer { cap.kill() }
        try cap.waitForLog(containing: "capturing on")
        try Shell.run("ip", "netns", "exec", lab.a, "ping", "-c", "1", "10.213.100.2")
        XCTAssertEqual(cap.waitForExit(seconds: 5), 0, cap.log)
        let lines = try String(contentsOfFile: "\(dir!)/json.out", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let objects = try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(objects.map { $0["source"] as? String }, ["\(lab.a)/\(lab.linkA)", "\(lab.b)/\(lab.linkB)"])
        for o in objects {
            XCTAssertTrue((o["summary"] as? String)?.contains("ICMP echo request") ?? false, "\(o)")
            let layers = try XCTUnwrap(o["layers"] as? [[String: Any]])
            let ip = try XCTUnwrap(layers.first { $0["name"] as? String == "IPv4" }?["fields"] as? [String: Any])
            XCTAssertEqual(ip["source"] as? String, "10.213.100.1", "\(ip)")
            XCTAssertEqual(ip["ttl"] as? Int, 64, "numbers are JSON numbers: \(ip)")
            XCTAssertEqual(o["length"] as? Int, 98)
        }
    }

    /// A write error mid-capture (the file size limit: EFBIG, the same path as a full disk's ENOSPC) ends the
    /// capture with a message, and the file is cut back to its last whole packet.
    func testWriteErrorEndsCleanlyAndKeepsAValidFile() throws {
        let file = "\(dir!)/limit.pcap"
        let cap = try BackgroundProcess(["prlimit", "--fsize=300000", plumb, "capture", lab.b, "-i", lab.linkB, "-w", file],
                                        log: "\(dir!)/limit.log")
        defer { cap.kill() }
        try cap.waitForLog(containing: "capturing on")
        // Large pings fill 300 kB quickly.
        try Shell.run("ip", "netns", "exec", lab.a, "ping", "-c", "200", "-i", "0.005", "-s", "1400", "-q", "10.213.100.2")
        XCTAssertEqual(cap.waitForExit(seconds: 5), 1, cap.log)
        XCTAssertTrue(cap.log.contains("write failed") && cap.log.contains("too large"), cap.log)
        let ours = try PcapReader.read(path: file)
        XCTAssertFalse(ours.truncatedAtEnd, "cut back to a whole packet")
        XCTAssertGreaterThan(ours.packets.count, 50)
        XCTAssertLessThanOrEqual(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? 0, 300_000)
        XCTAssertEqual(try tsharkCount(file), ours.packets.count)

        let full = try Shell.result([plumb, "capture", lab.b, "-w", "/dev/full", "--force"])
        XCTAssertEqual(full.status, 1)
        XCTAssertTrue(full.stderr.contains("No space left on device"), full.stderr)
    }

    /// The engine API the TUI uses: non-blocking reads by sequence, `.latest` retention, live stats.
    func testEngineReadsBySequenceWithLatestRetention() throws {
        let fd = open("/run/netns/\(lab.a)", O_RDONLY)
        var st = stat()
        fstat(fd, &st); close(fd)
        var options = CaptureOptions(filter: "icmp")
        options.retention = .latest
        options.bufferPackets = 4
        options.bufferBytes = 4 * 262_144
        let capture = try LiveCapture(sources: [CaptureSource(label: "a", namespace: NamespaceHandle(.path("/run/netns/\(lab.a)"), inode: UInt64(st.st_ino)),
                                                              interface: lab.linkA, holders: ["/run/netns/\(lab.a)"])],
                                      options: options)
        XCTAssertEqual(capture.read(after: 0).count, 0, "nothing yet, and read does not block")
        try Shell.run("ip", "netns", "exec", lab.a, "ping", "-c", "5", "-i", "0.05", "10.213.100.2")
        let deadline = Date().addingTimeInterval(3)
        while capture.lastSequence < 10 && Date() < deadline { capture.wait(after: capture.lastSequence, timeoutMillis: 100) }
        XCTAssertEqual(capture.lastSequence, 10, "5 requests + 5 replies")
        let batch = capture.read(after: 0)
        XCTAssertEqual(batch.map(\.sequence), [7, 8, 9, 10], "only the latest 4 are kept")
        XCTAssertEqual(batch.missed, 6)
        XCTAssertEqual(batch.lastSequence, 10)
        XCTAssertEqual(capture.read(after: 10).count, 0)
        XCTAssertEqual(capture.stats()[0].captured, 10)
        capture.stop()
        capture.waitUntilFinished()
        XCTAssertEqual(capture.endReason, .stopped)
        XCTAssertEqual(capture.stats()[0].received, 10, "pcap_stats ps_recv")
        XCTAssertEqual(capture.stats()[0].kernelDropped, 0)
    }

    /// A consumer that does not read (`.untilRead`): the buffer keeps the first packets, and every packet it
    /// had no room for is counted as ringDropped; none is lost silently.
    func testEngineCountsPacketsItHadNoRoomFor() throws {
        var options = CaptureOptions(filter: "icmp")
        options.bufferPackets = 4
        options.bufferBytes = 4 * 262_144
        let capture = try LiveCapture(sources: [CaptureSource(label: "a", namespace: .path("/run/netns/\(lab.a)"),
                                                              interface: lab.linkA)], options: options)
        try Shell.run("ip", "netns", "exec", lab.a, "ping", "-c", "5", "-i", "0.05", "10.213.100.2")
        capture.stop()
        capture.waitUntilFinished()
        let stats = capture.stats()[0]
        XCTAssertEqual(stats.captured, 10)
        XCTAssertEqual(stats.received, 10)
        XCTAssertEqual(stats.ringDropped, 6)
        let batch = capture.read(after: 0)
        XCTAssertEqual(batch.map(\.sequence), [1, 2, 3, 4], "the first four are kept, in order")
        XCTAssertEqual(batch.missed, 0)
        XCTAssertTrue(capture.isFinished)
    }

    func testEngineRejectsABadFilterBeforeCapturing() throws {
        XCTAssertThrowsError(try LiveCapture(sources: [CaptureSource(label: "host", interface: "lo")],
                                             options: CaptureOptions(filter: "port 99999999"))) { error in
            guard case LiveCaptureError.badFilter(_, _, let message)? = error as? LiveCaptureError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(message.contains("port"), message)
        }
    }

    // MARK: helpers

    var plumb: String { CLITests.binary }

    func tsharkCount(_ path: String) throws -> Int {
        let r = try Shell.result(["tshark", "-r", path, "-T", "fields", "-e", "frame.number"])
        XCTAssertEqual(r.status, 0, "tshark -r \(path): \(r.stderr)")
        XCTAssertFalse(r.stderr.contains("cut short"), r.stderr)
        return r.stdout.split(separator: "\n").count
    }
}

/// Two namespaces joined by a veth, named with this suite's tag (pt-cap-…, ptcap…), removed on cleanup.
final class CaptureLab {
    let tag = String(format: "%03x", Int.random(in: 0..<4096))
    var a: String { "pt-cap-\(tag)-a" }
    var b: String { "pt-cap-\(tag)-b" }
    var linkA: String { "ptcap\(tag)a" }
    var linkB: String { "ptcap\(tag)b" }

    init() throws {
        do {
            for ns in [a, b] {
                try Shell.run("ip", "netns", "add", ns)
                try Shell.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
                try Shell.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
                try Shell.run("ip", "-n", ns, "link", "set", "lo", "up")
            }
            try Shell.run("ip", "link", "add", linkA, "netns", a, "type", "veth", "peer", "name", linkB, "netns", b)
            try Shell.run("ip", "-n", a, "addr", "add", "10.213.100.1/30", "dev", linkA)
            try Shell.run("ip", "-n", b, "addr", "add", "10.213.100.2/30", "dev", linkB)
            try Shell.run("ip", "-n", a, "link", "set", linkA, "up")
            try Shell.run("ip", "-n", b, "link", "set", linkB, "up")
            // Resolve ARP now so that the counted flows carry only what the tests send.
            try Shell.run("ip", "netns", "exec", a, "ping", "-c", "1", "-W", "2", "10.213.100.2")
        } catch {
            cleanup()
            throw error
        }
    }

    func cleanup() {
        for ns in [a, b] { _ = try? Shell.run(["ip", "netns", "del", ns], check: false) }
    }
}

/// A process with stdout/stderr in files, started with argv (no shell), ended by its pid.
final class BackgroundProcess {
    let argv: [String]
    let pid: pid_t
    let logPath: String
    private var status: Int32?

    init(_ argv: [String], log: String, stdout: String? = nil) throws {
        self.argv = argv
        logPath = log
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fa, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let args: [UnsafeMutablePointer<CChar>?] = ([Shell.path(argv[0])] + argv.dropFirst()).map { strdup($0) } + [nil]
        defer { args.forEach { free($0) } }
        var p: pid_t = 0
        let rc = posix_spawn(&p, args[0]!, &fa, nil, args, environ)
        guard rc == 0 else { throw Shell.Failed(command: argv, status: rc, stderr: String(cString: strerror(rc))) }
        pid = p
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func waitForLog(containing text: String, seconds: Double = 10) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if log.contains(text) { usleep(100_000); return }
            if status == nil, waitpidNoHang() { break }
            usleep(20_000)
        }
        throw Shell.Failed(command: argv, status: status ?? -1, stderr: "never printed '\(text)': \(log)")
    }

    private func waitpidNoHang() -> Bool {
        var s: Int32 = 0
        if waitpid(pid, &s, WNOHANG) == pid { status = Self.code(s); return true }
        return false
    }

    func signal(_ sig: Int32) { if status == nil { Glibc.kill(pid, sig) } }

    /// The exit status (128+N for a signal), or nil after `seconds` (the process is then killed).
    @discardableResult
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while status == nil && Date() < deadline {
            if waitpidNoHang() { break }
            usleep(20_000)
        }
        if status == nil { kill(); return nil }
        return status
    }

    func kill() {
        guard status == nil else { return }
        Glibc.kill(pid, SIGKILL)
        var s: Int32 = 0
        while waitpid(pid, &s, 0) < 0 && errno == EINTR {}
        status = Self.code(s)
    }

    static func code(_ s: Int32) -> Int32 { (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f) }
}
