import Foundation
import XCTest

/// The BPF object embedded in Sources/CDrops/drops_bpf_object.h is committed (so `swift build` needs no BPF
/// compiler); it records the SHA-256 of the sources it was compiled from. Changing the BPF program or
/// drop_event.h without `make bpf` fails here.
final class BPFObjectTests: XCTestCase {
    func testEmbeddedObjectWasBuiltFromTheCommittedSources() throws {
        let header = try String(contentsOfFile: Repository.path("Sources/CDrops/drops_bpf_object.h"), encoding: .utf8)
        guard let line = header.split(separator: "\n").first(where: { $0.contains("plumb_drops_bpf_sources_sha256") }),
              let open = line.firstIndex(of: "\""), let close = line.lastIndex(of: "\""), open < close else {
            return XCTFail("drops_bpf_object.h records no source hash: run make bpf")
        }
        let recorded = String(line[line.index(after: open)..<close])
        let combined = NSTemporaryDirectory() + "plumb-bpf-sources-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: combined) }
        var bytes = Data()
        for path in ["Sources/CDrops/bpf/drops.bpf.c", "Sources/CDrops/include/drop_event.h"] {
            bytes += try Data(contentsOf: URL(fileURLWithPath: Repository.path(path)))
        }
        try bytes.write(to: URL(fileURLWithPath: combined))
        let (status, out) = try Repository.run(["sha256sum", combined])
        XCTAssertEqual(status, 0)
        let actual = String(out.prefix(64))
        XCTAssertEqual(recorded, actual, "Sources/CDrops/drops_bpf_object.h is stale: run make bpf and commit it")
        XCTAssertTrue(header.contains("0x7f, 0x45, 0x4c, 0x46"), "the embedded object is not an ELF file")
    }
}
