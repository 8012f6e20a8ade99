import Foundation
import XCTest

/// `make install` puts plumb, its man pages and its shell completions under PREFIX (DESTDIR for packagers).
/// Run through `make install-files` with the debug binary, into a temporary directory.
final class InstallTests: XCTestCase {
    func testInstallPutsTheBinaryManPagesAndCompletionsUnderPrefix() throws {
        let binary = Repository.path(".build/debug/plumb")
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            return XCTFail("\(binary) is missing: build with `swift build --build-tests` first")
        }
        let dest = FileManager.default.temporaryDirectory.appendingPathComponent("pt-install-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: dest) }
        let r = try Repository.run(["make", "--no-print-directory", "install-files", "PLUMB_BIN=\(binary)",
                                    "DESTDIR=\(dest)", "PREFIX=/opt/pt"])
        XCTAssertEqual(r.status, 0, r.stdout)
        let root = "\(dest)/opt/pt"
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: "\(root)/bin/plumb"))
        for page in ["plumb.1", "plumb-net-create.1", "plumb-doctor.1"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(root)/share/man/man1/\(page)"), page)
        }
        let bash = try String(contentsOfFile: "\(root)/share/bash-completion/completions/plumb", encoding: .utf8)
        XCTAssertTrue(bash.contains("snapshot") && bash.contains("conntrack"), "completes the commands")
        XCTAssertTrue(bash.contains("---completion"), "asks plumb for namespace and network names")
        let zsh = try String(contentsOfFile: "\(root)/share/zsh/site-functions/_plumb", encoding: .utf8)
        XCTAssertTrue(zsh.hasPrefix("#compdef plumb"), String(zsh.prefix(40)))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(root)/share/fish/vendor_completions.d/plumb.fish"))
        // Nothing outside DESTDIR: the prefix directory is the only thing in it.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dest), ["opt"])
    }
}
