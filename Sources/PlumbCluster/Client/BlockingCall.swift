import Foundation

/// Runs async work from synchronous code (the CLI's commands are synchronous) and waits for its result. Call
/// it from a thread of your own (the main thread, a test's thread), never from inside a Swift concurrency
/// task: it blocks the calling thread until the work is done.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.set(.success(try await body())) } catch { box.set(.failure(error)) }
        done.signal()
    }
    done.wait()
    return try box.get()
}

/// The result handed from the task to the waiting thread; the semaphore orders the write before the read, the
/// lock keeps the checker and TSan honest.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, any Error>?
    func set(_ r: Result<T, any Error>) { lock.lock(); result = r; lock.unlock() }
    func get() throws -> T {
        lock.lock(); defer { lock.unlock() }
        return try result!.get()
    }
}
