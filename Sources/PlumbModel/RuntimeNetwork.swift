/// A network a container runtime defined, as the runtime's own files name it: Docker's `mynet` behind the bridge
/// `br-1a2b3c4d5e6f`, Podman's `front` behind `cni-podman1`. The kernel only knows the bridge; the map labels a
/// bridge with the network whose bridge, id or subnet it is.
public struct RuntimeNetwork: Codable, Sendable, Equatable, Hashable {
    /// docker, podman or cni (a CNI network config no runtime is known to have written).
    public var runtime: Container.Runtime
    public var name: String
    /// The runtime's network id (Docker's, netavark's), when it has one.
    public var id: String?
    /// The bridge device, when the runtime's config names it (a CNI bridge plugin's `bridge`, netavark's
    /// `network_interface`); Docker's per-container files do not, its bridges are `br-` and the id's first 12.
    public var bridge: String?
    /// Subnets, canonical: configured ones, or those of the runtime's endpoints on it.
    public var subnets: [IPPrefix]
    /// The file it was read from, so a user can check it.
    public var source: String

    public init(runtime: Container.Runtime, name: String, id: String? = nil, bridge: String? = nil,
                subnets: [IPPrefix] = [], source: String) {
        self.runtime = runtime; self.name = name; self.id = id; self.bridge = bridge
        self.subnets = subnets; self.source = source
    }
}
