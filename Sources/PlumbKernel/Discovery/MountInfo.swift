/// One nsfs bind mount found in a mountinfo table: a namespace kept alive by a path.
public struct NsfsMount: Equatable, Sendable {
    /// "net", "mnt", ... (the part before ":[" in the root field).
    public var type: String
    public var inode: UInt64
    public var mountPoint: String
}

/// Parses /proc/PID/mountinfo (proc(5)). Only nsfs entries matter to Plumb: their root field is
/// `net:[4026532561]` and their mount point is the path that holds the namespace (e.g. /run/netns/web).
public enum MountInfoParser {
    public static func nsfsMounts(in text: String) -> [NsfsMount] {
        var result = [NsfsMount]()
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            // Cheap reject before splitting: only nsfs lines are of interest.
            guard line.contains(" - nsfs ") else { continue }
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count >= 5 else { continue }
            let root = fields[3]
            guard let open = root.firstIndex(of: ":"), root[root.index(after: open)...].hasPrefix("["),
                  root.hasSuffix("]") else { continue }
            let type = String(root[..<open])
            let digits = root[root.index(open, offsetBy: 2)..<root.index(before: root.endIndex)]
            guard let inode = UInt64(digits) else { continue }
            result.append(NsfsMount(type: type, inode: inode, mountPoint: unescape(fields[4])))
        }
        return result
    }

    /// mountinfo escapes space, tab, newline and backslash as \040 \011 \012 \134.
    static func unescape(_ s: Substring) -> String {
        guard s.contains("\\") else { return String(s) }
        var bytes = [UInt8]()
        let u = Array(s.utf8)
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "\\"), i + 3 < u.count,
               let v = UInt8(String(decoding: u[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                bytes.append(v); i += 4
            } else {
                bytes.append(u[i]); i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Parses the target of a namespace link: "net:[4026531840]" -> ("net", 4026531840).
public func parseNamespaceLink(_ s: String) -> (type: String, inode: UInt64)? {
    guard let open = s.firstIndex(of: "["), s.hasSuffix("]"), open > s.startIndex else { return nil }
    let type = s[..<s.index(before: open)]
    guard s[s.index(before: open)] == ":" else { return nil }
    guard let inode = UInt64(s[s.index(after: open)..<s.index(before: s.endIndex)]) else { return nil }
    return (String(type), inode)
}
