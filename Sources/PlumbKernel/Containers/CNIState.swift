import Foundation

/// State libcni and the host-local IPAM plugin leave under /var/lib/cni, whichever runtime called them.
struct CNIState {
    static let networks = "/var/lib/cni/networks"
    static let results = "/var/lib/cni/results"

    /// One container interface on one network.
    struct Attachment {
        var containerID: String
        var network: String
        var ifName: String
        /// The file proving it: a host-local allocation or a libcni cache entry.
        var path: String
    }

    /// A libcni cache entry (results/<net>-<id>-<ifname>, kind "cniCacheV1").
    struct CachedResult {
        var attachment: Attachment
        var netns: String?
        /// CNI_ARGS the runtime passed; kubelet's CRI runtimes add K8S_POD_NAMESPACE, K8S_POD_NAME, K8S_POD_UID.
        var args: [String: String]
    }

    private(set) var byNetns = [String: [CachedResult]]()
    /// Canonical IP -> attachments holding it, from host-local files and cached results' "ips".
    private(set) var byIP = [String: [Attachment]]()
    private var resultsByAttachment = [String: CachedResult]()
    private var resultsByContainer = [String: CachedResult]()

    init(fs: RootFS) {
        // Allocations first: for an address match, host-local's file is the primary record, the cache a copy.
        loadAllocations(fs)
        loadResults(fs)
    }

    private mutating func loadResults(_ fs: RootFS) {
        for file in fs.list(Self.results) {
            let path = "\(Self.results)/\(file)"
            // Pre-1.0 libcni cached only the plugin result, without the container id: nothing to attribute.
            guard let obj = fs.object(path), let id = obj["containerId"] as? String, Self.isValidID(id) else {
                continue
            }
            let attachment = Attachment(containerID: id, network: obj["networkName"] as? String ?? "",
                                        ifName: obj["ifName"] as? String ?? "", path: path)
            var args = [String: String]()
            for case let pair as [Any] in obj["cniArgs"] as? [Any] ?? [] where pair.count == 2 {
                if let k = pair[0] as? String, let v = pair[1] as? String { args[k] = v }
            }
            let netns = (obj["netns"] as? String).flatMap { $0.isEmpty ? nil : Canonical.path($0) }
            let cached = CachedResult(attachment: attachment, netns: netns, args: args)
            if let netns { byNetns[netns, default: []].append(cached) }
            resultsByAttachment[Self.key(attachment)] = cached
            if resultsByContainer[id] == nil { resultsByContainer[id] = cached }
            // Addresses from any IPAM (dhcp, static, whereabouts), not only host-local's files.
            let ips = (obj["result"] as? [String: Any])?["ips"] as? [Any] ?? []
            for case let ip as [String: Any] in ips {
                if let a = (ip["address"] as? String).flatMap(Canonical.ip) { byIP[a, default: []].append(attachment) }
            }
        }
    }

    /// host-local keeps one file per allocated address, named by the address, holding
    /// "<container id>\r\n<ifname>" (older versions: the id alone).
    private mutating func loadAllocations(_ fs: RootFS) {
        for network in fs.list(Self.networks) {
            for file in fs.list("\(Self.networks)/\(network)") {
                guard let ip = Canonical.ip(file) else { continue }
                let path = "\(Self.networks)/\(network)/\(file)"
                guard let text = fs.text(path) else { continue }
                // Empty lines are kept so "\r\neth0" (no id) is rejected instead of reading "eth0" as the id.
                let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
                    .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                guard let id = lines.first, Self.isValidID(id) else { continue }
                let attachment = Attachment(containerID: id, network: network,
                                            ifName: lines.count > 1 ? lines[1] : "", path: path)
                byIP[ip, default: []].append(attachment)
            }
        }
    }

    /// libcni's own rule for container ids (^[a-zA-Z0-9][a-zA-Z0-9_.-]*$): a file failing it was not written
    /// by CNI, and attributing its bytes as an id would print garbage.
    static func isValidID(_ s: String) -> Bool {
        func ok(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) }
        guard let first = s.utf8.first, ok(first), s.utf8.count <= 1024 else { return false }
        return s.utf8.allSatisfy { ok($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
    }

    private static func key(_ a: Attachment) -> String { "\(a.network)\u{0}\(a.containerID)\u{0}\(a.ifName)" }

    /// The cache entry for an attachment, or failing that any entry for its container (host-local files of
    /// older plugins carry no interface name).
    func cached(for a: Attachment) -> CachedResult? {
        resultsByAttachment[Self.key(a)] ?? resultsByContainer[a.containerID]
    }

    /// Who made this attachment. `known` resolves ids other runtimes' files name; the CNI args identify
    /// Kubernetes pods; otherwise it is a bare CNI container named after its network.
    func identity(for a: Attachment, known: (String) -> ContainerIdentity?) -> ContainerIdentity {
        var pod: ContainerIdentity?
        if let args = cached(for: a)?.args, let name = args["K8S_POD_NAME"] {
            pod = ContainerIdentity.pod(containerID: a.containerID, sandboxID: args["K8S_POD_INFRA_CONTAINER_ID"],
                               namespace: args["K8S_POD_NAMESPACE"], name: name, uid: args["K8S_POD_UID"])
        }
        if var identity = known(a.containerID) {
            identity.keys.formUnion(pod?.keys ?? [])
            return identity
        }
        return pod ?? ContainerIdentity(.cni, id: a.containerID, name: nil,
                               fallbackName: "\(a.network)/\(Canonical.shortID(a.containerID))")
    }

    /// A pod name learned from CNI args, for a pod uid seen only in a cgroup path.
    func pod(uid: String) -> (namespace: String?, name: String)? {
        for r in resultsByContainer.values where r.args["K8S_POD_UID"] == uid {
            if let name = r.args["K8S_POD_NAME"] { return (r.args["K8S_POD_NAMESPACE"], name) }
        }
        return nil
    }
}
