extension Namespace {
    /// A file that opens this network namespace for setns(2), most stable holder first: an `ip netns` name, a
    /// bind mount, a member process, a pid's open fd. nil when nothing reachable holds it any more.
    public var entryFile: String? {
        if isHost { return "/proc/self/ns/net" }
        if let n = names.first { return "/run/netns/\(n)" }
        if let p = paths.first { return p }
        if let pid = pids.first { return "/proc/\(pid)/ns/net" }
        if let h = heldBy.first(where: { $0.kind == .fd }), let pid = h.pid, let fd = h.fd { return "/proc/\(pid)/fd/\(fd)" }
        return nil
    }
}
