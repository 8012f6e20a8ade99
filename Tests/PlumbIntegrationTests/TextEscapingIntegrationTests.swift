import Foundation
import XCTest

/// A link whose name holds a terminal escape (`ip link add` takes it: the kernel refuses only '/', ':',
/// whitespace and names over 15 bytes), as whoever controls a container's namespace could name one. The text
/// outputs and errors that show it print the escape visibly, never the ESC byte.
final class TextEscapingIntegrationTests: RootTestCase {
    func testAnEscapeInALinkNameIsPrintedVisibly() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let ns = try lab.addNamespace("esc")
        let hostile = "pt\u{1B}[7m\(lab.tag)"  // SGR reverse video: 2 + 4 + 3 bytes
        try lab.ip(ns, "link", "add", hostile, "type", "veth", "peer", "name", lab.linkName("e1"))
        let visible = "pt\\x1b[7m\(lab.tag)"
        // (what, arguments, whether the output names the link)
        let runs: [(String, [String], Bool)] = [
            ("snapshot", ["snapshot", ns], true),
            ("ns ls", ["ns", "ls"], false),
            ("doctor", ["doctor", ns], false),
            // An unknown interface is an error that lists the namespace's interfaces.
            ("capture error", ["capture", ns, "-i", "pt-none"], true),
        ]
        for (what, args, names) in runs {
            let r = try Shell.result([CLITests.binary] + args)
            let all = r.stdout + r.stderr
            XCTAssertFalse(all.unicodeScalars.contains("\u{1B}"), "\(what) printed a raw ESC: \(all.debugDescription)")
            if names {
                XCTAssertTrue(all.contains(visible), "\(what) should show \(visible):\n\(all)")
            }
        }
        // JSON keeps the name exactly (JSON's own escape).
        let json = try Shell.result([CLITests.binary, "snapshot", ns, "--json"])
        XCTAssertTrue(json.stdout.contains("pt\\u001b[7m\(lab.tag)"), json.stdout)
    }
}
