import XCTest

/// scripts/test-summary.sh turns `swift test`'s output into the last line of `make test`. Each case is output
/// recorded from a real run (trimmed), except the Swift Testing part, written in its documented format because
/// the package has no Swift Testing test yet.
final class TestSummaryTests: XCTestCase {
    private func summary(_ fixture: String) throws -> (status: Int32, lines: [String]) {
        let r = try Repository.run(["bash", "scripts/test-summary.sh"],
                                   stdinFile: Repository.path("Tests/PlumbToolingTests/Fixtures/swift-test/\(fixture)"))
        return (r.status, r.stdout.split(separator: "\n").map(String.init))
    }

    /// The summary of a recorded run ends with `last` and exits with `status`; returns all its lines.
    @discardableResult
    private func assertSummary(_ fixture: String, endsWith last: String, status: Int32,
                               file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let r = try summary(fixture)
        XCTAssertEqual(r.lines.last, last, fixture, file: file, line: line)
        XCTAssertEqual(r.status, status, fixture, file: file, line: line)
        return r.lines
    }

    func testAPassingRunEndsWithItsCount() throws {
        XCTAssertEqual(try assertSummary("all-pass-filtered.txt", endsWith: "9 passed, 0 failed", status: 0).count, 1)
    }

    func testFailedTestsAreCountedNotFailedAssertions() throws {
        try assertSummary("two-failures.txt", endsWith: "395 passed, 2 failed", status: 1)
    }

    func testATestThatFailedAndThenSkippedCountsAsFailed() throws {
        // XCTest says "Executed 4 tests, with 4 tests skipped and 4 failures": each test both failed and skipped.
        try assertSummary("failed-then-skipped.txt", endsWith: "0 passed, 4 failed", status: 1)
    }

    func testIntegrationTestsWithoutRootFailOnceEach() throws {
        try assertSummary("not-root.txt", endsWith: "0 passed, 4 failed", status: 1)
    }

    /// Runs this test binary again, without root, on one integration class: each test must fail with the one
    /// "needs root" line, and the summary must count them as failed.
    func testIntegrationTestsRunWithoutRootSayTheyNeedIt() throws {
        let binary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        XCTAssertTrue(binary.hasSuffix(".xctest"), binary)
        let filter = "PlumbIntegrationTests.ExecTests"
        // As root, drop to nobody; as another user, the binary already runs without root.
        let command = getuid() == 0
            ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary, filter] : [binary, filter]
        let output = NSTemporaryDirectory() + "plumb-not-root-\(getpid()).txt"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try Repository.run(command, stdoutFile: output)
        XCTAssertNotEqual(run.status, 0)
        let log = try String(contentsOfFile: output, encoding: .utf8)
        let failures = log.split(separator: "\n").filter { $0.contains(": error: ") }
        XCTAssertFalse(failures.isEmpty, log)
        for line in failures { XCTAssertTrue(line.contains("failed - needs root: "), String(line)) }
        XCTAssertFalse(log.contains("skipped"), log)
        let summary = try Repository.run(["bash", "scripts/test-summary.sh"], stdinFile: output)
        XCTAssertEqual(summary.stdout, "0 passed, \(failures.count) failed\n")
    }

    func testSwiftTestingTestsAreAddedToTheCount() throws {
        try assertSummary("with-swift-testing-failure.txt", endsWith: "10 passed, 1 failed", status: 1)
    }

    func testAKilledRunCountsTheUnfinishedTestAsFailedAndSaysWhy() throws {
        let lines = try assertSummary("killed-mid-test.txt", endsWith: "1 passed, 1 failed", status: 1)
        XCTAssertTrue(lines.first?.contains("FuzzTests.testRandomAndMutatedInputNeverCrashes") ?? false, "\(lines)")
    }

    func testNoCountIsAFailure() throws {
        let lines = try assertSummary("build-failed.txt", endsWith: "0 passed, 0 failed", status: 1)
        XCTAssertTrue(lines.first?.contains("no test ran") ?? false, "\(lines)")
    }
}
