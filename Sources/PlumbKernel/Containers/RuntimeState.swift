import PlumbModel

/// Every runtime's files, parsed once per `attribute` call, and the matching of one namespace against them.
struct RuntimeState {
    let fs: RootFS
    let docker: DockerState
    let storage: StorageState
    let containerd: ContainerdState
    let cni: CNIState
    let pods: KubernetesPods

    init(fs: RootFS) {
        self.fs = fs
        docker = DockerState(fs: fs)
        storage = StorageState(fs: fs)
        containerd = ContainerdState(fs: fs, docker: docker)
        cni = CNIState(fs: fs)
        pods = KubernetesPods(fs: fs)
    }

    /// Evidence is tried strongest first (a bind path or init pid named in a runtime's own file, then the
    /// kernel's cgroup placement, then an IP allocation, then a bare path name), so a container proven several
    /// ways is reported with its best source.
    func containers(for ns: NamespaceEvidence) -> [Container] {
        var found = ContainerFindings()
        let paths = ns.paths.map(Canonical.path)
        for path in paths {
            for e in docker.bySandboxKey[path] ?? [] { found.add(e.identity, source: e.path) }
            for e in containerd.bundles.byNetns[path] ?? [] { found.add(e.identity, source: e.path) }
            for e in storage.bundles.byNetns[path] ?? [] { found.add(e.identity, source: e.path) }
            for r in cni.byNetns[path] ?? [] {
                found.add(cni.identity(for: r.attachment, known: known), source: r.attachment.path)
            }
        }
        for (pid, _) in ns.processes {
            for e in docker.byPid[pid] ?? [] { found.add(e.identity, source: e.path) }
            for e in containerd.bundles.byPid[pid] ?? [] { found.add(e.identity, source: e.path) }
            for e in storage.bundles.byPid[pid] ?? [] { found.add(e.identity, source: e.path) }
        }
        for (pid, _) in ns.processes.prefix(ContainerAttributor.cgroupReadsPerNamespace) {
            guard let text = fs.text("/proc/\(pid)/cgroup"), let hint = CgroupParser.hint(file: text) else { continue }
            found.add(identity(for: hint), source: "cgroup:\(pid)")
        }
        for address in ns.addresses {
            guard let ip = Canonical.ip(address), let holders = cni.byIP[ip] else { continue }
            // The same address allocated to two containers (overlapping subnets, a leaked allocation) proves
            // nothing about which one this namespace is.
            guard Set(holders.map(\.containerID)).count == 1, let a = holders.first else { continue }
            found.add(cni.identity(for: a, known: known), source: a.path)
        }
        if found.isEmpty {
            for path in paths { if let i = Self.identity(byName: path) { found.add(i, source: path) } }
        }
        return found.items.map(\.container)
    }

    /// A container id named by another runtime's files (a CNI container id is the runtime's own id).
    func known(_ id: String) -> ContainerIdentity? {
        docker.byID[id]?.identity ?? containerd.bundles.byID[id]?.identity ?? storage.byID[id]
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
