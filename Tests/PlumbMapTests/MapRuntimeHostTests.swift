import Foundation
import XCTest
import PlumbModel
@testable import PlumbMap

/// The map of hosts recorded from real runtimes (`scripts/record-map-fixture.sh docker|podman`: dockerd or
/// podman in a namespace playing the host, two networks, four containers, a published port): what each shows,
/// and golden text frames at three sizes, DOT and JSON.
final class MapRuntimeHostTests: XCTestCase {
    static let hosts = ["docker-host", "podman-host"]

    func testTheDockerHostsBusesContainersAndPublishedPort() throws {
        let map = HostMapBuilder.build(try MapFixtures.recorded("docker-host"))
        let buses = map.nodes.filter { $0.kind == .bus }
        XCTAssertEqual(buses.count, 3, "docker0 and the two user networks: \(buses.map(\.name))")
        // Named from the containers' config.v2.json (the snapshot's runtimeNetworks): docker0 is `bridge`, a user
        // network's bridge is br- and its id's first 12 characters.
        XCTAssertEqual(buses.first { $0.name == "docker0" }?.title, "docker: bridge (docker0)")
        for net in ["pt-rec-front", "pt-rec-back"] {
            let bus = try XCTUnwrap(buses.first { $0.owner?.network == net }, "\(buses.map(\.title))")
            let id = try XCTUnwrap(bus.owner?.networkID)
            XCTAssertEqual(bus.name, "br-" + id.prefix(12))
            XCTAssertEqual(bus.title, "docker: \(net) (\(bus.name))")
            XCTAssertTrue(bus.owner?.evidence.contains("config.v2.json") ?? false, "\(bus.owner?.evidence ?? "-")")
        }
        XCTAssertTrue(buses.allSatisfy { $0.owner?.kind == .docker }, "\(buses.map { $0.owner?.label ?? "-" })")
        try checkContainers(map, runtime: "docker")
    }

    func testThePodmanHostsBusesContainersAndPublishedPort() throws {
        let map = HostMapBuilder.build(try MapFixtures.recorded("podman-host"))
        let buses = map.nodes.filter { $0.kind == .bus }
        XCTAssertEqual(buses.count, 2, "the two networks: \(buses.map(\.name))")
        // Named from the CNI configs Podman wrote (/etc/cni/net.d/NET.conflist: the bridge plugin's `bridge`).
        XCTAssertEqual(Set(buses.map(\.title)), ["podman: pt-rec-front (cni-podman1)", "podman: pt-rec-back (cni-podman2)"])
        XCTAssertTrue(buses.allSatisfy { $0.owner?.evidence.contains("/etc/cni/net.d/") ?? false }, "\(buses.map { $0.owner?.evidence ?? "-" })")
        try checkContainers(map, runtime: "podman")
    }

    /// pt-web on both networks with port 8080 published to it, pt-api and pt-db on the back network, pt-cache.
    func checkContainers(_ map: HostMap, runtime: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let boxes = map.nodes.filter { $0.kind == .namespace && $0.runtime == runtime }
        XCTAssertEqual(Set(boxes.map(\.name)), ["pt-web", "pt-api", "pt-db", "pt-cache"], file: file, line: line)
        let web = try XCTUnwrap(boxes.first { $0.name == "pt-web" }, file: file, line: line)
        XCTAssertEqual(map.edges(of: web.id).filter { $0.kind == .port }.count, 2, "pt-web is on both networks", file: file, line: line)
        let published = map.edges.filter { $0.kind == .published }
        XCTAssertEqual(published.map(\.to), [web.id], "8080 is published to pt-web", file: file, line: line)
        XCTAssertTrue(published.first?.label?.contains("8080") ?? false, "\(published)", file: file, line: line)
        // The exports are UTF-8: the arrow stays an arrow (it was `?` in DOT).
        let dot = MapDOT.render(map)
        XCTAssertTrue(dot.contains("label=\"*:8080/tcp→80\""), dot, file: file, line: line)
        XCTAssertFalse(dot.contains("?"), dot, file: file, line: line)
        XCTAssertTrue(map.nodes.contains { $0.kind == .uplink && $0.name == "eth0" }, file: file, line: line)
        XCTAssertTrue(map.edges.contains { $0.kind == .nat }, "the networks are masqueraded out of eth0", file: file, line: line)
    }

    func testGoldenTextFrames() throws {
        for name in Self.hosts {
            let map = HostMapBuilder.build(try MapFixtures.recorded(name))
            for (cols, rows) in MapLayoutTests.sizes {
                let p = MapLayout.layout(map, options: MapLayoutOptions(width: cols))
                let text = (0..<min(rows, p.height)).map { p.canvas.line($0) + "\n" }.joined()
                MapGolden.check(text, "\(name)-\(cols)x\(rows).txt")
                XCTAssertTrue((0..<p.height).allSatisfy { p.canvas.line($0).unicodeScalars.count <= cols }, "\(name) at \(cols)")
            }
        }
    }

    func testGoldenDOTAndJSON() throws {
        for name in Self.hosts {
            let map = HostMapBuilder.build(try MapFixtures.recorded(name))
            MapGolden.check(MapDOT.render(map), "\(name).dot")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            MapGolden.check(String(decoding: try encoder.encode(map), as: UTF8.self) + "\n", "\(name).json")
        }
    }
}
