import PlumbModel

/// The selected link in full: state, MTU, MAC, master/peer/parent, VXLAN, addresses, counters with
/// rates, errors and drops (highlighted when they grew since the previous sample) and rx/tx sparklines.
/// When the veth peer is known and there is room, the peer's numbers are shown side by side.
enum LinkDetailView {
    static let labelWidth = 9

    static func draw(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, rows: PaneRows, ctx: RenderContext) {
        let g = ctx.glyphs
        guard let id = state.selectedLink, let link = rows.index.link(id) else {
            buf.text("Select a link in the topology pane.", x: rect.x + 1, y: rect.y, width: rect.width - 1,
                     style: ctx.theme.dim, ellipsis: g.ellipsis)
            return
        }
        let peerID = link.peer.flatMap(rows.index.linkID)
        if let peerID, let peer = rows.index.link(peerID), rect.width >= 70 {
            let w = (rect.width - 3) / 2
            drawSide(&buf, Rect(x: rect.x + 1, y: rect.y, width: w, height: rect.height), link: link, id: id,
                     rows: rows, ctx: ctx)
            buf.vline(x: rect.x + 2 + w, y: rect.y, length: rect.height, char: g.vertical, style: ctx.theme.border)
            drawSide(&buf, Rect(x: rect.x + w + 4, y: rect.y, width: rect.width - w - 4, height: rect.height),
                     link: peer, id: peerID, rows: rows, ctx: ctx)
        } else {
            drawSide(&buf, Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: rect.height), link: link,
                     id: id, rows: rows, ctx: ctx)
        }
    }

    /// One link's facts, top to bottom, clipped to the rect's height (sparklines go last).
    static func drawSide(_ buf: inout ScreenBuffer, _ r: Rect, link l: Link, id: LinkID, rows: PaneRows,
                         ctx: RenderContext) {
        let t = ctx.theme, g = ctx.glyphs
        let index = rows.index
        let owner = index.namespace(id.namespace)
        var lines: [(String, [Segment])] = []
        let st = LinkState(l)

        lines.append(("", [Segment(l.name, t.text.bolded), Segment(" @ \(index.name(of: id.namespace))", t.text),
                           Segment("  \(l.kind) #\(l.index)", t.dim)]))
        lines.append(("state", [Segment(st.label, st.style(t)),
                                Segment("  oper \(l.operState)  mtu \(l.mtu)", t.text)]))
        if let m = l.master {
            var segs = [Segment(owner?.link(index: m.index)?.name ?? "#\(m.index)", t.text)]
            if let bp = l.bridgePort {
                segs.append(Segment("  port \(bp.state)", bp.state == "forwarding" ? t.dim : t.warning))
            }
            lines.append(("master", segs))
        }
        if let p = l.peer { lines.append(("peer", [Segment(index.label(p, from: id.namespace), t.peer)])) }
        if let p = l.parent {
            var segs = [Segment(index.label(p, from: id.namespace), t.peer)]
            if let m = l.macvlanMode { segs.append(Segment("  mode \(m)", t.dim)) }
            lines.append(("parent", segs))
        }
        if let v = l.vxlan {
            var s = "vni \(v.vni)"
            if let rm = v.remote { s += "  remote \(rm)" }
            if let lo = v.local { s += "  local \(lo)" }
            if let port = v.port { s += "  port \(port)" }
            lines.append(("vxlan", [Segment(s, t.text)]))
        }
        lines.append(("addr", [Segment(l.addresses.first?.description ?? "-", l.addresses.isEmpty ? t.dim : t.address)]))
        let s = l.stats
        let rates = ctx.rates.rates(id)
        let valueWidth = r.width - labelWidth
        // Totals, then rates; packets-per-second and the word "pkts" go first when the line is narrow.
        func traffic(_ bytes: UInt64, _ pkts: UInt64, _ br: Double?, _ pr: Double?) -> [Segment] {
            let total = "\(Format.bytes(bytes))  \(Format.count(pkts)) pkts"
            let variants: [(String, String)] = [
                (total, br.map { "  \(Format.byteRate($0))  \(Format.packetRate(pr ?? 0))" } ?? ""),
                (total, br.map { "  \(Format.byteRate($0))" } ?? ""),
                ("\(Format.bytes(bytes)) \(Format.count(pkts))p", br.map { " \(Format.byteRate($0))" } ?? ""),
            ]
            let fit = variants.first { ($0.0 + $0.1).displayWidth <= valueWidth } ?? variants[2]
            return [Segment(fit.0, t.text), Segment(fit.1, t.peer)]
        }
        lines.append(("rx", traffic(s.rxBytes, s.rxPackets, rates?.rxBytes, rates?.rxPackets)))
        lines.append(("tx", traffic(s.txBytes, s.txPackets, rates?.txBytes, rates?.txPackets)))

        // Growth since the previous sample: from the history, else from the previous snapshot.
        let grew = ctx.rates.growth(id) ?? ctx.previous.flatMap { prev in
            prev.namespace(id: id.namespace)?.link(index: id.index).map { RateHistory.growth(from: $0.stats, to: s) }
        } ?? CounterGrowth()
        func counter(_ name: String, _ v: UInt64, _ d: UInt64) -> [Segment] {
            var segs = [Segment("\(name) \(Format.count(v))", d > 0 ? t.counterGrew : (v > 0 ? t.warning : t.text))]
            if d > 0 { segs.append(Segment(" (+\(Format.count(d)))", t.counterGrew)) }
            return segs
        }
        lines.append(("errors", counter("rx", s.rxErrors, grew.rxErrors) + [Segment("  ", t.text)]
                      + counter("tx", s.txErrors, grew.txErrors)))
        lines.append(("dropped", counter("rx", s.rxDropped, grew.rxDropped) + [Segment("  ", t.text)]
                      + counter("tx", s.txDropped, grew.txDropped)))

        // Rate history: on lines of their own after tx when the pane is tall enough, else at the end of
        // the rx/tx lines when both have room, else not at all (numbers matter more than the picture).
        let series = [ctx.rates.series(id, \.rxBytes), ctx.rates.series(id, \.txBytes)]
        if !series[0].isEmpty, let rxLine = lines.firstIndex(where: { $0.0 == "rx" }) {
            let rooms = [rxLine, rxLine + 1].map { at in
                valueWidth - lines[at].1.reduce(0) { $0 + $1.text.displayWidth } - 2
            }
            if lines.count + 2 <= r.height {
                let spark = series.map { values -> [Segment] in
                    let peak = "  peak \(Format.byteRate(values.max() ?? 0))"
                    let w = min(values.count, valueWidth - peak.displayWidth)
                    guard w >= 8 else {
                        return [Segment(Sparkline.render(values, width: valueWidth, glyphs: g), t.sparkline)]
                    }
                    return [Segment(Sparkline.render(values, width: w, glyphs: g), t.sparkline), Segment(peak, t.dim)]
                }
                lines.insert(contentsOf: [("rx/s", spark[0]), ("tx/s", spark[1])], at: rxLine + 2)
            } else if rooms.allSatisfy({ $0 >= 8 }) {
                let w = rooms.min()!
                for k in 0..<2 {
                    let spark = Sparkline.render(series[k], width: w, glyphs: g)
                    lines[rxLine + k].1.append(Segment("  " + spark, t.sparkline))
                }
            }
        }

        // Less urgent facts last: they are the first to be cut on a short pane.
        for a in l.addresses.dropFirst() { lines.append(("addr", [Segment(a.description, t.address)])) }
        lines.append(("flags", [Segment(l.flags.joined(separator: ","), t.dim)]))
        lines.append(("mac", [Segment(l.mac ?? "-", t.text)]))

        for (i, (label, segs)) in lines.prefix(r.height).enumerated() {
            let y = r.y + i
            if label.isEmpty && i == 0 {
                buf.segments(segs, x: r.x, y: y, width: r.width, glyphs: g)
            } else {
                buf.text(label, x: r.x, y: y, width: labelWidth - 1, style: t.header, ellipsis: nil)
                buf.segments(segs, x: r.x + labelWidth, y: y, width: r.width - labelWidth, glyphs: g)
            }
        }
    }
}
