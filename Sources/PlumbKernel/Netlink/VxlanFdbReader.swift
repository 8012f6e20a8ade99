import Glibc
import CNetlink
import PlumbModel

/// The remote VTEPs of each VXLAN device, from the namespace's bridge FDB (RTM_GETNEIGH, AF_BRIDGE): the
/// `dst` of every entry `bridge fdb show dev vx0` lists (`00:00:00:00:00:00 dst 10.0.0.2` for head-end
/// replication, `MAC dst IP` for a learned or static peer). They go into `VxlanInfo.fdbRemotes`, so the map
/// draws one tunnel per remote. The kernel's own entry for the device's `remote` is listed too (as `bridge fdb`
/// lists it); the map joins it with the device's remote.
enum VxlanFdbReader {
    /// Remote addresses per VXLAN ifindex, each once, sorted (as the model keeps them).
    static func remotes(_ entries: [plumb_vxlan_fdb]) -> [Int: [IPAddress]] {
        var out: [Int: Set<IPAddress>] = [:]
        for var e in entries {
            guard let ip = withUnsafeBytes(of: &e.dst, { NetlinkAddress.address(family: e.family, $0) }) else { continue }
            out[Int(e.ifindex), default: []].insert(ip)
        }
        return out.mapValues { $0.sorted() }
    }

    /// Fills `fdbRemotes` of the VXLAN links in `links` (one dump, only when the namespace has a VXLAN). A failed
    /// dump leaves them nil ("not read"), as an old kernel without the dump would: the rest of the snapshot stands.
    static func fill(_ links: inout [DumpedLink], from s: some NetlinkDumpSource) {
        guard links.contains(where: { $0.link.vxlan != nil }), let entries = try? s.vxlanFdb() else { return }
        let byDevice = remotes(entries)
        for i in links.indices where links[i].link.vxlan != nil {
            let index = links[i].link.index
            links[i].link.vxlan?.fdbRemotes = byDevice[index] ?? []
        }
    }
}

extension NetlinkSocket {
    /// Every FDB entry of the namespace that has a remote (NDA_DST), retrying an interrupted dump.
    func vxlanFdb() throws -> [plumb_vxlan_fdb] {
        var lastErr: Int32 = 0
        for _ in 0..<5 {
            var raw: UnsafeMutablePointer<plumb_vxlan_fdb>?
            let n = withRaw { plumb_vxlan_fdb_dump($0, &raw) }
            defer { free(raw) }
            if n >= 0 { return Array(UnsafeBufferPointer(start: raw, count: Int(n))) }
            lastErr = n
            if -n != NLE_DUMP_INTR { break }
        }
        throw NetlinkError(operation: "vxlan fdb dump", code: lastErr)
    }
}

extension RecordedNetlinkDump {
    /// Recorded dumps carry no FDB messages (yet): no remotes beyond the devices' own.
    func vxlanFdb() throws -> [plumb_vxlan_fdb] { [] }
}
