import ArgumentParser
import PlumbTrace
import PlumbKernel
import PlumbModel

/// `plumb trace SRC DST`: where the first packet of a connection would go, hop by hop, and where it would be
/// dropped and why. Route decisions are the kernel's own (RTM_GETROUTE in each namespace); bridges, links,
/// neighbours and iptables come from one snapshot.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Explain hop by hop where a packet from SRC to DST would go, and where it would be dropped.",
        discussion: """
            SRC is a namespace: an ip-netns name, pid:N, a container name or id, a namespace id or host; NS@IP \
            picks the source address. DST is an IP address or a namespace (its primary address, or NS@IP).
            The packet is the first of a new connection (conntrack NEW): ICMP echo by default, TCP with --port.
            Exit codes: 0 delivered (or left the host), 3 dropped, 5 unknown (not followable or a rule that may \
            match could not be evaluated), 4 SRC or DST not found, 64 usage, 77 not root.
            With a cluster store (--store, $PLUMB_STORE or the config file), a packet for an endpoint on another \
            host of a cluster overlay is followed into the VXLAN tunnel to that host's VTEP and on through the \
            summary that host's agent published (its firewall on the overlay path). See docs/trace.md.
            With --live, a REAL packet is sent from SRC to DST after the static trace (one ICMP echo, TCP SYN or \
            UDP datagram), traced by temporary nftables rules in each namespace on the path (table plumb_trace_*, \
            journaled: `plumb gc` removes them after a crash). Every table, chain and rule it met is shown with \
            the verdict and compared with the static trace; the exit code then follows the live verdict (0 it \
            passed, 3 dropped or lost, 5 not seen, 130 interrupted). Needs nf_tables (not legacy iptables).
            """)

    @Argument(help: "Source namespace (NS or NS@IP).", completion: CompletionSources.targets)
    var source: String

    @Argument(help: "Destination: an IP address, or a namespace (NS or NS@IP).", completion: CompletionSources.targets)
    var destination: String

    @Option(help: "Destination port (implies --proto tcp unless --proto is given).")
    var port: UInt16?

    @Option(help: "tcp, udp or icmp (default: icmp, or tcp with --port).")
    var proto: String?

    @Option(help: "Source port for tcp/udp (default 43210).")
    var sport: UInt16?

    @Option(help: "IP packet size in bytes, sent with Don't Fragment (default: that of a plain ping or SYN).")
    var size: Int?

    @Flag(name: [.customShort("6"), .customLong("ipv6")], help: "Use IPv6 addresses when DST is a namespace.")
    var ipv6 = false

    @Flag(name: .long, help: "Do not scan open file descriptors for namespaces held only by an fd (faster).")
    var noFdScan = false

    @Flag(name: .long, help: "Also send one REAL probe packet from SRC and trace it through nftables (see below).")
    var live = false

    @Option(name: .long, help: "State directory for --live's journal. Default: $PLUMB_STATE_DIR or /var/lib/plumb.")
    var stateDir: String?

    @Flag(name: .long, help: "Print the trace as JSON.")
    var json = false

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Indent the JSON (with --json); the default is one line, like `ip -j`.")
    var pretty = false

    func validate() throws {
        if let proto, !["tcp", "udp", "icmp"].contains(proto.lowercased()) {
            throw ValidationError("--proto must be tcp, udp or icmp, not '\(proto)'")
        }
        if let p = proto?.lowercased(), p != "icmp", port == nil {
            throw ValidationError("--proto \(p) needs --port")
        }
        if port == 0 { throw ValidationError("--port must be between 1 and 65535, not 0") }
        if sport == 0 { throw ValidationError("--sport must be between 1 and 65535, not 0") }
        if let size, size < 28 || size > 65535 {
            throw ValidationError("--size must be between 28 and 65535 bytes")
        }
        if live, sport != nil {
            throw ValidationError("--sport cannot be used with --live: the probe's source port is chosen to be unique")
        }
        if live, size != nil { throw ValidationError("--size cannot be used with --live: the probe has its own size") }
        if stateDir != nil, !live { throw ValidationError("--state-dir is only used with --live") }
    }

    func run() throws {
        try requirePrivileges()
        // --live: the drop feed loads its BPF program while the static trace runs (it takes a few hundred ms).
        let drops = live ? LiveTraceDrops.start() : nil
        var options = SnapshotOptions()
        options.processDetails = false
        options.scanFds = !noFdScan
        // Read only the namespaces the packet crosses: start with SRC (and DST), and read more as the trace
        // reaches them. A container name needs the runtimes' state: then everything is read at once.
        let session = SnapshotSession(reader: SnapshotReader(options: options))
        // The addresses are parsed here, once: the trace works on values from now on.
        let dstGivenAsAddress = IPAddress(destination)
        var only: Set<UInt64>?
        let src = AddressedTarget(parsing: source)
        let dst = dstGivenAsAddress == nil ? AddressedTarget(parsing: destination) : nil
        // NS@IP addresses are checked before anything is read: a bad one is bad input (64), whatever else.
        let srcAddress = try src.address.map { try Self.checkAddress($0, in: source) }
        let dstPicked = try dst?.address.map { try Self.checkAddress($0, in: destination) }
        if let s = session.id(of: src.target) {
            if let dst { if let d = session.id(of: dst.target) { only = [s, d] } } else { only = [s] }
        }
        var snap = only.map { session.read(only: $0) } ?? session.readAll()

        let srcNs = try resolveTarget(src, in: snap)
        var dstNs: Namespace?
        let dstAddress: IPAddress
        if let dstGivenAsAddress {
            dstAddress = dstGivenAsAddress
        } else if let dst {
            let ns: Namespace
            do {
                ns = try resolveTarget(dst, in: snap)
            } catch where dst.address == nil && Self.looksLikeAddress(destination) {
                // "300.1.1.1" is a mistyped address, not an unknown namespace (unless a namespace has that name).
                try Self.checkAddress(destination, in: nil)
                throw error
            }
            dstNs = ns
            guard let a = dstPicked ?? TraceEngine.primaryAddress(of: ns, v6: ipv6) else {
                throw CommandFailure(description: "\(ns.displayName) has no \(ipv6 ? "IPv6" : "IPv4") address to trace to: "
                                     + "give one as \(dst.targetText)@IP", code: PlumbExit.notFound)
            }
            dstAddress = a
        } else {
            preconditionFailure("DST is either an address or a target")
        }
        let v6 = dstAddress.isIPv6
        let p = (proto?.lowercased() ?? (port != nil ? "tcp" : "icmp"))
        let wireProto = p == "icmp" && v6 ? "icmpv6" : p
        let defaultSize = (v6 ? 40 : 20) + (p == "icmp" ? 64 : p == "tcp" ? 40 : 8)
        // --live: the probe's socket first, so the static trace follows the very packet the probe will be
        // (its source port is the probe's unique tag).
        let probe = live ? try LiveTrace.openProbe(from: srcNs, proto: wireProto, source: srcAddress, destination: dstAddress) : nil
        let request = TraceRequest(sourceNamespace: srcNs.id, sourceAddress: srcAddress, destination: dstAddress,
                                   destinationNamespace: dstNs?.id, proto: wireProto,
                                   sourcePort: p == "icmp" ? nil : (probe?.tag ?? sport ?? 43210),
                                   destinationPort: p == "icmp" ? nil : port, size: size ?? defaultSize)
        let oracle = KernelRouteOracle()
        // With a cluster store, a packet into a cluster overlay continues on the remote host's published summary.
        let cluster = try ClusterTraceSource.read(store)
        var result: TraceResult
        var rounds = 0
        while true {
            var engine = TraceEngine(snapshot: snap, oracle: oracle)
            engine.cluster = cluster
            if let only { engine.unread = session.allIDs.subtracting(only) }
            result = engine.trace(request)
            guard let current = only, !engine.needed.isEmpty else { break }
            rounds += 1
            if rounds > 8 {
                only = nil; snap = session.readAll()
            } else {
                only = current.union(engine.needed); snap = session.read(only: only!)
            }
        }
        if live {
            return try LiveTrace(command: self, snapshot: snap, result: result, socket: probe!, drops: drops!).run()
        }
        try render(TraceOutput(result: result), as: OutputFormat(json: json, pretty: pretty))
        switch result.verdict {
        case .delivered, .leftHost: return
        case .dropped: throw ExitCode(PlumbExit.traceDropped.rawValue)
        case .unknown: throw ExitCode(PlumbExit.traceUnknown.rawValue)
        }
    }
}

extension TraceCommand {
    /// The address `text` names; exit 64 with "bad address 'TEXT': why" unless it is one.
    @discardableResult
    static func checkAddress(_ text: String, in argument: String?) throws -> IPAddress {
        do { return try IPAddress.parse(text) } catch let AddressError.invalidAddress(_, reason) {
            throw CommandFailure("bad address '\(text)'\(argument.map { " in \($0)" } ?? ""): \(reason)", .invalidInput)
        }
    }

    /// Digits and dots with a dot, or two colons (no namespace or container name has a colon, and pid:N has
    /// one): meant as an address, not as a namespace.
    static func looksLikeAddress(_ text: String) -> Bool {
        let v4 = text.contains(".") && text.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
        return v4 || text.filter { $0 == ":" }.count >= 2
    }
}

/// The kernel's answers for the trace engine: RTM_GETROUTE inside each namespace.
final class KernelRouteOracle: RouteOracle {
    let lookup = RouteLookup()
    func route(_ query: RouteQuery, in namespace: Namespace) -> RouteDecision {
        do {
            return try lookup.lookup(query, in: namespace)
        } catch {
            return .refused("LOOKUP-FAILED", "\(error)")
        }
    }
    func forwardingDatabase(bridge ifindex: Int, in namespace: Namespace) -> [BridgeFdbEntry]? {
        try? lookup.bridgeForwardingDatabase(bridgeIndex: ifindex, in: namespace)
    }
    func vxlanForwarding(device ifindex: Int, in namespace: Namespace) -> [OverlayFdbEntry]? {
        try? lookup.vxlanForwardingDatabase(deviceIndex: ifindex, in: namespace)
    }
}
