import Foundation
import Glibc
import PlumbKernel
import PlumbModel
import PlumbTrace
import PlumbTUI

/// A live trace's answer for the TUI's dialog: its title, its lines, and the command that prints it in full.
public struct LiveTraceAnswer: Sendable, Equatable {
    public var title: String
    public var lines: [String]
    public var command: String
    public init(title: String, lines: [String], command: String) {
        self.title = title; self.lines = lines; self.command = command
    }
}

/// The TUI's `t`: runs `plumb trace SRC DST --live --json` as a child of this very binary, so the trace is the
/// CLI's in every respect (its journal, its Ctrl-C and crash cleanup, its exit codes), and the TUI's loop
/// carries no BPF program or nftables listener of its own. The answer is the live path (which already sets
/// each hop beside the static trace) under the static trace's verdict.
enum TUILiveTrace {
    static func run(from ns: Namespace, _ request: LiveTraceRequest, stateDir: String) -> LiveTraceAnswer {
        let shownArgs = request.traceArguments.joined(separator: " ")
        let command = "plumb trace \(ns.displayName) \(shownArgs) --live"
        let title = "Live trace \(ns.displayName) → \(shownArgs) (one real packet)"
        func failed(_ why: String) -> LiveTraceAnswer {
            LiveTraceAnswer(title: title, lines: ["the live trace failed: \(why)"], command: command)
        }
        guard let exe = selfExecutable() else { return failed("cannot find Plumb's own executable (/proc/self/exe)") }
        let args = ["trace", String(ns.id)] + request.traceArguments + ["--live", "--json", "--state-dir", stateDir]
        let out: CommandRunner.Output
        do { out = try CommandRunner.run(exe, args) } catch { return failed("\(error)") }
        guard let doc = try? JSONSerialization.jsonObject(with: Data(out.stdout)) as? [String: Any],
              let liveObject = doc["live"],
              let liveData = try? JSONSerialization.data(withJSONObject: liveObject),
              let live = try? JSONDecoder().decode(LiveTraceResult.self, from: liveData) else {
            let why = out.stderrText.replacingOccurrences(of: "plumb: ", with: "")
            return failed(why.isEmpty ? "exit status \(out.status)" : why)
        }
        var lines = ["static trace: \(doc["verdict"] as? String ?? "?"): \(doc["reason"] as? String ?? "")", ""]
        lines += LiveTraceTextRenderer.render(live).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        return LiveTraceAnswer(title: title, lines: lines, command: command)
    }

    static func selfExecutable() -> String? {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buf.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
