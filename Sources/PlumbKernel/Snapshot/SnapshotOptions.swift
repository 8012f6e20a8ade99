/// What a snapshot reads. Everything is on by default; the TUI and benchmarks turn parts off.
public struct SnapshotOptions: Sendable {
    public var firewall = true
    public var containers = true
    /// Walk /proc/*/fd for namespaces held only by an open fd (the costliest part of discovery).
    public var scanFds = true
    /// Read each process's comm, ppid, uid and cmdline (listings that show none of them turn this off).
    public var processDetails = true
    /// Read links, addresses, routes and neighbours at all (`plumb fw` reads only firewalls).
    public var netlink = true
    /// When set, only these namespaces get routes, neighbours, sysctls and firewall; the others get links (with
    /// counters), addresses and bridge ports. The live view uses it between full refreshes.
    public var detailFor: Set<UInt64>? = nil
    /// When set, only these namespaces get their firewall read (overrides `detailFor` for the firewall): the
    /// live view reads it for the namespace on screen and for those whose ruleset just changed.
    public var firewallFor: Set<UInt64>? = nil
    /// Dump only links (enough for counts and names); skip addresses, routes, neighbours and sysctls.
    public var linksOnly = false
    /// Worker threads for the per-namespace reads; 0 = one per core.
    public var threads = 0
    /// Read each namespace's sockets over sock_diag, with their owners from the /proc fd walk.
    public var sockets = false
    /// Which sockets, when `sockets` is on.
    public var socketSelection = SocketSelection.all
    /// Read only these namespaces (ids); nil = all.
    public var only: Set<UInt64>? = nil
    /// Of these namespaces read only the identity (the cookie, from a throwaway socket): no links, addresses,
    /// firewall or sockets. `ns rm` reads the namespace it is about to delete so: a netlink socket opened in a
    /// namespace keeps it alive for an RCU grace period after it is closed (its release is deferred), which
    /// delayed the namespace's own cleanup, and the removal of its veths, by 10-25 ms; a datagram socket's
    /// release is immediate.
    public var identityOnly: Set<UInt64> = []
    /// Read net.ipv4.conf.{all,default}.route_localnet from /proc/sys (no netlink message carries them). Every
    /// lookup of /proc/sys/net walks one dentry per namespace on the machine, so with 500 namespaces this read
    /// alone costs about a tenth of the snapshot's CPU; the doctor, which checks neither value, turns it off
    /// (the forwarding and rp_filter values come from netconf either way).
    public var routeLocalnet = true

    public init() {}
}
