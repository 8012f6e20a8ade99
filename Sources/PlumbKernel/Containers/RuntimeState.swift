import PlumbModel

/// Every runtime's files, parsed once per `attribute` call, and the matching of one namespace against them.
struct RuntimeState {
    let fs: RootFS
    let docker: DockerState
    let storage: StorageState
    let containerd: ContainerdState
    let cni: CNIState
    let pods: KubernetesPods
    /// The demo lab's namespaces (`plumb lab up`), by bind path.
    let labs: LabState
    /// Rootless users' runtimes, by uid: read only for the uids that own some namespace.
    let rootless: [UInt32: RootlessState]
    /// Processes and parents looked at for namespaces no file named, read once.
    let processes: ProcessCache
    /// nspawn is running machines (its propagate directory has entries): only then is a mount table worth reading.
    let nspawnRunning: Bool

    /// `owned`: the namespaces owned by another user namespace, whose users' rootless state is read.
    init(fs: RootFS, owned: [NamespaceEvidence] = []) {
        let ownerUIDs = Set(owned.compactMap { $0.owner?.uid })
        self.fs = fs
        processes = ProcessCache(fs: fs)
        nspawnRunning = !fs.list(String(NspawnMachine.propagate.dropLast())).isEmpty
        docker = DockerState(fs: fs)
        storage = StorageState(fs: fs)
        containerd = ContainerdState(fs: fs, docker: docker)
        cni = CNIState(fs: fs)
        pods = KubernetesPods(fs: fs)
        labs = LabState(fs: fs)
        var rootless = [UInt32: RootlessState]()
        if !ownerUIDs.isEmpty {
            let passwd = Passwd(fs: fs)
            let elsewhere = RootlessRuntimeDir.find(owned, processes: processes)
            for uid in ownerUIDs.sorted() where uid != 0 {
                if let user = passwd.byUID[uid] {
                    rootless[uid] = RootlessState(fs: fs, user: user, otherRuntimeDirs: elsewhere[uid] ?? [])
                }
            }
        }
        self.rootless = rootless
    }

    /// Every runtime's state that may hold this namespace's containers: root's, then its owner's rootless ones.
    private func sources(_ ns: NamespaceEvidence) -> (dockers: [DockerState], bundles: [BundleIndex]) {
        var dockers = [docker], bundles = [containerd.bundles, storage.bundles]
        if let uid = ns.owner?.uid, let r = rootless[uid] {
            dockers.append(r.docker)
            bundles += r.containerd.map(\.bundles) + [r.storage.bundles]
        }
        return (dockers, bundles)
    }

    /// Evidence is tried strongest first (a bind path or init pid named in a runtime's own file, then the
    /// kernel's cgroup placement, then an IP allocation, then a bare path name), so a container proven several
    /// ways is reported with its best source.
    func containers(for ns: NamespaceEvidence) -> [Container] {
        var found = ContainerFindings()
        let paths = ns.paths.map(Canonical.path)
        let (dockers, bundles) = sources(ns)
        for path in paths {
            for e in labs.entries(path: path, inode: ns.id) { found.add(e.identity, source: e.path) }
            for d in dockers { for e in d.bySandboxKey[path] ?? [] { found.add(e.identity, source: e.path) } }
            for b in bundles { for e in b.byNetns[path] ?? [] { found.add(e.identity, source: e.path) } }
            for r in cni.byNetns[path] ?? [] {
                found.add(cni.identity(for: r.attachment, known: known), source: r.attachment.path)
            }
        }
        for (pid, _) in ns.processes {
            for d in dockers { for e in d.byPid[pid] ?? [] { found.add(e.identity, source: e.path) } }
            for b in bundles { for e in b.byPid[pid] ?? [] { found.add(e.identity, source: e.path) } }
        }
        for (pid, _) in ns.processes.prefix(ContainerAttributor.cgroupReadsPerNamespace) {
            guard let text = fs.text("/proc/\(pid)/cgroup"), let hint = CgroupParser.hint(file: text) else { continue }
            found.add(identity(for: hint), source: "cgroup:\(pid)")
        }
        if found.isEmpty { addFromParent(ns, into: &found) }
        for address in ns.addresses {
            guard let ip = Canonical.ip(address), let holders = cni.byIP[ip] else { continue }
            // The same address allocated to two containers (overlapping subnets, a leaked allocation) proves
            // nothing about which one this namespace is.
            guard Set(holders.map(\.containerID)).count == 1, let a = holders.first else { continue }
            found.add(cni.identity(for: a, known: known), source: a.path)
        }
        if found.isEmpty {
            let owner = ns.owner.map { $0.user ?? $0.short }
            for path in paths {
                if let owner, let i = RootlessState.rootlessNetns(path: path, owner: owner) { found.add(i, source: path) }
                else if let i = Self.identity(byName: path) { found.add(i, source: path) }
            }
        }
        return found.items.map(\.container)
    }

    /// The namespace's first processes' monitor (conmon, a containerd shim, systemd-nspawn), then nspawn's
    /// propagate mount: for containers whose namespace no file names and whose cgroup says nothing.
    private func addFromParent(_ ns: NamespaceEvidence, into found: inout ContainerFindings) {
        let pids = ns.processes.map(\.pid)
        if let (hint, parent) = ParentProcess.hint(processes, pids: pids) {
            let source = "cmdline:\(parent)"
            switch hint {
            case .conmon(let id, let name):
                found.add(known(id, owner: ns.owner) ?? ContainerIdentity(.podman, id: id, name: name), source: source)
            case .shim(let namespace, let id):
                let identity = known(id, owner: ns.owner)
                    ?? (namespace == "moby" ? ContainerIdentity(.docker, id: id, name: nil)
                        : ContainerIdentity(.containerd, id: id, name: nil,
                                            fallbackName: "\(namespace ?? "default")/\(Canonical.shortID(id))"))
                found.add(identity, source: source)
            case .nspawn(let name):
                found.add(ContainerIdentity(.nspawn, id: name, name: name), source: source)
            case .rootlesskit:
                // rootlesskit's child, or the daemon it runs (dockerd-rootless.sh execs dockerd), lives here.
                let owner = ns.owner.map { $0.user ?? $0.short } ?? "uid ?"
                let docker = pids.prefix(5).contains { processes.facts($0)?.program.hasPrefix("dockerd") == true }
                found.add(ContainerIdentity(docker ? .docker : .unknown, id: "rootlesskit",
                                            name: docker ? "rootless docker (\(owner))" : "rootlesskit (\(owner))"),
                          source: source)
            }
            return
        }
        if nspawnRunning, let pid = pids.first, let m = NspawnMachine.identity(fs: fs, pid: pid) { found.add(m.identity, source: m.source) }
    }

    /// A container id named by another runtime's files (a CNI container id is the runtime's own id).
    func known(_ id: String) -> ContainerIdentity? {
        docker.byID[id]?.identity ?? containerd.bundles.byID[id]?.identity ?? storage.byID[id]
    }

    /// `known`, then the rootless runtimes of the namespace's owner.
    func known(_ id: String, owner: NamespaceOwner?) -> ContainerIdentity? {
        if let i = known(id) { return i }
        guard let uid = owner?.uid, let r = rootless[uid] else { return nil }
        return r.docker.byID[id]?.identity ?? r.containerd.lazy.compactMap { $0.bundles.byID[id]?.identity }.first
            ?? r.storage.byID[id]
    }

    func identity(for hint: CgroupHint) -> ContainerIdentity {
        switch hint {
        case .docker(let id):
            return docker.byID[id]?.identity ?? containerd.bundles.byID[id]?.identity
                ?? ContainerIdentity(.docker, id: id, name: nil)
        case .podman(let id):
            return storage.byID[id] ?? ContainerIdentity(.podman, id: id, name: nil)
        case .containerd(let id):
            return containerd.bundles.byID[id]?.identity ?? ContainerIdentity(.containerd, id: id, name: nil)
        case .kubernetes(let id, let uid):
            return pod(containerID: id, uid: uid)
        case .lxc(let name):
            return ContainerIdentity(.lxc, id: name, name: name)
        case .nspawn(let name):
            return ContainerIdentity(.nspawn, id: name, name: name)
        }
    }

    /// A pod from a cgroup path: the CRI runtime's bundle names it best, then kubelet's log directory, then
    /// the CNI args; with none of them it is named after its uid.
    private func pod(containerID id: String, uid: String?) -> ContainerIdentity {
        let uidKeys = uid.map { ["pod-uid:" + $0] } ?? []
        for candidate in [containerd.bundles.byID[id]?.identity, storage.byID[id]] {
            if var p = candidate, p.runtime == .kubernetes { p.keys.formUnion(uidKeys); return p }
        }
        if let uid, let p = pods.byUID[uid] {
            return .pod(containerID: id, namespace: p.namespace, name: p.name, uid: uid)
        }
        if let uid, let p = cni.pod(uid: uid) {
            return .pod(containerID: id, namespace: p.namespace, name: p.name, uid: uid)
        }
        return .pod(containerID: id, namespace: nil, name: nil, uid: uid)
    }

    /// Last resort, for a namespace no file or process explains: the naming schemes of runtimes that pin
    /// namespaces under /run/netns. containerd's CRI plugin uses cni-<uuid>; Podman 4+ uses netns-<uuid>.
    static func identity(byName path: String) -> ContainerIdentity? {
        guard path.hasPrefix("/run/netns/") else { return nil }
        let name = String(path.dropFirst("/run/netns/".count))
        guard !name.contains("/") else { return nil }
        if name.hasPrefix("cni-") && name.count > 4 {
            return ContainerIdentity(.containerd, id: name, name: nil, fallbackName: name)
        }
        if name.hasPrefix("netns-") && name.count > 6 {
            return ContainerIdentity(.podman, id: name, name: nil, fallbackName: name)
        }
        return nil
    }
}
