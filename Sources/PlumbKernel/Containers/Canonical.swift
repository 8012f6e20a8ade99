#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// inet_ntop form of an address, so "fd00:0:0::5", "FD00::5" and host-local's file name "fd00::5" agree.
    /// A prefix length or a zone ("fe80::1%eth0") is dropped. Nil for anything that is not an address, which
    /// is how host-local's "lock" and "last_reserved_ip.0" files are skipped.
    static func ip(_ text: String) -> String? {
        var s = Substring(text)
        if let cut = s.firstIndex(where: { $0 == "/" || $0 == "%" }) { s = s[..<cut] }
        let str = String(s)
        var buf = [CChar](repeating: 0, count: 64)
        var v4 = in_addr()
        if inet_pton(AF_INET, str, &v4) == 1 {
            guard inet_ntop(AF_INET, &v4, &buf, socklen_t(buf.count)) != nil else { return nil }
            return decode(buf)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, str, &v6) == 1 {
            guard inet_ntop(AF_INET6, &v6, &buf, socklen_t(buf.count)) != nil else { return nil }
            return decode(buf)
        }
        return nil
    }

    private static func decode(_ buf: [CChar]) -> String {
        String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The short form `docker ps` shows.
    static func shortID(_ id: String) -> String { String(id.prefix(12)) }
}
