import Glibc

/// Plumb reads every namespace and changes the kernel: it needs CAP_SYS_ADMIN (setns, reading other processes'
/// namespaces) and CAP_NET_ADMIN (netlink changes, firewall reads). Checked once, up front, so the user gets
/// one clear line instead of a pile of EPERMs.
public enum Privileges {
    static let capNetAdmin = 12
    static let capSysAdmin = 21

    /// Names of the missing capabilities (empty when all are there).
    public static func missing() -> [String] {
        guard let status = FileReader.readString("/proc/self/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let caps = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: " \t"), radix: 16)
        else { return geteuid() == 0 ? [] : ["root (CAP_NET_ADMIN, CAP_SYS_ADMIN)"] }
        var out = [String]()
        if caps & (1 << UInt64(capNetAdmin)) == 0 { out.append("CAP_NET_ADMIN") }
        if caps & (1 << UInt64(capSysAdmin)) == 0 { out.append("CAP_SYS_ADMIN") }
        return out
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
