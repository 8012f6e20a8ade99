#if canImport(Glibc)
import Glibc
#endif

// A mutex with one condition variable, plus a helper to run a closure on its own POSIX thread. Plain pthreads:
// the capture threads must be real, dedicated threads (they enter network namespaces), never pool threads.

final class Monitor: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t> = .allocate(capacity: 1)
    private let cond: UnsafeMutablePointer<pthread_cond_t> = .allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond); pthread_mutex_destroy(mutex)
        cond.deallocate(); mutex.deallocate()
    }

    @inline(__always) func lock() { pthread_mutex_lock(mutex) }
    @inline(__always) func unlock() { pthread_mutex_unlock(mutex) }

    @inline(__always) func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex); defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    func broadcast() { pthread_cond_broadcast(cond) }

    /// Waits (lock held) until signalled or `millis` elapsed. Spurious wake-ups are the caller's to handle.
    func wait(millis: Int) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var ns = Int(now.tv_nsec) + (millis % 1000) * 1_000_000
        var deadline = timespec(tv_sec: now.tv_sec + millis / 1000 + ns / 1_000_000_000, tv_nsec: 0)
        ns %= 1_000_000_000
        deadline.tv_nsec = ns
        pthread_cond_timedwait(cond, mutex, &deadline)
    }

    func wait() { pthread_cond_wait(cond, mutex) }
}

private final class ThreadBody { let run: () -> Void; init(_ r: @escaping () -> Void) { run = r } }

/// Starts a detached POSIX thread running `body`. Returns false when the thread could not be created.
func startThread(stackSize: Int = 1 << 20, _ body: @escaping @Sendable () -> Void) -> Bool {
    var attr = pthread_attr_t()
    pthread_attr_init(&attr)
    defer { pthread_attr_destroy(&attr) }
    pthread_attr_setstacksize(&attr, stackSize)
    pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
    let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var tid = pthread_t()
    let rc = pthread_create(&tid, &attr, { p in
        Unmanaged<ThreadBody>.fromOpaque(p!).takeRetainedValue().run()
        return nil
    }, box)
    if rc != 0 { Unmanaged<ThreadBody>.fromOpaque(box).release(); return false }
    return true
}

/// Wall-clock time now, as capture timestamps use (the kernel stamps packets with CLOCK_REALTIME).
func realtimeNow() -> PacketTimestamp {
    var t = timespec()
    clock_gettime(CLOCK_REALTIME, &t)
    return PacketTimestamp(seconds: Int64(t.tv_sec), nanoseconds: UInt32(t.tv_nsec))
}

func monotonicMillis() -> Int64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Int64(t.tv_sec) * 1000 + Int64(t.tv_nsec) / 1_000_000
}
