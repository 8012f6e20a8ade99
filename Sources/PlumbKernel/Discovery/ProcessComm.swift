import PlumbSystem

/// A process's command name, from /proc/PID/comm (one small read, as `ss -p` names socket owners): for the few
/// processes a light discovery must name without reading every process's details.
public enum ProcessComm {
    public static func read(_ pid: Int32, procRoot: String = "/proc") -> String? {
        guard let bytes = FileDescriptor.readSmallFile("\(procRoot)/\(pid)/comm", limit: 64) else { return nil }
        return String(decoding: bytes.last == 0x0A ? bytes.dropLast() : bytes[...], as: UTF8.self)
    }
}
