import ArgumentParser
import Foundation
import Glibc
import PlumbKernel
import PlumbModel

/// Where `plumb exec` and the TUI's `s` key put a shell: one network namespace (a namespace name or id, a
/// link's namespace), or all namespaces of a process (`pid:N`, a container), like `nsenter -t PID -a`.
struct ShellJump: Equatable {
    var scope: NamespaceExec.Scope
    /// What the prompt marker and $PLUMB_NS say: the container or namespace name.
    var label: String

    /// The jump into `ns`. With `process`, every namespace of that process; for a namespace that holds a
    /// container (and `netOnly` unset), the container's first process, so the shell sees its files too.
    static func into(_ ns: Namespace, process: Int32? = nil, in snap: Snapshot, netOnly: Bool = false) throws -> ShellJump {
        let container = ns.containers.first
        let label = sanitized(container?.name ?? ns.displayName)
        if !netOnly, let pid = process ?? (container != nil ? rootProcess(of: ns, in: snap) : nil) {
            let network = NamespaceHandle(.pid(pid), cookie: ns.isHost ? nil : ns.cookie, inode: ns.isHost ? nil : ns.id)
            return ShellJump(scope: .process(pid: pid, network: network), label: label)
        }
        guard let handle = NamespaceHandle(ns) else {
            throw CommandFailure(description: "namespace \(ns.id) is no longer held by anything that can be entered",
                                 code: PlumbExit.notFound)
        }
        return ShellJump(scope: .network(handle), label: label)
    }

    /// The oldest process of the namespace's process tree: one whose parent lives elsewhere (the container's
    /// init rather than a shell someone started in it).
    static func rootProcess(of ns: Namespace, in snap: Snapshot) -> Int32? {
        let members = Set(ns.pids)
        let roots = snap.processes.filter { $0.namespace == ns.id && !members.contains($0.ppid) }.map(\.pid)
        return roots.min() ?? ns.pids.min()
    }

    /// The command to run: the given one, or the user's $SHELL (falling back to /bin/sh where it is missing).
    func argv(command: [String]) -> (argv: [String], fallback: String?) {
        if !command.isEmpty { return (command, nil) }
        let shell = getenv("SHELL").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/bin/sh"
        return ([shell], shell == "/bin/sh" ? nil : "/bin/sh")
    }

    /// The PATH every command gets: the caller's PATH may name directories another user can write, and the
    /// command runs as root inside the namespace.
    static let safePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    /// What is kept from the caller's environment: the terminal, the language and the home directory. The
    /// rest (credentials, LD_PRELOAD, proxies) stays out unless named with `--env`.
    static let inherited = ["TERM", "LANG", "HOME"]

    /// A clean environment: TERM, LANG and HOME from the caller (when set), PATH fixed to `safePath`, PLUMB_NS
    /// and a prompt marker (PS1 for sh/dash/busybox, and a PROMPT_COMMAND that re-adds the marker for bash,
    /// whose ~/.bashrc usually overwrites PS1), then each `--env` entry: `NAME=VALUE` sets it, `NAME` copies
    /// the caller's value (nothing when unset). Later entries win.
    func environment(extra: [String] = [], caller: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var env: [(String, String)] = Self.inherited.compactMap { name in caller[name].map { (name, $0) } }
        let marker = "[plumb:\(label)] "
        env += [("PATH", Self.safePath), ("PLUMB_NS", label), ("PS1", "\(marker)\\$ "),
                ("PROMPT_COMMAND", "case \"$PS1\" in \"\(marker)\"*) ;; *) PS1=\"\(marker)$PS1\";; esac")]
        for entry in extra {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard let value = parts.count == 2 ? String(parts[1]) : caller[name] else { continue }
            env.removeAll { $0.0 == name }
            env.append((name, value))
        }
        return env.map { "\($0.0)=\($0.1)" }
    }

    /// A `--env` entry is NAME or NAME=VALUE, NAME a shell variable name; nil when fine, else why not.
    static func envProblem(_ entry: String) -> String? {
        let name = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard let first = name.first, first == "_" || (first.isASCII && first.isLetter),
              name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
            return "--env \(entry): give NAME or NAME=VALUE, NAME made of letters, digits and _ (not starting with a digit)"
        }
        return nil
    }

    /// Only characters that are inert inside the prompt and the PROMPT_COMMAND text.
    static func sanitized(_ s: String) -> String {
        let ok = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-")
        let cleaned = String(s.map { ok.contains($0) ? $0 : "_" }.prefix(48))
        return cleaned.isEmpty ? "ns" : cleaned
    }

    /// Runs it with the clean environment (plus `env`, see `environment`) and returns the exit code.
    func run(_ command: [String], env: [String] = []) throws -> Int32 {
        let (argv, fallback) = argv(command: command)
        do {
            return try NamespaceExec.run(argv, in: scope, environment: environment(extra: env), fallback: fallback)
        } catch let f as NamespaceExec.Failure {
            throw CommandFailure(description: f.description, code: ExitCode(f.exitCode))
        }
    }
}
