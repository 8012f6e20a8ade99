import XCTest
import PlumbModel

/// The JSON form is a public contract (README "Snapshot JSON schema"): these keys must not move.
final class SnapshotJSONTests: XCTestCase {
    func encode(_ snap: Snapshot) throws -> [String: Any] {
        let data = try JSONEncoder().encode(snap)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func sample() -> Snapshot {
        var link = Link(index: 5, name: "veth1", kind: "veth", mac: "aa:bb:cc:dd:ee:ff", mtu: 1500,
                        flags: ["up", "lower_up"], operState: "up", master: LinkRef(index: 3),
                        peer: RemoteLinkRef(namespace: 200, index: 2), addresses: [IPPrefix("10.213.0.1/24")!])
        link.stats.rxPackets = 7
        let chain = FirewallChain(name: "FORWARD", policy: "DROP", packets: 1, bytes: 2,
                                  rules: [FirewallRule(rule: "-j DOCKER-USER", packets: 3, bytes: 4, target: "DOCKER-USER")])
        let ns = Namespace(id: 100, isHost: true, names: [], paths: [], heldBy: [Holder(kind: .process, pid: 1)],
                           pids: [1], links: [link, Link(index: 9, name: "x", kind: "veth",
                                                         peer: RemoteLinkRef(namespace: nil, index: 4))],
                           firewall: Firewall(tables: [FirewallTable(family: "ipv4", name: "filter",
                                                                     source: "iptables", chains: [chain])]))
        return Snapshot(takenAt: 1, namespaces: [ns], processes: [], discovery: DiscoveryStats())
    }

    func testTopLevelAndNamespaceKeys() throws {
        let json = try encode(sample())
        let nss = try XCTUnwrap(json["namespaces"] as? [[String: Any]])
        for key in ["id", "isHost", "names", "paths", "heldBy", "pids", "containers", "links", "routes",
                    "neighbors", "sysctls", "firewall"] {
            XCTAssertNotNil(nss[0][key], "namespace key \(key)")
        }
        XCTAssertEqual(nss[0]["id"] as? UInt64, 100)
    }

    func testLinkKeysAndCrossNamespaceReferences() throws {
        let nss = try XCTUnwrap(try encode(sample())["namespaces"] as? [[String: Any]])
        let links = try XCTUnwrap(nss[0]["links"] as? [[String: Any]])
        for key in ["index", "name", "kind", "mac", "mtu", "operState", "addresses", "stats"] {
            XCTAssertNotNil(links[0][key], "link key \(key)")
        }
        XCTAssertEqual((links[0]["master"] as? [String: Any])?["index"] as? Int, 3)
        let peer = try XCTUnwrap(links[0]["peer"] as? [String: Any])
        XCTAssertEqual(peer["namespace"] as? Int, 200)
        XCTAssertEqual(peer["index"] as? Int, 2)
        // An unresolved peer namespace is an explicit null, not a missing key.
        let unresolved = try XCTUnwrap(links[1]["peer"] as? [String: Any])
        XCTAssertTrue(unresolved.keys.contains("namespace"))
        XCTAssertTrue(unresolved["namespace"] is NSNull)
        let stats = try XCTUnwrap(links[0]["stats"] as? [String: Any])
        XCTAssertEqual(Set(stats.keys), ["rxPackets", "txPackets", "rxBytes", "txBytes", "rxErrors", "txErrors",
                                         "rxDropped", "txDropped"])
        XCTAssertEqual(stats["rxPackets"] as? Int, 7)
        XCTAssertTrue(links[1]["master"] is NSNull, "absent master is null")
        XCTAssertTrue(links[0]["parent"] is NSNull, "absent parent is null")
    }

    func testFirewallKeys() throws {
        let nss = try XCTUnwrap(try encode(sample())["namespaces"] as? [[String: Any]])
        let fw = try XCTUnwrap(nss[0]["firewall"] as? [String: Any])
        let table = try XCTUnwrap((fw["tables"] as? [[String: Any]])?.first)
        XCTAssertEqual(table["family"] as? String, "ipv4")
        XCTAssertEqual(table["name"] as? String, "filter")
        let chain = try XCTUnwrap((table["chains"] as? [[String: Any]])?.first)
        XCTAssertEqual(chain["name"] as? String, "FORWARD")
        XCTAssertEqual(chain["policy"] as? String, "DROP")
        XCTAssertEqual(chain["packets"] as? Int, 1)
        let rule = try XCTUnwrap((chain["rules"] as? [[String: Any]])?.first)
        XCTAssertEqual(rule["rule"] as? String, "-j DOCKER-USER")
        XCTAssertEqual(rule["bytes"] as? Int, 4)
    }

    func testRoundTrips() throws {
        let s = sample()
        XCTAssertEqual(try JSONDecoder().decode(Snapshot.self, from: JSONEncoder().encode(s)), s)
    }
}
