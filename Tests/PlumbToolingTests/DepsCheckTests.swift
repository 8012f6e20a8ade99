import Foundation
import XCTest

/// `make deps` (scripts/install-deps.sh) checks for the one thing it cannot install, a Swift 6 toolchain, and
/// says exactly what to install when it is missing or too old, before any apt command. Run against fake `swift`
/// commands in a temporary directory; the package list given is one that is installed, so nothing is installed.
final class DepsCheckTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-deps-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// A `swift` that prints `version` for `swift --version`, as the toolchains do.
    func fakeSwift(_ version: String) throws -> String {
        let path = "\(dir)/swift"
        try "#!/bin/sh\necho '\(version)'\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    func deps(swift: String) throws -> (status: Int32, output: String) {
        let log = "\(dir)/out"
        let r = try Repository.run(["SWIFT=\(swift)", "./scripts/install-deps.sh", "bash"], stdoutFile: log)
        return (r.status, try String(contentsOfFile: log, encoding: .utf8))
    }

    func testNoSwiftSaysWhatToInstall() throws {
        let r = try deps(swift: "\(dir)/no-such-swift")
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.output.hasPrefix("plumb: needs a Swift 6 toolchain (swift 6.0 or newer); found no '\(dir)/no-such-swift' command."),
                      r.output)
        XCTAssertTrue(r.output.contains("swiftly init") && r.output.contains("https://www.swift.org/install/linux/"), r.output)
        XCTAssertFalse(r.output.contains("installing:"), "no apt command before the toolchain is there")
    }

    func testAnOldSwiftIsNamed() throws {
        let r = try deps(swift: try fakeSwift("Swift version 5.10.1 (swift-5.10.1-RELEASE)"))
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.output.contains("found Swift 5."), r.output)
    }

    func testSwift6WithEverythingInstalledIsQuiet() throws {
        let r = try deps(swift: try fakeSwift("Swift version 6.0.3 (swift-6.0.3-RELEASE)"))
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.output, "", "nothing to say and no apt command when all is present")
    }
}
