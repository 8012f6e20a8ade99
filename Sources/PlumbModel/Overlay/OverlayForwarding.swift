/// What one overlay network's VXLAN device must hold on this host so its endpoints reach the other hosts'
/// without multicast or learning (the flannel/Docker-overlay way): an all-zeros forwarding entry per remote VTEP
/// (broadcast and unknown unicast go to every peer), and for each remote endpoint a forwarding entry (its MAC →
/// its host's VTEP) plus a permanent neighbour entry (its IP → its MAC), which the device's ARP proxy answers from.
public struct OverlayForwarding: Equatable, Sendable {
    /// One remote endpoint: its overlay address and MAC, and the underlay address of the host it lives on.
    public struct Endpoint: Hashable, Sendable, Comparable {
        public var ip: IPAddress
        public var mac: HardwareAddress
        public var vtep: IPAddress
        public init(ip: IPAddress, mac: HardwareAddress, vtep: IPAddress) { self.ip = ip; self.mac = mac; self.vtep = vtep }
        public static func < (a: Endpoint, b: Endpoint) -> Bool { a.ip < b.ip }
    }

    /// The remote VTEPs' underlay addresses (never this host's own).
    public var vteps: Set<IPAddress>
    public var endpoints: Set<Endpoint>

    public init(vteps: Set<IPAddress> = [], endpoints: Set<Endpoint> = []) { self.vteps = vteps; self.endpoints = endpoints }

    /// The forwarding entries this state amounts to.
    public var forwardingEntries: Set<OverlayFdbEntry> {
        Set(vteps.map { OverlayFdbEntry(mac: .zero, dst: $0) } + endpoints.map { OverlayFdbEntry(mac: $0.mac, dst: $0.vtep) })
    }
}

/// A VXLAN device's own forwarding entry (`bridge fdb … dev VXLAN dst DST self`).
public struct OverlayFdbEntry: Hashable, Sendable, Comparable {
    public var mac: HardwareAddress
    public var dst: IPAddress
    public init(mac: HardwareAddress, dst: IPAddress) { self.mac = mac; self.dst = dst }
    public static func < (a: OverlayFdbEntry, b: OverlayFdbEntry) -> Bool {
        a.mac != b.mac ? a.mac < b.mac : a.dst < b.dst
    }
}

/// What a VXLAN device holds now, read back from the kernel: its own forwarding entries that have a destination,
/// and its permanent neighbour entries (the ones an agent writes; others are the kernel's and left alone).
public struct OverlayDeviceState: Equatable, Sendable {
    public var forwarding: Set<OverlayFdbEntry>
    /// IP → MAC of the device's permanent neighbours.
    public var neighbors: [IPAddress: HardwareAddress]
    public init(forwarding: Set<OverlayFdbEntry> = [], neighbors: [IPAddress: HardwareAddress] = [:]) {
        self.forwarding = forwarding; self.neighbors = neighbors
    }
}

extension OverlayForwarding {
    /// The steps that turn `current` into this state on device `link` in `ns`: removals first (an endpoint that
    /// moved host loses its old entry before it gets the new one), then additions, each in a stable order so a
    /// dry run reads the same every time. Nothing for an entry already right.
    public func steps(from current: OverlayDeviceState, link: String, in ns: NamespaceRef) -> [PlanStep] {
        let want = forwardingEntries
        var steps: [PlanStep] = []
        let wantNeighbors = Dictionary(endpoints.map { ($0.ip, $0.mac) }, uniquingKeysWith: { a, _ in a })
        for (ip, mac) in current.neighbors.sorted(by: { $0.key < $1.key }) where wantNeighbors[ip] == nil {
            steps.append(.deleteNeighbor(ip: ip, mac: mac, link: link, in: ns))
        }
        for e in current.forwarding.subtracting(want).sorted() {
            steps.append(.deleteVxlanForwarding(mac: e.mac, link: link, dst: e.dst, in: ns))
        }
        for e in want.subtracting(current.forwarding).sorted() {
            steps.append(.addVxlanForwarding(mac: e.mac, link: link, dst: e.dst, in: ns))
        }
        for (ip, mac) in wantNeighbors.sorted(by: { $0.key < $1.key }) where current.neighbors[ip] != mac {
            steps.append(.addNeighbor(ip: ip, mac: mac, link: link, in: ns))
        }
        return steps
    }
}
