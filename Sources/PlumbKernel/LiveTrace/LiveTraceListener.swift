import Glibc
import Foundation
import PlumbModel
import PlumbSystem

/// Listens to the trace events of every namespace on a live trace's path at once (one socket per namespace,
/// opened before the probe is sent, so no event is missed).
public final class LiveTraceListener: @unchecked Sendable {
    private var sockets: [(namespace: UInt64, socket: NftTraceSocket)] = []
    /// Namespaces where no listener could be opened, with why.
    public private(set) var failures: [UInt64: String] = [:]

    public init(namespaces: [(id: UInt64, handle: NamespaceHandle)]) {
        for (id, handle) in namespaces {
            do { sockets.append((id, try NftTraceSocket.open(in: handle))) } catch { failures[id] = "\(error)" }
        }
    }

    /// Whether the kernel dropped events of a namespace because its listener fell behind.
    public var overrun: [UInt64] { sockets.filter(\.socket.overrun).map(\.namespace) }

    /// Collects events until none came for `quiet` seconds after the first, or `limit` seconds passed, or
    /// `stop` is woken (Ctrl-C). Events stay in the kernel's order within each namespace.
    public func collect(limit: Double, quiet: Double, stop: WakePipe?) throws -> [UInt64: [NftTraceEvent]] {
        var out: [UInt64: [NftTraceEvent]] = [:]
        let epoll = try Epoll()
        for (i, s) in sockets.enumerated() { try epoll.add(s.socket.descriptor, token: UInt64(i)) }
        let stopToken = UInt64.max
        if let stop { try epoll.add(stop.readDescriptor, token: stopToken) }
        let start = Date()
        var last: Date?
        var tokens = [UInt64](repeating: 0, count: sockets.count + 1)
        while true {
            let now = Date()
            var remaining = limit - now.timeIntervalSince(start)
            if let last { remaining = min(remaining, quiet - now.timeIntervalSince(last)) }
            if remaining <= 0 { break }
            let n = try epoll.wait(into: &tokens, timeoutMillis: Int32(max(1, remaining * 1000)))
            var stopped = false
            for t in tokens.prefix(n) {
                if t == stopToken { stopped = true; continue }
                let s = sockets[Int(t)]
                let events = s.socket.drain()
                if !events.isEmpty { out[s.namespace, default: []] += events; last = Date() }
            }
            if stopped { break }
        }
        return out
    }
}
