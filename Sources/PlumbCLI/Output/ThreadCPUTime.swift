import Glibc

/// CPU time of the calling thread, for timings that must not count the time a loaded machine spends running
/// other programs (`--print-timing`).
enum ThreadCPUTime {
    static func millis() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
    }
}
