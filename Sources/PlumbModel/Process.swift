/// A process as seen in /proc. Named ProcessRecord to stay clear of Foundation's Process.
public struct ProcessRecord: Codable, Sendable, Equatable {
    public var pid: Int32
    public var ppid: Int32
    public var comm: String
    /// Arguments, NUL separators turned into spaces; empty for kernel threads.
    public var cmdline: String
    public var uid: UInt32
    /// nsfs inode of its network namespace, nil when its namespace link could not be read.
    public var namespace: UInt64?

    public init(pid: Int32, ppid: Int32 = 0, comm: String, cmdline: String = "", uid: UInt32 = 0,
                namespace: UInt64?) {
        self.pid = pid; self.ppid = ppid; self.comm = comm; self.cmdline = cmdline; self.uid = uid
        self.namespace = namespace
    }
}

/// A container (or pod, machine) that a runtime made, attributed to a namespace.
public struct Container: Codable, Sendable, Equatable, Hashable {
    public enum Runtime: String, Codable, Sendable, CaseIterable {
        case docker, podman, cni, containerd, kubernetes, lxc, nspawn, plumb, unknown
    }
    public var runtime: Runtime
    public var id: String
    public var name: String
    /// Where the attribution came from (a file path or "cgroup"), so a user can check it.
    public var source: String

    public init(runtime: Runtime, id: String, name: String, source: String) {
        self.runtime = runtime; self.id = id; self.name = name; self.source = source
    }
}
