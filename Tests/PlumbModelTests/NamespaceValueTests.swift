import XCTest
import PlumbModel

/// `Namespace` keeps its fields in a shared copy-on-write box: it must still behave as a value (a change to one
/// copy never shows in another), compare by content, and code the JSON the synthesized coding wrote
/// (JSONEncodingTests compares that with the CLI's fast writer, key by key).
final class NamespaceValueTests: XCTestCase {
    func sample() -> Namespace {
        var ns = Namespace(id: 4026532000, device: 4, names: ["pt-a"], paths: ["/run/netns/pt-a"],
                           heldBy: [Holder(kind: .bindMount, path: "/run/netns/pt-a")], pids: [42],
                           links: [Link(index: 1, name: "lo", kind: "loopback"), Link(index: 2, name: "eth0", kind: "veth")],
                           notes: ["a note"], cookie: 9)
        ns.heldSince = 1_700_000_000
        return ns
    }

    func testAChangeToACopyLeavesTheOriginal() {
        let original = sample()
        var copy = original
        XCTAssertTrue(copy.sharesFields(with: original))
        copy.links[1].flags = ["up"]
        copy.pids.append(43)
        copy.names = ["pt-b"]
        XCTAssertFalse(copy.sharesFields(with: original))
        XCTAssertEqual(original.links[1].flags, [])
        XCTAssertEqual(original.pids, [42])
        XCTAssertEqual(original.names, ["pt-a"])
        XCTAssertEqual(copy.links[1].flags, ["up"])
        XCTAssertEqual(copy.pids, [42, 43])
        XCTAssertNotEqual(copy, original)
    }

    func testAnArrayOfNamespacesIsAValue() {
        let before = [sample(), Namespace(id: 7)]
        var after = before
        after[0].links[0].mtu = 9000
        after[1].isHost = true
        XCTAssertEqual(before[0].links[0].mtu, 1500)
        XCTAssertFalse(before[1].isHost)
        XCTAssertTrue(after[1].isHost)
        let copies = before  // copied, not changed
        XCTAssertTrue(copies[1].sharesFields(with: before[1]), "an unchanged copy shares its box")
        XCTAssertFalse(after[1].sharesFields(with: before[1]), "a changed one has its own")
    }

    func testEqualityIsByContent() {
        XCTAssertEqual(sample(), sample())  // two boxes, one content
        var other = sample()
        other.heldSince = nil
        XCTAssertNotEqual(other, sample())
        var moved = sample()
        moved.id = 1
        XCTAssertNotEqual(moved, sample())
    }

    func testCodingKeepsTheKeysAndLeavesOutNil() throws {
        let encoder = JSONEncoder()
        let text = String(decoding: try encoder.encode(sample()), as: UTF8.self)
        let keys = ["id", "device", "isHost", "names", "paths", "heldBy", "pids", "containers", "links", "routes",
                    "neighbors", "sysctls", "firewall", "notes", "cookie", "heldSince"]
        for key in keys { XCTAssertNotNil(text.range(of: "\"\(key)\":"), "\(key) in \(text)") }
        for absent in ["sockets", "owner", "why", "helper"] {
            XCTAssertNil(text.range(of: "\"\(absent)\":"), "\(absent) is nil and left out")
        }
        let back = try JSONDecoder().decode(Namespace.self, from: Data(text.utf8))
        XCTAssertEqual(back, sample())
        XCTAssertEqual(back.heldSince, 1_700_000_000)
    }

    func testDecodingAsksForTheFieldsThatAreNotOptional() {
        let json = #"{"id": 1, "device": 0, "isHost": false}"#
        XCTAssertThrowsError(try JSONDecoder().decode(Namespace.self, from: Data(json.utf8)))
    }
}
