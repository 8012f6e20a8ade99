import Foundation
import XCTest
@testable import PlumbCLI
import PlumbModel

/// The streaming encoder (and its hand-written writers for links, routes and neighbours) must produce the same
/// document as Foundation's JSONEncoder on the same model, so the JSON contract has one definition: Codable.
final class JSONEncodingTests: XCTestCase {
    func sample() -> Snapshot { OutputFixtures.snapshot() }

    func parsed(_ bytes: [UInt8]) throws -> NSDictionary {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    func testStreamingEqualsFoundationEncoder() throws {
        let snap = sample()
        let reference = try parsed(Array(try JSONEncoder().encode(snap)))
        XCTAssertEqual(try parsed(try StreamingJSONEncoder(pretty: false).encode(snap)), reference)
        XCTAssertEqual(try parsed(try StreamingJSONEncoder(pretty: true).encode(snap)), reference)
    }

    /// `runtimeNetworks` was added to the snapshot after the hand-written writer: it must not be left out.
    func testRuntimeNetworksAreWrittenLikeTheEncoderWritesThem() throws {
        var snap = sample()
        snap.runtimeNetworks = [RuntimeNetwork(runtime: .docker, name: "shop", id: "1a2b3c4d5e6f", subnets: [IPPrefix("10.213.50.0/24")!],
                                               source: "/var/lib/docker/containers/aa11/config.v2.json"),
                                RuntimeNetwork(runtime: .podman, name: "front", bridge: "cni-podman1", source: "/etc/cni/net.d/87-front.conflist")]
        let reference = try parsed(Array(try JSONEncoder().encode(snap)))
        XCTAssertNotNil(reference["runtimeNetworks"])
        XCTAssertEqual(try parsed(try StreamingJSONEncoder(pretty: false).encode(snap)), reference)
    }

    func testRoundTripsThroughTheDecoder() throws {
        let snap = sample()
        let bytes = try StreamingJSONEncoder().encode(snap)
        XCTAssertEqual(try JSONDecoder().decode(Snapshot.self, from: Data(bytes)), snap)
    }

    func testCompactIsOneLineAndDictionariesAreSorted() throws {
        let text = String(decoding: try StreamingJSONEncoder().encode(sample()), as: UTF8.self)
        XCTAssertFalse(text.contains("\n"))
        XCTAssertTrue(text.contains(#""rpFilter":{"a":0,"eth0":1}"#), text)
        XCTAssertTrue(text.contains(#""name":"veth\"1\\""#))
        XCTAssertTrue(text.contains(#""a\u0001b""#))
        XCTAssertTrue(text.contains(#""peer":{"namespace":200,"index":2}"#))
        XCTAssertTrue(text.contains(#""parent":{"namespace":null,"index":4}"#))
    }

    /// The cookie was added after the other keys: it comes last, and only for namespaces that were read.
    func testTheCookieIsTheLastNamespaceKey() throws {
        let text = String(decoding: try StreamingJSONEncoder().encode(sample()), as: UTF8.self)
        XCTAssertTrue(text.contains(#""notes":[],"cookie":4099}"#), text)
        XCTAssertTrue(text.contains(#"{"id":200,"#), text)
        XCTAssertFalse(text.contains(#""notes":["not read"],"cookie""#), text)
    }

    func testEnumsWithPayloadsUseNestedContainers() throws {
        let plan = Plan(operation: .netCreate(network: "x"), steps: [
            .createBridge(name: "br0", mtu: nil, in: .host),
            .createVeth(name: "v0", peer: "eth0", mtu: 1400, in: .host, peerIn: .named("pt-a")),
            .firewall(family: "ipv4", batch: "*filter\n-A X -j ACCEPT\nCOMMIT\n", undo: "", in: .path("/run/x")),
            .setUp(link: "eth0", in: NamespaceHandle(.named("pt-b"), cookie: 4100, inode: 4026532384)),
            .setUp(link: "eth0", in: NamespaceHandle(.pid(42), cookie: 4101)),
        ])
        let bytes = try StreamingJSONEncoder().encode(plan)
        XCTAssertEqual(try parsed(bytes), try parsed(Array(try JSONEncoder().encode(plan))))
        XCTAssertEqual(try JSONDecoder().decode(Plan.self, from: Data(bytes)), plan)
        XCTAssertEqual(try JSONDecoder().decode(Plan.self, from: Data(try StreamingJSONEncoder(pretty: true).encode(plan))), plan)
    }

    /// `write(to:)` flushes every 64 KiB: a document several times that size must come out byte for byte as
    /// `encode` builds it in memory, in both layouts.
    func testStreamingToAnFdEqualsTheInMemoryDocument() throws {
        var snap = sample()
        let veth = snap.namespaces[0].links[0]
        snap.namespaces[0].links = (0..<3000).map { i in var l = veth; l.index = i; l.name = "pt\(i)"; return l }
        for pretty in [false, true] {
            let expected = try StreamingJSONEncoder(pretty: pretty).encode(snap) + (pretty ? [] : [0x0A])
            XCTAssertGreaterThan(expected.count, 4 * 65536)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("pt-json-\(getpid())").path
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            XCTAssertGreaterThanOrEqual(fd, 0)
            defer { unlink(path) }
            let written = try StreamingJSONEncoder(pretty: pretty).write(snap, to: fd)
            close(fd)
            let got = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            XCTAssertEqual(written, got.count)
            XCTAssertEqual(got, expected, "pretty: \(pretty)")
        }
    }

    func testEmptyContainersAndNumbers() throws {
        struct Box: Encodable { var a: [Int] = []; var b: [String: Int] = [:]; var c = -5; var d = 2.5; var e: Int? = nil }
        let text = String(decoding: try StreamingJSONEncoder(pretty: true).encode(Box()), as: UTF8.self)
        XCTAssertEqual(text, "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": -5,\n  \"d\": 2.5\n}\n")
    }
}
