import PlumbModel

/// The links of one namespace as a tree: bridges with their ports, parents with their macvlan/vxlan
/// children, then standalone links. Each row: name, kind, state (coloured), where it leads (veth peer in
/// its namespace, parent, VXLAN remote) and addresses.
enum TopologyView {
    /// Everything the pane shows that can change while the snapshot's content stays the same (`PaneMemo`).
    struct Key: Equatable, Sendable {
        var focused: Bool
        var filter: String
        var namespace: UInt64?
        /// The title says how long a likely leak has been held.
        var title: String
        var top: Int, selected: Int?
        var badges: [UInt64: [String: Finding.Severity]]
        /// The LINK column's width (it fits every row's name and badges) and the visible rows' drop badges as
        /// drawn: a rate that moves off screen, or within what the badge shows, redraws nothing (a host dropping
        /// multicast changes hundreds of interfaces' rates every second).
        var nameWidth: Int
        var drops: [String]
        var theme: Theme
        var glyphs: Glyphs
    }

    static func draw(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, rows: PaneRows, ctx: RenderContext) {
        let window = ListWindow(rect: rect.inset(by: 1).splitTop(1).1, count: rows.topology.count,
                                selected: rows.topologyIndex(state.selectedLink), storedTop: state.scroll[.topology] ?? 0)
        let widths = columnWidths(state: state, rows: rows, glyphs: ctx.glyphs)
        let nameW = nameWidth(widths, state: state, rows: rows)
        let key = Key(focused: state.focus == .topology, filter: state.filter, namespace: rows.namespace?.id,
                      title: title(rows, state: state, glyphs: ctx.glyphs), top: window.top, selected: window.selected,
                      badges: rows.badges.links, nameWidth: nameW,
                      drops: rows.topology.withUnsafeBufferPointer { all in window.visible.map { dropBadge(all[$0.index], state) } },
                      theme: ctx.theme, glyphs: ctx.glyphs)
        PaneMemo.draw(&buf, rect: rect, slot: .topologyPane, cache: state.paneCache, content: rows.content,
                      key: key) { buf in
            drawPane(&buf, rect: rect, state: state, rows: rows, ctx: ctx, widths: widths, nameWidth: nameW)
        }
    }

    /// Column widths need every row, the text only the visible ones: widths are counted without building the
    /// strings, and kept while the tree's shape is the same, measuring again only the rows whose addresses or
    /// port state changed (`TopologyColumnWidths`); a filtered tree can change with any content.
    private static func columnWidths(state: AppState, rows: PaneRows, glyphs g: Glyphs) -> TopologyColumnWidths {
        let tree = rows.topology
        let here = rows.namespace?.id ?? 0
        let key = TopologyColumnWidths.Key(namespace: here, filter: state.filter, glyphs: g)
        let measure = { TopologyColumnWidths(tree, index: rows.index, here: here, glyphs: g) }
        return state.filter.isEmpty
            ? state.paneCache.refreshed(.topologyWidths, content: rows.content, key: key,
                                        refresh: { $0.refreshed(tree, index: rows.index, here: here, glyphs: g) },
                                        make: measure)
            : state.paneCache.value(.topologyWidths, content: rows.content, key: key, make: measure)
    }

    /// Room for a drop badge in the LINK column (" 999k/s drops"), whatever the rates read now.
    static let dropBadgeRoom = 13

    /// The LINK column's natural width: the widest name with its finding badge, over every row, and room for a
    /// drop badge on every row while any row has one. Rates come and go and read longer or shorter every second;
    /// a width that followed the widest badge moved every column of the pane by one and back, which rewrote the
    /// whole pane on the terminal every second on a host dropping multicast.
    private static func nameWidth(_ w: TopologyColumnWidths, state: AppState, rows: PaneRows) -> Int {
        let badged = rows.badges.links
        let dropping = state.drops.map { !$0.perInterface.isEmpty } ?? false
        guard !badged.isEmpty || dropping else { return w.widestName }
        // By index: iterating the rows by value copies each one and its link.
        return rows.topology.withUnsafeBufferPointer { rows in
            var widest = 0, dropRoom = 0
            for i in rows.indices {
                let badge = badged[rows[i].id.namespace]?[rows[i].name] != nil ? 2 : 0
                widest = max(widest, w.names[i] + badge)
                if dropping, case let d = dropBadge(rows[i].id.namespace, rows[i].name, state).count, d > 0 {
                    dropRoom = max(dropRoom, d, dropBadgeRoom)
                }
            }
            return widest + dropRoom
        }
    }

    private static func drawPane(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, rows: PaneRows,
                                 ctx: RenderContext, widths w: TopologyColumnWidths, nameWidth nameW: Int) {
        let theme = ctx.theme, g = ctx.glyphs
        let focused = state.focus == .topology
        let tree = rows.topology
        let body = rect.inset(by: 1)
        let (headRect, rowsRect) = body.splitTop(1)
        let window = ListWindow(rect: rowsRect, count: tree.count, selected: rows.topologyIndex(state.selectedLink),
                                storedTop: state.scroll[.topology] ?? 0)
        PaneFrame.draw(&buf, rect: rect, title: title(rows, state: state, glyphs: g), focused: focused,
                       footer: window.positionLabel, theme: theme, glyphs: g)

        let here = rows.namespace?.id ?? 0
        let cols = columns(nameWidth: nameW, leads: w.leads, addrs: w.addresses, x: body.x + 2, width: body.width - 2)
        buf.header(cols, y: headRect.y, style: theme.header, glyphs: g)
        let combined = cols[4] == nil

        for (i, y) in window.visible {
            let row = tree[i]
            // The current link: kept rows hold none (its state and addresses change without the tree).
            guard let link = rows.index.link(row) else { continue }
            let st = LinkState(link)
            let base = row.isContext ? theme.dim : theme.text
            let prefix = row.treePrefix(g)
            let lead = leadsTo(link, id: row.id, index: rows.index, here: here, glyphs: g)
            let addr = link.addresses.map(\.description).joined(separator: " ")
            if let c = cols[0] {
                let pw = buf.text(prefix, x: c.x, y: y, width: c.width, style: theme.border, ellipsis: nil)
                let label = row.isForeign ? "\(link.name)@\(rows.index.name(of: row.id.namespace))" : link.name
                let lw = buf.text(label, x: c.x + pw, y: y, width: c.width - pw,
                                  style: link.kind == .bridge ? base.bolded : base, ellipsis: g.ellipsis)
                var used = pw + lw
                if let sev = rows.badges.links[row.id.namespace]?[link.name], pw + lw + 2 <= c.width {
                    buf.put(sev == .error ? g.badgeError : g.badgeWarning, x: c.x + pw + lw + 1, y: y,
                            style: FindingsView.style(sev, theme))
                    used += 2
                }
                // The drop-rate badge: drops on this interface in the last seconds.
                let badge = dropBadge(row, state)
                if !badge.isEmpty {
                    if used + badge.count <= c.width {
                        buf.text(badge, x: c.x + used, y: y, width: badge.count, style: theme.error, ellipsis: nil)
                    }
                }
            }
            buf.cell(link.kind.name, cols[1], y: y, style: theme.dim, glyphs: g)
            buf.cell(st.label, cols[2], y: y, style: st.style(theme), glyphs: g)
            if combined, let c = cols[3] {
                let segs = lead.isEmpty ? [] : [Segment(lead + (addr.isEmpty ? "" : " "), theme.peer)]
                buf.segments(segs + [Segment(addr, theme.address)], x: c.x, y: y, width: c.width, glyphs: g)
            } else {
                buf.cell(lead, cols[3], y: y, style: link.peer != nil ? theme.peer : base, glyphs: g)
                buf.cell(addr, cols[4], y: y, style: theme.address, glyphs: g)
            }
        }
        if tree.isEmpty {
            let msg = rows.namespace == nil ? "no namespace selected"
                : state.filter.isEmpty ? "no links" : "no link matches /\(state.filter)"
            buf.text(msg, x: body.x + 2, y: rowsRect.y, width: body.width - 2, style: theme.dim, ellipsis: g.ellipsis)
        }
        window.highlight(&buf, focused: focused, theme: theme, glyphs: g)
    }

    /// " 12/s drops" after a link that dropped packets in the drops window, "" otherwise.
    static func dropBadge(_ row: TopologyRow, _ state: AppState) -> String {
        dropBadge(row.id.namespace, row.name, state)
    }

    static func dropBadge(_ namespace: UInt64, _ interface: String, _ state: AppState) -> String {
        guard let rate = state.drops?.perInterface[.init(namespace: namespace, interface: interface)],
              rate > 0 else { return "" }
        return " " + DropCounts.rate(rate) + " drops"
    }

    /// Separate "connects to" and "addresses" columns when both get a useful width; on narrow panes one
    /// shared column (a host-side veth has no address and a bridge no peer, so they rarely compete).
    static func columns(nameWidth widest: Int, leads: [Int], addrs: [Int], x: Int, width: Int) -> [PlacedColumn?] {
        // Interface names are at most 15 characters: keep them whole (with a short tree prefix) if at all possible.
        let link = ColumnSpec("LINK", natural: min(30, widest), minimum: min(widest, 17), flexible: true)
        let kind = ColumnSpec("KIND", natural: 8, drop: 1)
        let state = ColumnSpec("STATE", natural: 10, minimum: 10)
        let separate = TableLayout.fit([
            link, kind, state,
            ColumnSpec("CONNECTS TO", natural: min(34, leads.max() ?? 0), minimum: 14, flexible: true),
            ColumnSpec("ADDRESSES", natural: min(60, addrs.max() ?? 0), minimum: 14, flexible: true, shrinkFirst: 1),
        ], x: x, width: width)
        let fits = separate.allSatisfy { $0 == nil || $0!.width >= $0!.spec.minimum }
        if fits && separate[0] != nil && separate[3] != nil && separate[4] != nil { return separate }
        let both = zip(leads, addrs).map { $0 == 0 ? $1 : $1 == 0 ? $0 : $0 + 1 + $1 }
        var cols = TableLayout.fit([link, kind, state,
                                    ColumnSpec("CONNECTS TO, ADDRS", natural: min(80, both.max() ?? 0), minimum: 20,
                                               flexible: true)], x: x, width: width)
        cols.append(nil)
        return cols
    }

    static func title(_ rows: PaneRows, state: AppState, glyphs g: Glyphs) -> String {
        guard let ns = rows.namespace else { return "Topology" }
        var t = "Topology: \(ns.displayName)"
        if let c = ns.containers.first {
            t += " (\(c.runtime.rawValue))"
        } else if let why = ns.why {
            // Why the CONTAINER column has no container: what made it instead.
            t += " (\(why.maker), no container runtime)"
        } else if !ns.isHost && !ns.names.isEmpty {
            // Why the CONTAINER column says "-": `ip netns` made it (a VPN, a script), no container runtime did.
            t += " (ip netns, no container runtime)"
        }
        t += " net:[\(ns.id)]"
        if let owner = ns.owner { t += " - \(owner.description)" }
        if let helper = ns.helper { t += " - network from \(helper.description)" }
        if let why = ns.leakReason(at: rows.index.snapshot.takenAt) { t += " - likely leak: \(why)" } else if ns.isOrphan { t += " - named, no process" }
        return t
    }

    /// Where a link leads: a veth's peer (in its namespace), a child's parent elsewhere, a VXLAN's remote,
    /// a bridge port's STP state when it is not forwarding.
    static func leadsTo(_ l: Link, id: LinkID, index: SnapshotIndex, here: UInt64, glyphs g: Glyphs) -> String {
        var parts: [String] = []
        if let p = l.peer { parts.append("\(g.arrow) \(index.label(p, from: id.namespace))") }
        // The tree already shows a parent in the same namespace, unless the link sits under its bridge.
        if let p = l.parent, id.namespace == here, p.namespace != id.namespace || l.master != nil {
            parts.append("on \(index.label(p, from: id.namespace))")
        }
        if let v = l.vxlan { parts.append(vxlanText(v, glyphs: g)) }
        if let m = l.macvlanMode { parts.append(m) }
        if let bp = l.bridgePort, bp.state != "forwarding" { parts.append("port \(bp.state)") }
        return parts.joined(separator: " ")
    }

    /// `vni 42 → 10.0.0.2:4790` (the port only when it is not the IANA default).
    static func vxlanText(_ v: VxlanInfo, glyphs g: Glyphs) -> String {
        var s = "vni \(v.vni)"
        if let r = v.remote { s += " \(g.arrow) \(r)" }
        if let port = v.port, port != 4789 { s += ":\(port)" }
        return s
    }
}
