import Foundation
import XCTest
@testable import PlumbActions
import PlumbModel

/// Networks written by Plumbs that kept driver settings as a string map load as typed settings, and are
/// written back in exactly that form (the `options` column is the stored contract).
final class StoreDriverConfigTests: StoreTestCase {
    /// Rows as the string-map Plumb wrote them (`options` JSON with sorted keys).
    static let oldRows: [(name: String, driver: String, options: String)] = [
        ("br", "bridge", #"{"bridge":"pl-br","hostNamespace":"host"}"#),
        ("ds", "bridge", #"{"bridge":"pl-ds","gateway6":"fd13:9::1","hostNamespace":"host","nat66":"true","subnet6":"fd13:9::/64"}"#),
        ("mv", "macvlan", #"{"hostNamespace":"netns:lab","mode":"vepa","parent":"eth9"}"#),
        ("mvd", "macvlan", #"{"hostNamespace":"host","parent":"eth9"}"#),
        ("ov", "vxlan", #"{"bridge":"pl-ov","dstport":"4790","hostNamespace":"path:/run/netns/x","local":"10.213.2.1","parent":"u1","remote":"10.213.2.2","vni":"4242"}"#),
        ("cn", "cni", #"{"cniConfig":"{\"cniVersion\":\"1.0.0\"}","cniPath":"/opt/cni/bin:/usr/lib/cni","cniPlugins":"/opt/cni/bin/bridge\n/opt/cni/bin/portmap","hostNamespace":"host"}"#),
    ]

    func insertOldRows(_ store: StateStore) throws {
        for (i, row) in Self.oldRows.enumerated() {
            try store.db.run("INSERT INTO networks (name, driver, subnet, gateway, internal, options, created_at) VALUES (?, ?, ?, ?, 0, ?, 1)",
                             [row.name, row.driver, "10.213.\(i).0/24", "10.213.\(i).1", row.options], "test")
        }
    }

    func testOldRowsLoadAsTypedSettings() throws {
        let store = try openStore()
        try insertOldRows(store)
        let nets = Dictionary(uniqueKeysWithValues: try store.networks().map { ($0.name, $0) })
        XCTAssertEqual(nets["br"]?.config, .bridge(BridgeConfig(bridge: "pl-br")))
        XCTAssertEqual(nets["br"]?.hostNamespace, .host)
        XCTAssertEqual(nets["ds"]?.config, .bridge(BridgeConfig(bridge: "pl-ds", subnet6: IPPrefix("fd13:9::/64"),
                                                                gateway6: IPAddress("fd13:9::1"), nat66: true)))
        XCTAssertEqual(nets["mv"]?.config, .macvlan(MacvlanConfig(parent: "eth9", mode: .vepa)))
        XCTAssertEqual(nets["mv"]?.hostNamespace, .named("lab"))
        XCTAssertEqual(nets["mvd"]?.config, .macvlan(MacvlanConfig(parent: "eth9")))
        guard case .vxlan(let vx) = nets["ov"]?.config else { return XCTFail("ov is not vxlan: \(String(describing: nets["ov"]))") }
        XCTAssertEqual(vx.vni, 4242)
        XCTAssertEqual(vx.port, 4790)
        XCTAssertEqual(vx.remote, IPAddress("10.213.2.2"))
        XCTAssertEqual(vx.local, IPAddress("10.213.2.1"))
        XCTAssertEqual(vx.parent, "u1")
        XCTAssertEqual(vx.bridge, "pl-ov")
        XCTAssertEqual(nets["ov"]?.hostNamespace, .path("/run/netns/x"))
        XCTAssertEqual(nets["cn"]?.config, .cni(CNIChainConfig(conflist: #"{"cniVersion":"1.0.0"}"#,
                                                                plugins: ["/opt/cni/bin/bridge", "/opt/cni/bin/portmap"],
                                                                cniPath: "/opt/cni/bin:/usr/lib/cni")))
    }

    func testTypedSettingsAreWrittenInTheOldForm() throws {
        let store = try openStore()
        try insertOldRows(store)
        for var net in try store.networks() {
            let original = try XCTUnwrap(Self.oldRows.first { $0.name == net.name })
            net.name += "2"
            try store.createNetwork(net)
            let written = try store.db.query("SELECT driver, options FROM networks WHERE name = ?", [net.name], "test") {
                [$0.text(0), $0.text(1)]
            }
            XCTAssertEqual(written, [[original.driver, original.options]], net.name)
        }
    }

    func testJSONKeepsTheStringMapShape() throws {
        let store = try openStore()
        try insertOldRows(store)
        let ov = try XCTUnwrap(store.network(named: "ov"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: try JSONEncoder().encode(ov)) as? [String: Any])
        XCTAssertEqual(object["driver"] as? String, "vxlan")
        XCTAssertEqual(object["options"] as? [String: String], ["bridge": "pl-ov", "dstport": "4790", "hostNamespace": "path:/run/netns/x",
                                                                 "local": "10.213.2.1", "parent": "u1", "remote": "10.213.2.2", "vni": "4242"])
        XCTAssertEqual(try JSONDecoder().decode(NetworkRecord.self, from: try JSONEncoder().encode(ov)), ov)
    }

    func testABadStoredSettingIsReportedAsCorrupt() throws {
        let store = try openStore()
        try store.db.run("INSERT INTO networks (name, driver, subnet, gateway, options, created_at) VALUES ('x', 'vxlan', '10.213.9.0/24', '10.213.9.1', '{\"remote\":\"10.0.0.1\"}', 1)", [], "test")
        XCTAssertThrowsError(try store.networks()) { e in
            XCTAssertEqual("\(e)", "state database \(self.dbPath) holds a bad value: network x has vxlan vni '' (fix or remove the record with sqlite3)")
        }
        try store.db.run("UPDATE networks SET driver = 'ipvlan', options = '{}' WHERE name = 'x'", [], "test")
        XCTAssertThrowsError(try store.networks()) { e in
            XCTAssertTrue("\(e)".contains("network x has unknown driver 'ipvlan'"), "\(e)")
        }
        // A dual-stack network's IPv6 half is parsed when the row is read, as its own columns are.
        try store.db.run("UPDATE networks SET driver = 'bridge', options = '{\"subnet6\":\"fd13:9::/64\",\"gateway6\":\"fd13::zz\"}' WHERE name = 'x'", [], "test")
        XCTAssertThrowsError(try store.networks()) { e in
            XCTAssertTrue("\(e)".contains("network x has bridge gateway6 'fd13::zz'"), "\(e)")
        }
    }
}
