import Glibc
import XCTest
@testable import PlumbCapture
import PlumbFuzz

/// Random and mutated input through every decoder entry point (and the file readers). Passing means: no
/// trap (the debug build checks every buffer access), and every call returned.
final class FuzzTests: XCTestCase {
    func testRandomAndMutatedInputNeverCrashes() throws {
        let corpus = try Fixtures.allFrames()
        XCTAssertGreaterThan(corpus.count, 100)
        let cpuStart = threadCPUMilliseconds()
        let report = runFuzz(iterations: 20_000, seed: 0x9E3779B97F4A7C15, corpus: corpus, mutations: 5_000)
        let cpuSeconds = (threadCPUMilliseconds() - cpuStart) / 1000
        XCTAssertEqual(report.inputs, 25_000)
        XCTAssertEqual(report.decodes, 25_000 * (StartLayer.allCases.count + 2))
        XCTAssertEqual(report.complete + report.truncated + report.malformed, 25_000 * (StartLayer.allCases.count + 1))
        // Mutated real frames must reach deep enough to produce all three outcomes.
        XCTAssertGreaterThan(report.complete, 0)
        XCTAssertGreaterThan(report.truncated, 0)
        XCTAssertGreaterThan(report.malformed, 0)
        XCTAssertLessThan(cpuSeconds, 10, "fuzz campaign took \(cpuSeconds) s of CPU (\(report.seconds) s wall)")
        print("fuzz: \(report)")
    }

    func testFuzzIsReproducible() {
        // Everything but the time must repeat for a seed, and differ for another (0 == 0 would also be "equal").
        func outcome(_ seed: UInt64) -> [Int] {
            let r = runFuzz(iterations: 200, seed: seed)
            return [r.inputs, r.decodes, r.bytes, r.complete, r.truncated, r.malformed]
        }
        let first = outcome(42)
        XCTAssertEqual(first[0], 200)
        XCTAssertGreaterThan(first[2], 0, "no bytes were fed to the decoders")
        XCTAssertEqual(first, outcome(42))
        XCTAssertNotEqual(first, outcome(43))
    }
}

/// CPU time this thread has used, in milliseconds. Speed limits in unit tests are checked against it, not against
/// the wall clock: on a shared machine the wall clock measures the other processes as much as the code.
func threadCPUMilliseconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
}
