import Foundation
import XCTest

/// Byte-exact golden files for the JSON contract: key order, spacing and escaping are part of what the README
/// promises, so the outputs are compared as bytes, not as parsed dictionaries.
///
/// After an intended change of the JSON, regenerate them and review the diff:
///
///     PLUMB_UPDATE_GOLDEN=1 swift test --filter PlumbCLITests.JSONGoldenTests
///     git diff Tests/PlumbCLITests/Golden
///
/// The files are read from the test bundle (`resources: [.copy("Golden")]`) and written back to the source
/// tree next to this file.
enum GoldenFile {
    static var updating: Bool { ProcessInfo.processInfo.environment["PLUMB_UPDATE_GOLDEN"] == "1" }

    static func assertMatches(_ bytes: [UInt8], _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        if updating {
            let dir = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().appendingPathComponent("Golden")
            do {
                try Data(bytes).write(to: dir.appendingPathComponent(name))
            } catch {
                XCTFail("cannot write golden file \(name): \(error)", file: file, line: line)
            }
            return
        }
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Golden"),
              let expected = try? [UInt8](Data(contentsOf: url)) else {
            XCTFail("golden file \(name) is missing: run with PLUMB_UPDATE_GOLDEN=1 to create it", file: file, line: line)
            return
        }
        if bytes != expected {
            // The first difference with some context: golden documents are long single lines.
            let shorter = min(bytes.count, expected.count)
            let at = (0..<shorter).first { bytes[$0] != expected[$0] } ?? shorter
            func window(_ b: [UInt8]) -> String {
                String(decoding: b[max(0, at - 60)..<min(b.count, at + 60)], as: UTF8.self)
            }
            XCTFail("""
                output differs from Golden/\(name) at byte \(at) (regenerate with PLUMB_UPDATE_GOLDEN=1 if intended):
                expected: …\(window(expected))…
                actual:   …\(window(bytes))…
                """, file: file, line: line)
        }
    }

    /// What a print path writes to an fd, captured through a temporary file.
    static func captured(_ body: (Int32) throws -> Void) throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pt-golden-\(getpid())").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { unlink(path) }
        do { try body(fd) } catch { close(fd); throw error }
        close(fd)
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
