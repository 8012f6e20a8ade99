import Foundation
import PlumbModel

/// One discovery, then reads of growing sets of namespaces: for `plumb trace`, which needs the namespaces a
/// packet crosses and learns which they are only while following it. Every read enters only the namespaces asked
/// for; the rest appear with no links (and the note "not read").
public final class SnapshotSession: @unchecked Sendable {
    private let reader: SnapshotReader
    private let found: DiscoveryResult
    private let started: Date

    public init(reader: SnapshotReader) {
        var r = reader
        if r.sockets == nil { r.sockets = NetlinkSocketCache() }  // reused from one read to the next
        self.reader = r
        started = Date()
        found = r.discovery.discover()
    }

    /// Every namespace discovery found.
    public var allIDs: Set<UInt64> { Set(found.namespaces.map(\.id)) }

    /// The namespace a target names when discovery alone can tell (`host`, an id or `net:[id]`, an ip-netns
    /// name, `pid:N`); nil for container names and ids, which need the runtimes' state (read everything then).
    public func id(of target: Target) -> UInt64? {
        target.match(in: found.namespaces)?.id
    }

    /// A snapshot in which only `ids` were entered and read.
    public func read(only ids: Set<UInt64>) -> Snapshot {
        reader.read(found, started: started, only: ids)
    }

    /// A snapshot of everything.
    public func readAll() -> Snapshot {
        reader.read(found, started: started, only: reader.options.only)
    }
}
