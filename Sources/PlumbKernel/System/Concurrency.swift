import Glibc
import Foundation

/// A fixed-size array that worker threads fill slot by slot.
final class LockedArray<T>: @unchecked Sendable {
    private var storage: [T]
    private let lock = NSLock()
    init(count: Int, initial: T) { storage = Array(repeating: initial, count: count) }
    func set(_ i: Int, _ v: T) { lock.lock(); storage[i] = v; lock.unlock() }
    var values: [T] { lock.lock(); defer { lock.unlock() }; return storage }
}

