import Foundation
import XCTest
import PlumbKernel
import PlumbModel

/// A namespace wired by a tool we did not write: Debian's CNI `bridge` plugin with `host-local` IPAM.
final class CNIPluginTests: RootTestCase {
    func testSeesWhatTheCNIBridgePluginBuilt() throws {
        try requireRoot()
        let plugin = "/usr/lib/cni/bridge"
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: plugin), "containernetworking-plugins missing")
        let lab = TestLab()
        defer { lab.cleanup() }
        let ns = try lab.addNamespace("cni")
        let bridge = lab.linkName("cni")
        let netName = "pt-cni-\(lab.tag)"
        let containerID = "ptcontainer\(lab.tag)"
        // host-local's default store, so Plumb's attribution finds the allocation the way it would on a real
        // CNI host; the network is named pt-cni-* and its directory is removed on cleanup.
        let dataDir = "/var/lib/cni/networks"
        lab.onCleanup { try? FileManager.default.removeItem(atPath: "\(dataDir)/\(netName)") }
        lab.ownHostLink(bridge)
        // isGateway/ipMasq off: the plugin must not touch host forwarding or NAT.
        let config = """
            {"cniVersion":"1.0.0","name":"\(netName)","type":"bridge","bridge":"\(bridge)","isGateway":false,
             "ipMasq":false,"ipam":{"type":"host-local","subnet":"10.213.60.0/24"}}
            """
        func cni(_ command: String) throws -> (status: Int32, stdout: String, stderr: String) {
            try Shell.result([plugin], env: ["CNI_COMMAND": command, "CNI_CONTAINERID": containerID,
                                             "CNI_NETNS": "/run/netns/\(ns)", "CNI_IFNAME": "eth0", "CNI_PATH": "/usr/lib/cni"],
                             stdin: config)
        }
        let add = try cni("ADD")
        XCTAssertEqual(add.status, 0, add.stdout + add.stderr)
        lab.onCleanup { _ = try? cni("DEL") }
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(add.stdout.utf8)) as? [String: Any])
        let ip = try XCTUnwrap(((result["ips"] as? [[String: Any]])?.first)?["address"] as? String)

        let snap = SnapshotReader().read()
        let host = try XCTUnwrap(snap.host)
        let target = try XCTUnwrap(snap.namespaces.first { $0.names.contains(ns) })
        let eth0 = try XCTUnwrap(target.link(named: "eth0"))
        XCTAssertEqual(eth0.addresses.map(\.description), [ip])
        let br = try XCTUnwrap(host.link(named: bridge))
        XCTAssertEqual(br.kind, "bridge")
        // eth0's peer is a host veth enslaved to the plugin's bridge, and it points back at eth0.
        let peerRef = try XCTUnwrap(eth0.peer)
        XCTAssertEqual(peerRef.namespace, host.id)
        let hostEnd = try XCTUnwrap(host.link(index: peerRef.index))
        XCTAssertEqual(hostEnd.master?.index, br.index)
        XCTAssertEqual(hostEnd.peer, RemoteLinkRef(namespace: target.id, index: eth0.index))
        XCTAssertEqual(target.routes.filter { $0.tableName == "main" }.map(\.destinationText), ["10.213.60.0/24"])
        // Attributed to CNI from host-local's allocation file, with no daemon involved.
        let c = try XCTUnwrap(target.containers.first, "no container attributed; notes: \(target.notes)")
        XCTAssertEqual(c.runtime, .cni)
        XCTAssertEqual(c.id, containerID)
        XCTAssertTrue(c.source.contains(netName), c.source)
    }
}
