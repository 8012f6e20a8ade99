/// One way a port of a host (a namespace playing host) reaches a namespace: a DNAT rule entered from nat
/// PREROUTING (Docker, Podman/CNI portmap, netavark, Plumb, kube-proxy, or written by hand) or a docker-proxy
/// listener. `plumb ports` lists them; the snapshot JSON carries them as `publishedPorts`; the doctor checks
/// what listens behind them.
public struct PublishedPort: Codable, Sendable, Equatable {
    /// What listens at the target: nobody; a socket on every address (0.0.0.0 / ::); a socket on the target
    /// address itself; only loopback (unreachable from the host's DNAT); only another address.
    public enum Listener: String, Codable, Sendable, CaseIterable {
        case none, wildcard, address, loopback, other
        /// Listeners were not read for that namespace (not root, namespace gone, no target namespace).
        case unknown
    }

    /// The namespace where the mapping is made (its nat table, or docker-proxy's namespace).
    public var namespace: UInt64
    /// tcp, udp or sctp.
    public var proto: String
    /// The host address the mapping is limited to (`-d ADDR`, docker-proxy's -host-ip); nil: every local address.
    public var hostAddress: IPAddress?
    /// The first host port, and the last one of a range; nil when the rule matches every port.
    public var hostPort: UInt16?
    public var hostPortEnd: UInt16?
    /// Where it goes (the DNAT's --to-destination).
    public var targetAddress: IPAddress
    /// nil: the destination port is left as it was.
    public var targetPort: UInt16?
    /// The namespace that holds `targetAddress` (nil when no namespace in view has it).
    public var targetNamespace: UInt64?
    /// That namespace's name as Plumb shows it (a container name, an `ip netns` name, …).
    public var targetName: String?
    /// Who made it: docker, cni, podman, plumb, kubernetes, docker-proxy, or manual (a rule in no tool's chain).
    public var owner: String
    /// The nat chain and rule (iptables-save form); nil for a docker-proxy-only mapping.
    public var chain: String?
    public var rule: String?
    /// docker-proxy processes forwarding the same port ("pid 812: 0.0.0.0:8080"), when there are.
    public var proxies: [String]
    /// The trace's evaluator on a new connection from outside to this port: true when nat PREROUTING
    /// translates it to the target, false when an earlier rule keeps it from doing so, nil when a match it
    /// cannot read decides.
    public var reachesTarget: Bool?
    public var listener: Listener
    /// The listening sockets behind the target port ("0.0.0.0:80", "127.0.0.1:80").
    public var listenerAddresses: [String]

    public init(namespace: UInt64, proto: String, hostAddress: IPAddress? = nil, hostPort: UInt16?, hostPortEnd: UInt16? = nil,
                targetAddress: IPAddress, targetPort: UInt16?, targetNamespace: UInt64? = nil, targetName: String? = nil,
                owner: String, chain: String? = nil, rule: String? = nil, proxies: [String] = [], reachesTarget: Bool? = nil,
                listener: Listener = .unknown, listenerAddresses: [String] = []) {
        self.namespace = namespace; self.proto = proto; self.hostAddress = hostAddress; self.hostPort = hostPort
        self.hostPortEnd = hostPortEnd; self.targetAddress = targetAddress; self.targetPort = targetPort
        self.targetNamespace = targetNamespace; self.targetName = targetName; self.owner = owner; self.chain = chain
        self.rule = rule; self.proxies = proxies; self.reachesTarget = reachesTarget; self.listener = listener
        self.listenerAddresses = listenerAddresses
    }

    /// "0.0.0.0:8080/tcp", "10.0.0.1:8000-8010/udp", "*:*/tcp".
    public var hostEndpoint: String {
        let port = hostPort.map { p in hostPortEnd.map { $0 != p ? "\(p)-\($0)" : "\(p)" } ?? "\(p)" } ?? "*"
        let addr = hostAddress.map { $0.isIPv6 ? "[\($0)]" : $0.description } ?? "*"
        return "\(addr):\(port)/\(proto)"
    }

    /// "10.213.210.2:80".
    public var targetEndpoint: String {
        let addr = targetAddress.isIPv6 ? "[\(targetAddress)]" : targetAddress.description
        return targetPort.map { "\(addr):\($0)" } ?? addr
    }

    /// The port a listener must have at the target: the DNAT's port, or the host port when it keeps it.
    public var effectiveTargetPort: UInt16? { targetPort ?? hostPort }
}
