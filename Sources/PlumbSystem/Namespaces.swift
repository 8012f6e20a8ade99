import Glibc
import CLinuxShims

/// The kinds of namespace setns/unshare take (CLONE_NEW*), which Glibc's module does not export.
public enum NamespaceKind: Sendable {
    case network, mount, uts, ipc, pid, user

    public var cloneFlag: Int32 {
        switch self {
        case .network: return plumb_CLONE_NEWNET
        case .mount: return plumb_CLONE_NEWNS
        case .uts: return plumb_CLONE_NEWUTS
        case .ipc: return plumb_CLONE_NEWIPC
        case .pid: return plumb_CLONE_NEWPID
        case .user: return plumb_CLONE_NEWUSER
        }
    }
}

extension FileDescriptor {
    /// setns(2): moves the calling *thread* into the namespace this nsfs descriptor refers to.
    public borrowing func enterNamespace(_ kind: NamespaceKind) throws(SystemError) {
        if plumb_setns(rawValue, kind.cloneFlag) != 0 { throw SystemError("setns", "namespace fd \(rawValue)") }
    }

    /// ioctl(NS_GET_NSTYPE): whether this nsfs descriptor is a namespace of `kind`.
    public borrowing func isNamespace(_ kind: NamespaceKind) -> Bool {
        plumb_ns_type(rawValue) == kind.cloneFlag
    }
}

/// Calls on the process or thread that take no descriptor.
public enum SystemCalls {
    /// unshare(2) of one namespace kind, for the calling thread.
    public static func unshare(_ kind: NamespaceKind) throws(SystemError) {
        if plumb_unshare(kind.cloneFlag) != 0 { throw SystemError("unshare", "\(kind)") }
    }

    public struct MountFlags: OptionSet, Sendable {
        public let rawValue: UInt
        public init(rawValue: UInt) { self.rawValue = rawValue }
        public static let bind = MountFlags(rawValue: plumb_MS_BIND)
        public static let recursive = MountFlags(rawValue: plumb_MS_REC)
        public static let shared = MountFlags(rawValue: plumb_MS_SHARED)
        public static let slave = MountFlags(rawValue: plumb_MS_SLAVE)
    }

    /// mount(2) without data (bind mounts and propagation changes, as `ip netns add` makes them).
    public static func mount(_ source: String, on target: String, type: String = "none",
                             flags: MountFlags) throws(SystemError) {
        if plumb_mount(source, target, type, flags.rawValue) != 0 { throw SystemError("mount", target) }
    }

    /// umount2(2) with MNT_DETACH.
    public static func detach(_ target: String) throws(SystemError) {
        if plumb_umount(target, plumb_MNT_DETACH) != 0 { throw SystemError("umount2", target) }
    }

    /// The error `call` threw, or nil when it succeeded: for callers that tolerate some errno values.
    public static func failure(_ call: () throws(SystemError) -> Void) -> SystemError? {
        do { try call(); return nil } catch { return error }
    }

}
