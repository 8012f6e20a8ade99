import Glibc
import CLinuxShims
import PlumbSystem

/// One process event from the kernel's connector.
public struct ProcessEvent: Equatable, Sendable {
    public enum Kind: Int32, Sendable { case fork = 1, exec = 2, exit = 3 }
    public var kind: Kind
    /// The thread (for fork: the new one).
    public var pid: Int32
    /// Its process; a new process, not a thread, has pid == tgid.
    public var tgid: Int32
    public init(_ kind: Kind, pid: Int32, tgid: Int32) { self.kind = kind; self.pid = pid; self.tgid = tgid }
    public var isProcess: Bool { pid == tgid }
}

/// Fork, exec and exit of every process as they happen (the proc connector, NETLINK_CONNECTOR/CN_IDX_PROC).
/// The live view looks only at the processes these name, instead of walking all of /proc every interval.
public final class ProcessEvents: @unchecked Sendable {
    public enum Batch: Equatable, Sendable {
        case events([ProcessEvent])
        /// The socket overflowed (ENOBUFS): events were lost, only a full /proc walk is right again.
        case lost
    }

    private let fd: FileDescriptor

    /// nil when the connector cannot be opened (not root, or a kernel without CONFIG_PROC_EVENTS).
    public init?() {
        let raw = plumb_proc_connector_open()
        guard raw >= 0 else { return nil }
        fd = FileDescriptor(owning: raw)
    }

    public var descriptor: Int32 { fd.rawValue }

    /// Everything queued now, without waiting.
    public func drain() -> Batch {
        var out = [ProcessEvent]()
        var buf = [plumb_proc_event](repeating: plumb_proc_event(), count: 512)
        while true {
            let n = buf.withUnsafeMutableBufferPointer { plumb_proc_connector_read(fd.rawValue, $0.baseAddress, 512) }
            if n < 0 { return errno == ENOBUFS ? .lost : .events(out) }
            for e in buf[0..<Int(n)] {
                guard let kind = ProcessEvent.Kind(rawValue: e.kind) else { continue }
                out.append(ProcessEvent(kind, pid: e.pid, tgid: e.tgid))
            }
            if n < 512 { return .events(out) }
        }
    }
}
