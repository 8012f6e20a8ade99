import Foundation
import PlumbModel

/// Drift of the networks whose endpoints live only inside their sandboxes (macvlan, CNI): there is no host veth
/// to look for, so both ways are checked in the sandboxes themselves, found by cookie.
///
/// - Store-only: an endpoint (with a cookie) whose namespace is gone. It leaves as a disconnect would (a CNI DEL
///   with an empty netns releases the plugins' addresses and port mappings), and its row and lease go.
/// - Kernel-only: an endpoint this store's journal shows it connected (an applied `net connect` of this network,
///   after its latest `net create`, never disconnected since) that the store has no row for, whose interface
///   is still in its namespace (same cookie; for macvlan a macvlan on the network's parent). Nothing else is
///   ever counted as Plumb's: an interface of that name that no journal entry explains is left alone.
extension NetworkService {
    func sandboxDrift(of net: NetworkRecord, endpoints eps: [EndpointRecord], host: Namespace, snapshot snap: Snapshot) throws -> [Drift] {
        var found: [Drift] = []
        for ep in eps where Self.sandboxIsGone(ep, in: snap) {
            let leave = try planner.leave(net, endpoints: [ep], snapshot: snap, host: host, firewallTeardown: true)
            found.append(Drift(kind: .endpointWithoutSandbox, network: net.name,
                               description: "endpoint \(ep.sandbox) (\(ep.ifname)) of network \(net.name): its namespace net:[\(ep.sandbox)] is gone",
                               steps: leave.steps, storeFix: .removeEndpoint(key: ep.key)))
        }
        let stored = Set(eps.map(\.key))
        for j in try journaledEndpoints(of: net) where !stored.contains(j.key) {
            guard let ns = snap.namespace(id: j.sandbox.inode ?? 0), let cookie = ns.cookie, cookie == j.sandbox.cookie,
                  let link = ns.link(named: j.ifname) else { continue }
            let handle = NetworkPlanner.reference(for: ns)
            var steps: [PlanStep] = []
            switch j.step {
            case .createMacvlan(_, let parentName, _, _, _, _):
                // Its own kind on the network's parent: anything else of that name is someone else's.
                guard link.kind == .macvlan, let parent = host.link(named: parentName), link.parent?.index == parent.index,
                      link.parent?.namespace == nil || link.parent?.namespace == host.id else { continue }
                steps = [.deleteLink(name: j.ifname, in: handle)]
            case .cni(_, let plugins, let conflist, let rc, _, let id, _, let ifname, let cniPath, let inNs):
                steps = [.cni(command: "DEL", plugins: plugins, conflist: conflist, runtimeConfig: rc, prevResult: nil,
                              containerID: id, netns: handle.file, ifname: ifname, cniPath: cniPath, in: inNs)]
            default:
                continue
            }
            found.append(Drift(kind: .interfaceWithoutEndpoint, network: net.name,
                               description: "interface \(j.ifname) in net:[\(ns.id)] belongs to no endpoint of network \(net.name) (journal entry \(j.entry) connected it)",
                               steps: steps))
        }
        return found
    }

    /// An endpoint's namespace is gone when nothing has its inode any more, or the namespace read there has
    /// another cookie. Rows without a cookie, or a namespace discovered but not read, prove nothing.
    static func sandboxIsGone(_ ep: EndpointRecord, in snap: Snapshot) -> Bool {
        guard let cookie = ep.cookie, let inode = UInt64(ep.sandbox) else { return false }
        guard let ns = snap.namespace(id: inode) else { return true }
        return ns.cookie.map { $0 != cookie } ?? false
    }

    /// One endpoint an applied connect made: its key, sandbox handle (cookie and inode), interface and the step.
    struct JournaledEndpoint {
        var entry: Int64
        var key: String
        var sandbox: NamespaceRef
        var ifname: String
        var step: PlanStep
    }

    /// The endpoints of `net` that the journal says are connected now: made by an applied connect after the
    /// network's latest applied create, and not taken off since by an applied disconnect.
    func journaledEndpoints(of net: NetworkRecord) throws -> [JournaledEndpoint] {
        var live: [String: JournaledEndpoint] = [:]
        for entry in try store.journal(states: [.applied]).sorted(by: { $0.id < $1.id }) {
            guard entry.operation.contains(net.name),
                  let plan = try? JSONDecoder().decode(Plan.self, from: Data(entry.plan.utf8)) else { continue }
            switch plan.operation {
            case .netCreate(let name) where name == net.name:
                live = [:]
            case .netRemove(let names, _) where names.contains(net.name):
                live = [:]
            case .netDisconnect(let name, let keys) where name == net.name:
                for k in keys { live[k] = nil }
            case .netConnect(let name, _) where name == net.name:
                for step in plan.steps {
                    switch step {
                    case .createMacvlan(let ifname, _, _, _, _, let sb):
                        guard let inode = sb.inode, sb.cookie != nil else { continue }
                        let key = EndpointRecord.key(sandbox: String(inode), cookie: sb.cookie)
                        live[key] = JournaledEndpoint(entry: entry.id, key: key, sandbox: sb, ifname: ifname, step: step)
                    case .cni(let command, _, _, _, _, let id, _, let ifname, _, _) where command == "ADD":
                        let prefix = "plumb-\(net.name)-"
                        guard id.hasPrefix(prefix) else { continue }
                        let key = String(id.dropFirst(prefix.count))
                        guard let sb = Self.sandbox(fromKey: key) else { continue }
                        live[key] = JournaledEndpoint(entry: entry.id, key: key, sandbox: sb, ifname: ifname, step: step)
                    default:
                        continue
                    }
                }
            default:
                continue
            }
        }
        return live.values.sorted { $0.entry < $1.entry || ($0.entry == $1.entry && $0.key < $1.key) }
    }

    /// The identity an endpoint key (`INODE-cCOOKIE`) names; nil for a key without a cookie.
    static func sandbox(fromKey key: String) -> NamespaceRef? {
        let parts = key.split(separator: "-")
        guard parts.count == 2, let inode = UInt64(parts[0]), parts[1].hasPrefix("c"), let cookie = UInt64(parts[1].dropFirst()) else { return nil }
        return NamespaceRef(.path("/dev/null"), cookie: cookie, inode: inode)
    }
}
