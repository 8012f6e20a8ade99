import PlumbSystem

/// The operation lock beside the database (`state.db.lock`): every plumb that changes the kernel or the store
/// holds it shared for the whole operation, and `plumb gc` holds it exclusive. The kernel releases a flock when
/// its process dies, so when gc gets the lock no operation of this state directory is still running, and a
/// journal entry left `planned` belongs to a dead process. Operations never wait for each other, only for gc.
extension StateStore {
    public var operationLockPath: String { path + ".lock" }

    /// How long an operation waits for a running gc, and gc for running operations.
    public static let operationLockWait: Double = 60

    public func operationLock(exclusive: Bool, timeout: Double = StateStore.operationLockWait) throws -> AdvisoryLock {
        let lock: AdvisoryLock?
        do {
            lock = try AdvisoryLock.acquire(operationLockPath, exclusive: exclusive, timeout: timeout)
        } catch {
            throw OperationLockFailure(path: operationLockPath, detail: "cannot lock it: \(error)")
        }
        guard let lock else {
            let holder = exclusive ? "another plumb is changing networks" : "plumb gc is running"
            throw OperationLockFailure(path: operationLockPath,
                                       detail: "\(holder) and still held it after \(timeout) s: try again when it has finished")
        }
        return lock
    }
}

public struct OperationLockFailure: Error, CustomStringConvertible {
    public var path: String
    public var detail: String
    public var description: String { "operation lock \(path): \(detail)" }
}
