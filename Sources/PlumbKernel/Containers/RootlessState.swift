/// One user's rootless runtimes, found from the uid that owns a namespace's user namespace and its home in
/// /etc/passwd: Podman's containers-storage (graph root ~/.local/share/containers/storage, run root
/// $XDG_RUNTIME_DIR/containers or /tmp/podman-run-UID/containers), and rootless Docker (dockerd-rootless.sh:
/// ~/.local/share/docker, its containerd's tasks under $XDG_RUNTIME_DIR/docker/containerd/daemon). The same
/// file formats as root's, at other places; a directory that does not exist costs one failed open.
/// $XDG_RUNTIME_DIR is /run/user/UID, plus any other runtime directory the user's runtime processes name.
struct RootlessState {
    let user: Passwd.User
    let storage: StorageState
    let docker: DockerState
    /// Rootless Docker's containerd tasks, one per runtime directory.
    let containerd: [ContainerdState]

    /// $XDG_RUNTIME_DIR as pam_systemd makes it. A runtime directory elsewhere is found from the environment
    /// of the runtime's processes (`RootlessRuntimeDir`) and passed as `otherRuntimeDirs`.
    static func runtimeDir(_ uid: UInt32) -> String { "/run/user/\(uid)" }

    init(fs: RootFS, user: Passwd.User, otherRuntimeDirs: [String] = []) {
        self.user = user
        let home = user.home.hasSuffix("/") ? String(user.home.dropLast()) : user.home
        let runs = [Self.runtimeDir(user.uid)] + otherRuntimeDirs
        storage = StorageState(fs: fs, graphRoot: "\(home)/.local/share/containers/storage",
                               runRoots: runs.map { "\($0)/containers" } + ["/tmp/podman-run-\(user.uid)/containers"])
        let docker = DockerState(fs: fs, directory: "\(home)/.local/share/docker/containers")
        self.docker = docker
        containerd = runs.map {
            ContainerdState(fs: fs, docker: docker, directory: "\($0)/docker/containerd/daemon/io.containerd.runtime.v2.task")
        }
    }

    /// The shared namespace a rootless runtime makes for its networks, named by its bind mount: Podman 4's
    /// $XDG_RUNTIME_DIR/netns/rootless-netns-HASH, Podman 5's .../containers/networks/rootless-netns/rootless-netns.
    static func rootlessNetns(path: String, owner: String) -> ContainerIdentity? {
        guard let last = path.split(separator: "/").last, last.hasPrefix("rootless-netns") else { return nil }
        return ContainerIdentity(.podman, id: String(last), name: "rootless-netns (\(owner))")
    }
}
