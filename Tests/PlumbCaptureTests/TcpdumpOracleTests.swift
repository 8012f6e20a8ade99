import XCTest
@testable import PlumbCapture

/// Compares summaries with tcpdump's own output for the fixtures where Plumb deliberately uses tcpdump's
/// format (`tcpdump -n -S -t`, with TCP options and tcpdump's ": HTTP" payload guess removed). Needs tcpdump
/// (already one of the project's apt packages); fails with an explanation when it is missing.
final class TcpdumpOracleTests: XCTestCase {
    func testPacketCountsMatchTcpdump() throws {
        for (name, count) in FixtureDecodeTests.packetCounts {
            guard let r = try runTool("tcpdump", ["-n", "-r", Fixtures.url(name).path]) else {
                return XCTFail("tcpdump is not installed (apt-get install -y tcpdump)")
            }
            // Lines that start with a timestamp: one per packet (VXLAN prints the inner frame on a second line).
            let packets = r.stdout.split(separator: "\n").filter { $0.first?.isNumber == true }.count
            XCTAssertEqual(packets, count, name)
            XCTAssertEqual(try Fixtures.load(name).packets.count, packets, name)
        }
    }

    func testSummariesMatchTcpdump() throws {
        for name in ["arp-icmp.pcap", "dns.pcap", "icmp6.pcap", "ip6-ext.pcap", "raw-ip.pcap", "tcp.pcap", "dumpcap.pcapng"] {
            guard let r = try runTool("tcpdump", ["-n", "-S", "-t", "-r", Fixtures.url(name).path]) else {
                return XCTFail("tcpdump is not installed (apt-get install -y tcpdump)")
            }
            XCTAssertEqual(r.status, 0, r.stderr)
            let expected = r.stdout.split(separator: "\n").map { line -> String in
                var s = String(line)
                if let open = s.range(of: ", options ["), let close = s.range(of: "]", range: open.upperBound..<s.endIndex) {
                    s.removeSubrange(open.lowerBound..<close.upperBound)
                }
                if s.hasSuffix(": HTTP") { s.removeLast(": HTTP".count) }
                return s
            }
            XCTAssertEqual(try Fixtures.summaries(name), expected, name)
        }
    }
}
