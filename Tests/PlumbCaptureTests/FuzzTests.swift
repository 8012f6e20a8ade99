import XCTest
@testable import PlumbCapture

/// Random and mutated input through every decoder entry point (and the file readers). Passing means: no
/// trap (the debug build checks every buffer access), and every call returned.
final class FuzzTests: XCTestCase {
    func testRandomAndMutatedInputNeverCrashes() throws {
        let corpus = try Fixtures.allFrames()
        XCTAssertGreaterThan(corpus.count, 100)
        let report = runFuzz(iterations: 20_000, seed: 0x9E3779B97F4A7C15, corpus: corpus, mutations: 5_000)
        XCTAssertEqual(report.inputs, 25_000)
        XCTAssertEqual(report.decodes, 25_000 * (StartLayer.allCases.count + 2))
        XCTAssertEqual(report.complete + report.truncated + report.malformed, 25_000 * (StartLayer.allCases.count + 1))
        // Mutated real frames must reach deep enough to produce all three outcomes.
        XCTAssertGreaterThan(report.complete, 0)
        XCTAssertGreaterThan(report.truncated, 0)
        XCTAssertGreaterThan(report.malformed, 0)
        XCTAssertLessThan(report.seconds, 10, "fuzz campaign took \(report.seconds) s")
        print("fuzz: \(report)")
    }

    func testFuzzIsReproducible() {
        XCTAssertEqual(runFuzz(iterations: 200, seed: 42).complete, runFuzz(iterations: 200, seed: 42).complete)
    }
}
