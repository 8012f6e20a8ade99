import XCTest
import PlumbCapture
@testable import PlumbApp

/// A capture on a whole namespace (`any`, LINUX_SLL2) names each packet's interface as `plumb capture` does:
/// `eth0 In IP …`, not `ifindex 2 In IP …`; so does the packet's detail.
final class CaptureNamingTests: XCTestCase {
    func testAnyCaptureRowsNameTheInterface() {
        // SLL2: protocol IPv4, reserved, ifindex 2, ARPHRD_ETHER, packet type 0 (In), address length 6, address.
        var frame: [UInt8] = [0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]
        frame += [0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0, 10, 213, 100, 1, 10, 213, 100, 2]
        frame += [8, 0, 0, 0, 0, 7, 0, 1]
        let p = LivePacket(sequence: 1, timestamp: PacketTimestamp(seconds: 10, nanoseconds: 0), source: 0,
                           originalLength: frame.count, data: frame[...])
        let named = TUICapture.row(p, linkType: .linuxSLL2, names: [2: "eth0"], clock: { _ in "12:00:00.000000" })
        XCTAssertTrue(named.summary.hasPrefix("eth0 In IP 10.213.100.1 > 10.213.100.2"), named.summary)
        let unknown = TUICapture.row(p, linkType: .linuxSLL2, names: [:], clock: { _ in "12:00:00.000000" })
        XCTAssertTrue(unknown.summary.hasPrefix("ifindex 2 In"), "an index without a name stays: \(unknown.summary)")
        XCTAssertEqual(InterfaceNaming.apply("ifindex 2 Out ARP", [2: "veth1"]), "veth1 Out ARP")
    }
}
