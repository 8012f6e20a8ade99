import PlumbModel

/// Which namespace of a snapshot an endpoint is in. The netns cookie decides: the kernel reuses nsfs inodes, so
/// a namespace with the endpoint's inode but another cookie is a newcomer, and the endpoint's own namespace is
/// gone. Nothing is ever done to a newcomer on an endpoint's behalf, and a newcomer is never "already connected".
///
/// Rows stored before cookies were (schema 2) have none: they are matched by inode only with evidence that it is
/// still the same namespace (its interface is there and, when it has a host end, that veth's peer is in it).
extension EndpointRecord {
    /// Whether `ns` is this endpoint's namespace. `host`: the network's host namespace (the legacy evidence).
    public func isIn(_ ns: Namespace, host: Namespace? = nil) -> Bool {
        if let cookie { return ns.cookie == cookie }
        guard sandbox == String(ns.id) else { return false }
        if let h = hostIfname, let end = host?.link(named: h), end.kind == .veth {
            return end.peer?.namespace == ns.id
        }
        return ns.link(named: ifname) != nil
    }

    /// The handle a plan uses to reach this endpoint's namespace: the location the snapshot found for its inode,
    /// with the cookie stored at connect, so the executor enters it only if it is still that namespace. nil when
    /// the namespace is gone: nothing has its inode any more, a namespace read with another cookie took it, or
    /// (a row without a cookie) nothing shows it is the same namespace.
    public func sandboxHandle(in snap: Snapshot, host: Namespace? = nil) -> NamespaceHandle? {
        guard let inode = UInt64(sandbox), let ns = snap.namespace(id: inode) else { return nil }
        guard let cookie else { return isIn(ns, host: host) ? NetworkPlanner.reference(for: ns) : nil }
        if let found = ns.cookie, found != cookie { return nil }
        var handle = NetworkPlanner.reference(for: ns)
        handle.cookie = cookie
        handle.inode = inode
        return handle
    }

    /// The endpoint's namespace as the user knows it: "web (net:[4026532561])" by its container or `ip netns`
    /// name, "net:[4026532561]" when it has none or is gone. Messages name endpoints this way, not by inode.
    public func sandboxName(in snap: Snapshot, host: Namespace? = nil) -> String {
        let bare = "net:[\(sandbox)]"
        guard let inode = UInt64(sandbox), let ns = snap.namespace(id: inode), sandboxHandle(in: snap, host: host) != nil
        else { return bare }
        let name = ns.displayName
        return name.hasPrefix("net:[") ? bare : "\(name) (\(bare))"
    }

    /// "its namespace net:[ID] is gone", the words inspect, rm and disconnect use.
    public var goneNote: String {
        "endpoint \(sandbox) (\(ifname)): its namespace net:[\(sandbox)] is gone"
    }
}
