import ArgumentParser
import Foundation
import PlumbKernel
import PlumbMap
import PlumbModel

/// `plumb map`: the host's container network as one picture (the TUI's Map view without colours), or as DOT,
/// Mermaid, SVG or JSON for documents, chats and issue reports.
struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Draw the host's container network: uplinks, bridges with their containers, tunnels, NAT and published ports.",
        discussion: """
            Uplinks (default-route devices) with the subnets they masquerade and the ports they publish; each \
            bridge as a bus with its subnet, gateway and owner (Docker, Podman, CNI, Plumb, LXC or hand-made) and \
            its namespaces as boxes; macvlan children under their parent; veths joining two namespaces; VXLAN \
            tunnels to each remote VTEP. Namespaces wired to nothing are listed aside. The layout is \
            deterministic: the same host gives the same picture. With a cluster store (--store, $PLUMB_STORE or \
            the config file), the other hosts' VTEPs are named by host and their endpoints on the cluster \
            overlays are listed as remote endpoints. See docs/map.md.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, dot, mermaid, svg, json
    }

    @Argument(help: "Only the part around this namespace (id, ip-netns name, container name/id, pid:N or host).", completion: CompletionSources.targets)
    var target: String?

    @Option(name: .long, help: "text (the picture), dot (Graphviz), mermaid, svg, or json (nodes and edges with the snapshot's ids).")
    var format: Format = .text

    @Flag(name: .long, help: "Same as --format json.")
    var json = false

    @Flag(name: .long, help: "Indent the JSON.")
    var pretty = false

    @Flag(name: .long, help: "Draw with ASCII characters only (text and svg).")
    var ascii = false

    @Flag(name: .long, help: "Unfold every bus: list all ports of buses with many.")
    var expand = false

    @Option(name: .long, help: "Columns of the picture (40-1000; default: $COLUMNS, else 120).")
    var width: Int?

    @Option(name: .long, help: "Draw a saved `plumb snapshot --json` file instead of reading this host.")
    var from: String?

    @Flag(name: .long, help: .hidden)
    var printTiming = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if let width, !(40...1000).contains(width) {
            throw ValidationError("--width \(width) is out of range: give 40 to 1000 columns")
        }
    }

    func run() throws {
        var snap: Snapshot
        if let from {
            snap = try loadSnapshotFile(from)
        } else {
            try requirePrivileges()
            snap = SnapshotReader(options: SnapshotOptions()).read()
            snap.publishedPorts = PublishedPorts.find(in: snap)
        }
        let clock = ContinuousClock()
        let started = clock.now
        let cpuStarted = ThreadCPUTime.millis()
        var map = HostMapBuilder.build(snap)
        // A saved snapshot may be another host's: the store's view is added to this host's reading only.
        if from == nil, let cluster = try ClusterMapSource.read(store) { map = map.adding(cluster) }
        if let target {
            let ns = try resolveTarget(target, in: snap)
            map = map.focused(on: ns.id, isHost: ns.isHost)
        }
        let built = clock.now
        let cpuBuilt = ThreadCPUTime.millis()
        var options = MapLayoutOptions(width: width ?? Self.defaultWidth())
        options.expandAll = expand || format == .svg
        let output: String
        switch json ? .json : format {
        case .json:
            try render(MapJSONOutput(map: map), as: .json(pretty: pretty))
            return
        case .text: output = MapLayout.layout(map, options: options).text(ascii: ascii)
        case .dot: output = MapDOT.render(map)
        case .mermaid: output = MapMermaid.render(map)
        case .svg: output = MapSVG.render(map, picture: MapLayout.layout(map, options: options))
        }
        if printTiming {
            let laid = clock.now
            // Wall time moves with the machine's load (a busy 2-core machine runs this at a fraction of a core);
            // the thread's CPU time is what the map itself costs.
            let cpu = String(format: "cpu build %.2f ms, layout and render %.2f ms", cpuBuilt - cpuStarted, ThreadCPUTime.millis() - cpuBuilt)
            printError("map: \(map.nodes.count) nodes, \(map.edges.count) edges; build \(Self.ms(built - started)) ms, layout and render \(Self.ms(laid - built)) ms; \(cpu)")
        }
        FileHandleWriter.write(1, output)
    }

    static func defaultWidth() -> Int {
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), (40...1000).contains(c) { return c }
        return 120
    }

    static func ms(_ d: Duration) -> String {
        let (s, atto) = d.components
        return String(format: "%.2f", Double(s) * 1000 + Double(atto) / 1e15)
    }
}

/// `plumb map --format json`: the graph as it is (see docs/json.md).
struct MapJSONOutput: CommandOutput, Encodable {
    var map: HostMap
    var json: HostMap { map }
    func text() -> String { "" }
}
