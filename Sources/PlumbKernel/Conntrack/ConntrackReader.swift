import Glibc
import PlumbSystem
import PlumbModel

/// Conntrack of one namespace, read over ctnetlink. The socket is opened once inside the namespace (on a
/// worker thread, the namespace checked by its cookie) and then read from the calling thread: a socket stays
/// bound to the namespace it was opened in.
///
///     let table = try ConntrackReader.table(in: handle)   // entries + usage
///     let usage = try ConntrackReader.usage(in: handle)   // just the counts (cheap: no dump)
public enum ConntrackReader {
    /// A ctnetlink socket in the handle's namespace.
    public static func open(_ ns: NamespaceHandle) throws -> ConntrackSocket {
        if ns.isHost { return try ConntrackSocket() }
        let file = try NamespaceOpener.open(ns)
        return try NamespaceWorkers.run(inNamespaceFd: file.rawValue) { try ConntrackSocket() }
    }

    /// Every entry of the namespace's table.
    public static func entries(in ns: NamespaceHandle) throws -> [ConntrackEntry] {
        try open(ns).entries()
    }

    /// Entries against nf_conntrack_max, and whether accounting is on.
    public static func usage(in ns: NamespaceHandle) throws -> ConntrackUsage {
        try open(ns).usage()
    }

    /// Both, from one socket: the usage first, so the dump's array is sized once.
    public static func table(in ns: NamespaceHandle) throws -> ConntrackTable {
        let socket = try open(ns)
        let usage = try socket.usage()
        return ConntrackTable(entries: try socket.entries(reserve: usage.count + usage.count / 8), usage: usage)
    }
}
