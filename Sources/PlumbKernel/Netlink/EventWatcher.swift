import Glibc
import CNetlink
import PlumbModel

/// Wakes the live view as soon as any watched namespace reports a change: one netlink socket per namespace,
/// subscribed to link, address and route multicast groups (not neighbours: ARP refreshes would
/// cost a snapshot each). The messages themselves are discarded;
/// the next snapshot reads the new state, so a flapping link reaches the screen within one snapshot time instead
/// of one refresh interval.
public final class EventWatcher: @unchecked Sendable {
    private var sockets: [UInt64: OpaquePointer] = [:]

    public init() {}

    deinit { sockets.values.forEach { nl_socket_free($0) } }

    /// Subscribes to every namespace of the snapshot not watched yet, and drops the ones that are gone.
    public func follow(_ snap: Snapshot) {
        let live = Set(snap.namespaces.map(\.id))
        for (id, sk) in sockets where !live.contains(id) {
            nl_socket_free(sk)
            sockets[id] = nil
        }
        for ns in snap.namespaces where sockets[ns.id] == nil {
            guard let path = Self.path(of: ns) else { continue }
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            let box = SocketBox()
            NamespaceWorkers.forEach(fds: [ns.isHost ? -1 : fd], threads: 1) { _, entered in
                guard case .success = entered else { return }
                box.socket = Self.subscribe()
            }
            if let sk = box.socket { sockets[ns.id] = sk }
        }
    }

    public var watchedCount: Int { sockets.count }

    /// Waits up to `timeoutMillis` for an event in any namespace; drains what arrived. True when something did.
    public func wait(timeoutMillis: Int32) -> Bool {
        var fds = sockets.values.map { pollfd(fd: nl_socket_get_fd($0), events: Int16(POLLIN), revents: 0) }
        if fds.isEmpty { usleep(UInt32(max(0, timeoutMillis)) * 1000); return false }
        let n = poll(&fds, nfds_t(fds.count), timeoutMillis)
        guard n > 0 else { return false }
        var buf = [UInt8](repeating: 0, count: 65536)
        for p in fds where p.revents != 0 {
            while recv(p.fd, &buf, buf.count, Int32(MSG_DONTWAIT)) > 0 {}
        }
        return true
    }

    static func subscribe() -> OpaquePointer? {
        guard let sk = nl_socket_alloc() else { return nil }
        nl_socket_disable_seq_check(sk)
        guard nl_connect(sk, NETLINK_ROUTE) == 0 else { nl_socket_free(sk); return nil }
        for group in [RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE] {
            _ = nl_socket_add_membership(sk, Int32(group.rawValue))
        }
        _ = nl_socket_set_nonblocking(sk)
        return sk
    }

    static func path(of ns: Namespace) -> String? { ns.entryFile }

    private final class SocketBox: @unchecked Sendable { var socket: OpaquePointer? }
}
