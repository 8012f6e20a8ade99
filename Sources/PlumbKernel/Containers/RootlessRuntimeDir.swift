/// Where a rootless user's runtime directory is when it is not /run/user/UID: a session without pam_systemd
/// (ssh to a host without systemd, `su`, a CI job) sets XDG_RUNTIME_DIR to some other directory, and Podman
/// keeps its run root (pidfiles, $XDG_RUNTIME_DIR/containers) and rootless Docker its containerd tasks
/// ($XDG_RUNTIME_DIR/docker) there. Nothing outside the session names it, but the runtime's own processes
/// carry it in their environment: conmon (Podman sets XDG_RUNTIME_DIR for it), containerd's shims, rootlesskit
/// and the daemon it runs. So the environment of the namespace's first processes' ancestors is read, nearest
/// first, for namespaces owned by a user namespace only.
enum RootlessRuntimeDir {
    /// Ancestors looked at above each of a namespace's first processes: monitor, daemon, rootlesskit.
    static let ancestors = 3

    /// The runtime directories named by the processes of each owner's namespaces, besides /run/user/UID.
    /// A value is trusted only for state matched against namespaces that same user owns: a user can make
    /// Plumb read a directory of their choosing, but only to name their own namespaces.
    static func find(_ namespaces: [NamespaceEvidence], processes: ProcessCache) -> [UInt32: [String]] {
        var found = [UInt32: [String]]()
        for ns in namespaces {
            guard let uid = ns.owner?.uid, uid != 0 else { continue }
            for pid in ns.processes.prefix(3).map(\.pid) {
                var chain = [Int32]()
                var next = processes.facts(pid)?.ppid ?? 0
                while chain.count < ancestors, next > 1, let p = processes.facts(next) { chain.append(next); next = p.ppid }
                // The container's own process last: its environment is the image's, not the runtime's.
                for candidate in chain + [pid] {
                    guard let dir = processes.environment(candidate, "XDG_RUNTIME_DIR").flatMap(usable),
                          dir != RootlessState.runtimeDir(uid) else { continue }
                    if !found[uid, default: []].contains(dir) { found[uid, default: []].append(dir) }
                    break
                }
            }
        }
        return found
    }

    /// An absolute path without `..` or empty components, without its trailing slash; nil otherwise.
    static func usable(_ value: String) -> String? {
        var v = value
        while v.count > 1 && v.hasSuffix("/") { v.removeLast() }
        guard v.hasPrefix("/"), v.count > 1,
              !v.split(separator: "/", omittingEmptySubsequences: false).dropFirst().contains(where: { $0.isEmpty || $0 == ".." || $0 == "." })
        else { return nil }
        return v
    }
}
