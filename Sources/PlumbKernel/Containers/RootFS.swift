import Foundation
import PlumbSystem

/// Best-effort reads under a filesystem root. A missing, unreadable or malformed file is the normal case
/// on a host without that runtime, so every accessor returns nil or empty instead of throwing.
struct RootFS {
    /// The root without a trailing slash ("" for "/"), so `root + "/var/lib"` is always a valid path.
    let root: String

    init(_ root: String) {
        var r = root
        while r.hasSuffix("/") { r.removeLast() }
        self.root = r
    }

    func path(_ absolute: String) -> String { root + absolute }

    /// Runtime state files are kilobytes; the cap keeps a corrupt or hostile file from costing memory.
    func bytes(_ absolute: String, limit: Int = 8 << 20) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path(absolute)) else { return nil }
        defer { try? handle.close() }
        do {
            // nil from read(upToCount:) means end of file at once: an empty file, not an error.
            return try handle.read(upToCount: limit).map { [UInt8]($0) } ?? []
        } catch {
            return nil   // e.g. EISDIR, or a /proc file whose process just exited
        }
    }

    /// A /proc file in one open/read/close, without Foundation's file handle: read for many processes.
    func smallBytes(_ absolute: String, limit: Int) -> [UInt8]? {
        FileDescriptor.readSmallFile(path(absolute), limit: limit)
    }

    func text(_ absolute: String) -> String? {
        bytes(absolute).map { String(decoding: $0, as: UTF8.self) }
    }

    func json(_ absolute: String) -> Any? {
        guard let b = bytes(absolute), !b.isEmpty else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(b))
    }

    func object(_ absolute: String) -> [String: Any]? { json(absolute) as? [String: Any] }

    /// Entry names, sorted so results do not depend on directory order.
    func list(_ absolute: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(absolute))) ?? []).sorted()
    }
}

/// JSONSerialization hands numbers back as NSNumber on Linux; this accepts either spelling.
func jsonInt(_ value: Any?) -> Int? {
    if let i = value as? Int { return i }
    if let n = value as? NSNumber { return n.intValue }
    return nil
}

/// String values of a JSON object, dropping anything that is not a string (annotations, labels).
func jsonStrings(_ value: Any?) -> [String: String] {
    guard let obj = value as? [String: Any] else { return [:] }
    return obj.compactMapValues { $0 as? String }
}
