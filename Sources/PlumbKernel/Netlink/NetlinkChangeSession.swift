import Glibc
import CNetlink
import PlumbModel

/// Changes to one namespace's links, addresses and routes: `ip link/address/route` without running `ip`. The
/// session's socket is opened in the calling thread's namespace and stays bound to it, so the changes can be
/// made from any thread afterwards. Every method throws NetlinkChangeError, with the kernel's own explanation
/// when it gave one; no libnl type leaves PlumbKernel.
public final class NetlinkChangeSession: @unchecked Sendable {
    let socket: NetlinkSocket
    /// Filled by the socket's error callback with the kernel's extended ACK text (see extack.h).
    private let ack: UnsafeMutablePointer<plumb_extack>

    public init() throws {
        socket = try NetlinkSocket()
        ack = .allocate(capacity: 1)
        ack.pointee.message.0 = 0
        // Without extended ACKs the changes still work; errors then carry libnl's text alone.
        _ = socket.withRaw { plumb_enable_extack($0, ack) }
    }

    deinit { ack.deallocate() }

    /// Runs one libnl change: 0 or more is success, a negative code a refusal.
    func change(_ body: (OpaquePointer) -> Int32) throws(NetlinkChangeError) {
        ack.pointee.message.0 = 0
        let err = socket.withRaw(body)
        if err >= 0 { return }
        let text = withUnsafeBytes(of: &ack.pointee.message) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        throw NetlinkChangeError(libnlError: err, kernelMessage: text)
    }

    // MARK: Links

    public func addBridge(_ name: String, mtu: Int?) throws(NetlinkChangeError) {
        try change { plumb_add_bridge($0, name, Int32(mtu ?? 0)) }
    }

    /// A veth pair; the peer is created directly in the namespace behind `peerNamespaceFd` when given.
    public func addVethPair(_ name: String, peer: String, mtu: Int?, peerNamespaceFd: Int32? = nil) throws(NetlinkChangeError) {
        try change { plumb_add_veth($0, name, peer, Int32(mtu ?? 0), peerNamespaceFd ?? -1) }
    }

    /// A macvlan on `parent` (mode: "bridge", "private", "vepa", "passthru", "source"), created directly in the
    /// namespace behind `namespaceFd` when given.
    public func addMacvlan(_ name: String, parent: String, mode: String, mtu: Int?,
                           namespaceFd: Int32? = nil) throws(NetlinkChangeError) {
        try change { plumb_add_macvlan($0, name, parent, mode, Int32(mtu ?? 0), namespaceFd ?? -1) }
    }

    /// A VXLAN device; `remote` is the unicast peer or multicast group, `parent` the underlay link.
    public func addVxlan(_ name: String, vni: UInt32, local: IPAddress?, remote: IPAddress?, port: Int, parent: String?,
                         mtu: Int?) throws(NetlinkChangeError) {
        let l = CAddress(local.map { IPPrefix(host: $0) }), r = CAddress(remote.map { IPPrefix(host: $0) })
        try change { sk in
            l.bytes.withUnsafeBufferPointer { lb in
                r.bytes.withUnsafeBufferPointer { rb in
                    plumb_add_vxlan(sk, name, vni, l.family, lb.baseAddress, r.family, rb.baseAddress, Int32(port),
                                    parent ?? "", Int32(mtu ?? 0))
                }
            }
        }
    }

    public func deleteLink(_ name: String) throws(NetlinkChangeError) {
        try change { plumb_del_link($0, name) }
    }

    /// Puts a link into interface group `group` (0: back to the default group).
    public func setGroup(_ name: String, _ group: UInt32) throws(NetlinkChangeError) {
        try change { plumb_set_group($0, name, group) }
    }

    /// Deletes every link of interface group `group` with one RTM_DELLINK (one RCU grace period for all).
    public func deleteGroup(_ group: UInt32) throws(NetlinkChangeError) {
        try change { plumb_del_group($0, group) }
    }

    public func setMaster(_ name: String, master: String) throws(NetlinkChangeError) {
        try change { plumb_set_master($0, name, master) }
    }

    /// Releases a link from its bridge.
    public func setNoMaster(_ name: String) throws(NetlinkChangeError) {
        try change { plumb_set_nomaster($0, name) }
    }

    public func setUp(_ name: String, _ up: Bool = true) throws(NetlinkChangeError) {
        try change { up ? plumb_set_up($0, name) : plumb_set_down($0, name) }
    }

    public func setMTU(_ name: String, _ mtu: Int) throws(NetlinkChangeError) {
        try change { plumb_set_mtu($0, name, Int32(mtu)) }
    }

    public func rename(_ name: String, to newName: String) throws(NetlinkChangeError) {
        try change { plumb_rename($0, name, newName) }
    }

    /// Hairpin mode of a bridge port (a frame may leave by the port it came in).
    public func setHairpin(_ name: String, _ on: Bool) throws(NetlinkChangeError) {
        try change { plumb_set_hairpin_mode($0, name, on ? 1 : 0) }
    }

    // MARK: Addresses and routes

    /// Adds (or with `add: false` deletes) `address` with its prefix length (10.0.0.2/24, fd13::2/64) on `link`.
    public func address(_ address: IPPrefix, on link: String, add: Bool) throws(NetlinkChangeError) {
        let a = CAddress(address)
        try change { sk in a.bytes.withUnsafeBufferPointer { plumb_address(sk, add ? 1 : 0, a.family, $0.baseAddress, a.length, link) } }
    }

    /// Adds (or deletes) a main-table route to `destination` (nil: the default route) via `gateway` and/or
    /// `link`. The route's family is the gateway's, else the destination's, else IPv4.
    public func route(to destination: IPPrefix?, gateway: IPAddress?, link: String?, add: Bool) throws(NetlinkChangeError) {
        let d = CAddress(destination), g = CAddress(gateway.map { IPPrefix(host: $0) })
        let family = g.family != 0 ? g.family : d.family != 0 ? d.family : AF_INET
        try change { sk in
            d.bytes.withUnsafeBufferPointer { db in
                g.bytes.withUnsafeBufferPointer { gb in
                    plumb_route(sk, add ? 1 : 0, family, d.family, db.baseAddress, d.length, g.family, gb.baseAddress, link ?? "")
                }
            }
        }
    }
}

/// An address as the change shims take it (changes.h, plumb_nl_addr): family, bytes in network order and
/// prefix length; family 0 means "none". The model parsed and checked it once; nothing at this boundary
/// formats or parses text again.
struct CAddress {
    var family: Int32 = 0
    var bytes = [UInt8](repeating: 0, count: 16)
    var length: Int32 = 0

    init(_ prefix: IPPrefix?) {
        guard let prefix else { return }
        family = prefix.address.isIPv4 ? AF_INET : AF_INET6
        bytes = prefix.address.networkBytes
        length = Int32(prefix.length)
    }
}
