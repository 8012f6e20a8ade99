import PlumbModel

/// Docker's macvlan driver: endpoints get a macvlan child of a parent interface, created directly inside the
/// sandbox, so containers appear on the parent's L2 segment with their own MACs. Creating the network changes
/// nothing in the kernel (the parent must already exist); the subnet and gateway describe that segment.
public struct MacvlanDriver: NetworkDriver {
    public let name = "macvlan"
    public init() {}

    public static let modes = ["bridge", "private", "vepa", "passthru"]

    public func create(_ net: NetworkSpec, firewall: Firewall) throws -> Plan {
        guard net.options["parent"] != nil else {
            throw ActionError.invalid("the macvlan driver needs --parent IFACE (an interface of \(net.hostNamespace))")
        }
        let mode = net.options["mode"] ?? "bridge"
        guard Self.modes.contains(mode) else {
            throw ActionError.invalid("invalid --mode '\(mode)': use \(Self.modes.joined(separator: ", "))")
        }
        return Plan(operation: "net create \(net.name)")
    }

    public func remove(_ net: NetworkSpec, firewall: Firewall, lastNetwork: Bool) throws -> Plan {
        Plan(operation: "net rm \(net.name)")
    }

    public func join(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan {
        let parent = net.options["parent"] ?? ""
        var steps: [PlanStep] = [
            .createMacvlan(name: ep.ifname, parent: parent, mode: net.options["mode"] ?? "bridge", mtu: net.mtu,
                           in: net.hostNamespace, moveTo: ep.sandbox),
            .addAddress(cidr: "\(ep.address)/\(net.prefixLength)", link: ep.ifname, in: ep.sandbox),
            .setUp(link: ep.ifname, in: ep.sandbox),
            .setUp(link: "lo", in: ep.sandbox),
        ]
        if ep.defaultRoute {
            steps.append(.addRoute(dst: "default", gateway: net.gateway, link: ep.ifname, in: ep.sandbox))
        }
        return Plan(operation: "net connect \(net.name)", steps: steps)
    }

    public func leave(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan {
        Plan(operation: "net disconnect \(net.name)", steps: [.deleteLink(name: ep.ifname, in: ep.sandbox)])
    }
}
