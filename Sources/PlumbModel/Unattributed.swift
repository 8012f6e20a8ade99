/// Why a namespace has no container, and the best evidence of what made it: never a bare "-". Filled for
/// every namespace other than the host's that no runtime could be tied to.
public struct Unattributed: Codable, Sendable, Equatable {
    /// What most likely made it, in one word or two: "unshare", "ip netns", "systemd-nspawn", "conmon",
    /// "containerd-shim", a process's name, "bind mount", "fd".
    public var maker: String
    /// Why no runtime was named ("no container runtime's state or cgroup names it").
    public var reason: String
    /// The best evidence, for a person to check: "pid 812 `sleep 1000`, child of unshare (pid 800)",
    /// "bind mount /run/netns/lab", "fd 7 of pid 812 (python3)".
    public var evidence: String

    public init(maker: String, reason: String, evidence: String) {
        self.maker = maker; self.reason = reason; self.evidence = evidence
    }
}
