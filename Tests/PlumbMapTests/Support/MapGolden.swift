import Foundation
import XCTest
import PlumbTestSupport

/// Golden map texts in Fixtures/Golden. `RECORD_GOLDEN=1 swift test --filter PlumbMapTests` writes them into the
/// source tree (review the diff by eye); a normal run compares with the bundled copies and, on a mismatch,
/// writes the actual text to a temporary directory for `diff`.
enum MapGolden {
    static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" }

    static let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/Golden")

    static func check(_ actual: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        if recording {
            XCTAssertNoThrow(try actual.write(to: sourceDirectory.appendingPathComponent(name), atomically: true, encoding: .utf8),
                             file: file, line: line)
            return
        }
        guard let url = Bundle.module.url(forResource: "Fixtures/Golden/\(name)", withExtension: nil),
              let expected = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail("no golden file \(name): record it with RECORD_GOLDEN=1", file: file, line: line)
            return
        }
        guard expected != actual else { return }
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("plumb-map-golden-actual")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? actual.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        XCTFail(GoldenMismatch.message(name, expected: expected, actual: actual, writtenTo: "\(dir.path)/\(name)"),
                file: file, line: line)
    }
}
