import Foundation

/// The crash tests' fault hook: with PLUMB_TEST_KILL_AFTER_STEP=N in its environment, a plumb that has applied
/// N steps of a plan dies like `kill -9`, leaving the half-done plan for `gc`. It exists only in debug builds
/// (the tests run the debug binary): in a release build the variable is never read and its name is not in the
/// binary, so no environment can make an installed plumb stop half-way. `make build` checks the release binary
/// for the name (see the Makefile).
enum FaultInjection {
    #if DEBUG
    static let killAfterStep: Int? = ProcessInfo.processInfo.environment["PLUMB_TEST_KILL_AFTER_STEP"].flatMap { Int($0) }
    #endif

    /// Called after each applied step (or batch) with how many steps are done.
    @inline(__always)
    static func stepsDone(_ count: Int) {
        #if DEBUG
        if let k = killAfterStep, count >= k { kill(getpid(), SIGKILL) }
        #endif
    }
}
