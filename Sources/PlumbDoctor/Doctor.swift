import PlumbModel

/// The doctor: every check over one snapshot (plus the few inputs a snapshot does not hold), giving findings
/// sorted by severity. Pure and linear in the snapshot's size, so the TUI can run it on every refresh.
public enum Doctor {
    /// One check as listed in the README: its ids, number, and whether it needs an input besides the snapshot.
    public struct CheckInfo: Sendable, Equatable {
        public var number: Int
        public var ids: [String]
        public var title: String
        public var needs: String?
    }

    public static let checks: [CheckInfo] = [
        .init(number: 1, ids: [ForwardingCheck.id], title: "IP forwarding off where container networks route"),
        .init(number: 2, ids: [MasqueradeCheck.id], title: "bridged subnet leaves without MASQUERADE"),
        .init(number: 3, ids: [ForwardPolicyCheck.id, ForwardPolicyCheck.unreachedId], title: "FORWARD DROP without accept path; tool chains never jumped to"),
        .init(number: 4, ids: [MTUCheck.id], title: "MTU mismatch (veth ends, tunnel path)"),
        .init(number: 5, ids: [BridgeNetfilterCheck.id], title: "br_netfilter off with same-bridge published ports"),
        .init(number: 6, ids: [RPFilterCheck.id], title: "strict rp_filter on multi-homed namespace"),
        .init(number: 7, ids: [OverlapCheck.id, OverlapCheck.duplicateId], title: "overlapping subnets, duplicate addresses"),
        .init(number: 8, ids: ["wiring-down", "wiring-bridge-down", "wiring-no-master", "wiring-no-gateway", "wiring-lost-peer"],
              title: "broken wiring"),
        .init(number: 9, ids: [DefaultRouteCheck.id, DefaultRouteCheck.neighbourId], title: "no default route, gateway unreachable"),
        .init(number: 10, ids: [DNSCheck.id], title: "resolver unreachable in its namespace", needs: "resolvers"),
        .init(number: 11, ids: [MacvlanCheck.id], title: "macvlan endpoint cannot reach its host"),
        .init(number: 12, ids: [HairpinCheck.id], title: "hairpin off where a container reaches its own published port"),
        .init(number: 13, ids: ["leftover-netns", "leftover-veth", "leftover-chain", "leftover-rule"], title: "leftovers"),
        .init(number: 14, ids: [PublishedPortCheck.noListenerId, PublishedPortCheck.loopbackId, PublishedPortCheck.unreachedId],
              title: "published port with no listener, a loopback-only listener, or a DNAT never reached", needs: "listeners"),
        .init(number: 15, ids: [RouteShadowCheck.id], title: "a route shadows part of a container network"),
        .init(number: 16, ids: [ConntrackCheck.fullId, ConntrackCheck.staleId], title: "conntrack table nearly full; stale NAT entries",
              needs: "conntrack"),
    ]

    public struct Report: Codable, Sendable, Equatable {
        public var findings: [Finding]
        /// Checks that did not run for lack of an input, in words ("10 dns: resolv.conf not read").
        public var notChecked: [String]
        public init(findings: [Finding], notChecked: [String]) { self.findings = findings; self.notChecked = notChecked }
    }

    /// `judgingFixes` false leaves every finding's `impact` nil: the fixes are not compared (`FixImpactJudge`), which
    /// is most of a run's cost on a big host. Only a caller that never offers a fix from these findings may do
    /// that (the TUI while its Doctor tab is closed: its badges need the findings, not the fixes).
    public static func run(snapshot: Snapshot, inputs: DoctorInputs = DoctorInputs(), judgingFixes: Bool = true) -> [Finding] {
        report(snapshot: snapshot, inputs: inputs, judgingFixes: judgingFixes).findings
    }

    public static func report(snapshot: Snapshot, inputs: DoctorInputs = DoctorInputs(), judgingFixes: Bool = true) -> Report {
        let ctx = DoctorContext(snapshot: snapshot, inputs: inputs)
        var all: [Finding] = []
        all += ForwardingCheck.run(ctx)
        all += MasqueradeCheck.run(ctx)
        all += ForwardPolicyCheck.run(ctx)
        all += MTUCheck.run(ctx)
        all += BridgeNetfilterCheck.run(ctx)
        all += RPFilterCheck.run(ctx)
        all += OverlapCheck.run(ctx)
        all += WiringCheck.run(ctx)
        all += DefaultRouteCheck.run(ctx)
        all += DNSCheck.run(ctx)
        all += MacvlanCheck.run(ctx)
        all += HairpinCheck.run(ctx)
        all += LeftoverCheck.run(ctx)
        all += PublishedPortCheck.run(ctx)
        all += RouteShadowCheck.run(ctx)
        all += ConntrackCheck.run(ctx)
        var seen: Set<String> = []
        all = all.filter { seen.insert($0.id).inserted }
        let findings = (judgingFixes ? judgeFixes(all, ctx: ctx) : all).sorted {
            ($0.severity, -$0.checkNumber, $1.id) > ($1.severity, -$1.checkNumber, $0.id)
        }
        var notChecked: [String] = []
        if inputs.resolvers == nil { notChecked.append("10 dns-unreachable: resolv.conf and DNS listeners not read") }
        if inputs.listeners == nil { notChecked.append("14 published ports: listeners not read") }
        return Report(findings: findings, notChecked: notChecked)
    }

    /// The namespaces wired to `start` (through veth peers and link parents, both ways): the scope of a lab
    /// built with `--host-ns`, so the doctor looks at that lab and nothing else on the machine.
    public static func scope(around start: UInt64, in snapshot: Snapshot) -> Set<UInt64> {
        var edges: [UInt64: Set<UInt64>] = [:]
        for ns in snapshot.namespaces {
            for l in ns.links {
                for r in [l.peer, l.parent].compactMap({ $0 }) {
                    guard let other = r.namespace, other != ns.id else { continue }
                    edges[ns.id, default: []].insert(other); edges[other, default: []].insert(ns.id)
                }
            }
        }
        var seen: Set<UInt64> = [start], queue = [start]
        while let n = queue.popLast() {
            for m in edges[n] ?? [] where seen.insert(m).inserted {
                // The real host is a hub for everything; do not spread through it from a lab.
                if snapshot.namespace(id: m)?.isHost == true { continue }
                queue.append(m)
            }
        }
        return seen
    }

    /// Findings that concern a namespace (for `plumb doctor TARGET` and the TUI's badges).
    public static func findings(_ findings: [Finding], about namespace: UInt64) -> [Finding] {
        findings.filter { $0.subjects.contains { $0.namespace == namespace } }
    }
}
