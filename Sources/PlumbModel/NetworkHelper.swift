/// A user-mode network helper that gives a namespace its network from outside it: slirp4netns or pasta (the
/// way rootless Podman, rootlesskit and rootless Docker connect a namespace without privileges). It lives in
/// another namespace and serves a tap device inside this one, so neither the namespace's processes nor its
/// holders name it.
public struct NetworkHelper: Codable, Sendable, Equatable {
    /// "slirp4netns" or "pasta".
    public var program: String
    public var pid: Int32
    /// The tap device it serves in the namespace (slirp4netns's TAPNAME); nil when its command line does not
    /// say (pasta picks its own).
    public var link: String?

    public init(program: String, pid: Int32, link: String? = nil) {
        self.program = program; self.pid = pid; self.link = link
    }

    /// "slirp4netns (pid 812) on tap0".
    public var description: String {
        "\(program) (pid \(pid))" + (link.map { " on \($0)" } ?? "")
    }
}
