import PlumbModel

/// The bottom row: what is selected, how often it refreshes (or PAUSED), counts, then the most urgent
/// thing to know: the last refresh error, a message from the last command, or degraded-read notes.
/// While typing a filter or command, the row becomes that input line.
enum StatusLineView {
    static func draw(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, rows: PaneRows, ctx: RenderContext) {
        let t = ctx.theme, g = ctx.glyphs
        buf.fill(rect, style: t.text)
        if let mode = state.input {
            let prompt = mode == .traceDestination ? tracePrompt(state, rows: rows) : mode.prompt
            let used = buf.text(prompt, x: rect.x, y: rect.y, style: t.keyHint, ellipsis: nil)
            // Keep the end of a long input visible: that is where the cursor is.
            var shown = state.inputText
            let room = rect.width - used - 1
            while shown.displayWidth > room, !shown.isEmpty { shown.removeFirst() }
            let w = buf.text(shown, x: rect.x + used, y: rect.y, width: room, style: t.input, ellipsis: nil)
            buf.put(g.cursor, x: rect.x + used + w, y: rect.y, style: t.keyHint)
            // After a Tab, what still matches (or why nothing does); otherwise what to type and the keys.
            let hint = state.message.map { $0.text } ?? mode.hint
            let style = state.message?.level == .error ? t.error : t.dim
            buf.text("  " + hint, x: rect.x + used + w + 1, y: rect.y,
                     width: rect.width - used - w - 1, style: style, ellipsis: g.ellipsis)
            return
        }

        var segs: [Segment] = []
        segs.append(Segment(" " + selectionPath(state, rows: rows, glyphs: g), t.text.bolded))
        segs.append(Segment(g.separator, t.border))
        segs.append(state.paused ? Segment("PAUSED", t.warning)
                    : Segment("every \(Format.seconds(state.refreshInterval))", t.text))
        segs.append(Segment(g.separator, t.border))
        let snap = ctx.snapshot
        let totals = state.paneCache.value(.statusCounts, content: rows.content, level: .shape, key: 0) {
            Totals(snap)
        }
        let links = totals.links, rules = totals.rules, leaks = totals.leaks
        segs.append(Segment("\(snap.namespaces.count) ns  \(counted(links, "link"))  \(counted(rules, "rule"))", t.text))
        // Only likely leaks: named namespaces without a process are normal (labs, VPNs, CNI before a container).
        if leaks > 0 { segs.append(Segment("  \(leaks) likely \(leaks == 1 ? "leak" : "leaks")", t.leak)) }

        if let e = ctx.lastError {
            segs += [Segment(g.separator, t.border), Segment("refresh failed: \(e)", t.error)]
        } else if let m = state.message {
            segs += [Segment(g.separator, t.border), Segment(m.text, m.level == .error ? t.error : t.text)]
        } else {
            let n = totals.notes
            if let first = n.first {
                let more = n.count > 1 ? " (+\(n.count - 1) more)" : ""
                segs += [Segment(g.separator, t.border), Segment("! \(first)\(more)", t.warning)]
            }
        }
        buf.segments(segs, x: rect.x, y: rect.y, width: rect.width, glyphs: g)
    }

    /// What the line counts over the whole snapshot, and its notes: content only, so kept while the content is
    /// the same (`PaneCache`) rather than counted over 500 namespaces every second.
    struct Totals: Sendable {
        var links = 0, rules = 0, leaks = 0
        var notes: [String]

        init(_ snap: Snapshot) {
            // By index: iterating the namespaces by value copies each one.
            var links = 0, rules = 0, leaks = 0
            snap.namespaces.withUnsafeBufferPointer { all in
                for i in all.indices {
                    links += all[i].links.count
                    rules += all[i].firewall.ruleCount
                    if all[i].isLikelyLeak { leaks += 1 }
                }
            }
            self.links = links; self.rules = rules; self.leaks = leaks
            notes = StatusLineView.notes(snap)
        }
    }

    /// `t`'s label: where the probe starts.
    static func tracePrompt(_ state: AppState, rows: PaneRows) -> String {
        let name = state.traceSource.flatMap { rows.index.snapshot.namespace(id: $0)?.displayName } ?? "?"
        return "live trace from \(name) to: "
    }

    /// "host › docker0 › veth1a2b3c4 › Firewall".
    static func selectionPath(_ state: AppState, rows: PaneRows, glyphs g: Glyphs) -> String {
        var parts: [String] = [rows.namespace?.displayName ?? "-"]
        if state.focus != .namespaces, let id = state.selectedLink, let i = rows.topologyIndex(id) {
            let row = rows.topology[i]
            // The chain of tree ancestors, so a port shows its bridge.
            var depth = row.depth
            var ancestors: [String] = []
            for j in stride(from: i - 1, through: 0, by: -1) where rows.topology[j].depth < depth {
                ancestors.insert(rows.topology[j].name, at: 0)
                depth = rows.topology[j].depth
                if depth == 0 { break }
            }
            parts += ancestors
            parts.append(row.isForeign ? "\(row.name)@\(rows.index.name(of: id.namespace))" : row.name)
        }
        if state.focus == .details { parts.append(state.detailTab.title) }
        return parts.joined(separator: g.breadcrumb)
    }

    /// Snapshot notes (but the one-time one), then namespace and firewall notes prefixed with their namespace, without repeats.
    static func notes(_ snap: Snapshot) -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        func add(_ s: String) { if seen.insert(s).inserted { out.append(s) } }
        // The unreadable-processes note is shown once, as a message (AppState.update), not on every frame.
        snap.notes.filter { !UnreadableProcessesNote.matches($0) }.forEach(add)
        snap.namespaces.withUnsafeBufferPointer { all in
            for i in all.indices where !all[i].notes.isEmpty || !all[i].firewall.notes.isEmpty {
                for n in all[i].notes { add("\(all[i].displayName): \(n)") }
                for n in all[i].firewall.notes { add("\(all[i].displayName): \(n)") }
            }
        }
        return out
    }
}
