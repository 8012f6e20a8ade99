import PlumbModel

/// The routes, neighbours, sysctls, processes and sockets tabs of the selected namespace.
enum NamespaceTablesView {
    static func draw(_ buf: inout ScreenBuffer, rect: Rect, tab: DetailTab, state: AppState, rows: PaneRows,
                     ctx: RenderContext) -> ListWindow? {
        guard let ns = rows.namespace else { return nil }
        let t = ctx.theme
        let (cols, cells, empty) = table(tab, ns: ns, snapshot: ctx.snapshot, theme: t, all: state.showAllRows,
                                         sort: state.processSort, sortMark: ctx.glyphs.isUnicode ? "▾" : "*")
        var window = TableView.draw(&buf, rect: rect, columns: cols, rows: cells, selected: state.selectedRow(tab),
                                    storedTop: state.scroll[.details(tab)] ?? 0, focused: state.focus == .details,
                                    empty: empty, ctx: ctx)
        window.hiddenNote = hiddenNote(tab, ns: ns, snapshot: ctx.snapshot, shown: cells.count, all: state.showAllRows)
        return window
    }

    /// "3 kernel threads hidden (a)": what `a` would add to the Processes or Neighbours tab, so no row is
    /// left out silently.
    static func hiddenNote(_ tab: DetailTab, ns: Namespace, snapshot: Snapshot, shown: Int, all: Bool) -> String? {
        guard !all else { return nil }
        switch tab {
        case .processes:
            let n = DetailRows.processes(ns, in: snapshot, all: true).count - shown
            return n > 0 ? "\(n) kernel \(n == 1 ? "thread" : "threads") hidden (a)" : nil
        case .neighbors:
            let n = ns.neighbors.count - shown
            return n > 0 ? "\(n) noarp/multicast hidden (a)" : nil
        default:
            return nil
        }
    }

    static func table(_ tab: DetailTab, ns: Namespace, snapshot: Snapshot, theme t: Theme, all: Bool = false,
                      sort: ProcessSort = .pid, sortMark: String = "▾")
        -> ([ColumnSpec], [[Segment]], String) {
        switch tab {
        case .routes:
            let routes = DetailRows.routes(ns)
            let cells: [[Segment]] = routes.map { r in
                let st = r.table == 255 ? t.dim : t.text
                let dst = r.type == "unicast" ? r.destinationText : "\(r.type) \(r.destinationText)"
                return [Segment(dst, st), Segment(r.gateway?.description ?? "", st), Segment(r.dev ?? "", st),
                        Segment(r.protocolName, t.dim), Segment(r.scope, t.dim),
                        Segment(r.metric.map(String.init) ?? "", t.dim), Segment(r.prefsrc?.description ?? "", st),
                        Segment(r.tableName.isEmpty ? String(r.table) : r.tableName, t.dim)]
            }
            func vals(_ i: Int) -> [String] { cells.map { $0[i].text } }
            return ([ColumnSpec("DESTINATION", values: vals(0), cap: 30, minimum: 10, flexible: true),
                     ColumnSpec("GATEWAY", values: vals(1), cap: 26, minimum: 7),
                     ColumnSpec("DEV", values: vals(2), cap: 16, minimum: 4),
                     ColumnSpec("PROTO", values: vals(3), cap: 8, drop: 4),
                     ColumnSpec("SCOPE", values: vals(4), cap: 8, drop: 5),
                     ColumnSpec("METRIC", values: vals(5), cap: 10, drop: 3, right: true),
                     ColumnSpec("SRC", values: vals(6), cap: 26, minimum: 7, drop: 2),
                     ColumnSpec("TABLE", values: vals(7), cap: 10, drop: 6)], cells, "no routes")
        case .neighbors:
            let cells: [[Segment]] = DetailRows.neighbors(ns, all: all).map { n in
                let state = n.state.joined(separator: ",")
                let style: Style = n.state.contains(where: { $0 == "failed" || $0 == "incomplete" }) ? t.error
                    : n.state.contains(where: { $0 == "reachable" || $0 == "permanent" }) ? t.linkUp : t.dim
                return [Segment(n.ip.description, t.text), Segment(n.mac ?? "-", t.text),
                        Segment(n.dev ?? "#\(n.ifindex)", t.text), Segment(state, style)]
            }
            func vals(_ i: Int) -> [String] { cells.map { $0[i].text } }
            return ([ColumnSpec("ADDRESS", values: vals(0), cap: 40, minimum: 8, flexible: true),
                     ColumnSpec("MAC", natural: 17, drop: 1),
                     ColumnSpec("DEV", values: vals(2), cap: 16, minimum: 4),
                     ColumnSpec("STATE", values: vals(3), cap: 20)], cells, "no neighbour entries")
        case .sysctls:
            let cells: [[Segment]] = DetailRows.sysctls(ns).map { (k, v) in
                [Segment(k, t.text), Segment(v, v == "?" ? t.dim : t.text.bolded)]
            }
            return ([ColumnSpec("SYSCTL", values: cells.map { $0[0].text }, cap: 48, minimum: 12, flexible: true),
                     ColumnSpec("VALUE", natural: 5)], cells, "no sysctls read")
        case .processes:
            let cells: [[Segment]] = DetailRows.processes(ns, in: snapshot, all: all, sort: sort).map { p in
                [Segment(String(p.pid), t.text), Segment(String(p.ppid), t.dim), Segment(String(p.uid), t.dim),
                 Segment(p.comm, t.text.bolded), Segment(p.cmdline.isEmpty ? "[\(p.comm)]" : p.cmdline, t.text)]
            }
            var empty = ns.isOrphan ? "no process in this namespace: it is kept alive by \(NamespaceRows.heldBy(ns))"
                : "no process seen in this namespace"
            if ns.pids.isEmpty, let why = ns.why { empty += " (\(why.evidence))" }
            // The column sorted by (`o` moves on) carries the mark.
            func title(_ s: ProcessSort) -> String { s.columnTitle + (s == sort ? sortMark : "") }
            return ([ColumnSpec(title(.pid), natural: 7, right: true),
                     ColumnSpec(title(.ppid), natural: 7, drop: 2, right: true),
                     ColumnSpec(title(.uid), natural: 5, drop: 1, right: true),
                     ColumnSpec(title(.comm), values: cells.map { $0[3].text }, cap: 16, minimum: 6),
                     ColumnSpec("COMMAND", natural: 20, minimum: 10, flexible: true)], cells, empty)
        case .sockets:
            let cells: [[Segment]] = DetailRows.sockets(ns).map { s in
                let style = s.isListening ? t.text.bolded : t.text
                let local = s.proto.isUnix ? (s.path ?? "*") : s.local?.description ?? "*"
                let peer = s.proto.isUnix ? (s.peerInode.map { "peer \($0)" } ?? "") : s.remote?.description ?? "*"
                let owners = s.owners.map { "\($0.comm)/\($0.pid)" }.joined(separator: ",")
                let tcp = s.tcp.map { "rtt \(Format.oneDecimal(Double($0.rttMicros) / 1000)) ms cwnd \($0.congestionWindow) retr \($0.totalRetransmits)" } ?? ""
                return [Segment(s.proto.ssName, t.dim), Segment(s.state.ssName, s.isListening ? t.linkUp : t.text),
                        Segment(String(s.receiveQueue), t.dim), Segment(String(s.sendQueue), t.dim),
                        Segment(local, style), Segment(peer, t.text), Segment(owners, t.text), Segment(tcp, t.dim)]
            }
            func vals(_ i: Int) -> [String] { cells.map { $0[i].text } }
            let empty = ns.sockets == nil ? "sockets not read" : "no sockets"
            return ([ColumnSpec("PROTO", natural: 5), ColumnSpec("STATE", values: vals(1), cap: 12, minimum: 5),
                     ColumnSpec("RECV-Q", natural: 6, drop: 4, right: true),
                     ColumnSpec("SEND-Q", natural: 6, drop: 5, right: true),
                     ColumnSpec("LOCAL", values: vals(4), cap: 46, minimum: 10, flexible: true),
                     ColumnSpec("PEER", values: vals(5), cap: 46, minimum: 8, drop: 2),
                     ColumnSpec("PROCESS", values: vals(6), cap: 30, minimum: 8, drop: 1),
                     ColumnSpec("TCP", values: vals(7), cap: 34, drop: 3)], cells, empty)
        case .link, .firewall, .events, .findings, .drops, .conntrack, .ports:  // drawn by their own views
            return ([], [], "")
        }
    }
}
