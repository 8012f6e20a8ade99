import PlumbModel

/// Resolves IFLA_LINK_NETNSID (an id meaningful only inside one namespace) to the other namespace's nsfs inode.
///
/// Structural matching proposes a candidate first (for a veth: a link in another namespace whose index is our
/// IFLA_LINK and whose IFLA_LINK is our index), then one RTM_GETNSID query on the kept socket confirms it, so the
/// usual cost is one query per (namespace, nsid) pair instead of one per namespace pair.
struct PeerResolver {
    struct Entry {
        var id: UInt64
        var fd: Int32
        var socket: NetlinkSocket?
        var dump: NetlinkDump?
    }

    var entries: [Entry]
    var cache: NsidCache? = nil

    func resolve() -> [[RemoteLinkRef?]] {
        let position = cache == nil ? [:] : Dictionary(entries.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        // index -> positions of namespaces having a link with that ifindex (a veth/parent candidate).
        var byIfindex: [Int: [Int]] = [:]
        for (pos, e) in entries.enumerated() {
            for l in e.dump?.links ?? [] { byIfindex[l.link.index, default: []].append(pos) }
        }
        var result = entries.map { e in [RemoteLinkRef?](repeating: nil, count: e.dump?.links.count ?? 0) }
        for (n, e) in entries.enumerated() {
            guard let dump = e.dump else { continue }
            var known: [Int32: Int?] = [:]   // nsid -> position (nil: tried everything, unknown)
            var fullMap: [Int32: Int]? = nil
            for (li, l) in dump.links.enumerated() {
                guard let lower = l.lowerIndex else { continue }
                guard let nsid = l.lowerNetnsid else {
                    result[n][li] = RemoteLinkRef(namespace: e.id, index: lower)
                    continue
                }
                if known[nsid] == nil {
                    known[nsid] = find(nsid: nsid, from: n, socket: e.socket,
                                       hints: candidates(for: l, in: n, byIfindex: byIfindex), fullMap: &fullMap,
                                       position: position)
                }
                let target = known[nsid]!.map { entries[$0].id }
                result[n][li] = RemoteLinkRef(namespace: target, index: lower)
            }
        }
        return result
    }

    private func candidates(for l: DumpedLink, in n: Int, byIfindex: [Int: [Int]]) -> [Int] {
        guard let lower = l.lowerIndex else { return [] }
        let all = (byIfindex[lower] ?? []).filter { $0 != n }
        guard l.link.kind == .veth else { return all }
        // A veth's peer points back at us: prefer namespaces where it does.
        let mirrored = all.filter { m in
            entries[m].dump?.links.contains { $0.link.index == lower && $0.lowerIndex == l.link.index } ?? false
        }
        return mirrored + all.filter { !mirrored.contains($0) }
    }

    /// Tries the structural hints first; when none matches, asks once for the nsid of *every* namespace (one
    /// RTM_GETNSID each) and remembers the whole map for this namespace's remaining links.
    private func find(nsid: Int32, from n: Int, socket: NetlinkSocket?, hints: [Int],
                      fullMap: inout [Int32: Int]?, position: [UInt64: Int]) -> Int? {
        if let target = cache?.lookup(reader: entries[n].id, nsid: nsid), let m = position[target] { return m }
        guard let socket else { return nil }
        if let map = fullMap { return map[nsid] }
        for m in hints where m != n && entries[m].fd >= 0 {
            if socket.nsid(ofNamespaceFd: entries[m].fd) == nsid {
                cache?.store(reader: entries[n].id, nsid: nsid, target: entries[m].id)
                return m
            }
        }
        var map: [Int32: Int] = [:]
        let others = entries.indices.filter { $0 != n && entries[$0].fd >= 0 }
        for (m, id) in zip(others, socket.nsids(ofNamespaceFds: others.map { entries[$0].fd })) {
            if let id {
                map[id] = m
                cache?.store(reader: entries[n].id, nsid: id, target: entries[m].id)
            }
        }
        fullMap = map
        return map[nsid]
    }
}
