/// What the parent of a namespace's first process says about the runtime, when no file or cgroup did: a
/// container's init is the child of its monitor, whose command line names it. conmon (Podman, CRI-O) is run
/// as `conmon -c ID -n NAME ...`; a containerd shim as `containerd-shim-runc-v2 -namespace NS -id ID ...`;
/// systemd-nspawn as `systemd-nspawn -M NAME` or `-D DIR`. This is how a rootless Podman container with
/// `--network none` (a fresh namespace no path names, no cgroup of its own), an nspawn container without
/// machined and rootless Docker's own namespace (its daemon is rootlesskit's child) are named.
enum ParentProcess {
    enum Hint: Equatable {
        case conmon(id: String, name: String?)
        case shim(namespace: String?, id: String)
        case nspawn(name: String)
        /// rootlesskit's namespace (dockerd-rootless.sh, rootless containerd): the daemon runs inside it, and
        /// its containers' namespaces are bind-mounted from its mount namespace.
        case rootlesskit
    }

    /// The first of the namespace's first processes whose parent is a known monitor, with that parent's pid.
    static func hint(_ processes: ProcessCache, pids: [Int32]) -> (hint: Hint, parent: Int32)? {
        for pid in pids.prefix(3) {
            guard let child = processes.facts(pid), let parent = processes.facts(child.ppid),
                  let h = parent.program == "rootlesskit" ? .rootlesskit
                      : hint(argv: parent.argv, program: parent.program) else { continue }
            return (h, parent.pid)
        }
        return nil
    }

    static func hint(argv: [String], program: String) -> Hint? {
        switch program {
        case "conmon":
            guard let id = value(argv, ["-c", "--cid"]) else { return nil }
            return .conmon(id: id, name: value(argv, ["-n", "--name"]))
        case let p where p.hasPrefix("containerd-shim"):
            guard let id = value(argv, ["-id", "--id"]) else { return nil }
            return .shim(namespace: value(argv, ["-namespace", "--namespace"]), id: id)
        case "systemd-nspawn":
            return NspawnMachine.machineName(argv: argv).map { .nspawn(name: $0) }
        default:
            return nil
        }
    }

    /// The value of the first of `options`, spelled "-c ID" or "-c=ID".
    private static func value(_ argv: [String], _ options: [String]) -> String? {
        for (i, a) in argv.enumerated() {
            for o in options {
                if a == o, i + 1 < argv.count, !argv[i + 1].isEmpty { return argv[i + 1] }
                if a.hasPrefix(o + "=") { let v = String(a.dropFirst(o.count + 1)); if !v.isEmpty { return v } }
            }
        }
        return nil
    }
}
