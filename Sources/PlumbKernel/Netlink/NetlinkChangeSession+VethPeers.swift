import CNetlink

/// What the executor asks before it lets a namespace's deletion take a veth pair with it (see
/// `LinkRemovalWatch`): is this link a veth, and in which namespace is its peer?
extension NetlinkChangeSession {
    /// A link as this session's namespace sees it: its index, its kind, and for a veth whose peer is in another
    /// namespace, that namespace's nsid here (IFLA_LINK_NETNSID).
    public struct LinkPeer: Sendable, Equatable {
        public var index: Int32
        public var kind: String
        public var peerNamespaceId: Int32?
    }

    /// One RTM_GETLINK by name (no dump).
    public func linkPeer(of name: String) throws(NetlinkChangeError) -> LinkPeer {
        var raw = plumb_link()
        try change { plumb_link_get($0, name, &raw) }
        let kind = withUnsafeBytes(of: &raw.kind) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        return LinkPeer(index: raw.index, kind: kind, peerNamespaceId: raw.has_link_netnsid != 0 ? raw.link_netnsid : nil)
    }

    /// The nsid the namespace behind `fd` has in this session's namespace (nil: none assigned, so no link here
    /// has its peer there).
    public func namespaceId(ofNamespaceFd fd: Int32) -> Int32? {
        socket.nsid(ofNamespaceFd: fd)
    }

    /// Whether the namespace with id `nsid` here still has references (nil: the question failed). False from the
    /// moment its last reference is dropped: its cleanup is then queued and will take its veths, however long
    /// the cleanups queued before it take.
    public func namespaceIsAlive(nsid: Int32) -> Bool? {
        let r = socket.withRaw { plumb_nl_nsid_alive($0, nsid) }
        return r < 0 ? nil : r == 1
    }
}
