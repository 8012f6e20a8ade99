import XCTest
@testable import PlumbKernel

final class ProcStatParserTests: XCTestCase {
    func parse(_ s: String) -> (comm: String, ppid: Int32, threads: Int)? { ProcStatParser.parse(Array(s.utf8)) }

    func testReadsCommPpidAndThreadCount() {
        let line = "1234 (nginx) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 7 0 12345 1000000 200 18446744073709551615"
        let p = parse(line)
        XCTAssertEqual(p?.comm, "nginx")
        XCTAssertEqual(p?.ppid, 1)
        XCTAssertEqual(p?.threads, 7)
    }

    func testCommMayContainSpacesAndParentheses() {
        let line = "42 (my (weird) name) R 7 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1"
        let p = parse(line)
        XCTAssertEqual(p?.comm, "my (weird) name")
        XCTAssertEqual(p?.ppid, 7)
        XCTAssertEqual(p?.threads, 1)
    }

    func testRejectsTruncatedInput() {
        XCTAssertNil(parse("42 (no close paren"))
    }

    func testCmdlineNulSeparatorsBecomeSpaces() {
        XCTAssertEqual(ProcScanner.cmdlineString(Array("sleep\u{0}600\u{0}".utf8)), "sleep 600")
        XCTAssertEqual(ProcScanner.cmdlineString([]), "")
    }
}
