import Glibc
import PlumbSystem
import CNetlink
import CLinuxShims
import PlumbModel

/// What the kernel reported about one namespace since the last drain.
public struct NamespaceEvents: Sendable, Equatable {
    /// Links as the RTM_NEWLINK events carried them (state, flags, MTU, counters, master): applied in place.
    public var links: [Link] = []
    /// Indexes of deleted links.
    public var deleted: [Int] = []
    /// Bridge-port STP states by ifindex.
    public var portStates: [Int: String] = [:]
    public var addressesChanged = false
    public var routesChanged = false
    /// The address and route events themselves, in arrival order, for applying in place.
    public var addressChanges: [AddressChange] = []
    public var routeChanges: [RouteChange] = []
    /// nf_tables ruleset changed (iptables-nft or nft committed): the firewall must be read again.
    public var firewallChanged = false
    /// Events were lost or could not be applied: read the whole namespace again.
    public var overflow = false

    /// True when applying the events in place is not enough.
    public var needsRead: Bool { addressesChanged || routesChanged || overflow }
}

/// An address added to or removed from a link (RTM_NEWADDR / RTM_DELADDR).
public struct AddressChange: Sendable, Equatable {
    public var removed: Bool
    public var ifindex: Int
    /// The address and its prefix length, as a dump shows it.
    public var cidr: IPPrefix
}

/// A route added or removed (RTM_NEWROUTE / RTM_DELROUTE); `dev` is filled in from the model's links.
public struct RouteChange: Sendable, Equatable {
    public var removed: Bool
    public var route: Route
    /// More than one next hop: the model keeps only the first, so such a change is read, not applied.
    public var multipath: Bool
}

/// Follows every namespace's changes: per namespace one route-netlink socket subscribed to links, addresses and
/// routes (not neighbours: ARP refreshes would cost a read each), and one netfilter socket subscribed to
/// nf_tables ruleset changes. Link events are parsed, not just counted, so the live view applies a flapping
/// link in place instead of re-reading its namespace.
public final class EventWatcher: @unchecked Sendable {
    /// One namespace's two sockets; dropping the watch closes both (which also removes them from the epoll set).
    private final class Watch {
        let route: OpaquePointer
        let nftables: SharedFileDescriptor?
        init(route: OpaquePointer, nftables: SharedFileDescriptor?) { self.route = route; self.nftables = nftables }
        deinit { nl_socket_free(route) }
    }
    private var watches: [UInt64: Watch] = [:]
    /// Sockets are waited on with epoll: with 1,000 of them, poll(2) cost more than the events themselves.
    private let epoll: Epoll?
    /// epoll token -> (namespace, is the nftables socket).
    private var tokens: [UInt64: (id: UInt64, nftables: Bool)] = [:]
    private var nextToken: UInt64 = 1
    /// Ends a `wait` early from another thread (`interrupt()`): a new focus, `r` or stop need not wait for the
    /// timeout, so the timeout can be the time until the next read is due instead of a short poll.
    private let interrupter = try? WakePipe()
    private static let interruptToken = UInt64.max

    public init() {
        epoll = try? Epoll()
        if let fd = interrupter?.readDescriptor { try? epoll?.add(fd, token: Self.interruptToken) }
    }

    /// Wakes a thread blocked in `wait` (safe from any thread).
    public func interrupt() { interrupter?.wake() }

    private func register(_ fd: Int32, id: UInt64, nftables: Bool) {
        tokens[nextToken] = (id, nftables)
        try? epoll?.add(fd, token: nextToken)
        nextToken += 1
    }

    /// Subscribes to every namespace of the snapshot not watched yet, and drops the ones that are gone (a socket
    /// holds its namespace alive: Plumb must not keep a deleted namespace around).
    public func follow(_ snap: Snapshot) {
        let live = Set(snap.namespaces.map(\.id))
        for id in watches.keys where !live.contains(id) {
            watches[id] = nil  // closing removes the fds from the epoll set
        }
        tokens = tokens.filter { live.contains($0.value.id) }
        for ns in snap.namespaces where watches[ns.id] == nil {
            guard let path = NamespaceHandle(ns)?.file else { continue }
            guard let file = FileDescriptor.openIfPresent(path, O_RDONLY) else { continue }
            let box = SocketBox()
            NamespaceWorkers.forEach(fds: [ns.isHost ? -1 : file.rawValue], threads: 1) { _, entered in
                guard case .success = entered else { return }
                box.socket = Self.subscribe()
                let nft = plumb_nftables_events_socket()
                box.nftables = nft >= 0 ? SharedFileDescriptor(FileDescriptor(owning: nft)) : nil
            }
            if let sk = box.socket {
                watches[ns.id] = Watch(route: sk, nftables: box.nftables)
                register(nl_socket_get_fd(sk), id: ns.id, nftables: false)
                if let nft = box.nftables { register(nft.rawValue, id: ns.id, nftables: true) }
            }
        }
    }

    public var watchedCount: Int { watches.count }

    /// Waits up to `timeoutMillis` for an event in any namespace, without consuming it, or for `interrupt()`.
    /// True when an event arrived.
    public func wait(timeoutMillis: Int32) -> Bool {
        guard epoll != nil else { usleep(UInt32(max(0, timeoutMillis)) * 1000); return false }
        var ready: [UInt64] = [0, 0, 0, 0]
        let n = (try? epoll?.wait(into: &ready, timeoutMillis: timeoutMillis)) ?? 0
        var events = false
        for token in ready.prefix(n) {
            if token == Self.interruptToken { interrupter?.drain() } else { events = true }
        }
        return events
    }

    /// Everything that arrived since the last drain, by namespace id (namespaces without events are absent).
    public func drain() -> [UInt64: NamespaceEvents] {
        guard !watches.isEmpty else { return [:] }
        var ready = [UInt64](repeating: 0, count: 256)
        var out: [UInt64: NamespaceEvents] = [:]
        // Level-triggered: a socket stays ready until drained, so one pass over what epoll reports is enough.
        let n = (try? epoll?.wait(into: &ready, timeoutMillis: 0)) ?? 0
        guard n > 0 else { return [:] }
        // Only for nftables sockets: zeroing 64 KiB on every idle drain showed in the idle TUI's profile.
        var scratch: [UInt8] = []
        for token in ready.prefix(n) {
            if token == Self.interruptToken { interrupter?.drain(); continue }
            guard let t = tokens[token], let w = watches[t.id] else { continue }
            if t.nftables && scratch.isEmpty { scratch = [UInt8](repeating: 0, count: 65536) }
            var ev = out[t.id] ?? NamespaceEvents()
            if t.nftables, let nft = w.nftables {
                // Only "something changed" matters: drain the socket; a lost event (ENOBUFS) also means a change.
                scratch.withUnsafeMutableBytes { buf in
                    nft.withDescriptor { fd in
                        do throws(SystemError) {
                            while let k = try fd.receiveNow(into: buf), k > 0 { ev.firewallChanged = true }
                        } catch {
                            if error.code == ENOBUFS { ev.firewallChanged = true }
                        }
                    }
                }
            } else {
                Self.read(w.route, into: &ev)
            }
            out[t.id] = ev
        }
        return out
    }

    private static func read(_ sk: OpaquePointer, into ev: inout NamespaceEvents) {
        var raw = plumb_events()
        _ = plumb_events_drain(sk, &raw)
        defer { free(raw.links.links); free(raw.routes_ev.routes) }
        for i in 0..<Int(raw.links.n) { ev.links.append(NetlinkDumper.readLink(raw.links.links[i]).link) }
        withUnsafeBytes(of: &raw.deleted) { buf in
            ev.deleted = Array(buf.bindMemory(to: Int32.self).prefix(Int(raw.ndeleted)).map(Int.init))
        }
        let ports = withUnsafeBytes(of: &raw.port_index) { Array($0.bindMemory(to: Int32.self).prefix(Int(raw.nports))) }
        let states = withUnsafeBytes(of: &raw.port_state) { Array($0.bindMemory(to: UInt8.self).prefix(Int(raw.nports))) }
        for (i, s) in zip(ports, states) { ev.portStates[Int(i)] = NetlinkDumper.bridgePortState(Int32(s)) }
        withUnsafeMutableBytes(of: &raw.addrs) { buf in
            for var a in buf.bindMemory(to: plumb_addr_event.self).prefix(Int(raw.naddrs)) {
                guard let ip = withUnsafeBytes(of: &a.addr, { NetlinkAddress.address(family: a.family, $0) }) else { continue }
                ev.addressChanges.append(AddressChange(removed: a.removed != 0, ifindex: Int(a.ifindex),
                                                       cidr: IPPrefix(unchecked: ip, length: Int(a.prefixlen))))
            }
        }
        for i in 0..<Int(raw.routes_ev.n) {
            let r = raw.routes_ev.routes[i]
            ev.routeChanges.append(RouteChange(removed: r.removed != 0, route: NetlinkDumper.readRoute(r, names: [:]),
                                               multipath: r.multipath != 0))
        }
        ev.addressesChanged = raw.addresses > 0
        ev.routesChanged = raw.routes > 0
        ev.overflow = ev.overflow || raw.overflow != 0
    }

    static func subscribe() -> OpaquePointer? {
        guard let sk = nl_socket_alloc() else { return nil }
        nl_socket_disable_seq_check(sk)
        guard nl_connect(sk, NETLINK_ROUTE) == 0 else { nl_socket_free(sk); return nil }
        for group in [RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE] {
            _ = nl_socket_add_membership(sk, Int32(group.rawValue))
        }
        // A burst of flaps must not overflow the socket: events are what keeps the model current.
        _ = nl_socket_set_buffer_size(sk, 1 << 20, 0)
        _ = nl_socket_set_nonblocking(sk)
        return sk
    }

    private final class SocketBox: @unchecked Sendable {
        var socket: OpaquePointer?
        var nftables: SharedFileDescriptor?
    }
}
