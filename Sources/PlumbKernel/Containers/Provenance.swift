import PlumbModel

/// Why a namespace no runtime could be tied to has no container, and the best evidence of who made it: the
/// holding process's command line and its parent (`unshare`, `ip netns`, `systemd-nspawn`, `conmon`, a
/// containerd shim), else the bind mount or the fd that keeps it alive.
enum Provenance {
    /// Parents and holders whose name says what made a namespace, and how to say it.
    static let makers: [String: String] = [
        "unshare": "unshare", "ip": "ip netns", "systemd-nspawn": "systemd-nspawn", "conmon": "conmon",
        "containerd-shim": "containerd-shim", "containerd-shim-runc-v2": "containerd-shim",
        "runc": "runc", "crun": "crun", "lxc-start": "lxc", "rootlesskit": "rootlesskit",
        "slirp4netns": "slirp4netns", "pasta": "pasta", "podman": "podman", "nsenter": "nsenter",
        "bwrap": "bubblewrap", "firejail": "firejail", "flatpak": "flatpak",
    ]

    static func explain(_ ns: NamespaceEvidence, processes: ProcessCache) -> Unattributed {
        let reason = ns.owner.map { "\($0.description.replacingOccurrences(of: "owned by ", with: "owned by the user namespace of ")); no rootless runtime's state names it" }
            ?? "no container runtime's state, cgroup or parent process names it"
        let named = ns.paths.first { NamespaceDiscovery.netnsName($0) != nil }
        if let pid = ns.processes.first?.pid, let p = processes.facts(pid) {
            let parent = processes.facts(p.ppid)
            var evidence = "pid \(pid) `\(p.commandLine())`"
            if let parent { evidence += ", child of \(parent.program) (pid \(parent.pid))" }
            if let named { evidence = "bind mount \(named); " + evidence }
            let maker = named != nil ? "ip netns"
                : makers[parent?.program ?? ""] ?? makers[p.program] ?? makers[parent?.comm ?? ""] ?? p.program
            return Unattributed(maker: maker, reason: reason, evidence: evidence)
        }
        if let named { return Unattributed(maker: "ip netns", reason: reason, evidence: "bind mount \(named)") }
        for h in ns.heldBy {
            switch h.kind {
            case .bindMount:
                var evidence = "bind mount \(h.path ?? "?")"
                if let pid = h.pid { evidence += " in the mount namespace of \(who(pid, processes))" }
                return Unattributed(maker: "bind mount", reason: reason, evidence: evidence)
            case .thread:
                let p = h.pid.flatMap { processes.facts($0) }
                return Unattributed(maker: p?.program ?? "thread", reason: reason,
                                    evidence: "thread \(h.tid.map(String.init) ?? "?") of \(h.pid.map { who($0, processes) } ?? "?")")
            case .fd:
                let p = h.pid.flatMap { processes.facts($0) }
                return Unattributed(maker: "fd of \(p?.program ?? "a process")", reason: reason,
                                    evidence: "fd \(h.fd.map(String.init) ?? "?") of \(h.pid.map { who($0, processes) } ?? "?")")
            case .process:
                continue
            }
        }
        return Unattributed(maker: "unknown", reason: reason, evidence: "no holder was seen (a reference the walk cannot see)")
    }

    /// "pid 812 (python3 -m http.server)", or "pid 812" when it is gone.
    private static func who(_ pid: Int32, _ processes: ProcessCache) -> String {
        processes.facts(pid).map { "pid \(pid) (\($0.commandLine(limit: 60)))" } ?? "pid \(pid)"
    }
}
