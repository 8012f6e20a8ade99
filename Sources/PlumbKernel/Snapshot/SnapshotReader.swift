import Glibc
import PlumbSystem
import Foundation
import PlumbModel

/// Builds a `Snapshot`: discovery, then one job per namespace on the namespace worker threads (netlink dumps,
/// sysctls, firewall), then cross-namespace wiring and container attribution in memory.
public struct SnapshotReader: Sendable {
    public var options: SnapshotOptions
    public var discovery = NamespaceDiscovery()
    public var attributorRoot = "/"
    /// Route sockets kept from one snapshot to the next (the live view): a socket stays bound to the namespace it
    /// was opened in, so later snapshots reuse it instead of opening a new one per namespace.
    public var sockets: NetlinkSocketCache?
    /// Which namespace each netnsid names, kept from one snapshot to the next (the live view): resolving the
    /// host's 500 veth peers otherwise costs an RTM_GETNSID round per namespace on every read.
    public var nsids: NsidCache?

    public init(options: SnapshotOptions = SnapshotOptions()) {
        self.options = options
        discovery.scanFds = options.scanFds
        discovery.processDetails = options.processDetails
        discovery.threads = options.threads
        discovery.socketOwners = options.sockets
    }

    /// Per-namespace result of the worker job.
    final class Slot: @unchecked Sendable {
        var socket: NetlinkSocket?
        var dump: NetlinkDump?
        var firewall = Firewall()
        var notes: [String] = []
        var cookie: UInt64?
        var sockets: [SocketRecord]?
    }

    public func read() -> Snapshot {
        let started = Date()
        let found = discovery.discover()
        return read(found, started: started, only: options.only)
    }

    /// Reads only the namespace a target names when discovery alone can tell which one it is (`host`, an id,
    /// an ip-netns name, `pid:N`): the other namespaces are not entered. Container names need attribution, so
    /// they fall back to a full read; the caller then resolves the target on the result.
    public func read(target: String) -> Snapshot {
        let started = Date()
        var discovery = self.discovery
        if target == "host" {
            // Fds only ever hold *other* namespaces, and rarely the ones the host's veths lead to: skip that
            // scan. Bind mounts stay: most container namespaces (Docker, CNI, ip netns) are held by one, and the
            // host's veth peers are resolved against them.
            discovery.scanFds = false
            if !options.netlink {
                // Without links there are no veth peers to resolve: the bind mounts of other namespaces do not
                // matter, nor do command lines (socket owners get their names alone, as `ss -p` reads them).
                discovery.scanMounts = false
                discovery.processDetails = false
            }
        }
        let prefetch = target == "host" ? HostPrefetch.start(options: options, discovery: discovery) : nil
        let found = discovery.discover()
        let match = Target(parsing: target).match(in: found.namespaces)
        return read(found, started: started, only: match.map { [$0.id] } ?? options.only, prefetch: prefetch)
    }

    /// Discovery alone: which namespaces exist and who holds them (the live view decides from it what to read).
    public func discover() -> DiscoveryResult { discovery.discover() }

    /// Reads the namespaces in `only` (all when nil) of an earlier discovery; the others come back with
    /// discovery's fields only and a "not read" note.
    public func read(discovered: DiscoveryResult, only: Set<UInt64>?) -> Snapshot {
        read(discovered, started: Date(), only: only)
    }

    func read(_ discovered: DiscoveryResult, started: Date, only: Set<UInt64>?,
              prefetch: HostPrefetch? = nil) -> Snapshot {
        // An fd per namespace plus a socket per namespace read, reserved at once (see reserveDescriptors).
        NamespaceFiles.reserveDescriptors(2 * discovered.namespaces.count + 64)
        let found = discovered
        var stats = found.stats
        stats.discoveryMillis = Date().timeIntervalSince(started) * 1000
        // Every namespace gets an fd (peer resolution needs them all), but only the selected ones are entered.
        let selected = found.namespaces.indices.filter { only?.contains(found.namespaces[$0].id) ?? true }
        let files = found.namespaces.map { NamespaceFiles.open($0.handles, expecting: $0.id) }
        defer { withExtendedLifetime(files) {} }  // the raw numbers below are borrowed from these
        let fds = files.map { $0?.rawValue ?? -1 }
        let owners = NamespaceOwnerReader(procRoot: discovery.procRoot, root: attributorRoot).owners(files: files, namespaces: found.namespaces)
        let slots = found.namespaces.map { _ in Slot() }
        let firewallReader = options.firewall ? FirewallReader() : nil
        let netStart = Date()
        let fwMillis = LockedArray<Double>(count: slots.count, initial: 0)
        // The host's dumps are already running: resolve every nsid while they do.
        let nsids = self.nsids ?? (prefetch != nil ? NsidCache() : nil)
        let prefetchSocket = prefetch.flatMap { p in
            nsids.flatMap { p.resolveNsids(fds: fds, ids: found.namespaces.map(\.id), into: $0) }
        }

        NamespaceWorkers.forEach(fds: selected.map { fds[$0] }, threads: workerCount(selected.count)) { j, entered in
            let i = selected[j]
            let slot = slots[i]
            guard fds[i] >= 0, case .success = entered else {
                // EPERM: it is there, this user may not enter it (a non-root listing); else it went away.
                if case .failure(let e) = entered, e.code == EPERM {
                    slot.notes.append("not read: entering it needs CAP_SYS_ADMIN (run as root)")
                } else {
                    slot.notes.append("namespace vanished before it could be entered")
                }
                return
            }
            if options.identityOnly.contains(found.namespaces[i].id) {
                slot.cookie = NamespaceCookie.current()
                return
            }
            if let prefetch, prefetch.hostId == found.namespaces[i].id { do {
                slot.dump = try prefetch.dump()
                slot.socket = prefetchSocket
                slot.cookie = prefetchSocket?.namespaceCookie
            } catch {
                slot.notes.append("\(error)")
            } } else if options.netlink { do {
                let id = found.namespaces[i].id
                let sock = try sockets?.take(id) ?? NetlinkSocket()
                defer { sockets?.put(id, sock) }
                // The namespace's identity, asked of the socket the dumps use anyway: one getsockopt.
                slot.cookie = sock.namespaceCookie
                // Reading one namespace alone: split its dumps over two sockets (and two cores).
                let second = selected.count == 1 && !options.linksOnly ? try? NetlinkSocket() : nil
                let light = options.detailFor.map { !$0.contains(id) } ?? false
                var dump = try NetlinkDumper.dump(sock, second: second, linksOnly: options.linksOnly, light: light)
                if !options.linksOnly && !light {
                    SysctlReader.fill(&dump.sysctls, hasBridge: dump.links.contains { $0.link.kind == .bridge },
                                      routeLocalnet: options.routeLocalnet)
                }
                slot.dump = dump
                // Keep the socket only where a cross-namespace reference still needs RTM_GETNSID.
                if dump.links.contains(where: { $0.lowerNetnsid != nil }) { slot.socket = sock }
            } catch {
                slot.notes.append("\(error)")
            } }
            if options.sockets {
                let reading = SocketReader.readHere(options.socketSelection)
                slot.sockets = reading.sockets
                slot.notes += reading.notes
            }
            let id = found.namespaces[i].id
            if let firewallReader, options.firewallFor?.contains(id) ?? options.detailFor?.contains(id) ?? true {
                let t = Date()
                slot.firewall = firewallReader.read()
                fwMillis.set(i, Date().timeIntervalSince(t) * 1000)
            }
        }
        stats.netlinkMillis = Date().timeIntervalSince(netStart) * 1000
        stats.firewallMillis = fwMillis.values.reduce(0, +)
        stats.namespacesVanished = selected.filter { slots[$0].dump == nil && !options.identityOnly.contains(found.namespaces[$0].id) }.count
        if options.netlink == false { stats.namespacesVanished = selected.filter { fds[$0] < 0 }.count }
        for i in found.namespaces.indices where !selected.contains(i) {
            slots[i].notes.append("not read: only \(counted(selected.count, "namespace")) \(selected.count == 1 ? "was" : "were") asked for")
        }

        sockets?.retain(only: Set(found.namespaces.map(\.id)))
        self.nsids?.retain(only: Set(found.namespaces.map(\.id)))
        let wiringStart = Date()
        let peers = PeerResolver(entries: found.namespaces.indices.map {
            PeerResolver.Entry(id: found.namespaces[$0].id, fd: fds[$0], socket: slots[$0].socket,
                               dump: slots[$0].dump)
        }, cache: nsids).resolve()
        stats.wiringMillis = Date().timeIntervalSince(wiringStart) * 1000

        let sockOwners = options.sockets ? SocketOwnerIndex(holders: found.socketHolders, processes: found.processes) : nil
        var namespaces = [Namespace]()
        for (i, d) in found.namespaces.enumerated() {
            let slot = slots[i]
            var ns = Namespace(id: d.id, device: found.device, isHost: d.isHost, names: d.names, paths: d.paths,
                               heldBy: d.heldBy, pids: d.pids, firewall: slot.firewall, notes: slot.notes,
                               cookie: slot.cookie, sockets: slot.sockets.map { sockOwners?.attach($0) ?? $0 },
                               owner: owners[i])
            ns.heldSince = d.heldSince
            if let dump = slot.dump {
                ns.links = dump.links.enumerated().map { li, dl in
                    var l = dl.link
                    if let ref = peers[i][li] {
                        if l.kind == .veth { l.peer = ref } else { l.parent = ref }
                    }
                    return l
                }
                ns.routes = dump.routes
                ns.neighbors = dump.neighbors
                ns.sysctls = dump.sysctls
            }
            namespaces.append(ns)
        }
        var runtimeNetworks: [RuntimeNetwork]?
        if options.containers {
            // Only the namespaces that were read: attribution reads runtime state and cgroups per namespace.
            let read = Set(selected.map { found.namespaces[$0].id })
            runtimeNetworks = attributeContainers(&namespaces, processes: found.processes, only: read)
        }

        var notes = [String]()
        if options.firewall, firewallReader?.iptablesSave == nil {
            notes.append("iptables-save not installed: iptables rules are not shown (apt install iptables)")
        }
        if stats.processesUnreadable > 0 {
            notes.append(UnreadableProcessesNote.text(found.processes.filter { $0.namespace == nil },
                                                      count: stats.processesUnreadable))
        }
        var snapshot = Snapshot(takenAt: started.timeIntervalSince1970, namespaces: namespaces,
                                processes: found.processes, discovery: stats, notes: notes)
        snapshot.runtimeNetworks = runtimeNetworks
        return snapshot
    }

    private func workerCount(_ n: Int) -> Int {
        // Netlink dumps are syscall-bound and firewall reads wait on child processes: a few more threads than
        // cores keeps both cores busy.
        let cores = options.threads > 0 ? options.threads : ProcessorCount.online * 2
        return max(1, min(cores, n))
    }

    /// Returns the networks the runtimes defined, read with their containers.
    private func attributeContainers(_ namespaces: inout [Namespace], processes: [ProcessRecord], only: Set<UInt64>) -> [RuntimeNetwork] {
        let comms = Dictionary(processes.map { ($0.pid, $0.comm) }, uniquingKeysWith: { a, _ in a })
        let evidence = namespaces.filter { !$0.isHost && only.contains($0.id) }.map { ns in
            NamespaceEvidence(id: ns.id, paths: ns.paths,
                              processes: ns.pids.map { (pid: $0, comm: comms[$0] ?? "") },
                              addresses: ns.links.flatMap { $0.addresses.map(\.address.description) },
                              heldBy: ns.heldBy, owner: ns.owner)
        }
        // Never a bare "-": what no runtime explains gets its reason and best evidence.
        let attribution = ContainerAttributor(root: attributorRoot).attribution(evidence)
        let (found, why) = (attribution.containers, attribution.why)
        // slirp4netns and pasta serve a namespace from outside it: only their command lines name it.
        let helpers = NetworkHelpers.find(namespaces: namespaces, processes: processes, root: attributorRoot)
        for i in namespaces.indices {
            namespaces[i].containers = found[namespaces[i].id] ?? []
            namespaces[i].why = why[namespaces[i].id]
            if only.contains(namespaces[i].id) { namespaces[i].helper = helpers[namespaces[i].id] }
        }
        return attribution.networks
    }
}
