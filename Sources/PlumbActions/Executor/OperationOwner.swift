import Glibc
import PlumbSystem

/// The process that runs a journaled operation: its pid, its start time (field 22 of /proc/PID/stat, in clock
/// ticks since boot) and the boot it ran in. A pid alone is reused; the three together name one process, so
/// gc can tell an operation still running from one whose process died (`isAlive`).
public struct OperationOwner: Codable, Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32
    public var startTime: UInt64
    public var bootID: String

    public init(pid: Int32, startTime: UInt64, bootID: String) {
        self.pid = pid; self.startTime = startTime; self.bootID = bootID
    }

    /// This process.
    public static let current: OperationOwner = {
        let pid = getpid()
        return OperationOwner(pid: pid, startTime: startTime(of: pid) ?? 0, bootID: bootID)
    }()

    /// True while the process that recorded this owner runs: same boot, same pid, same start time.
    public var isAlive: Bool {
        bootID == Self.bootID && Self.startTime(of: pid) == startTime
    }

    public var description: String { "pid \(pid)" }

    static let bootID: String = {
        let bytes = FileDescriptor.readSmallFile("/proc/sys/kernel/random/boot_id", limit: 64) ?? []
        return String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }
    }()

    /// Field 22 (starttime) of /proc/PID/stat, or nil when there is no such process. The command name (field
    /// 2) may hold spaces and parentheses, so the fields are counted from its last ')'.
    static func startTime(of pid: Int32) -> UInt64? {
        guard pid > 0, let bytes = FileDescriptor.readSmallFile("/proc/\(pid)/stat", limit: 4096),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19 else { return nil }
        return UInt64(String(decoding: fields[19], as: UTF8.self))
    }
}
