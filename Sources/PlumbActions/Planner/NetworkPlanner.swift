import PlumbModel

/// The pure half of `plumb net`: values in (the request, the store's records, the host namespace and the
/// sandboxes as a snapshot read them), a Plan out. It reads no file, opens no socket, asks no clock and writes
/// nothing, so every plan can be unit-tested on hand-built snapshots without root. `NetworkService` is the
/// orchestrator around it: it reads the kernel and the store, asks this for the plan, journals and applies it
/// through `PlanExecutor`, and records the result.
public struct NetworkPlanner: Sendable {
    /// Where bridges live: the host, or a namespace standing in for it.
    public let hostNamespace: NamespaceRef
    let drivers: [NetworkDriver: any DriverPlanner] = [.bridge: BridgeDriver(), .macvlan: MacvlanDriver(), .vxlan: VxlanDriver(),
                                                       .cni: CNIDriver()]

    public init(hostNamespace: NamespaceRef = .host) { self.hostNamespace = hostNamespace }

    func driver(_ n: NetworkRecord) throws -> any DriverPlanner {
        try drivers[n.driver].orThrow(ActionError.unavailable("network \(n.name) uses driver \(n.driver), which this plumb does not have"))
    }

    static func spec(_ n: NetworkRecord) -> NetworkSpec {
        NetworkSpec(name: n.name, config: n.config, subnet: n.subnet, gateway: n.gateway, mtu: n.mtu,
                    internal: n.internal, hostNamespace: n.hostNamespace)
    }

    /// How to reach a namespace (its ip-netns name, a bind mount, a process), with the identity read in the
    /// snapshot it came from: the plan then runs in that namespace or fails as gone, never in a newcomer.
    static func reference(for ns: Namespace) -> NamespaceRef {
        NamespaceHandle(ns) ?? NamespaceHandle(.path("/proc/self/ns/net"), cookie: ns.cookie, inode: ns.id)
    }

    static func freeIfname(in ns: Namespace) throws -> String {
        for i in 0..<64 where ns.link(named: "eth\(i)") == nil { return "eth\(i)" }
        throw ActionError.invalid("no free ethN name in namespace \(ns.displayName): choose --ifname")
    }
}
