/// The map as a Mermaid flowchart (GitHub and most Markdown renderers draw it): node ids `n0`, `n1`… in the
/// map's order (Mermaid ids cannot hold `:`), the map's own id in a comment beside each, buses as subroutine
/// boxes, VTEPs as hexagons, remotes as circles, tunnels dotted, edges coloured by link state.
public enum MapMermaid {
    public static func render(_ map: HostMap) -> String {
        var out = "flowchart TB\n"
        var ids: [String: String] = [:]
        for (i, n) in map.nodes.enumerated() {
            let id = "n\(i)"
            ids[n.id] = id
            let label = quote(MapLabels.lines(n).joined(separator: "<br/>"))
            let shaped: String
            switch n.kind {
            case .uplink: shaped = "\(id)[/\(label)/]"
            case .bus: shaped = "\(id)[[\(label)]]"
            case .namespace: shaped = "\(id)[\(label)]"
            case .vtep: shaped = "\(id){{\(label)}}"
            case .remote: shaped = "\(id)((\(label)))"
            case .remoteEndpoint: shaped = "\(id)([\(label)])"
            }
            out += "  \(shaped) %% \(n.id)\n"
        }
        var styles: [String] = []
        for (i, e) in map.edges.enumerated() {
            guard let a = ids[e.from], let z = ids[e.to] else { continue }
            let arrow = e.kind == .tunnel || e.kind == .nat || e.kind == .published ? "-.-" : "---"
            out += "  \(a) \(arrow)|\(quote(MapLabels.edge(e)))| \(z)\n"
            styles.append("  linkStyle \(i) stroke:\(MapLabels.color(e.state))\n")
        }
        if !map.aside.isEmpty {
            let text = map.aside.map { "\($0.name): \($0.reason)" }.joined(separator: "<br/>")
            out += "  aside[\(quote("aside<br/>" + text))]\n"
        }
        return out + styles.joined()
    }

    /// A quoted Mermaid label: `"` and `<`, `>` (other than our `<br/>`) as entity codes.
    static func quote(_ s: String) -> String {
        let parts = MapText.printable(s).split(separator: "<br/>", omittingEmptySubsequences: false)
        let escaped = parts.map { part -> String in
            var o = ""
            for c in part {
                switch c {
                case "\"": o += "#quot;"
                case "<": o += "#lt;"
                case ">": o += "#gt;"
                case "#": o += "#35;"
                default: o.append(c)
                }
            }
            return o
        }
        return "\"" + escaped.joined(separator: "<br/>") + "\""
    }
}
