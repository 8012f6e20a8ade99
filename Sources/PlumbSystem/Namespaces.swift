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

/// The user namespace that owns a namespace: who made it, as lxkns reads it.
public struct OwningUserNamespace: Sendable, Equatable {
    /// nsfs inode of the user namespace (`user:[ID]`).
    public var inode: UInt64
    /// The euid of its creator, as this process's user namespace sees it; nil when the kernel would not say.
    public var creatorUID: UInt32?

    public init(inode: UInt64, creatorUID: UInt32?) { self.inode = inode; self.creatorUID = creatorUID }
}

extension FileDescriptor {
    /// ioctl(NS_GET_USERNS) on this nsfs descriptor, then NS_GET_OWNER_UID and fstat on the answer: the owning
    /// user namespace of the namespace it refers to. The user-namespace descriptor is closed before returning.
    public borrowing func owningUserNamespace() throws(SystemError) -> OwningUserNamespace {
        let raw = plumb_ns_get_userns(rawValue)
        if raw < 0 { throw SystemError("ioctl(NS_GET_USERNS)", "namespace fd \(rawValue)") }
        let userns = FileDescriptor(owning: raw)
        let st = try userns.status()
        var uid: UInt32 = 0
        let known = plumb_ns_owner_uid(userns.rawValue, &uid) == 0
        return OwningUserNamespace(inode: UInt64(st.st_ino), creatorUID: known ? uid : nil)
    }
}
