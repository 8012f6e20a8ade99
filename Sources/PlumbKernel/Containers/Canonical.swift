#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PlumbModel

/// Spellings that differ on disk but name the same thing.
enum Canonical {
    /// /var/run is a symlink to /run on every current distribution, and runtimes write either spelling
    /// (Docker's SandboxKey says /var/run/docker/netns, mountinfo says /run/docker/netns).
    static func path(_ p: String) -> String {
        var s = p
        while s.count > 1 && s.hasSuffix("/") { s.removeLast() }
        if s.hasPrefix("/var/run/") { s.removeFirst("/var".count) }
        return s
    }

    /// The pid in "/proc/PID/ns/net", which runtimes record for a container that joined another's namespace.
    static func procNetnsPid(_ p: String) -> Int32? {
        let parts = p.split(separator: "/")
        guard parts.count == 4, parts[0] == "proc", parts[2] == "ns", parts[3] == "net" else { return nil }
        return Int32(parts[1])
    }

    /// The model's printed form of an address (inet_ntop's), so "fd00:0:0::5", "FD00::5" and host-local's file
    /// name "fd00::5" agree. A prefix length or a zone ("fe80::1%eth0") is dropped. Nil for anything that is
    /// not an address, which is how host-local's "lock" and "last_reserved_ip.0" files are skipped.
    static func ip(_ text: String) -> String? {
        var s = Substring(text)
        if let cut = s.firstIndex(where: { $0 == "/" || $0 == "%" }) { s = s[..<cut] }
        return IPAddress(s)?.description
    }

    /// The short form `docker ps` shows.
    static func shortID(_ id: String) -> String { String(id.prefix(12)) }
}
