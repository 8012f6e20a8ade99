/// The drivers `plumb net create --driver` offers (Docker's vocabulary, plus any CNI plugin chain).
public enum NetworkDriver: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    case bridge
    case macvlan
    case vxlan
    case cni

    public var description: String { rawValue }
}

/// A network's driver and its settings, each typed: what `net create` decided and the store keeps. The case
/// is the driver, so a setting can only exist for the driver that uses it.
public enum DriverConfig: Sendable, Equatable {
    case bridge(BridgeConfig)
    case macvlan(MacvlanConfig)
    case vxlan(VxlanConfig)
    case cni(CNIChainConfig)

    public var driver: NetworkDriver {
        switch self {
        case .bridge: return .bridge
        case .macvlan: return .macvlan
        case .vxlan: return .vxlan
        case .cni: return .cni
        }
    }

    /// The Linux bridge the network's endpoints are ports of, when Plumb owns one (bridge and vxlan); nil when
    /// the record predates the name being stored (the name is then derived from the network's).
    public var bridge: String? {
        switch self {
        case .bridge(let c): return c.bridge
        case .vxlan(let c): return c.bridge
        case .macvlan, .cni: return nil
        }
    }
}

/// Docker's default driver: a bridge with the gateway address and one veth pair per endpoint.
public struct BridgeConfig: Sendable, Equatable {
    /// The bridge device (`--bridge NAME`, or `pl-NAME`).
    public var bridge: String?
    /// The IPv6 half of a dual-stack network (a second `--subnet`, IPv6, beside the IPv4 one): its subnet and
    /// gateway. A v6-only network has its IPv6 subnet as the network's subnet instead.
    public var subnet6: IPPrefix?
    public var gateway6: IPAddress?
    /// `--nat66`: masquerade the network's IPv6 traffic leaving the bridge (off by default: IPv6 addresses are
    /// meant to be routed; Docker masquerades IPv6 only when asked, with ip6tables enabled).
    public var nat66: Bool
    public init(bridge: String? = nil, subnet6: IPPrefix? = nil, gateway6: IPAddress? = nil, nat66: Bool = false) {
        self.bridge = bridge; self.subnet6 = subnet6; self.gateway6 = gateway6; self.nat66 = nat66
    }
}

/// `ip link add ... type macvlan mode M` (linux/if_link.h MACVLAN_MODE_*).
public enum MacvlanMode: String, Sendable, Hashable, CaseIterable, Codable {
    case bridge
    case `private`
    case vepa
    case passthru
}

/// Endpoints get a macvlan child of `parent`, created directly in their sandbox.
public struct MacvlanConfig: Sendable, Equatable {
    public var parent: String
    /// nil: not given (the kernel's and Docker's default, bridge, applies).
    public var mode: MacvlanMode?
    public init(parent: String, mode: MacvlanMode? = nil) { self.parent = parent; self.mode = mode }

    public var effectiveMode: MacvlanMode { mode ?? .bridge }
}

/// A VXLAN device enslaved to a bridge: the multi-host overlay.
public struct VxlanConfig: Sendable, Equatable {
    public static let defaultPort: UInt16 = 4789
    public static let vniRange: ClosedRange<UInt32> = 1...16_777_215

    public var vni: UInt32
    /// nil: not given (IANA's 4789 applies).
    public var port: UInt16?
    /// The other host, or a multicast group; nil on a cluster overlay, whose VTEPs find each other through
    /// `plumb agent` (no default remote, no learning, ARP proxy on).
    public var remote: IPAddress?
    /// This host's underlay address.
    public var local: IPAddress?
    /// The underlay device.
    public var parent: String?
    /// The bridge the VXLAN device and the endpoints are ports of.
    public var bridge: String?

    public init(vni: UInt32, port: UInt16? = nil, remote: IPAddress?, local: IPAddress? = nil, parent: String? = nil,
                bridge: String? = nil) {
        self.vni = vni; self.port = port; self.remote = remote; self.local = local; self.parent = parent
        self.bridge = bridge
    }

    public var effectivePort: UInt16 { port ?? Self.defaultPort }

    /// A cluster overlay: `plumb agent` programs its forwarding from the cluster store.
    public var isClusterOverlay: Bool { remote == nil }
}

/// A CNI plugin chain: Plumb runs the plugins; they own devices, addresses and rules.
public struct CNIChainConfig: Sendable, Equatable {
    /// The normalized conflist JSON handed to the plugins.
    public var conflist: String
    /// The plugin binaries' paths, in chain order.
    public var plugins: [String]
    /// CNI_PATH (directories joined by ':').
    public var cniPath: String
    public static let defaultPath = "/usr/lib/cni"

    public init(conflist: String, plugins: [String], cniPath: String = CNIChainConfig.defaultPath) {
        self.conflist = conflist; self.plugins = plugins; self.cniPath = cniPath
    }
}
