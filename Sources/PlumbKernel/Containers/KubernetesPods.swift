/// kubelet's pod log directories, /var/log/pods/<namespace>_<pod name>_<uid>: the one place on disk that
/// maps a pod uid (all a cgroup path gives) to its name whatever the CRI runtime. Neither namespaces nor pod
/// names may contain "_", so the split is unambiguous.
struct KubernetesPods {
    static let directory = "/var/log/pods"

    private(set) var byUID = [String: (namespace: String, name: String)]()

    init(fs: RootFS) {
        for entry in fs.list(Self.directory) {
            let parts = entry.split(separator: "_", omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else { continue }
            byUID[String(parts[2])] = (String(parts[0]), String(parts[1]))
        }
    }
}
