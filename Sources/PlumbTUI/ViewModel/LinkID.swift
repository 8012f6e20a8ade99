import PlumbModel

/// A link anywhere on the host: its namespace's id (nsfs inode) and its ifindex there. Selection and rate
/// history use it, so they survive a refresh that reorders namespaces or links.
public struct LinkID: Hashable, Sendable, CustomStringConvertible {
    public var namespace: UInt64
    public var index: Int
    public init(namespace: UInt64, index: Int) { self.namespace = namespace; self.index = index }
    public var description: String { "\(namespace)/\(index)" }
}
