import Glibc
import Foundation
import CLinuxShims

/// The one way Plumb runs code inside a network namespace.
///
/// setns(CLONE_NEWNET) changes the namespace of the calling *thread* only, so this work never runs on the Swift
/// cooperative pool or across an `await`: it runs as synchronous closures on dedicated threads that enter a
/// namespace, run the closure, and always return to the namespace they started in (`inside`). `forEach` is a
/// small pool of such threads (the snapshot), `run` one call on a fresh thread (a socket for a plan, a checked
/// open), and a thread that is already dedicated (a capture's worker) calls `inside` itself. A child process
/// enters its namespaces between fork and exec instead (`NamespaceExec`, with fds from `NamespaceOpener`).
public enum NamespaceWorkers {
    /// Runs `body` on the calling thread inside the namespace of `fd`, then returns the thread to the
    /// namespace it was in, whatever `body` did. Call it only from a thread of your own (never a Task).
    public static func inside<T, E: Error>(_ fd: Int32, _ body: () throws(E) -> T) throws -> T {
        guard let home = FileDescriptor.openIfPresent("/proc/thread-self/ns/net", O_RDONLY) else {
            throw SystemError("open", "/proc/thread-self/ns/net")
        }
        if plumb_setns(fd, plumb_CLONE_NEWNET) != 0 { throw SystemError("setns", "network namespace fd \(fd)") }
        defer { try? home.enterNamespace(.network) }
        return try body()
    }

    /// Whether two nsfs fds are the same namespace (same inode on the same nsfs device).
    static func same(_ a: Int32, _ b: Int32) -> Bool {
        var sa = stat(), sb = stat()
        return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev
    }

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
                var homeFd: Int32 = -1  // borrowed from `home`, which lives as long as the thread's loop
                switch home {
                case .some(let h): homeFd = h.rawValue
                case .none: break
                }
                while true {
                    let i = next.take()
                    if i >= count { break }
                    let fd = fds[i]
                    if fd < 0 { body(i, .success(())); continue }
                    if plumb_setns(fd, plumb_CLONE_NEWNET) != 0 {
                        let failure = SystemError("setns", "network namespace fd \(fd)")
                        // Without CAP_SYS_ADMIN setns fails even into the namespace the thread is already in
                        // (a non-root listing's own): the job can run here as it is. A failed setns leaves the
                        // thread at home, so home is where it is.
                        body(i, homeFd >= 0 && Self.same(fd, homeFd) ? .success(()) : .failure(failure))
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

public enum ProcessorCount {
    public static var online: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func take() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value - 1 }
}

/// One result handed from a worker thread to the thread waiting for it.
public final class ResultBox<T>: @unchecked Sendable {
    public init() {}
    private var result: Result<T, any Error>?
    private let lock = NSLock()
    public func set(_ r: Result<T, any Error>) { lock.lock(); result = r; lock.unlock() }
    public func get() throws -> T {
        lock.lock(); defer { lock.unlock() }
        guard let r = result else { throw SystemError("run", "namespace worker produced no result", errno: EINVAL) }
        return try r.get()
    }
}
