import Foundation
import XCTest

/// An anonymous network namespace as a user leaves one: `unshare --net --fork --kill-child sleep 60`, whose
/// sleep (unshare's child) is the only process inside. `stop` ends unshare (and with it the sleep) by pid.
struct UnsharedSleep {
    let unshare: Spawned
    /// The sleep in the new namespace; 0 when it did not appear within 5 s (the start asserts that).
    let child: Int32

    static func start(file: StaticString = #filePath, line: UInt = #line) throws -> UnsharedSleep {
        let unshare = try Shell.spawn(["unshare", "--net", "--fork", "--kill-child", "sleep", "60"])
        var child: Int32 = 0
        XCTAssertTrue(RuntimeHost.wait(5) {
            child = Int32(((try? String(contentsOfFile: "/proc/\(unshare.pid)/task/\(unshare.pid)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").first ?? "") ?? 0
            return child > 0 && NetworkHelperTests.netns(child) != NetworkHelperTests.netns(getpid())
        }, "unshare's child is in a new namespace", file: file, line: line)
        return UnsharedSleep(unshare: unshare, child: child)
    }

    func stop() { RuntimeHost.stop(pid: unshare.pid, grace: 2); unshare.waitUntilExit() }
}
