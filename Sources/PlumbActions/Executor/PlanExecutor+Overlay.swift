import PlumbKernel
import PlumbModel

/// Reading back what overlay plans wrote, on the executor's own per-namespace sessions: `plumb agent` compares
/// it with what the cluster says and plans only the difference.
extension PlanExecutor {
    /// The VXLAN device's forwarding entries and permanent neighbours.
    public func overlayState(of link: String, in ns: NamespaceRef) throws -> OverlayDeviceState {
        let session = try sockets.session(ns)
        do { return try session.overlayState(of: link) } catch {
            throw ActionError.netlink(step: "bridge fdb show dev \(link); ip neigh show dev \(link)", message: error.description)
        }
    }

    /// The link's hardware address (a VTEP's MAC, as the agent registers it); nil when the link does not exist.
    public func linkMAC(_ link: String, in ns: NamespaceRef) throws -> HardwareAddress? {
        let session = try sockets.session(ns)
        do { return try session.mac(of: link) } catch {
            if error.isMissingLink { return nil }
            throw ActionError.netlink(step: "ip link show \(link)", message: error.description)
        }
    }
}
