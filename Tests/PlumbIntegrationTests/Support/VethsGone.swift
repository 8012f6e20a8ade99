import Foundation

/// `ns rm --force` returns once the deleted namespace is dead; the kernel's cleanup of it removes its veths a
/// moment later (milliseconds; tens of milliseconds behind other deletions), as after `ip netns del`. Waits up to
/// `seconds` for `check` to hold (polling every 5 ms) and returns whether it did.
func eventuallyTrue(within seconds: Double = 3, _ check: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try check() { return true }
        if Date() >= deadline { return false }
        usleep(5_000)
    }
}
