import Glibc
import CNetlink
import PlumbSystem
import PlumbModel

/// A ctnetlink socket subscribed to a namespace's conntrack events (new, update, destroy), opened inside the
/// namespace like `ConntrackSocket` and read from any thread.
public final class ConntrackEventSocket: @unchecked Sendable {
    let fd: FileDescriptor
    private let buffer = UnsafeMutableRawPointer.allocate(byteCount: ConntrackSocket.bufferSize, alignment: 8)
    /// Set once the kernel dropped events because they came faster than they were read.
    public private(set) var lostEvents = false

    /// Subscribes in the calling thread's namespace.
    init() throws(ConntrackError) {
        do {
            fd = try ConntrackSocket.openNetfilter(receiveBuffer: 8 << 20)
            for group in [NFNLGRP_CONNTRACK_NEW, NFNLGRP_CONNTRACK_UPDATE, NFNLGRP_CONNTRACK_DESTROY] {
                try fd.setOption(270 /* SOL_NETLINK */, NETLINK_ADD_MEMBERSHIP, Int32(group.rawValue))
            }
        } catch {
            if error.code == EPROTONOSUPPORT || error.code == ENOENT { throw .unavailable("no conntrack event groups") }
            throw .system(error)
        }
    }

    deinit { buffer.deallocate() }

    /// The events that arrive within `timeoutMillis` (-1: wait for the first), in order.
    public func next(timeoutMillis: Int32) throws(ConntrackError) -> [ConntrackEvent] {
        do {
            if try fd.poll(Int16(POLLIN), timeoutMillis: timeoutMillis) == 0 { return [] }
        } catch {
            throw .system(error)
        }
        var reader = plumb_ct_reader()
        reader.fd = fd.rawValue
        reader.buf = buffer.assumingMemoryBound(to: UInt8.self)
        reader.cap = Int32(ConntrackSocket.bufferSize)
        reader.nonblocking = 1
        var out: [ConntrackEvent] = []
        try ConntrackSocket.read(&reader) { batch in
            for r in batch {
                let kind: ConntrackEvent.Kind = r.event == 1 ? .new : r.event == 3 ? .destroy : .update
                out.append(ConntrackEvent(kind: kind, entry: ConntrackEntry(r)))
            }
        }
        if reader.lost != 0 { lostEvents = true }
        return out
    }
}

extension ConntrackReader {
    /// Subscribes to the namespace's conntrack events.
    public static func events(in ns: NamespaceHandle) throws -> ConntrackEventSocket {
        if ns.isHost { return try ConntrackEventSocket() }
        let file = try NamespaceOpener.open(ns)
        return try NamespaceWorkers.run(inNamespaceFd: file.rawValue) { try ConntrackEventSocket() }
    }
}
