import ArgumentParser
import Foundation
import XCTest
@testable import PlumbCLI
import PlumbActions
import PlumbModel

/// The details of the command line a new user trips over first: --version, a mistyped command, the same
/// verbs on every group, no option where it means nothing, diff's exit code.
final class CommandLineConsistencyTests: XCTestCase {
    func testVersion() {
        XCTAssertThrowsError(try PlumbCommand.parseAsRoot(["--version"])) { error in
            XCTAssertEqual(PlumbCommand.message(for: error), PlumbVersion.string)
            XCTAssertEqual(PlumbCommand.exitCode(for: error), .success)
        }
        XCTAssertTrue(PlumbVersion.string.hasPrefix("plumb "))
    }

    func testAMistypedCommandNamesTheClosestOne() throws {
        let snapshots = try XCTUnwrap(UnknownCommand.check(["snapshots", "--json"]))
        XCTAssertEqual(snapshots.description, "unknown command 'snapshots' — did you mean 'snapshot'? (`plumb --help` lists the commands)")
        XCTAssertEqual(snapshots.code, PlumbExit.usage)
        XCTAssertEqual(UnknownCommand.check(["sss", "--json"])?.description.contains("did you mean 'ss'?"), true)
        XCTAssertEqual(UnknownCommand.check(["dcotor"])?.description.contains("did you mean 'doctor'?"), true)
        XCTAssertEqual(UnknownCommand.check(["net", "lsit"])?.description,
                       "unknown command 'lsit' — did you mean 'ls'? (`plumb net --help` lists the commands)")
        XCTAssertEqual(UnknownCommand.check(["zzzzzz"])?.description, "unknown command 'zzzzzz' (`plumb --help` lists the commands)")
        // Real commands, aliases, options and the default subcommands' arguments pass.
        for ok in [["ss", "--json"], ["ns", "list"], ["net", "list"], ["net", "ls"], ["--interval", "2"], [],
                   ["conntrack", "web"], ["help", "net"], ["ns", "--json"], ["conntrack", "ls"]] {
            XCTAssertNil(UnknownCommand.check(ok), "\(ok)")
        }
    }

    func testListingVerbsAreTheSameEverywhere() throws {
        for args in [["ns", "ls"], ["ns", "list"], ["net", "ls"], ["net", "list"], ["conntrack", "ls"], ["conntrack", "list"]] {
            XCTAssertNoThrow(try PlumbCommand.parseAsRoot(args), "\(args)")
        }
    }

    func testNoOptionWhereItMeansNothing() {
        for args in [["net", "ls", "--dry-run"], ["net", "inspect", "x", "--dry-run"], ["ns", "add", "x", "--host-ns", "y"]] {
            XCTAssertThrowsError(try PlumbCommand.parseAsRoot(args), "\(args)") { error in
                XCTAssertEqual(PlumbCommand.exitCode(for: error), PlumbExit.usage)
                XCTAssertTrue(PlumbCommand.message(for: error).contains("Unknown option"), PlumbCommand.message(for: error))
            }
        }
        XCTAssertNoThrow(try PlumbCommand.parseAsRoot(["ns", "rm", "x", "--host-ns", "y", "--dry-run"]))
        XCTAssertNoThrow(try PlumbCommand.parseAsRoot(["net", "inspect", "x", "--host-ns", "y", "--json"]))
    }

    /// As diff(1): 0 when nothing changed, 1 when something did.
    func testDiffExitsOneOnChanges() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-diff-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func save(_ snap: Snapshot, _ name: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try JSONEncoder().encode(snap).write(to: URL(fileURLWithPath: path))
            return path
        }
        let before = Snapshot(takenAt: 1, namespaces: [Namespace(id: 1, isHost: true)], processes: [], discovery: DiscoveryStats())
        var after = before
        after.namespaces.append(Namespace(id: 2, names: ["pt-new"]))
        let a = try save(before, "a.json"), b = try save(after, "b.json")
        var same = try XCTUnwrap(try PlumbCommand.parseAsRoot(["diff", a, a, "--json"]) as? DiffCommand)
        XCTAssertNoThrow(try same.run())
        var changed = try XCTUnwrap(try PlumbCommand.parseAsRoot(["diff", a, b, "--json"]) as? DiffCommand)
        XCTAssertThrowsError(try changed.run()) { error in
            XCTAssertEqual((error as? ExitCode)?.rawValue, 1)
        }
    }

    func testCompletionOffersNamespaceNames() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-netns-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for n in ["pt-web", "pt-db", "other"] { FileManager.default.createFile(atPath: "\(dir)/\(n)", contents: nil) }
        XCTAssertEqual(CompletionSources.namespaceNames(prefix: "pt-", directory: dir), ["pt-db", "pt-web"])
        XCTAssertEqual(CompletionSources.namespaceNames(prefix: "", directory: "\(dir)/missing"), [])
    }

    /// Every command that takes a namespace target completes it (`host` and the `ip netns` names); diff completes
    /// its snapshot files.
    func testEveryTargetArgumentCompletes() throws {
        let bash = PlumbCommand.completionScript(for: .bash)
        for command in ["snapshot", "fw", "ss", "ports", "map", "drops", "conntrack list", "conntrack delete", "capture", "exec",
                        "doctor", "trace", "ns rm", "net connect"] {
            XCTAssertTrue(bash.contains("---completion \(command) -- positional@0 "), "\(command) does not complete its target")
        }
        XCTAssertTrue(bash.contains("---completion trace -- positional@1 "), "trace completes its destination")
        XCTAssertTrue(bash.contains("_plumb_diff()"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-targets-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for n in ["pt-web", "hostile"] { FileManager.default.createFile(atPath: "\(dir)/\(n)", contents: nil) }
        XCTAssertEqual(CompletionSources.targetNames(prefix: "", directory: dir), ["host", "hostile", "pt-web"])
        XCTAssertEqual(CompletionSources.targetNames(prefix: "ho", directory: dir), ["host", "hostile"])
        XCTAssertEqual(CompletionSources.targetNames(prefix: "pt", directory: dir), ["pt-web"])
    }

    /// Network names come from the store in PLUMB_STATE_DIR; a missing store offers nothing and is not created.
    func testCompletionOffersNetworkNames() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-complete-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let previous = ProcessInfo.processInfo.environment["PLUMB_STATE_DIR"]
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            if let previous { setenv("PLUMB_STATE_DIR", previous, 1) } else { unsetenv("PLUMB_STATE_DIR") }
        }
        setenv("PLUMB_STATE_DIR", "\(dir)/missing", 1)
        XCTAssertEqual(CompletionSources.networkNames(prefix: ""), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/missing"), "completing creates no state directory")
        let store = try StateStore(path: "\(dir)/state.db")
        for name in ["web", "db", "wiki"] {
            try store.createNetwork(NetworkRecord(name: name, config: .bridge(BridgeConfig(bridge: "pt-\(name)")),
                                                  subnet: IPPrefix("10.213.0.0/24")!, gateway: IPAddress("10.213.0.1")!,
                                                  mtu: 1500, internal: false, hostNamespace: .path("/run/netns/pt-x"),
                                                  createdAt: 1_700_000_000))
        }
        setenv("PLUMB_STATE_DIR", dir, 1)
        XCTAssertEqual(CompletionSources.networkNames(prefix: "w"), ["web", "wiki"])
        XCTAssertEqual(CompletionSources.networkNames(prefix: ""), ["db", "web", "wiki"])
    }

    /// `plumb lab up` ends with the next step: the live view.
    func testLabUpEndsByTellingTheUserToRunPlumb() {
        let text = LabOutput(prefix: "lab", up: true, state: nil).text()
        let last = text.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(last.hasPrefix("Now run `plumb` to explore it live"), text)
        XCTAssertTrue(last.hasSuffix("`plumb lab down` removes it."), last)
        // Another prefix: the command that removes it names it (`plumb lab down` alone would not find it).
        let other = LabOutput(prefix: "ptau", up: true, state: nil).text()
        XCTAssertTrue(other.hasSuffix("`plumb lab down --prefix ptau` removes it.\n"), other)
        // Never "lab lab is down": the lab is named as such.
        var down = LabOutput(prefix: "lab", up: false, state: nil)
        XCTAssertEqual(down.text(), "No demo lab 'lab' is up.\n")
        down.existed = true
        XCTAssertEqual(down.text(), "The demo lab 'lab' is down.\n")
    }
}
