import Glibc
import PlumbSystem
import Foundation
import CLinuxShims

/// Runs synchronous closures inside network namespaces on dedicated threads.
///
/// setns(CLONE_NEWNET) changes the namespace of the calling *thread* only, so this work never runs on the Swift
/// cooperative pool or across an `await`: each worker is a plain Thread that enters a namespace, runs the closure,
/// and always returns to the namespace it started in before taking the next job.
public enum NamespaceWorkers {
    /// Calls `body(i, entered)` for every i in 0..<count on up to `threads` worker threads, after entering the
    /// namespace behind `fds[i]` (an open nsfs fd, or -1 to stay in the current namespace). `entered` is false
    /// with an error text when setns failed (the namespace vanished): the body decides what to record.
    public static func forEach(fds: [Int32], threads: Int = ProcessorCount.online,
                               _ body: @escaping @Sendable (Int, Result<Void, SystemError>) -> Void) {
        let count = fds.count
        if count == 0 { return }
        let next = Counter()
        let done = DispatchGroup()
        let workers = max(1, min(threads, count))
        for _ in 0..<workers {
            done.enter()
            let t = Thread {
                defer { done.leave() }
                let home = FileDescriptor.openIfPresent("/proc/thread-self/ns/net", O_RDONLY)
                while true {
                    let i = next.take()
                    if i >= count { break }
                    let fd = fds[i]
                    if fd < 0 { body(i, .success(())); continue }
                    if plumb_setns(fd, plumb_CLONE_NEWNET) != 0 {
                        body(i, .failure(SystemError("setns", "network namespace fd \(fd)")))
                        continue
                    }
                    body(i, .success(()))
                    // Always go home: the next job (or the thread's exit) must not run in a foreign namespace.
                    switch home {
                    case .some(let h): try? h.enterNamespace(.network)
                    case .none: break
                    }
                }
            }
            t.stackSize = 1 << 20
            t.start()
        }
        done.wait()
    }

    /// Runs one closure inside one namespace on a fresh thread and returns its result.
    public static func run<T: Sendable>(inNamespaceFd fd: Int32, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let box = ResultBox<T>()
        forEach(fds: [fd], threads: 1) { _, entered in
            switch entered {
            case .failure(let e): box.set(.failure(e))
            case .success: box.set(Result { try body() })
            }
        }
        return try box.get()
    }
}

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func take() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value - 1 }
}

final class ResultBox<T>: @unchecked Sendable {
    private var result: Result<T, any Error>?
    private let lock = NSLock()
    func set(_ r: Result<T, any Error>) { lock.lock(); result = r; lock.unlock() }
    func get() throws -> T {
        lock.lock(); defer { lock.unlock() }
        guard let r = result else { throw SystemError("run", "namespace worker produced no result", errno: EINVAL) }
        return try r.get()
    }
}
