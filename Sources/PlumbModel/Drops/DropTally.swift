/// Drops counted in the kernel instead of sent one by one (the BPF watcher tallying, see `DropWatcher.tally`):
/// `count` drops of one namespace × interface × reason × location since the last take, and the newest of them,
/// whose 5-tuple and time stand for the rest. A host whose bridges drop thousands of IPv6 multicast packets a
/// second sends its reader a few hundred tallies a second instead of every drop.
public struct DropTally: Sendable, Hashable {
    public var newest: PacketDrop
    public var count: Int
    public init(newest: PacketDrop, count: Int) { self.newest = newest; self.count = max(1, count) }
}
