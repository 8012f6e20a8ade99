/// Which link counters a read covers: every link of some namespaces, and chosen links (by ifindex) of others.
/// The live view reads the counters of the links on screen only (`LiveModel.refreshCounters`), and the rate
/// history samples only what was read.
public struct CounterScope: Sendable, Equatable {
    /// Namespaces whose links are all read.
    public var namespaces: Set<UInt64>
    /// Only these links of these namespaces (none of them in `namespaces`).
    public var links: [UInt64: Set<Int>]

    public init(namespaces: Set<UInt64> = [], links: [UInt64: Set<Int>] = [:]) {
        self.namespaces = namespaces
        self.links = links.filter { !namespaces.contains($0.key) && !$0.value.isEmpty }
    }

    /// Every namespace the scope touches, in full or in part.
    public var allNamespaces: Set<UInt64> { namespaces.union(links.keys) }
    public var isEmpty: Bool { namespaces.isEmpty && links.isEmpty }

    /// Whether the link `index` of namespace `ns` is in the scope.
    public func contains(namespace ns: UInt64, index: Int) -> Bool {
        namespaces.contains(ns) || links[ns]?.contains(index) == true
    }
}
