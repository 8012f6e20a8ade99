import Foundation
import XCTest
import PlumbTestSupport
@testable import PlumbTUI

/// Golden text frames. `RECORD_GOLDEN=1 swift test` writes them into the source tree (review them by eye
/// before committing); a normal run compares against the copies bundled as test resources and, on a
/// mismatch, writes the actual frame next to a temporary copy so `diff` can show what changed.
enum Golden {
    static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" }

    /// Tests/PlumbTUITests/Golden in the source tree (this file lives in Tests/PlumbTUITests/Support).
    static let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Golden")

    static let actualDirectory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("plumb-golden-actual")

    static func text(_ buf: ScreenBuffer) -> String { buf.lines().joined(separator: "\n") + "\n" }

    static func check(_ buf: ScreenBuffer, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let actual = text(buf)
        if recording {
            try? FileManager.default.createDirectory(at: sourceDirectory, withIntermediateDirectories: true)
            XCTAssertNoThrow(try actual.write(to: sourceDirectory.appendingPathComponent("\(name).txt"),
                                              atomically: true, encoding: .utf8), file: file, line: line)
            return
        }
        guard let url = Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Golden"),
              let expected = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail("no golden file \(name).txt: record it with RECORD_GOLDEN=1 swift test", file: file, line: line)
            return
        }
        guard expected != actual else { return }
        try? FileManager.default.createDirectory(at: actualDirectory, withIntermediateDirectories: true)
        let out = actualDirectory.appendingPathComponent("\(name).txt")
        try? actual.write(to: out, atomically: true, encoding: .utf8)
        XCTFail(GoldenMismatch.message(name, expected: expected, actual: actual, writtenTo: out.path), file: file, line: line)
    }
}
