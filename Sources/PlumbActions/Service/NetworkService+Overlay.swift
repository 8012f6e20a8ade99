import PlumbModel

/// What `plumb agent` does to the kernel, on this host's cluster overlays (VXLAN networks without a remote):
/// read the VTEP's MAC to register it, and bring the VXLAN device's forwarding entries and permanent neighbours
/// in line with the cluster, through a plan like every other change (journaled, undoable, `--dry-run`-able).
extension NetworkService {
    /// One cluster overlay of this host, as the agent needs it.
    public struct ClusterOverlay: Sendable, Equatable {
        public var record: NetworkRecord
        public var vni: UInt32
        public var port: Int
        /// The network's `--local` address, when it was given (the VTEP's underlay address).
        public var local: IPAddress?
        /// The VXLAN device, in `record.hostNamespace`.
        public var device: String
    }

    /// This host's cluster overlays, from the local store.
    public func clusterOverlays() throws -> [ClusterOverlay] {
        try store.networks().compactMap { net in
            guard case .vxlan(let c) = net.config, c.isClusterOverlay else { return nil }
            return ClusterOverlay(record: net, vni: c.vni, port: Int(c.effectivePort), local: c.local,
                                  device: VxlanDriver.vxlanName(net.name))
        }
    }

    /// The overlay's VXLAN device MAC (what the agent registers as the VTEP's); nil when the device is missing.
    public func vtepMAC(_ overlay: ClusterOverlay) throws -> HardwareAddress? {
        try executor.linkMAC(overlay.device, in: overlay.record.hostNamespace)
    }

    /// Plans the difference between the device's entries and `desired`, and applies it unless `dryRun`. An
    /// empty plan when nothing differs (nothing is journaled then).
    @discardableResult
    public func syncForwarding(_ overlay: ClusterOverlay, to desired: OverlayForwarding, dryRun: Bool = false) throws -> Plan {
        let ns = overlay.record.hostNamespace
        let current = try executor.overlayState(of: overlay.device, in: ns)
        let plan = Plan(operation: .overlaySync(network: overlay.record.name),
                        steps: desired.steps(from: current, link: overlay.device, in: ns))
        if !dryRun && !plan.steps.isEmpty { try executor.apply(plan) }
        return plan
    }
}

extension NetworkService {
    /// The namespace holding a cluster overlay's devices, read with its firewall and sysctls (the agent's host
    /// summary publishes the rules on the overlay path); nil when it cannot be found.
    public func overlayHostView(_ o: ClusterOverlay) -> Namespace? {
        let snap = snapshot(firewall: true, detailOnly: true, of: o.record.hostNamespace)
        return try? hostView(snap, of: o.record.hostNamespace)
    }
}
