/// containerd's running tasks: /run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>/config.json.
/// The containerd namespace says who asked for the container: "k8s.io" is the CRI plugin (Kubernetes),
/// "moby" is Docker, anything else ("default", nerdctl's) is plain containerd.
struct ContainerdState {
    static let directory = "/run/containerd/io.containerd.runtime.v2.task"

    private(set) var bundles = BundleIndex()

    init(fs: RootFS, docker: DockerState, directory: String = Self.directory) {
        for namespace in fs.list(directory) {
            for id in fs.list("\(directory)/\(namespace)") {
                let path = "\(directory)/\(namespace)/\(id)/config.json"
                guard let bundle = OCIBundle(json: fs.json(path)) else { continue }
                bundles.add(bundle, identity: Self.identity(of: bundle, id: id, namespace: namespace, docker: docker),
                            path: path)
            }
        }
    }

    private static func identity(of bundle: OCIBundle, id: String, namespace: String,
                                 docker: DockerState) -> ContainerIdentity {
        if let pod = bundle.pod(containerID: id) { return pod }
        if namespace == "moby" { return docker.byID[id]?.identity ?? ContainerIdentity(.docker, id: id, name: nil) }
        return ContainerIdentity(.containerd, id: id, name: bundle.annotations["nerdctl/name"],
                        fallbackName: "\(namespace)/\(Canonical.shortID(id))")
    }
}
