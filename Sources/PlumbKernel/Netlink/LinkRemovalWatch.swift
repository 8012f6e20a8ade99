import Glibc
import CNetlink
import PlumbSystem

/// Sees links of one namespace being removed, from its link events (RTM_DELLINK on RTNLGRP_LINK). Opened in the
/// calling thread's namespace and bound to it, like a `NetlinkSocket`.
///
/// Why: a veth whose peer's namespace is deleted goes with that namespace, unregistered by the kernel's
/// namespace cleanup in the background; deleting the host end first instead blocks the caller in the kernel for
/// an rcu_barrier (20–35 ms here). The executor deletes the namespace, then waits here until the host ends are
/// gone, so a command still returns only once `ip link` no longer shows them.
public final class LinkRemovalWatch: @unchecked Sendable {
    private let fd: FileDescriptor

    /// Subscribes before anything is deleted, so no removal can be missed.
    public init() throws(SystemError) {
        let raw = plumb_link_events_socket()
        guard raw >= 0 else { throw SystemError("socket", "NETLINK_ROUTE subscribed to RTNLGRP_LINK") }
        fd = FileDescriptor(owning: raw)
    }

    /// Waits until every link of `indexes` has been removed, or until `timeout` seconds have passed. Returns the
    /// indexes not seen removed: all of those not yet seen when events were lost (the socket overflowed), which
    /// the caller then deletes itself (tolerating "no such device").
    public func waitForRemoval(of indexes: [Int32], timeout: Double) -> [Int32] {
        var gone = [Int32](repeating: 0, count: indexes.count)
        let deadline = Self.now() + timeout
        while gone.contains(0) {
            let n = indexes.withUnsafeBufferPointer { i in
                gone.withUnsafeMutableBufferPointer { g in plumb_link_events_read(fd.rawValue, i.baseAddress, g.baseAddress, Int32(indexes.count)) }
            }
            if n < 0 { break }  // events lost: what is left is looked for by the caller
            if !gone.contains(0) { break }
            let left = deadline - Self.now()
            if left <= 0 { break }
            guard (try? fd.poll(Int16(POLLIN), timeoutMillis: Int32(max(1, (left * 1000).rounded(.up))))) != nil else { break }
        }
        return zip(indexes, gone).filter { $0.1 == 0 }.map(\.0)
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
