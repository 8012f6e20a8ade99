/// The words each export prints for a node and an edge, so DOT, Mermaid and SVG say the same thing: UTF-8
/// text (`MapText.printable`), not the terminal's one-cell characters.
enum MapLabels {
    static func lines(_ n: MapNode) -> [String] {
        var out = [n.name]
        switch n.kind {
        case .uplink:
            out.append("uplink " + n.addresses.map(\.description).joined(separator: " "))
        case .bus:
            out[0] = n.title
            if let ns = n.namespaceName, ns != "host" { out[0] += " in \(ns)" }
            out.append([n.subnet?.description, n.gateway.map { "gw \($0)" }].compactMap { $0 }.joined(separator: " "))
            if let o = n.ownerWords { out.append(o) }
            if n.busKind == .macvlan { out.append("macvlan parent") }
        case .namespace:
            out.append([n.runtime, n.state].compactMap { $0 }.joined(separator: " · "))
        case .vtep:
            out.append(["vxlan", n.vni.map { "vni \($0)" }, n.local?.description].compactMap { $0 }.joined(separator: " "))
        case .remote:
            if let r = n.runtime { out.append(r) }
        case .remoteEndpoint:
            out.append(([n.addresses.first?.description, n.host.map { "on \($0)" }].compactMap { $0 }).joined(separator: " "))
        }
        return out.filter { !$0.isEmpty }.map(MapText.printable)
    }

    static func edge(_ e: MapEdge) -> String {
        let text: String
        switch e.kind {
        case .port, .veth:
            let addr = e.addresses.first.map { " \($0)" } ?? ""
            text = (e.interface ?? "") + addr + (e.kind == .veth ? " ⇄ \(e.peerInterface ?? "")" : "")
        case .nat: text = "NAT \(e.label ?? "")"
        case .published, .tunnel, .hosted: text = e.label ?? ""
        }
        return MapText.printable(text + (e.state == .up ? "" : " (\(e.state.rawValue))"))
    }

    /// The colour of an edge by its state (DOT and SVG).
    static func color(_ s: MapLinkState) -> String {
        switch s {
        case .up: return "#2e8b57"
        case .down: return "#c0392b"
        case .noCarrier: return "#d68910"
        case .unknown: return "#7f8c8d"
        }
    }
}
