import PlumbSystem

/// Every change holds the state directory's operation lock (shared) from its first read of the store to its
/// last write, and gc holds it exclusive: gc never runs beside a live operation, and what it finds unfinished
/// belongs to a dead process (see `StateStore.operationLock`).
extension NetworkService {
    /// A hold on the operation lock, ended by `end()` (callers write `defer { hold.end() }`). Nested holds
    /// of one service share the first one's lock.
    public final class OperationHold {
        private var service: NetworkService?
        init(_ service: NetworkService?) { self.service = service }
        public func end() {
            service?.releaseOperationLock()
            service = nil
        }
        deinit { end() }
    }

    /// Takes the lock (shared, or exclusive for gc) unless `dryRun`: a dry run changes nothing and never waits.
    public func holdOperationLock(exclusive: Bool = false, unless dryRun: Bool = false) throws -> OperationHold {
        if dryRun { return OperationHold(nil) }
        if operationDepth == 0 {
            operationLock = try store.operationLock(exclusive: exclusive)
        }
        operationDepth += 1
        return OperationHold(self)
    }

    func releaseOperationLock() {
        operationDepth -= 1
        if operationDepth == 0 { operationLock = nil }
    }
}
