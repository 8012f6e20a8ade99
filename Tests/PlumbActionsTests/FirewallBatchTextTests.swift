import Foundation
import XCTest
@testable import PlumbActions

/// FirewallBatch reads its lines byte-wise (the Character-wise reading was most of an apply's CPU time): the
/// results must be those of the Character-wise reading it replaced, for ASCII lines and for any other text.
final class FirewallBatchTextTests: XCTestCase {
    let samples: [String] = [
        "-A PLUMB-FORWARD -d 10.213.150.2/32 ! -i br0 -o br0 -p tcp -m tcp --dport 80 -m comment --comment \"plumb:web:k1\" -j ACCEPT",
        "  -A  FORWARD   -j PLUMB-FORWARD  ", "\t-I FORWARD 1 -j PLUMB-FORWARD\t", "", "   ", "COMMIT", " *nat", "# comment",
        ":PLUMB-DNAT - [0:0]", "-D POSTROUTING -s 10.1.0.0/24 ! -o br -j MASQUERADE", "-X PLUMB-DNAT",
        "-A X -m comment --comment plumb:web -j RETURN", "-A X -m comment --comment \"other tool\" -j RETURN",
        "-A X -m comment --comment \"plumb:wéb\" -j RETURN", "a \u{301}b", "a  \u{301}b", " \u{301}x ", "\u{2003}-A X\u{2003}",
        "--comment", "x --comment ", "--commen", "-A X -m comment --comment --comment plumb:a",
    ]

    func testTrimmingSplittingAndNormalizingMatchTheCharacterWiseReading() {
        for s in samples {
            let sub = Substring(s)
            XCTAssertEqual(FirewallBatch.trimmed(sub), sub.trimmingCharacters(in: .whitespaces), s)
            XCTAssertEqual(FirewallBatch.spaceSeparated(sub).map(String.init),
                           sub.split(separator: " ", omittingEmptySubsequences: true).map(String.init), s)
            XCTAssertEqual(FirewallBatch.normalized(s), s.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " "), s)
        }
    }

    func testTagsAreFoundAsBefore() {
        func reference(_ rule: String) -> String? {
            guard let r = rule.range(of: "--comment ") else { return nil }
            var rest = rule[r.upperBound...]
            let comment: Substring
            if rest.first == "\"" { rest = rest.dropFirst(); comment = rest.prefix { $0 != "\"" } } else { comment = rest.prefix { $0 != " " } }
            return comment.hasPrefix("plumb:") ? String(comment) : nil
        }
        for s in samples { XCTAssertEqual(FirewallBatch.tag(of: s), reference(s), s) }
        XCTAssertEqual(FirewallBatch.tag(of: samples[0]), "plumb:web:k1")
    }
}
