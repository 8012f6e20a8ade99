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

    func testAPassingRunEndsWithItsCount() throws {
        let r = try summary("all-pass-filtered.txt")
        XCTAssertEqual(r.lines, ["9 passed, 0 failed"])
        XCTAssertEqual(r.status, 0)
    }

    func testFailedTestsAreCountedNotFailedAssertions() throws {
        let r = try summary("two-failures.txt")
        XCTAssertEqual(r.lines.last, "395 passed, 2 failed")
        XCTAssertEqual(r.status, 1)
    }

    func testATestThatFailedAndThenSkippedCountsAsFailed() throws {
        // XCTest says "Executed 4 tests, with 4 tests skipped and 4 failures": each test both failed and skipped.
        let r = try summary("failed-then-skipped.txt")
        XCTAssertEqual(r.lines.last, "0 passed, 4 failed")
        XCTAssertEqual(r.status, 1)
    }

    func testIntegrationTestsWithoutRootFailOnceEach() throws {
        let r = try summary("not-root.txt")
        XCTAssertEqual(r.lines.last, "0 passed, 4 failed")
        XCTAssertEqual(r.status, 1)
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
        let r = try summary("with-swift-testing-failure.txt")
        XCTAssertEqual(r.lines.last, "10 passed, 1 failed")
        XCTAssertEqual(r.status, 1)
    }

    func testAKilledRunCountsTheUnfinishedTestAsFailedAndSaysWhy() throws {
        let r = try summary("killed-mid-test.txt")
        XCTAssertEqual(r.lines.last, "1 passed, 1 failed")
        XCTAssertTrue(r.lines.first?.contains("FuzzTests.testRandomAndMutatedInputNeverCrashes") ?? false, "\(r.lines)")
        XCTAssertEqual(r.status, 1)
    }

    func testNoCountIsAFailure() throws {
        let r = try summary("build-failed.txt")
        XCTAssertEqual(r.lines.last, "0 passed, 0 failed")
        XCTAssertTrue(r.lines.first?.contains("no test ran") ?? false, "\(r.lines)")
        XCTAssertEqual(r.status, 1)
    }
}
