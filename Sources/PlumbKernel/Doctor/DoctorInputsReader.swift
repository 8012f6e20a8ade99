import Glibc
import PlumbSystem
import PlumbModel

/// Reads what the doctor needs beyond a snapshot: each namespace's own resolv.conf (a container's, from its
/// root; an `ip netns` name's /etc/netns/NAME/resolv.conf), the UDP port-53 listeners of namespaces whose
/// resolver is a loopback address, and whether br_netfilter is active. `root` prefixes every path read (tests
/// point it at a fixture tree; the sources shown in findings keep the paths as the namespace sees them).
public enum DoctorInputsReader {
    public static func read(_ snap: Snapshot, scope: Set<UInt64>? = nil, hostNamespace: UInt64? = nil,
                            root: String = "") -> DoctorInputs {
        var resolvers: [UInt64: ResolverConfig] = [:]
        var rootStat = stat()
        let haveRoot = stat(root + "/", &rootStat) == 0
        for ns in snap.namespaces where scope?.contains(ns.id) ?? true {
            guard let (source, text) = resolvConf(ns, hostRoot: haveRoot ? rootStat : nil, root: root) else { continue }
            let servers = nameservers(text)
            let loopback = servers.contains { $0.hasPrefix("127.") || $0 == "::1" }
            let listeners = loopback ? udp53Listeners(ns, root: root) : []
            resolvers[ns.id] = ResolverConfig(source: source, nameservers: servers, udp53Listeners: listeners)
        }
        // Built in or loaded, br_netfilter shows itself by its sysctl directory.
        let brnf = access(root + "/proc/sys/net/bridge/bridge-nf-call-iptables", F_OK) == 0
            || access(root + "/sys/module/br_netfilter", F_OK) == 0
        return DoctorInputs(resolvers: resolvers, brNetfilterLoaded: brnf, scope: scope, hostNamespace: hostNamespace)
    }

    /// The resolv.conf this namespace's programs read, when it has its own (not the host's /etc/resolv.conf).
    static func resolvConf(_ ns: Namespace, hostRoot: stat?, root: String = "") -> (String, String)? {
        if ns.isHost {
            return FileReader.readString(root + "/etc/resolv.conf").map { ("/etc/resolv.conf", $0) }
        }
        for p in ns.paths where p.hasPrefix("/run/netns/") {
            let path = "/etc/netns/\(p.dropFirst("/run/netns/".count))/resolv.conf"
            if let t = FileReader.readString(root + path) { return (path, t) }
        }
        // A container: its first process with a root of its own.
        for pid in ns.pids.prefix(4) {
            var st = stat()
            guard stat(root + "/proc/\(pid)/root", &st) == 0 else { continue }
            if let h = hostRoot, st.st_dev == h.st_dev && st.st_ino == h.st_ino { continue }
            let path = "/proc/\(pid)/root/etc/resolv.conf"
            if let t = FileReader.readString(root + path) { return (path, t) }
        }
        return nil
    }

    static func nameservers(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let w = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            return w.count >= 2 && w[0] == "nameserver" ? String(w[1]) : nil
        }
    }

    /// Local addresses bound to UDP port 53 in the namespace, from /proc/net/udp{,6} as seen inside it.
    static func udp53Listeners(_ ns: Namespace, root: String = "") -> [String] {
        if let pid = ns.pids.first {
            return parseUdp(FileReader.readString(root + "/proc/\(pid)/net/udp") ?? "", v6: false)
                + parseUdp(FileReader.readString(root + "/proc/\(pid)/net/udp6") ?? "", v6: true)
        }
        // A namespace without processes is entered to read its sockets: not from a fixture tree.
        guard root.isEmpty, let path = ns.paths.first ?? (ns.isHost ? "/proc/self/ns/net" : nil) else { return [] }
        guard let file = FileDescriptor.openIfPresent(path, O_RDONLY) else { return [] }
        let text = try? NamespaceWorkers.run(inNamespaceFd: file.rawValue) {
            (FileReader.readString("/proc/thread-self/net/udp") ?? "", FileReader.readString("/proc/thread-self/net/udp6") ?? "")
        }
        guard let (v4, v6) = text else { return [] }
        return parseUdp(v4, v6: false) + parseUdp(v6, v6: true)
    }

    /// `sl local_address rem_address ...` lines; addresses are hex in host byte order per 32-bit word.
    static func parseUdp(_ text: String, v6: Bool) -> [String] {
        var out: [String] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ")
            guard f.count > 2 else { continue }
            let local = f[1].split(separator: ":")
            guard local.count == 2, local[1] == "0035" else { continue }
            let hex = Array(local[0].utf8)
            var bytes: [UInt8] = []
            for word in stride(from: 0, to: hex.count, by: 8) {
                guard word + 8 <= hex.count,
                      let w = UInt32(String(decoding: hex[word..<(word + 8)], as: UTF8.self), radix: 16) else { break }
                let le = UInt32(littleEndian: w)  // /proc prints the in-memory word
                bytes += [UInt8(le & 0xff), UInt8(le >> 8 & 0xff), UInt8(le >> 16 & 0xff), UInt8(le >> 24)]
            }
            if !v6 && bytes.count == 4 { out.append(bytes.map(String.init).joined(separator: ".")) }
            if v6 && bytes.count == 16 {
                out.append(bytes.allSatisfy { $0 == 0 } ? "::" : stride(from: 0, to: 16, by: 2)
                    .map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":"))
            }
        }
        return out
    }
}
