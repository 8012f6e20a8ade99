import Foundation
import XCTest

/// Drives the real binary in tmux: start, move, filter, help, resize, quit; checks the captured screen.
final class TUISmokeTests: RootTestCase {
    func tmux(_ args: String...) throws -> String { try Shell.run(["tmux"] + args) }

    func screen(_ session: String) throws -> String { try tmux("capture-pane", "-p", "-t", session) }

    /// Polls the screen until `text` shows (the UI refreshes in the background).
    func waitFor(_ text: String, in session: String, timeout: Double = 5) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen(session)
            if last.contains(text) { return last }
            usleep(100_000)
        }
        XCTFail("'\(text)' never appeared on screen:\n\(last)")
        return last
    }

    func testStartMoveFilterHelpResizeQuit() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let ns = try lab.addNamespace("tui")
        try lab.ip(ns, "link", "add", "ptx0", "type", "veth", "peer", "name", "ptx1")
        let session = "pt-tui-\(lab.tag)"
        defer { _ = try? Shell.detached(["tmux", "kill-session", "-t", session]) }
        let started = try Shell.detached(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                                          "env", "TERM=xterm-256color", CLITests.binary])
        XCTAssertEqual(started, 0)

        var s = try waitFor("Namespaces", in: session)
        XCTAssertTrue(s.contains("host"), s)

        // Filter to the test namespace (on a busy host it may be below the first screen), drill in: its veth
        // pair shows with its peer.
        _ = try tmux("send-keys", "-t", session, "/", ns, "Enter")
        s = try waitFor("ptx0", in: session)
        XCTAssertTrue(s.contains(ns), "the test namespace is listed:\n\(s)")
        XCTAssertTrue(s.contains("→ ptx1"), s)

        _ = try tmux("send-keys", "-t", session, "Escape", "?")
        s = try waitFor("this help", in: session)
        XCTAssertTrue(s.contains("q"), s)
        _ = try tmux("send-keys", "-t", session, "Escape")

        _ = try tmux("resize-window", "-t", session, "-x", "50", "-y", "12")
        s = try waitFor("terminal too small", in: session)
        _ = try tmux("resize-window", "-t", session, "-x", "100", "-y", "30")
        s = try waitFor("Namespaces", in: session)

        _ = try tmux("send-keys", "-t", session, "q")
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, (try? Shell.detached(["tmux", "has-session", "-t", session])) == 0 { usleep(100_000) }
        XCTAssertNotEqual(try Shell.detached(["tmux", "has-session", "-t", session]), 0, "q quits")
    }

    /// A fatal signal while the TUI has the terminal (SIGTERM from kill, SIGHUP when the terminal goes away)
    /// restores it before plumb ends: the shell that started plumb gets echo and line editing back.
    /// The write(2) calls of the whole process so far (/proc/PID/io: all its threads).
    private func writeCalls(_ pid: Int32) throws -> Int {
        let io = try String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8)
        let line = try XCTUnwrap(io.split(separator: "\n").first { $0.hasPrefix("syscw:") })
        return try XCTUnwrap(Int(line.dropFirst("syscw:".count).trimmingCharacters(in: .whitespaces)))
    }

    /// A frame reaches the terminal in one write, however many rows changed: ncurses 6.4 wrote at every cursor
    /// move until its screen had once been left and resumed (a frame of 40 rows was 40 writes, 40 packets over
    /// ssh). The help overlay redraws most of a 120x40 screen; the only other writes are the wake pipes' bytes
    /// (a snapshot, a batch of drops) and the frames they bring.
    func testAFrameIsOneWriteHoweverManyRowsChanged() throws {
        try requireRoot()
        let session = "pt-tui-writes-\(getpid())"
        defer { _ = try? Shell.detached(["tmux", "kill-session", "-t", session]) }
        XCTAssertEqual(try Shell.detached(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                                           "env", "TERM=xterm-256color", CLITests.binary, "--interval", "5"]), 0)
        _ = try waitFor("Namespaces", in: session)
        let pid = try XCTUnwrap(Int32(try tmux("display", "-p", "-t", session, "#{pane_pid}").trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertTrue(try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8).hasPrefix(CLITests.binary), "the pane runs plumb itself")
        for (key, shows) in [("?", "this help"), ("Escape", "Namespaces")] {
            let before = try writeCalls(pid)
            let screenBefore = try screen(session)
            _ = try tmux("send-keys", "-t", session, key)
            let after = try waitFor(shows, in: session)
            usleep(300_000)
            let writes = try writeCalls(pid) - before
            let before_ = screenBefore.split(separator: "\n", omittingEmptySubsequences: false)
            let after_ = after.split(separator: "\n", omittingEmptySubsequences: false)
            let changedRows = zip(before_, after_).filter { $0 != $1 }.count
            XCTAssertGreaterThanOrEqual(changedRows, 20, "\(key) redraws most rows")
            XCTAssertLessThanOrEqual(writes, 10, "\(key): \(writes) writes for \(changedRows) changed rows")
        }
    }

    func testAFatalSignalRestoresTheTerminal() throws {
        try requireRoot()
        let tag = String(format: "%04x", Int.random(in: 0..<65536))
        for sig in [SIGHUP, SIGTERM] {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("pt-stty-\(tag)-\(sig)").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            let session = "pt-tsig-\(tag)-\(sig)"
            defer { _ = try? Shell.detached(["tmux", "kill-session", "-t", session]) }
            // The script is fixed text; plumb's path and the output file come in as $0 and $1.
            XCTAssertEqual(try Shell.detached(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                                               "env", "TERM=xterm-256color", "sh", "-c", "\"$0\" tui; stty -a > \"$1\"; sleep 60",
                                               CLITests.binary, out]), 0)
            _ = try waitFor("Namespaces", in: session)
            let shell = try XCTUnwrap(Int32(try tmux("list-panes", "-t", session, "-F", "#{pane_pid}")
                .trimmingCharacters(in: .whitespacesAndNewlines)))
            let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
            let plumb = try XCTUnwrap(children.split(separator: " ").first.flatMap { Int32($0) }, "plumb runs under the shell")
            XCTAssertEqual(kill(plumb, sig), 0)
            let deadline = Date().addingTimeInterval(5)
            var modes = ""
            while Date() < deadline {
                modes = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
                if modes.contains("icanon") { break }
                usleep(100_000)
            }
            let words = Set(modes.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "\n" }).map(String.init))
            XCTAssertTrue(words.contains("icanon") && words.contains("echo") && words.contains("isig"),
                          "signal \(sig): the terminal is still raw:\n\(modes)")
        }
    }

    /// `s` suspends the screen, runs a shell inside the selected namespace, and restores the screen on exit.
    func testShellKeyRunsAShellInTheNamespaceAndRestoresTheScreen() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let ns = try lab.addNamespace("tsh")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("pt-shell-\(lab.tag)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let session = "pt-tsh-\(lab.tag)"
        defer { _ = try? Shell.detached(["tmux", "kill-session", "-t", session]) }
        XCTAssertEqual(try Shell.detached(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                                           "env", "TERM=xterm-256color", "SHELL=/bin/sh", CLITests.binary]), 0)
        _ = try waitFor("Namespaces", in: session)
        _ = try tmux("send-keys", "-t", session, "/", ns, "Enter")
        _ = try waitFor("lo", in: session)
        _ = try tmux("send-keys", "-t", session, "s")
        _ = try waitFor("[plumb:\(ns)]", in: session)
        _ = try tmux("send-keys", "-t", session, "-l", "echo $PLUMB_NS $(readlink /proc/self/ns/net) > \(out); exit 3")
        _ = try tmux("send-keys", "-t", session, "Enter")
        let back = try waitFor("exited with 3", in: session)
        XCTAssertTrue(back.contains("Namespaces"), "the screen is drawn again:\n\(back)")
        let inode = try TopologyFixture.inode("/run/netns/\(ns)")
        let written = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertEqual(written, "\(ns) net:[\(inode)]\n")
        _ = try tmux("send-keys", "-t", session, "q")
    }

    /// `c` on a link opens a live capture pane below the topology; `w` saves what it holds as a valid file.
    func testCaptureKeyShowsLivePacketsAndSaves() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let a = try lab.addNamespace("tca"), b = try lab.addNamespace("tcb")
        let va = lab.linkName("ca"), vb = lab.linkName("cb")
        try lab.ip(a, "link", "add", va, "type", "veth", "peer", "name", vb, "netns", b)
        try lab.ip(a, "addr", "add", "10.213.173.1/24", "dev", va)
        try lab.ip(b, "addr", "add", "10.213.173.2/24", "dev", vb)
        try lab.ip(a, "link", "set", va, "up")
        try lab.ip(b, "link", "set", vb, "up")
        let ping = try Shell.spawn(["ip", "netns", "exec", a, "ping", "-i", "0.2", "10.213.173.2"])
        lab.ownProcess(ping)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pt-tui-\(lab.tag).pcapng").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let session = "pt-tca-\(lab.tag)"
        defer { _ = try? Shell.detached(["tmux", "kill-session", "-t", session]) }
        XCTAssertEqual(try Shell.detached(["tmux", "new-session", "-d", "-s", session, "-x", "140", "-y", "44",
                                           "env", "TERM=xterm-256color", CLITests.binary]), 0)
        _ = try waitFor("Namespaces", in: session)
        _ = try tmux("send-keys", "-t", session, ":", "link \(va)", "Enter")
        _ = try waitFor("→ \(vb)", in: session)
        _ = try tmux("send-keys", "-t", session, "c")
        var screen = try waitFor("ICMP echo request", in: session)
        XCTAssertTrue(screen.contains("Capture: \(a)/\(va)"), screen)
        XCTAssertTrue(screen.contains("dropped by the kernel"), screen)
        // Only echo replies after a filter change.
        _ = try tmux("send-keys", "-t", session, "e", "C-u")
        _ = try tmux("send-keys", "-t", session, "-l", "icmp[icmptype] == 0")
        _ = try tmux("send-keys", "-t", session, "Enter")
        screen = try waitFor("[icmp[icmptype] == 0]", in: session)
        screen = try waitFor("ICMP echo reply", in: session)
        usleep(700_000)
        // w offers plumb-NS-LINK.pcapng: Ctrl-U clears it for our own name.
        _ = try tmux("send-keys", "-t", session, "w")
        screen = try waitFor("save to: plumb-\(a)-\(va).pcapng", in: session)
        _ = try tmux("send-keys", "-t", session, "C-u")
        _ = try tmux("send-keys", "-t", session, "-l", file)
        _ = try tmux("send-keys", "-t", session, "Enter")
        screen = try waitFor(" to \(file)", in: session)  // "wrote N packets to FILE" (or "1 packet")
        let written = screen.components(separatedBy: "wrote ").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? -1
        XCTAssertGreaterThan(written, 0, screen)
        let tshark = try Shell.run("tshark", "-r", file, "-T", "fields", "-e", "icmp.type")
        let types = tshark.split(separator: "\n").map(String.init)
        XCTAssertEqual(types.count, written, "tshark reads every packet the pane saved")
        XCTAssertEqual(Set(types), ["0"], "only echo replies passed the filter")
        _ = try tmux("send-keys", "-t", session, "x")
        usleep(500_000)
        XCTAssertFalse(try self.screen(session).contains("Capture:"), "x closes the pane")
        _ = try tmux("send-keys", "-t", session, "q")
    }

    /// The doctor in the TUI: a veth end down shows as a finding with a badge; `f` shows the plan, `y` applies
    /// it (the link comes up), `u` + `y` undoes it (the link goes down again).
    func testFixAndUndoFromTheDoctorTab() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let a = try lab.addNamespace("tfa"), b = try lab.addNamespace("tfb")
        let va = lab.linkName("fa"), vb = lab.linkName("fb")
        try lab.ip(a, "link", "add", va, "type", "veth", "peer", "name", vb, "netns", b)
        try lab.ip(a, "link", "set", va, "up")  // vb stays down: the fault
        let stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-tui-state-\(lab.tag)").path
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let session = "pt-tfx-\(lab.tag)"
        defer { _ = try? Shell.detached(["tmux", "kill-session", "-t", session]) }
        XCTAssertEqual(try Shell.detached(["tmux", "new-session", "-d", "-s", session, "-x", "150", "-y", "44",
                                           "env", "TERM=xterm-256color", CLITests.binary, "--state-dir", stateDir]), 0)
        _ = try waitFor("Namespaces", in: session)
        _ = try tmux("send-keys", "-t", session, "f")
        _ = try waitFor(" Doctor ", in: session)
        _ = try tmux("send-keys", "-t", session, "/", vb, "Enter")
        var screen = try waitFor("veth \(vb) in \(b) is down", in: session)
        let row = screen.split(separator: "\n").first { $0.contains("veth \(vb) in \(b) is down") } ?? ""
        let fixColumn = row.split(separator: "│").last?.trimmingCharacters(in: .whitespaces) ?? ""
        XCTAssertTrue(row.contains("error") && row.contains("wiring-down") && fixColumn.hasSuffix("fix"), String(row))
        _ = try tmux("send-keys", "-t", session, "f")
        screen = try waitFor("y / Enter: apply", in: session)
        XCTAssertTrue(screen.contains("link set \(vb) up"), screen)
        XCTAssertTrue(try Shell.run("ip", "-n", b, "-j", "link", "show", vb).contains("\"operstate\":\"DOWN\""),
                      "nothing changes before the answer")
        _ = try tmux("send-keys", "-t", session, "y")
        _ = try waitFor("fixed wiring-down", in: session)
        let up = try Shell.run("ip", "-n", b, "-o", "link", "show", vb)
        XCTAssertTrue(up.contains("<BROADCAST,MULTICAST,UP"), up)
        _ = try tmux("send-keys", "-t", session, "u")
        screen = try waitFor("Undo the fix for wiring-down", in: session)
        XCTAssertTrue(screen.contains("link set \(vb) down"), "the dialog names the undo's command: \(screen)")
        _ = try tmux("send-keys", "-t", session, "y")
        _ = try waitFor("undid the fix", in: session)
        let down = try Shell.run("ip", "-n", b, "-o", "link", "show", vb)
        XCTAssertFalse(down.contains(",UP"), "the undo brought the fault back: \(down)")
        _ = try tmux("send-keys", "-t", session, "q")
    }

    func testNotATerminalPrintsTheSnapshotInstead() throws {
        try requireRoot()
        let r = try Shell.result([CLITests.binary])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("host  net:["), r.stdout)
    }
}
