/// The fields of a `Namespace` but its id, in one copy-on-write box: copying a namespace (or an array of them)
/// copies one reference. A box is changed only through `Namespace`'s accessors, which copy it first when
/// anything else shares it (`isKnownUniquelyReferenced`), so a namespace is a value like any struct: that is
/// why the box may be `@unchecked Sendable`, and why its properties skip the runtime's exclusivity checks (each
/// read of a field would otherwise register an access, a fifth of a loop over a namespace's 1,500 routes): the
/// exclusive access to a box is that of the `Namespace` value holding it, which Swift checks.
extension Namespace {
    final class Fields: @unchecked Sendable {
        @exclusivity(unchecked) var device: UInt64
        @exclusivity(unchecked) var isHost: Bool
        @exclusivity(unchecked) var names: [String]
        @exclusivity(unchecked) var paths: [String]
        @exclusivity(unchecked) var heldBy: [Holder]
        @exclusivity(unchecked) var pids: [Int32]
        @exclusivity(unchecked) var containers: [Container]
        @exclusivity(unchecked) var links: [Link]
        @exclusivity(unchecked) var routes: [Route]
        @exclusivity(unchecked) var neighbors: [Neighbor]
        @exclusivity(unchecked) var sysctls: Sysctls
        @exclusivity(unchecked) var firewall: Firewall
        @exclusivity(unchecked) var notes: [String]
        @exclusivity(unchecked) var cookie: UInt64?
        @exclusivity(unchecked) var sockets: [SocketRecord]?
        @exclusivity(unchecked) var owner: NamespaceOwner?
        @exclusivity(unchecked) var why: Unattributed?
        @exclusivity(unchecked) var heldSince: Double?
        @exclusivity(unchecked) var helper: NetworkHelper?

        init(device: UInt64, isHost: Bool, names: [String], paths: [String], heldBy: [Holder], pids: [Int32],
             containers: [Container], links: [Link], routes: [Route], neighbors: [Neighbor], sysctls: Sysctls,
             firewall: Firewall, notes: [String], cookie: UInt64?, sockets: [SocketRecord]?, owner: NamespaceOwner?,
             why: Unattributed?, heldSince: Double?, helper: NetworkHelper?) {
            self.device = device
            self.isHost = isHost
            self.names = names
            self.paths = paths
            self.heldBy = heldBy
            self.pids = pids
            self.containers = containers
            self.links = links
            self.routes = routes
            self.neighbors = neighbors
            self.sysctls = sysctls
            self.firewall = firewall
            self.notes = notes
            self.cookie = cookie
            self.sockets = sockets
            self.owner = owner
            self.why = why
            self.heldSince = heldSince
            self.helper = helper
        }

        func copy() -> Fields {
            Fields(device: device, isHost: isHost, names: names, paths: paths, heldBy: heldBy, pids: pids,
                   containers: containers, links: links, routes: routes, neighbors: neighbors, sysctls: sysctls,
                   firewall: firewall, notes: notes, cookie: cookie, sockets: sockets, owner: owner, why: why,
                   heldSince: heldSince, helper: helper)
        }

        func equals(_ o: Fields) -> Bool {
            device == o.device
                && isHost == o.isHost
                && names == o.names
                && paths == o.paths
                && heldBy == o.heldBy
                && pids == o.pids
                && containers == o.containers
                && links == o.links
                && routes == o.routes
                && neighbors == o.neighbors
                && sysctls == o.sysctls
                && firewall == o.firewall
                && notes == o.notes
                && cookie == o.cookie
                && sockets == o.sockets
                && owner == o.owner
                && why == o.why
                && heldSince == o.heldSince
                && helper == o.helper
        }
    }

    /// The box, unshared: copied first when another namespace value holds it too.
    private mutating func unique() -> Fields {
        if !isKnownUniquelyReferenced(&fields) { fields = fields.copy() }
        return fields
    }

    /// nsfs device number (the identity is the pair; the device is the same for every namespace of one boot).
    public var device: UInt64 {
        get { fields.device }
        _modify { let box = unique(); yield &box.device }
        set { unique().device = newValue }
    }
    public var isHost: Bool {
        get { fields.isHost }
        _modify { let box = unique(); yield &box.isHost }
        set { unique().isHost = newValue }
    }
    /// Human names: `ip netns` names (/run/netns/NAME), Docker sandbox ids, container names.
    public var names: [String] {
        get { fields.names }
        _modify { let box = unique(); yield &box.names }
        set { unique().names = newValue }
    }
    /// Bind-mount paths that keep the namespace alive (/run/netns/x, /run/docker/netns/y, ...).
    public var paths: [String] {
        get { fields.paths }
        _modify { let box = unique(); yield &box.paths }
        set { unique().paths = newValue }
    }
    /// Everything that holds the namespace alive.
    public var heldBy: [Holder] {
        get { fields.heldBy }
        _modify { let box = unique(); yield &box.heldBy }
        set { unique().heldBy = newValue }
    }
    /// Processes whose main thread is in this namespace.
    public var pids: [Int32] {
        get { fields.pids }
        _modify { let box = unique(); yield &box.pids }
        set { unique().pids = newValue }
    }
    public var containers: [Container] {
        get { fields.containers }
        _modify { let box = unique(); yield &box.containers }
        set { unique().containers = newValue }
    }
    public var links: [Link] {
        get { fields.links }
        _modify { let box = unique(); yield &box.links }
        set { unique().links = newValue }
    }
    public var routes: [Route] {
        get { fields.routes }
        _modify { let box = unique(); yield &box.routes }
        set { unique().routes = newValue }
    }
    public var neighbors: [Neighbor] {
        get { fields.neighbors }
        _modify { let box = unique(); yield &box.neighbors }
        set { unique().neighbors = newValue }
    }
    public var sysctls: Sysctls {
        get { fields.sysctls }
        _modify { let box = unique(); yield &box.sysctls }
        set { unique().sysctls = newValue }
    }
    public var firewall: Firewall {
        get { fields.firewall }
        _modify { let box = unique(); yield &box.firewall }
        set { unique().firewall = newValue }
    }
    /// Things that could not be read for this namespace.
    public var notes: [String] {
        get { fields.notes }
        _modify { let box = unique(); yield &box.notes }
        set { unique().notes = newValue }
    }
    /// SO_NETNS_COOKIE: the identity the kernel never reuses within a boot (the inode `id` is reused once the
/// namespace is gone). nil when the namespace was never read (a live view keeps the cookie of its last read).
    public var cookie: UInt64? {
        get { fields.cookie }
        _modify { let box = unique(); yield &box.cookie }
        set { unique().cookie = newValue }
    }
    /// Its sockets (TCP, UDP, raw, unix) with their owners; nil when they were not read.
    public var sockets: [SocketRecord]? {
        get { fields.sockets }
        _modify { let box = unique(); yield &box.sockets }
        set { unique().sockets = newValue }
    }
    /// The user namespace that owns it, when that is not the host's initial one (rootless containers).
    public var owner: NamespaceOwner? {
        get { fields.owner }
        _modify { let box = unique(); yield &box.owner }
        set { unique().owner = newValue }
    }
    /// Why no container was named, with the best evidence of its maker; nil for the host and for namespaces
/// with a container, and when attribution was not run.
    public var why: Unattributed? {
        get { fields.why }
        _modify { let box = unique(); yield &box.why }
        set { unique().why = newValue }
    }
    /// For a namespace no process lives in: seconds since the epoch when the reference keeping it alive (its
/// bind mount or fd) was taken, from the nsfs inode's change time. At least that old, so a leak's age.
/// nil for namespaces with a process, or when it could not be read.
    public var heldSince: Double? {
        get { fields.heldSince }
        _modify { let box = unique(); yield &box.heldSince }
        set { unique().heldSince = newValue }
    }
    /// The user-mode network helper (slirp4netns, pasta) serving a tap device in it, when one does.
    public var helper: NetworkHelper? {
        get { fields.helper }
        _modify { let box = unique(); yield &box.helper }
        set { unique().helper = newValue }
    }
}

extension Namespace {
    /// The same namespace value, not only an equal one: one id and one box (nothing changed it since it was
    /// copied). Cheap; false says nothing.
    public func sharesFields(with other: Namespace) -> Bool {
        id == other.id && fields === other.fields
    }
}

extension Namespace: Equatable {
    /// Two namespaces sharing a box are equal without a look inside: a snapshot's unchanged namespaces are the
    /// previous snapshot's boxes.
    public static func == (a: Namespace, b: Namespace) -> Bool {
        a.id == b.id && (a.fields === b.fields || a.fields.equals(b.fields))
    }
}
