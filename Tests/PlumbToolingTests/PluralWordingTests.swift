import Foundation
import XCTest

/// No message says "1 rule(s)" or "process(es)": counts go through `counted` (PlumbModel), which picks the noun's
/// number. This reads every string literal under Sources/ (interpolations removed, comments skipped), so a new
/// message written the lazy way fails here with its file and line.
final class PluralWordingTests: XCTestCase {
    /// `\( … )` with up to one level of nested parentheses (`\(counted(n, "rule"))`).
    static let interpolation = try! NSRegularExpression(pattern: #"\\\((?:[^()]|\([^()]*\))*\)"#)
    static let literal = try! NSRegularExpression(pattern: #""(?:[^"\\]|\\.)*""#)
    static let lazyPlural = try! NSRegularExpression(pattern: #"[A-Za-z]\((?:e|ie)?s\)"#)

    /// The `word(s)` inside the string literals of one line of Swift, or [] for code and comments.
    static func lazyPlurals(inLine line: String) -> [String] {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("//") { return [] }
        func all(_ re: NSRegularExpression, _ s: String) -> [String] {
            re.matches(in: s, range: NSRange(s.startIndex..., in: s)).compactMap { Range($0.range, in: s).map { String(s[$0]) } }
        }
        let bare = interpolation.stringByReplacingMatches(in: line, range: NSRange(line.startIndex..., in: line), withTemplate: "")
        return all(literal, bare).flatMap { all(lazyPlural, $0) }
    }

    func testTheScannerFindsLazyPluralsOnlyInText() {
        XCTAssertEqual(Self.lazyPlurals(inLine: #"add(true, "agree (\(rules.count) rule(s) matched)")"#), ["e(s)"])
        XCTAssertEqual(Self.lazyPlurals(inLine: #"log("\(n) process(es), \(m) entr(ies)")"#), ["s(es)", "r(ies)"])
        XCTAssertEqual(Self.lazyPlurals(inLine: #"message = .info("refreshing every \(Format.seconds(s))")"#), [])
        XCTAssertEqual(Self.lazyPlurals(inLine: #"return quoted && !s.hasPrefix("@") ? quote(s) : s"#), [])
        XCTAssertEqual(Self.lazyPlurals(inLine: #"s += "\(counted(n, "rule")) matched""#), [])
        XCTAssertEqual(Self.lazyPlurals(inLine: #"    /// says "1 rule(s)" in a comment"#), [])
    }

    func testNoMessageInTheSourcesSaysWordParenS() throws {
        let sources = Repository.path("Sources")
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: sources)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }.sorted()
        XCTAssertGreaterThan(files.count, 100, "the scan reads the whole tree")
        var found: [String] = []
        for file in files {
            let text = try String(contentsOfFile: "\(sources)/\(file)", encoding: .utf8)
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for hit in Self.lazyPlurals(inLine: String(line)) { found.append("Sources/\(file):\(i + 1): \(hit)") }
            }
        }
        XCTAssertEqual(found, [], "say the count with counted(n, \"noun\") instead")
    }
}
