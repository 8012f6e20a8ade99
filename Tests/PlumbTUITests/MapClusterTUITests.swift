import XCTest
import PlumbMap
import PlumbModel
@testable import PlumbTUI

/// The Map view with a cluster store: the other hosts' endpoints of a cluster overlay (matched by the VNI of a
/// VTEP of the lab host) are drawn with their host; without a store the view is unchanged.
final class MapClusterTUITests: XCTestCase {
    func testRemoteEndpointsAreDrawnWithTheirHost() throws {
        let size = Size(width: 160, height: 45)
        // The lab host with a cluster overlay's VXLAN port on its first bridge.
        var ctx = TestEnv.context()
        var snap = ctx.snapshot
        let hi = try XCTUnwrap(snap.namespaces.firstIndex { $0.isHost })
        let bridge = try XCTUnwrap(snap.namespaces[hi].links.first { $0.kind == .bridge })
        snap.namespaces[hi].links.append(Link(index: 9000, name: "vx-ov", kind: "vxlan", mtu: 1450, flags: ["up", "running", "lower_up"],
                                              master: LinkRef(index: bridge.index), vxlan: VxlanInfo(vni: 4343)))
        ctx.snapshot = snap
        let vni: UInt32 = 4343
        var s = TestEnv.state(size)
        s.press([.char("m")])
        let plain = AppView.render(s, ctx).lines().joined(separator: "\n")
        XCTAssertFalse(plain.contains("remote endpoints"))
        s.cluster = MapClusterView(me: "node-a", overlays: [.init(
            network: "ov", vni: vni, vteps: [.init(host: "node-b", underlay: "10.213.250.12")],
            endpoints: [.init(host: "node-b", address: "10.213.9.3", name: "pt-web", ifname: "eth0")])])
        let frame = AppView.render(s, ctx).lines().joined(separator: "\n")
        // The section may be below the fold: look in the whole picture.
        let (map, picture) = MapScreen.picture(s, ctx.snapshot)
        XCTAssertNotNil(map.node("remote-endpoint:ov:10.213.9.3"))
        XCTAssertTrue(picture.text().contains("pt-web 10.213.9.3 eth0 on node-b"), picture.text())
        XCTAssertNotEqual(frame, plain)
    }
}
