import PlumbModel

/// Docker's macvlan driver: endpoints get a macvlan child of a parent interface, created directly inside the
/// sandbox, so containers appear on the parent's L2 segment with their own MACs. Creating the network changes
/// nothing in the kernel (the parent must already exist); the subnet and gateway describe that segment.
public struct MacvlanDriver: DriverPlanner {
    public let driver = NetworkDriver.macvlan
    public init() {}

    /// The settings from `--parent` and `--mode`, checked.
    public static func config(parent: String?, mode: String?, hostNamespace: NamespaceRef) throws -> MacvlanConfig {
        guard let parent else {
            throw ActionError.invalid("the macvlan driver needs --parent IFACE (an interface of \(hostNamespace))")
        }
        guard let mode else { return MacvlanConfig(parent: parent) }
        guard let known = MacvlanMode(rawValue: mode) else {
            throw ActionError.invalid("invalid --mode '\(mode)': use \(MacvlanMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return MacvlanConfig(parent: parent, mode: known)
    }

    public func create(_ net: NetworkSpec, firewall: Firewall) throws -> Plan {
        Plan(operation: .netCreate(network: net.name))
    }

    public func remove(_ net: NetworkSpec, firewall: Firewall) throws -> Plan {
        Plan(operation: .netRemove(networks: [net.name], force: false))
    }

    public func join(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan {
        guard case .macvlan(let config) = net.config else { throw ActionError.unavailable("network \(net.name) is not a macvlan network") }
        var steps: [PlanStep] = [
            .createMacvlan(name: ep.ifname, parent: config.parent, mode: config.effectiveMode.rawValue, mtu: net.mtu,
                           in: net.hostNamespace, moveTo: ep.sandbox),
        ]
        if let a = ep.address { steps.append(.addAddress(cidr: net.subnet.interfaceAddress(a), link: ep.ifname, in: ep.sandbox)) }
        steps += [.setUp(link: ep.ifname, in: ep.sandbox), .setUp(link: "lo", in: ep.sandbox)]
        if ep.defaultRoute {
            steps.append(.addRoute(dst: .default, gateway: net.gateway, link: ep.ifname, in: ep.sandbox))
        }
        return Plan(operation: .netConnect(network: net.name, targets: []), steps: steps)
    }

    public func leave(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan {
        // The macvlan child lives in the sandbox only: a gone sandbox took it along.
        if ep.sandboxGone { return Plan(operation: .netDisconnect(network: net.name, endpoints: [])) }
        return Plan(operation: .netDisconnect(network: net.name, endpoints: []), steps: [.deleteLink(name: ep.ifname, in: ep.sandbox)])
    }
}
