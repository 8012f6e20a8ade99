#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import PlumbModel

/// Finds the user-mode network helpers (slirp4netns, pasta) and the namespace each serves, from their command
/// lines: `slirp4netns [OPTION]... PID|PATH [TAPNAME]` (PATH with `--netns-type=path`), and pasta's
/// `--netns PATH|NAME` or a trailing PID. The helper runs outside the namespace it serves (in the host's or
/// the rootless user's network namespace), so only this names it for that namespace.
///
/// Cost: the helpers are picked by comm. A full read has every comm already; a light one (`ns ls`) reads
/// /proc/PID/comm only when some namespace other than the host's has a tun device, which a helper's tap is.
public enum NetworkHelpers {
    /// The namespace each helper serves, by namespace id; the first helper found for a namespace wins.
    public static func find(namespaces: [Namespace], processes: [ProcessRecord], root: String = "/") -> [UInt64: NetworkHelper] {
        let fs = RootFS(root)
        let needed = namespaces.contains { !$0.isHost && $0.links.contains { $0.kind == .tun } }
        var candidates = [(pid: Int32, program: String)]()
        for p in processes {
            var comm = p.comm
            if comm.isEmpty {
                guard needed, let bytes = fs.smallBytes("/proc/\(p.pid)/comm", limit: 64) else { continue }
                comm = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
            }
            if let program = program(comm: comm) { candidates.append((p.pid, program)) }
        }
        guard !candidates.isEmpty else { return [:] }
        let nsOfPid = Dictionary(processes.compactMap { p in p.namespace.map { (p.pid, $0) } }, uniquingKeysWith: { a, _ in a })
        var byPath = [String: UInt64]()
        for ns in namespaces { for path in ns.paths { byPath[Canonical.path(path)] = ns.id } }
        let known = Set(namespaces.map(\.id))
        var result = [UInt64: NetworkHelper]()
        for c in candidates {
            guard let facts = ProcessFacts(fs: fs, pid: c.pid), let target = target(argv: facts.argv, program: c.program) else { continue }
            let id: UInt64?
            switch target.namespace {
            case .pid(let pid): id = nsOfPid[pid]
            case .path(let path): id = byPath[Canonical.path(path)] ?? inode(fs.path("/proc/\(c.pid)/root") + path)
            }
            guard let id, known.contains(id), result[id] == nil else { continue }
            result[id] = NetworkHelper(program: c.program, pid: c.pid, link: target.link)
        }
        return result
    }

    /// "slirp4netns", "pasta" (also installed as passt's hard link; comm may carry passt's ".avx2" suffix).
    static func program(comm: String) -> String? {
        if comm == "slirp4netns" { return comm }
        if comm.hasPrefix("pasta") { return "pasta" }
        return nil
    }

    enum ServedNamespace: Equatable { case pid(Int32), path(String) }

    /// The namespace a helper's command line names, and the tap device it serves.
    static func target(argv: [String], program: String) -> (namespace: ServedNamespace, link: String?)? {
        program == "slirp4netns" ? slirp4netns(argv) : pasta(argv)
    }

    /// slirp4netns's options with a value (getopt_long: "--mtu=1500", "--mtu 1500", "-m1500", "-m 1500").
    private static let slirpShortValues: Set<Character> = ["e", "r", "m", "a"]
    private static let slirpLongValues: Set<String> = ["exit-fd", "ready-fd", "mtu", "api-socket", "cidr", "netns-type",
                                                       "userns-path", "outbound-addr", "outbound-addr6", "macaddress", "target-type"]

    static func slirp4netns(_ argv: [String]) -> (namespace: ServedNamespace, link: String?)? {
        var positional = [String](), netnsType = "pid", i = 1
        while i < argv.count {
            let a = argv[i]
            if a == "--" { positional += argv[(i + 1)...]; break }
            if a.hasPrefix("--") {
                let body = a.dropFirst(2)
                if let eq = body.firstIndex(of: "=") {
                    if body[..<eq] == "netns-type" { netnsType = String(body[body.index(after: eq)...]) }
                } else if slirpLongValues.contains(String(body)), i + 1 < argv.count {
                    if body == "netns-type" { netnsType = argv[i + 1] }
                    i += 1
                }
            } else if a.hasPrefix("-") && a.count > 1 {
                // Grouped short flags; the first that takes a value takes the rest of the word or the next one.
                for (k, ch) in a.dropFirst().enumerated() where slirpShortValues.contains(ch) {
                    if k == a.count - 2 { i += 1 }
                    break
                }
            } else {
                positional.append(a)
            }
            i += 1
        }
        guard let first = positional.first, !first.isEmpty else { return nil }
        let link = positional.count > 1 ? positional[1] : "tap0"
        if netnsType == "pid", let pid = Int32(first), pid > 0 { return (.pid(pid), link) }
        return first.hasPrefix("/") ? (.path(first), link) : nil
    }

    /// pasta's options that take a separate value, so a number after them is not the PID.
    private static let pastaValues: Set<String> = [
        "-t", "-u", "-T", "-U", "-i", "-o", "-a", "-n", "-g", "-m", "-D", "-S", "-p", "-P", "-F", "-I", "-l",
        "--tcp-ports", "--udp-ports", "--tcp-ns", "--udp-ns", "--interface", "--outbound", "--address", "--netmask",
        "--gateway", "--mtu", "--dns", "--search", "--pcap", "--pid", "--fd", "--runas", "--userns", "--netns",
        "--ns-ifname", "--log-file", "--log-size", "--outbound-if4", "--outbound-if6", "--dns-forward", "--mac-addr",
    ]

    /// pasta: `--netns PATH|NAME` (a NAME is /run/netns/NAME), else a trailing PID not taken by an option.
    static func pasta(_ argv: [String]) -> (namespace: ServedNamespace, link: String?)? {
        for (i, a) in argv.enumerated() {
            var value: String?
            if a == "--netns", i + 1 < argv.count { value = argv[i + 1] }
            if a.hasPrefix("--netns=") { value = String(a.dropFirst("--netns=".count)) }
            guard let v = value, !v.isEmpty else { continue }
            return (.path(v.hasPrefix("/") ? v : "/run/netns/\(v)"), nil)
        }
        if argv.count >= 2, let last = argv.last, let pid = Int32(last), pid > 0, !pastaValues.contains(argv[argv.count - 2]) {
            return (.pid(pid), nil)
        }
        return nil
    }

    /// The nsfs inode of a namespace file, read through the helper's root (its mount namespace's view).
    private static func inode(_ path: String) -> UInt64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return UInt64(st.st_ino)
    }
}
