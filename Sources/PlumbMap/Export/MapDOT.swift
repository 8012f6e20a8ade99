/// The map in Graphviz's DOT language (`plumb map --format dot | dot -Tsvg`): an undirected graph whose node
/// ids are the map's ids, buses as bold boxes, tunnels dashed, edges coloured by link state.
public enum MapDOT {
    public static func render(_ map: HostMap) -> String {
        var out = "graph plumb_map {\n"
        out += "  graph [rankdir=TB, fontname=\"monospace\", label=\"plumb map\", labelloc=t, charset=\"UTF-8\"];\n"
        out += "  node [fontname=\"monospace\", fontsize=10, shape=box];\n"
        out += "  edge [fontname=\"monospace\", fontsize=9];\n"
        for n in map.nodes {
            let shape: String
            switch n.kind {
            case .uplink: shape = "shape=box, style=\"bold,filled\", fillcolor=\"#e8f0fe\""
            case .bus: shape = "shape=box, style=\"bold,rounded\", penwidth=2"
            case .namespace: shape = "shape=box"
            case .vtep: shape = "shape=hexagon"
            case .remote: shape = "shape=ellipse, style=dashed"
            case .remoteEndpoint: shape = "shape=box, style=dashed"
            }
            out += "  \(quote(n.id)) [label=\(quote(MapLabels.lines(n).joined(separator: "\n"))), \(shape)];\n"
        }
        for e in map.edges {
            var attrs = ["label=\(quote(MapLabels.edge(e)))", "color=\(quote(MapLabels.color(e.state)))"]
            switch e.kind {
            case .tunnel, .hosted: attrs.append("style=dashed")
            case .nat, .published: attrs.append("style=dotted")
            default: break
            }
            out += "  \(quote(e.from)) -- \(quote(e.to)) [\(attrs.joined(separator: ", "))];\n"
        }
        if !map.aside.isEmpty {
            let text = map.aside.map { "\($0.name): \($0.reason)" }.joined(separator: "\n")
            out += "  aside [shape=note, label=\(quote("aside\n" + MapText.printable(text)))];\n"
        }
        return out + "}\n"
    }

    /// A DOT string: quotes and backslashes escaped, newlines as `\n` (centred lines).
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
