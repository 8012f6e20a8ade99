import Foundation
import PlumbActions
import PlumbCluster
import PlumbModel

/// The bounded summary of one host that its agent publishes under its lease (/plumb/v1/hosts/HOST/snapshot),
/// and `plumb snapshot --cluster --json` merges: the host's overlays with their devices and forwarding, and
/// their local endpoints. Bounded: at most `endpointLimit` endpoints per overlay (`endpointsOmitted` counts
/// the rest), so a big host never writes a big value into etcd (whose default request limit is 1.5 MiB).
public struct HostSummary: Codable, Sendable, Equatable {
    public static let endpointLimit = 256

    public struct Overlay: Codable, Sendable, Equatable {
        public var network: String
        public var vni: UInt32
        public var subnet: String
        /// The VXLAN device and the bridge its endpoints join, and the VTEP (device) MAC.
        public var device: String
        public var bridge: String
        public var vtepMAC: String?
        /// What the device holds: forwarding entries (MAC → VTEP) and permanent neighbours.
        public var forwarding: [String]
        public var neighbors: [String]
        public var endpoints: [Endpoint]
        public var endpointsOmitted: Int
    }

    public struct Endpoint: Codable, Sendable, Equatable {
        public var address: String
        public var mac: String?
        public var ifname: String
        /// The namespace (`net:[INODE]` text as the local store has it).
        public var sandbox: String
        /// The host side of its veth: the overlay bridge's port (a remote trace's physdev-out).
        public var hostIfname: String?
    }

    public var host: String
    public var underlay: String?
    /// Seconds since 1970.
    public var time: Double
    public var overlays: [Overlay]
    /// The rules on the overlay path of the host namespace (`OverlayFirewallDigest`): iptables filter INPUT and
    /// FORWARD and the chains they reach; nil with `firewallMissing` saying why (too many rules, not read).
    public var firewall: Firewall?
    public var firewallMissing: String?
    /// Native nftables tables of the host ("inet filter"): a remote trace names them as not evaluated.
    public var nftTables: [String]?
    /// Whether bridged frames traverse iptables there (br_netfilter), for IPv4 and IPv6.
    public var bridgeNfCallIptables: Bool?
    public var bridgeNfCallIp6tables: Bool?
    /// The device that holds the underlay address (where VXLAN's UDP arrives).
    public var underlayDevice: String?
}

public enum ClusterSummaryBuilder {
    /// This host's summary as JSON bytes (what the agent puts under its lease).
    public static func summary(service: NetworkService, hostID: String, underlay: String? = nil) throws -> [UInt8] {
        try ClusterJSON.encode(build(service: service, hostID: hostID, underlay: underlay))
    }

    public static func build(service: NetworkService, hostID: String, underlay: String?) throws -> HostSummary {
        var overlays: [HostSummary.Overlay] = []
        let all = try service.clusterOverlays()
        for o in all {
            let ns = o.record.hostNamespace
            let state = try? service.executor.overlayState(of: o.device, in: ns)
            let endpoints = try service.store.endpoints(network: o.record.name)
                .map { (text: $0.address?.description ?? "", record: $0) }
                .sorted { $0.text < $1.text }  // the summary's order: by the address's text, as published before
                .map(\.record)
                .map { HostSummary.Endpoint(address: $0.address?.description ?? "", mac: $0.mac, ifname: $0.ifname, sandbox: $0.sandbox, hostIfname: $0.hostIfname) }
            overlays.append(HostSummary.Overlay(
                network: o.record.name, vni: o.vni, subnet: o.record.subnet.description, device: o.device,
                bridge: o.record.config.bridge ?? BridgeDriver.defaultBridgeName(network: o.record.name), vtepMAC: try? service.vtepMAC(o)?.description,
                forwarding: (state?.forwarding ?? []).sorted().map { "\($0.mac) \($0.dst)" },
                neighbors: (state?.neighbors ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" },
                endpoints: Array(endpoints.prefix(HostSummary.endpointLimit)),
                endpointsOmitted: max(0, endpoints.count - HostSummary.endpointLimit)))
        }
        var summary = HostSummary(host: hostID, underlay: underlay, time: Date().timeIntervalSince1970, overlays: overlays)
        // The rules on the overlay path, from the namespace holding the (first) overlay: the host, as a rule.
        if let first = all.first, let ns = service.overlayHostView(first) {
            let digest = OverlayFirewallDigest.of(ns.firewall)
            summary.firewall = digest.firewall
            summary.firewallMissing = digest.missing
            summary.nftTables = digest.nftTables
            summary.bridgeNfCallIptables = ns.sysctls.bridgeNfCallIptables
            summary.bridgeNfCallIp6tables = ns.sysctls.bridgeNfCallIp6tables
            let address = underlay.flatMap(IPAddress.init) ?? first.local
            summary.underlayDevice = address.flatMap { a in ns.links.first { $0.addresses.contains { $0.address == a } }?.name }
        }
        return summary
    }
}
