import PlumbModel

/// Which runtime network a bridge is, from the networks the runtimes' files define (`Snapshot.runtimeNetworks`):
/// the config that names the device (CNI, netavark), else Docker's naming (`br-` and the network id's first 12,
/// docker0 for the network `bridge`), else the one network without a known device whose subnet it is (a Docker
/// network given its own bridge name).
enum RuntimeNetworkMatch {
    static func network(bridge: String, subnet: IPPrefix?, in networks: [RuntimeNetwork]) -> RuntimeNetwork? {
        if let n = networks.first(where: { $0.bridge == bridge }) { return n }
        let docker = networks.filter { $0.runtime == .docker }
        if bridge == "docker0", let n = docker.first(where: { $0.name == "bridge" }) { return n }
        if bridge.hasPrefix("br-"), bridge.utf8.count == 15 {
            let short = bridge.dropFirst(3)
            if let n = docker.first(where: { $0.id?.hasPrefix(short) == true }) { return n }
        }
        if let subnet {
            let bySubnet = networks.filter { $0.bridge == nil && $0.subnets.contains(subnet.canonical) }
            if bySubnet.count == 1 { return bySubnet[0] }
        }
        return nil
    }

    /// The owner the rules gave, named after the runtime network: a network's config is the runtime's own word
    /// for its kind too (a CNI config Podman wrote makes the bridge Podman's). A Plumb network keeps its tag.
    static func refine(_ owner: BusOwner, with n: RuntimeNetwork?) -> BusOwner {
        guard let n, owner.kind != .plumb else { return owner }
        var refined = owner
        refined.kind = n.runtime == .cni && owner.kind == .podman ? .podman : BusOwner.Kind(n.runtime)
        refined.network = n.name
        refined.networkID = n.id
        let rules = owner.kind == .manual ? "" : owner.evidence + "; "
        refined.evidence = rules + "network named in \(n.source)"
        return refined
    }
}
