/// The map as SVG, drawn by Plumb itself from the same layout as the text picture: the picture's characters
/// in a monospace font, coloured by what they mean, a `<g class="node">` per node region and a `<line
/// class="edge">` per edge (with `data-node` / `data-edge` holding the map's ids, so the JSON and the SVG can be
/// matched). Lay the picture out with every bus unfolded so every port has its place.
public enum MapSVG {
    static let cellW = 8.0, cellH = 16.0

    public static func render(_ map: HostMap, picture: MapPicture) -> String {
        let w = Double(picture.width) * cellW + 16, h = Double(picture.height) * cellH + 16
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(fmt(w))" height="\(fmt(h))" viewBox="0 0 \(fmt(w)) \(fmt(h))" \
            font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="13">
            <title>plumb map</title>
            <rect width="100%" height="100%" fill="#ffffff"/>
            <g transform="translate(8,8)">

            """
        // Edges under the text.
        for e in map.edges {
            guard let a = picture.anchors[e.id] else { continue }
            let (x1, y1) = center(a.from), (x2, y2) = center(a.to)
            let dash = e.kind == .tunnel || e.kind == .nat || e.kind == .published ? " stroke-dasharray=\"4 3\"" : ""
            out += "<line class=\"edge \(e.kind.rawValue) \(e.state.rawValue)\" data-edge=\"\(escape(e.id))\" data-from=\"\(escape(e.from))\" "
            out += "data-to=\"\(escape(e.to))\" x1=\"\(fmt(x1))\" y1=\"\(fmt(y1))\" x2=\"\(fmt(x2))\" y2=\"\(fmt(y2))\" "
            out += "stroke=\"\(MapLabels.color(e.state))\" stroke-width=\"2\" stroke-opacity=\"0.35\"\(dash)><title>\(escape(MapLabels.edge(e)))</title></line>\n"
        }
        // Node regions: a rectangle each, with the node's words as a tooltip.
        let byID = Dictionary(map.nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for r in picture.regions where r.foldOf == nil {
            guard let n = byID[r.node] else { continue }
            out += "<g class=\"node \(n.kind.rawValue)\" data-node=\"\(escape(n.id))\"><title>\(escape(MapLabels.lines(n).joined(separator: " · ")))</title>"
            out += "<rect x=\"\(fmt(Double(r.x) * cellW))\" y=\"\(fmt(Double(r.y) * cellH))\" width=\"\(fmt(Double(r.width) * cellW))\" "
            out += "height=\"\(fmt(Double(r.height) * cellH))\" fill=\"\(fill(n.kind))\" fill-opacity=\"0.25\" rx=\"3\"/></g>\n"
        }
        // The picture's text, one <text> per row, one <tspan> per run of one style.
        for y in 0..<picture.height {
            out += "<text x=\"0\" y=\"\(fmt(Double(y) * cellH + 12))\" xml:space=\"preserve\">"
            var x = 0
            let row = picture.canvas.cells[y], styles = picture.canvas.styles[y]
            var end = row.count
            while end > 0 && row[end - 1] == " " { end -= 1 }
            while x < end {
                let style = styles[x]
                var run = String.UnicodeScalarView()
                let start = x
                while x < end && styles[x] == style { run.append(row[x]); x += 1 }
                out += "<tspan x=\"\(fmt(Double(start) * cellW))\" fill=\"\(color(style))\"\(style == .heading || style == .name ? " font-weight=\"bold\"" : "")>"
                out += escape(String(run)) + "</tspan>"
            }
            out += "</text>\n"
        }
        return out + "</g>\n</svg>\n"
    }

    static func center(_ c: (Int, Int)) -> (Double, Double) {
        (Double(c.0) * cellW + cellW / 2, Double(c.1) * cellH + cellH / 2)
    }

    static func fill(_ k: MapNode.Kind) -> String {
        switch k {
        case .uplink: return "#4a90d9"
        case .bus: return "#8e44ad"
        case .namespace: return "#95a5a6"
        case .vtep: return "#16a085"
        case .remote: return "#bdc3c7"
        case .remoteEndpoint: return "#d5dbdb"
        }
    }

    static func color(_ s: MapStyle) -> String {
        switch s {
        case .plain: return "#222222"
        case .dim: return "#888888"
        case .heading: return "#1f3a93"
        case .name: return "#111111"
        case .address: return "#0e6655"
        case .bus: return "#8e44ad"
        case .owner: return "#7d3c98"
        case .badge: return "#c0392b"
        case .up: return MapLabels.color(.up)
        case .down: return MapLabels.color(.down)
        case .noCarrier: return MapLabels.color(.noCarrier)
        case .unknown: return MapLabels.color(.unknown)
        }
    }

    /// XML text and attribute escaping.
    static func escape(_ s: String) -> String {
        var o = ""
        for c in MapText.printable(s).unicodeScalars {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default: o.unicodeScalars.append(c)
            }
        }
        return o
    }

    static func fmt(_ d: Double) -> String {
        d == d.rounded() ? String(Int(d)) : String(d)
    }
}
