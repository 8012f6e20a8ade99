import XCTest
@testable import PlumbCapture

/// Files written by PlumbCapture must open unchanged in Wireshark's tools.
///
/// This test needs `tshark` (Debian package `tshark`, part of the project's apt dependencies). When it is
/// missing the test FAILS with an explanation instead of skipping: a silently skipped compatibility check is
/// worse than none, because it looks green.
final class TsharkCompatibilityTests: XCTestCase {
    private func tshark(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String)? {
        guard let r = try runTool("tshark", args) else {
            XCTFail("tshark is not installed: install the Debian package with `apt-get install -y tshark` "
                    + "(PlumbCapture's pcap/pcapng compatibility check runs `tshark -r` on files it writes)")
            return nil
        }
        return r
    }

    func testTsharkReadsWrittenPcapAndPcapng() throws {
        let packets = try CaptureFileTests.samplePackets(interfaces: 2)

        for precision in [PcapTimestampPrecision.microseconds, .nanoseconds] {
            let path = temporaryPath("tshark-\(precision).pcap")
            let sink = try FileSink(path: path)
            let w = try PcapWriter(sink: sink, linkType: .ethernet, precision: precision)
            for p in packets { try w.write(p) }
            try sink.close()
            guard let r = try tshark(["-r", path]) else { return }
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertFalse(r.stderr.contains("appears to be damaged"), r.stderr)
            let lines = r.stdout.split(separator: "\n")
            XCTAssertEqual(lines.count, packets.count, r.stdout)
            let first = String(lines.first ?? "")
            XCTAssertTrue(first.contains("10.213.1.2 → 10.213.1.1") && first.contains("Standard query 0x10e1 A example.test"),
                          r.stdout)
        }

        let path = temporaryPath("tshark.pcapng")
        let sink = try FileSink(path: path)
        let w = try PcapngWriter(sink: sink, comment: "plumb test section")
        try w.addInterface(CaptureInterface(linkType: .ethernet, name: "veth1a2b", description: "netns web-1"))
        try w.addInterface(CaptureInterface(linkType: .ethernet, name: "eth0", description: "netns db-1",
                                            timestampResolution: 6))
        for (i, p) in packets.enumerated() {
            var p = p
            if i == 0 { p.comment = "first packet" }
            try w.write(p)
        }
        try sink.close()
        guard let r = try tshark(["-r", path, "-T", "fields", "-E", "separator=|", "-e", "frame.interface_name",
                                  "-e", "frame.interface_description", "-e", "frame.comment", "-e", "ip.src",
                                  "-e", "frame.time_epoch"]) else { return }
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(rows.count, packets.count, r.stdout)
        XCTAssertEqual(rows.first, ["veth1a2b", "netns web-1", "first packet", "10.213.1.2", "1750000000.000000000"])
        XCTAssertEqual(rows[1].prefix(2), ["eth0", "netns db-1"])
        XCTAssertEqual(rows[2].last, "1750000002.002002002")  // nanosecond interface keeps all digits

        // The section comment is visible to capinfos (shipped with tshark as part of wireshark-common).
        let info = try XCTUnwrap(try runTool("capinfos", [path]), "capinfos is missing: it comes with tshark (wireshark-common)")
        XCTAssertTrue(info.stdout.contains("plumb test section"), info.stdout)
    }
}
