#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import PlumbModel

/// Finds the user-mode network helpers (slirp4netns, pasta) and the namespace each serves, from their command
/// lines: `slirp4netns [OPTION]... PID|PATH [TAPNAME]` (PATH with `--netns-type=path`), and pasta's
/// `--netns PATH|NAME`, a lone PID, or a command it made a namespace for. The helper runs outside the namespace it serves (in the host's or
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
            guard let facts = ProcessFacts(fs: fs, pid: c.pid), let program = program(candidate: c.program, argv: facts.argv),
                  let target = target(argv: facts.argv, program: program) else { continue }
            let id: UInt64?
            switch target.namespace {
            case .pid(let pid): id = nsOfPid[pid]
            case .path(let path): id = byPath[Canonical.path(path)] ?? inode(fs.path("/proc/\(c.pid)/root") + path)
            case .child: id = firstChild(fs, c.pid).flatMap { nsOfPid[$0] ?? inode(fs.path("/proc/\($0)/ns/net")) }
            }
            guard let id, known.contains(id), result[id] == nil else { continue }
            result[id] = NetworkHelper(program: program, pid: c.pid, link: target.link)
        }
        return result
    }

    /// "slirp4netns", or "passt" for the passt/pasta binary. Debian's pasta is a link to passt, which re-execs
    /// its AVX2 build: the comm of a running pasta is "passt.avx2", and only argv[0] tells pasta from passt.
    static func program(comm: String) -> String? {
        if comm == "slirp4netns" { return comm }
        if comm.hasPrefix("pasta") || comm.hasPrefix("passt") { return "passt" }
        return nil
    }

    /// The helper a candidate is, from its command line: passt's binary is pasta when argv[0] says so (passt
    /// itself serves a virtual machine over a socket, not a namespace).
    static func program(candidate: String, argv: [String]) -> String? {
        guard candidate == "passt" else { return candidate }
        let name = argv.first?.split(separator: "/").last ?? ""
        return name.hasPrefix("pasta") ? "pasta" : nil
    }

    /// The namespace a helper serves: a process's (its PID), a namespace file's (its path), or, for pasta
    /// started with a command, the namespace pasta made for that command, which is its child's.
    enum ServedNamespace: Equatable { case pid(Int32), path(String), child }

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

    /// pasta's options that take a value (getopt_long: "-I tap0", "-Itap0", "--ns-ifname tap0", "--ns-ifname=tap0").
    private static let pastaShortValues: Set<Character> = ["l", "F", "I", "p", "P", "m", "a", "n", "M", "g", "i", "o",
                                                           "D", "S", "s", "t", "u", "T", "U"]
    private static let pastaLongValues: Set<String> = [
        "tcp-ports", "udp-ports", "tcp-ns", "udp-ns", "interface", "outbound", "address", "netmask", "gateway", "mtu",
        "dns", "search", "pcap", "pid", "fd", "runas", "userns", "netns", "ns-ifname", "log-file", "log-size",
        "outbound-if4", "outbound-if6", "dns-forward", "mac-addr", "ns-mac-addr", "socket", "dhcp-dns", "dhcp-search",
        "no-dhcp-dns", "no-dhcp-search", "config-net-mtu", "map-host-loopback", "map-guest-addr", "dns-host",
    ]

    /// pasta: `[OPTION]... --netns PATH|NAME` (a NAME is /run/netns/NAME), `[OPTION]... PID`, or `[OPTION]...
    /// COMMAND [ARG]...` (a namespace of its own for its child). Options end at the first other argument or
    /// `--`; the tap is `-I`/`--ns-ifname`'s, else pasta names it after the host's interface (nil here).
    static func pasta(_ argv: [String]) -> (namespace: ServedNamespace, link: String?)? {
        var netns: String?, link: String?, i = 1
        var rest = [String]()
        func take(_ option: String, _ value: String) {
            if option == "netns" { netns = value }
            if option == "ns-ifname" || option == "I" { link = value }
        }
        while i < argv.count {
            let a = argv[i]
            if a == "--" { rest = Array(argv[(i + 1)...]); break }
            if a.hasPrefix("--") {
                let body = a.dropFirst(2)
                if let eq = body.firstIndex(of: "=") {
                    take(String(body[..<eq]), String(body[body.index(after: eq)...]))
                } else if pastaLongValues.contains(String(body)), i + 1 < argv.count {
                    take(String(body), argv[i + 1]); i += 1
                }
            } else if a.hasPrefix("-") && a.count > 1 {
                // Grouped short flags; the first that takes a value takes the rest of the word or the next one.
                let letters = Array(a.dropFirst())
                if let k = letters.firstIndex(where: { pastaShortValues.contains($0) }) {
                    let glued = String(letters[(k + 1)...])
                    if !glued.isEmpty { take(String(letters[k]), glued) } else if i + 1 < argv.count { take(String(letters[k]), argv[i + 1]); i += 1 }
                }
            } else {
                rest = Array(argv[i...]); break
            }
            i += 1
        }
        if let v = netns, !v.isEmpty { return (.path(v.hasPrefix("/") ? v : "/run/netns/\(v)"), link) }
        if rest.count == 1, let pid = Int32(rest[0]), pid > 0 { return (.pid(pid), link) }
        return rest.isEmpty ? nil : (.child, link)
    }

    /// The first child of a process (/proc/PID/task/PID/children), nil without one.
    private static func firstChild(_ fs: RootFS, _ pid: Int32) -> Int32? {
        guard let text = fs.text("/proc/\(pid)/task/\(pid)/children") else { return nil }
        return text.split(separator: " ").lazy.compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }.first
    }

    /// The nsfs inode of a namespace file, read through the helper's root (its mount namespace's view).
    private static func inode(_ path: String) -> UInt64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return UInt64(st.st_ino)
    }
}
