/// One nsfs bind mount found in a mountinfo table: a namespace kept alive by a path.
public struct NsfsMount: Hashable, Sendable {
    /// "net", "mnt", ... (the part before ":[" in the root field).
    public var type: String
    public var inode: UInt64
    public var mountPoint: String
}

/// Parses /proc/PID/mountinfo (proc(5)). Only nsfs entries matter to Plumb: their root field is
/// `net:[4026532561]` and their mount point is the path that holds the namespace (e.g. /run/netns/web).
public enum MountInfoParser {
    public static func nsfsMounts(in text: String) -> [NsfsMount] { nsfsMounts(Array(text.utf8)) }

    /// Byte-level scan: a host with 500 namespaces has a 500-line table, read on every snapshot.
    public static func nsfsMounts(_ bytes: [UInt8]) -> [NsfsMount] {
        var result = [NsfsMount]()
        let marker = Array(" - nsfs ".utf8)
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            defer { lineStart = lineEnd + 1 }
            let line = bytes[lineStart..<lineEnd]
            guard contains(line, marker) else { continue }
            // Fields: id parent major:minor root mountpoint ...
            let fields = line.split(separator: 0x20, maxSplits: 5, omittingEmptySubsequences: false)
            guard fields.count >= 5 else { continue }
            let root = fields[3]
            guard let colon = root.firstIndex(of: 0x3A), root.index(after: colon) < root.endIndex,
                  root[root.index(after: colon)] == 0x5B, root.last == 0x5D else { continue }
            var inode: UInt64 = 0
            var digits = 0
            for b in root[(colon + 2)..<(root.endIndex - 1)] {
                guard b >= 0x30 && b <= 0x39 else { digits = -1; break }
                inode = inode &* 10 &+ UInt64(b - 0x30); digits += 1
            }
            guard digits > 0 else { continue }
            result.append(NsfsMount(type: String(decoding: root[..<colon], as: UTF8.self), inode: inode,
                                    mountPoint: unescape(Substring(String(decoding: fields[4], as: UTF8.self)))))
        }
        return result
    }

    private static func contains(_ hay: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard hay.count >= needle.count else { return false }
        var i = hay.startIndex
        let last = hay.endIndex - needle.count
        while i <= last {
            if hay[i] == needle[0] {
                var j = 1
                while j < needle.count && hay[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    /// The inverse of `unescape`: space, tab, newline and backslash as octal escapes.
    static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x5C }) else { return s }
        var out = [UInt8]()
        for b in s.utf8 {
            switch b {
            case 0x20, 0x09, 0x0A, 0x5C:
                out.append(UInt8(ascii: "\\"))
                out += Array(String(b, radix: 8).leftPadded(to: 3).utf8)
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
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

private extension String {
    func leftPadded(to n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}

/// Parses the target of a namespace link: "net:[4026531840]" -> ("net", 4026531840).
public func parseNamespaceLink(_ s: String) -> (type: String, inode: UInt64)? {
    guard let open = s.firstIndex(of: "["), s.hasSuffix("]"), open > s.startIndex else { return nil }
    let type = s[..<s.index(before: open)]
    guard s[s.index(before: open)] == ":" else { return nil }
    guard let inode = UInt64(s[s.index(after: open)..<s.index(before: s.endIndex)]) else { return nil }
    return (String(type), inode)
}
