import Foundation
import XCTest
@testable import PlumbDocs
import PlumbCLI

/// docs/man/*.1 and docs/keybindings.md are generated from the code; this fails when a command, option, help
/// text or key changed and `make docs` was not run.
final class GeneratedDocsTests: XCTestCase {
    func testCommittedDocumentsMatchTheCode() throws {
        let files = try GeneratedDocs.files()
        XCTAssertGreaterThan(files.count, 10)
        for file in files {
            let committed = FileManager.default.contents(atPath: Repository.path(file.path))
            XCTAssertNotNil(committed, "\(file.path) is missing: run make docs")
            if let committed, committed != Data(file.text.utf8) {
                XCTFail("\(file.path) is stale: run make docs (first differing line: \(firstDifference(committed, file.text)))")
            }
        }
        let manual = Repository.path(GeneratedDocs.manualDirectory)
        let pages = Set(try FileManager.default.contentsOfDirectory(atPath: manual).filter { $0.hasSuffix(".1") })
        let generated = Set(files.map { ($0.path as NSString).lastPathComponent }.filter { $0.hasSuffix(".1") })
        XCTAssertEqual(pages.subtracting(generated), [], "man pages of commands that no longer exist: run make docs")
    }

    func testEveryCommandHasAPageThatNamesItsOptions() throws {
        let files = try GeneratedDocs.files()
        let capture = try XCTUnwrap(files.first { $0.path.hasSuffix("/plumb-capture.1") })
        XCTAssertTrue(capture.text.contains(".Nm plumb capture\n"), capture.text)
        XCTAssertTrue(capture.text.contains(".It Fl f , Fl -filter Ar filter") || capture.text.contains("Fl -filter"),
                      capture.text)
        let root = try XCTUnwrap(files.first { $0.path.hasSuffix("/plumb.1") })
        for command in ["snapshot", "net", "capture", "doctor", "trace"] {
            XCTAssertTrue(root.text.contains(".It Ic \(command)\n"), "plumb.1 lists \(command)")
            XCTAssertTrue(files.contains { $0.path.hasSuffix("/plumb-\(command).1") }, "plumb-\(command).1")
        }
        XCTAssertTrue(files.contains { $0.path.hasSuffix("/plumb-net-create.1") })
    }

    /// Every argument and option of every command says what it is: the man pages and --help list them.
    func testEveryArgumentHasADescription() throws {
        let root = try CommandHelp.decodeDump(PlumbCommand._dumpHelp())
        var missing: [String] = []
        func walk(_ c: CommandHelp, _ path: String) {
            for a in c.visibleArguments where (a.abstract ?? "").isEmpty {
                missing.append("\(path) \(a.names?.first.map { $0.name } ?? a.valueName ?? "?")")
            }
            for sub in c.visibleSubcommands { walk(sub, "\(path) \(sub.commandName)") }
        }
        walk(root, "plumb")
        XCTAssertEqual(missing, [], "arguments without a description")
    }

    /// `--json` and `--pretty` go together on every command: the JSON is one line by default and `--pretty`
    /// indents it. Only `capture` streams NDJSON (one packet a line), where indenting would break the format.
    func testEveryCommandWithJSONOffersPretty() throws {
        let root = try CommandHelp.decodeDump(PlumbCommand._dumpHelp())
        var withJSON: [String] = [], missing: [String] = []
        func walk(_ c: CommandHelp, _ path: String) {
            let longs = Set((c.arguments ?? []).flatMap { ($0.names ?? []).filter { $0.kind == .long }.map(\.name) })
            if longs.contains("json") {
                withJSON.append(path)
                if !longs.contains("pretty") && path != "plumb capture" { missing.append(path) }
            }
            for sub in c.subcommands ?? [] where sub.commandName != "help" { walk(sub, "\(path) \(sub.commandName)") }
        }
        walk(root, "plumb")
        XCTAssertGreaterThan(withJSON.count, 15, "\(withJSON)")
        XCTAssertTrue(withJSON.contains("plumb net inspect") && withJSON.contains("plumb capture"), "\(withJSON)")
        XCTAssertEqual(missing, [], "--json without --pretty")
    }

    func testTextIsEscapedForMdoc() {
        XCTAssertEqual(ManualPage.escapeLine(".hidden"), "\\&.hidden")
        XCTAssertEqual(ManualPage.escapeLine("a\\b"), "a\\eb")
        XCTAssertEqual(ManualPage.escapeInline("bridge | macvlan Ar"), "bridge \\&| macvlan \\&Ar")
        XCTAssertEqual(ManualPage.paragraphs("one\n\n\ntwo\n"), ["one", ".Pp", "two"])
    }

    func testKeybindingsPageIsTheKeymapTable() {
        let page = GeneratedDocs.keybindingsPage()
        XCTAssertTrue(page.contains("| Keys | Where | Action |\n|---|---|---|\n"))
        XCTAssertTrue(page.contains("| `?` | Everywhere |"), page)
    }

    private func firstDifference(_ committed: Data, _ generated: String) -> String {
        let old = String(decoding: committed, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let new = generated.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, pair) in zip(old, new).enumerated() where pair.0 != pair.1 {
            return "line \(i + 1): committed \"\(pair.0)\", generated \"\(pair.1)\""
        }
        return "line \(min(old.count, new.count) + 1): one of the two ends there"
    }
}
