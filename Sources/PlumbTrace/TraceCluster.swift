import PlumbModel

/// What the cluster store says about the other hosts, as a trace into a cluster overlay needs it: the endpoints
/// of each overlay with their host, every host's live VTEP, and the summaries the hosts' agents published (their
/// overlay bridge and devices, endpoints, and the firewall rules on the overlay path). Pure values: the CLI reads
/// them from etcd; without a store the trace stops at a VXLAN device, as before.
public struct TraceCluster: Sendable, Equatable {
    public struct Endpoint: Sendable, Equatable {
        public var network: String
        public var vni: UInt32
        public var address: String
        public var mac: String?
        public var host: String
        /// The container or namespace name on its host, when its lease has one.
        public var name: String?
        public init(network: String, vni: UInt32, address: String, mac: String? = nil, host: String, name: String? = nil) {
            self.network = network; self.vni = vni; self.address = address; self.mac = mac; self.host = host; self.name = name
        }
    }

    public struct VTEP: Sendable, Equatable {
        public var host: String
        public var network: String
        public var underlay: String
        public var port: Int
        public init(host: String, network: String, underlay: String, port: Int) {
            self.host = host; self.network = network; self.underlay = underlay; self.port = port
        }
    }

    /// A host's published summary, the part a trace reads.
    public struct Summary: Sendable, Equatable {
        public struct Overlay: Sendable, Equatable {
            public var network: String
            public var bridge: String
            public var device: String
            /// Endpoint address → its host-side interface (the bridge port), nil when the summary does not say.
            public var endpoints: [String: String?]
            /// The summary left endpoints out (over its bound): one missing from `endpoints` may still exist.
            public var endpointsOmitted: Int
            public init(network: String, bridge: String, device: String, endpoints: [String: String?], endpointsOmitted: Int) {
                self.network = network; self.bridge = bridge; self.device = device; self.endpoints = endpoints
                self.endpointsOmitted = endpointsOmitted
            }
        }
        /// Seconds since 1970 when the agent built it.
        public var time: Double
        public var overlays: [Overlay]
        /// The host namespace's iptables rules on the overlay path (filter INPUT and FORWARD and the chains they
        /// jump to); nil when the summary has none (an older agent, or more rules than it keeps).
        public var firewall: Firewall?
        /// Why `firewall` is nil, in words ("412 rules, more than the summary keeps"); nil when it is there.
        public var firewallMissing: String?
        /// Native nftables tables of the host, not evaluated.
        public var nftTables: [String]
        public var bridgeNfCallIptables: Bool?
        public var bridgeNfCallIp6tables: Bool?
        /// The host's underlay device (where VXLAN's UDP arrives), when known.
        public var underlayDevice: String?
        public init(time: Double, overlays: [Overlay], firewall: Firewall?, firewallMissing: String?, nftTables: [String],
                    bridgeNfCallIptables: Bool?, bridgeNfCallIp6tables: Bool?, underlayDevice: String?) {
            self.time = time; self.overlays = overlays; self.firewall = firewall; self.firewallMissing = firewallMissing
            self.nftTables = nftTables; self.bridgeNfCallIptables = bridgeNfCallIptables
            self.bridgeNfCallIp6tables = bridgeNfCallIp6tables; self.underlayDevice = underlayDevice
        }
    }

    /// This host's id, its own endpoints are not remote.
    public var me: String
    public var store: String
    public var endpoints: [Endpoint]
    public var vteps: [VTEP]
    public var summaries: [String: Summary]
    /// Now, for a summary's age (seconds since 1970).
    public var now: Double

    public init(me: String, store: String, endpoints: [Endpoint], vteps: [VTEP], summaries: [String: Summary], now: Double) {
        self.me = me; self.store = store; self.endpoints = endpoints; self.vteps = vteps; self.summaries = summaries; self.now = now
    }

    /// The endpoint of the overlay with this VNI that has `address`, on another host.
    public func remoteEndpoint(_ address: String, vni: UInt32) -> Endpoint? {
        let ip = IPAddress(address)
        return endpoints.first { $0.vni == vni && $0.host != me && ($0.address == address || (ip != nil && IPAddress($0.address) == ip)) }
    }

    public func vtep(host: String, network: String) -> VTEP? { vteps.first { $0.host == host && $0.network == network } }
}
