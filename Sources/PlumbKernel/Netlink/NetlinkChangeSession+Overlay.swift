import Glibc
import CNetlink
import PlumbModel

/// Unicast VXLAN forwarding for `plumb agent` (overlay.h): the VXLAN device's own forwarding entries, permanent
/// neighbours, the device's MAC, and reading all of them back so the agent changes only what differs.
extension NetlinkChangeSession {
    /// An overlay VXLAN device: no default remote, learning off, ARP proxy on.
    public func addOverlayVxlan(_ name: String, vni: UInt32, local: IPAddress?, port: Int, parent: String?,
                                mtu: Int?) throws(NetlinkChangeError) {
        let l = CAddress(local.map { IPPrefix(host: $0) })
        try change { sk in
            l.bytes.withUnsafeBufferPointer { plumb_add_overlay_vxlan(sk, name, vni, l.family, $0.baseAddress, Int32(port), parent ?? "", Int32(mtu ?? 0)) }
        }
    }

    /// Adds (`append` for the all-zeros broadcast entry, else replace) or deletes `mac` → `dst` on `link`.
    public func vxlanForwarding(_ mac: HardwareAddress, to dst: IPAddress, on link: String, add: Bool) throws(NetlinkChangeError) {
        let d = CAddress(IPPrefix(host: dst))
        try change { sk in
            mac.bytes.withUnsafeBufferPointer { m in
                d.bytes.withUnsafeBufferPointer { plumb_vxlan_fdb(sk, add ? 1 : 0, link, m.baseAddress, d.family, $0.baseAddress, mac.isZero ? 1 : 0) }
            }
        }
    }

    /// Adds (replacing) or deletes the permanent neighbour `ip` → `mac` on `link`.
    public func permanentNeighbor(_ ip: IPAddress, mac: HardwareAddress, on link: String, add: Bool) throws(NetlinkChangeError) {
        let a = CAddress(IPPrefix(host: ip))
        try change { sk in
            mac.bytes.withUnsafeBufferPointer { m in
                a.bytes.withUnsafeBufferPointer { plumb_neigh_permanent(sk, add ? 1 : 0, link, a.family, $0.baseAddress, m.baseAddress) }
            }
        }
    }

    public func setMAC(_ link: String, _ mac: HardwareAddress) throws(NetlinkChangeError) {
        try change { sk in mac.bytes.withUnsafeBufferPointer { plumb_set_link_mac(sk, link, $0.baseAddress) } }
    }

    /// The link's hardware address.
    public func mac(of link: String) throws(NetlinkChangeError) -> HardwareAddress {
        var raw = [UInt8](repeating: 0, count: 6)
        try change { sk in raw.withUnsafeMutableBufferPointer { plumb_link_mac(sk, link, $0.baseAddress) } }
        return HardwareAddress(bytes: raw)!
    }

    /// What VXLAN device `link` holds: its own (NTF_SELF) forwarding entries with a destination, and its
    /// permanent IPv4/IPv6 neighbours.
    public func overlayState(of link: String) throws(NetlinkChangeError) -> OverlayDeviceState {
        var state = OverlayDeviceState()
        for record in try dumpNeighbors(of: link, family: AF_BRIDGE) {
            guard record.flags & UInt8(NTF_SELF) != 0, let mac = record.mac, let dst = record.dst else { continue }
            state.forwarding.insert(OverlayFdbEntry(mac: mac, dst: dst))
        }
        for family in [AF_INET, AF_INET6] {
            for record in try dumpNeighbors(of: link, family: family) {
                guard record.state & UInt16(NUD_PERMANENT) != 0, let mac = record.mac, let ip = record.dst else { continue }
                state.neighbors[ip] = mac
            }
        }
        return state
    }

    private struct NeighborRecord { var mac: HardwareAddress?; var dst: IPAddress?; var state: UInt16; var flags: UInt8 }

    private func dumpNeighbors(of link: String, family: Int32) throws(NetlinkChangeError) -> [NeighborRecord] {
        var raw: UnsafeMutablePointer<plumb_overlay_neigh>?
        var count: Int32 = 0
        try change { sk in
            count = plumb_overlay_dump(sk, link, family, &raw)
            return count
        }
        defer { free(raw) }
        return UnsafeBufferPointer(start: raw, count: Int(count)).map { e in
            var e = e
            let mac = e.has_mac != 0 ? withUnsafeBytes(of: &e.mac) { HardwareAddress(bytes: Array($0)) } : nil
            let dst: IPAddress? = e.dst_family == 0 ? nil : withUnsafeBytes(of: &e.dst) {
                IPAddress(networkBytes: Array($0.prefix(e.dst_family == AF_INET ? 4 : 16)))
            }
            return NeighborRecord(mac: mac, dst: dst, state: e.state, flags: e.flags)
        }
    }
}
