import PlumbModel

/// Typing into the `/` filter (applied live, as you type) and the `:` command line.
extension AppState {
    mutating func handleInput(_ key: Key, snapshot: Snapshot, keymap: Keymap) -> Effect {
        guard let mode = input else { return .none }
        message = nil  // the input line shows the message as its hint (Tab's candidates): only the newest
        if let b = keymap.binding(for: key, in: [.input]) {
            switch b.action {
            case .inputAccept:
                input = nil
                if mode == .command { return run(inputText, snapshot: snapshot) }
                if mode == .captureFilter || mode == .captureSave { return acceptCaptureInput(mode, inputText) }
                if mode == .mapFind { findOnMap(inputText, snapshot: snapshot) }
                if mode == .traceDestination { return acceptTraceDestination(inputText, snapshot: snapshot) }
            case .inputCancel:
                input = nil
                if mode == .filter { filter = "" }
            case .inputDeleteBackward:
                if !inputText.isEmpty { inputText.removeLast() }
            case .inputClear:
                inputText = ""
            case .inputComplete where mode == .command:
                let (text, candidates) = ConsoleCompletion.complete(inputText, snapshot: snapshot)
                inputText = text
                message = candidates.count > 1 ? .info(candidates.prefix(12).joined(separator: "  ")
                                                       + (candidates.count > 12 ? "  …" : ""))
                    : candidates.isEmpty ? .error("nothing to complete for '\(inputText)'") : nil
            default:
                break
            }
        } else if case .char(let c) = key {
            inputText.append(c)
        } else if let b = keymap.binding(for: key, in: [focus.context, .global]),
                  [.moveUp, .moveDown, .pageUp, .pageDown, .quit].contains(b.action) {
            // Arrows keep moving the selection while filtering; Ctrl-C still quits.
            return perform(b.action, snapshot: snapshot)
        }
        if mode == .filter && input != nil { filter = inputText }
        return .none
    }

    /// Runs one `:` command. Errors become a status message; nothing here throws past the reducer.
    mutating func run(_ text: String, snapshot: Snapshot) -> Effect {
        let command: ConsoleCommand
        switch ConsoleCommand.parse(text) {
        case .failure(let e):
            message = .error(e.description)
            return .none
        case .success(let c):
            command = c
        }
        switch command {
        case .namespace(let target):
            do {
                let ns = try Target.resolve(target, in: snapshot)
                if !Filter(filter).matches(ns, index: SnapshotIndex(snapshot)) { filter = "" }
                selectNamespace(ns.id)
                focus = .topology
                message = .info("namespace \(ns.displayName)")
            } catch {
                message = .error(error.description)
            }
        case .chain(let name):
            jumpToChain(name, snapshot: snapshot)
        case .link(let name):
            jumpToLink(name, snapshot: snapshot)
        case .interval(let s):
            refreshInterval = s
            message = .info("refreshing every \(Format.seconds(s))")
            return .setInterval(s)
        case .quit: return .quit
        case .help:
            showHelp = true; scroll[.help] = 0
            return .openHelp
        case .refresh: return .refresh
        case .pause:
            paused.toggle()
            return .pause(paused)
        case .map:
            if mapView == nil { toggleMap(snapshot: snapshot) }
        }
        return .none
    }

    /// `:link NAME`: exact name in the selected namespace, then in any namespace, then a name prefix.
    private mutating func jumpToLink(_ name: String, snapshot: Snapshot) {
        let rows = PaneRows(self, snapshot)
        let here = rows.namespace.map { [$0] } ?? []
        let candidates = here + snapshot.namespaces.filter { $0.id != rows.namespace?.id }
        let found = candidates.lazy.compactMap { ns in ns.link(named: name).map { (ns, $0) } }.first
            ?? candidates.lazy.compactMap { ns in
                ns.links.first { $0.name.lowercased().hasPrefix(name.lowercased()) }.map { (ns, $0) }
            }.first
        guard let (ns, link) = found else {
            message = .error("no link '\(name)' in any namespace")
            return
        }
        if ns.id != selectedNamespace {
            if !Filter(filter).matches(ns, index: rows.index) { filter = "" }
            selectNamespace(ns.id)
        }
        // A filter that hides this link (but not its namespace) would make the selection jump away.
        let id = LinkID(namespace: ns.id, index: link.index)
        if !PaneRows(self, snapshot).topology.contains(where: { $0.id == id }) {
            filter = ""
        }
        selectedLink = id
        focus = .details
        detailTab = .link
    }

    /// `:chain NAME`: the selected namespace first, then any other namespace that has such a chain.
    private mutating func jumpToChain(_ name: String, snapshot: Snapshot) {
        let rows = PaneRows(self, snapshot)
        let here = rows.namespace.map { [$0] } ?? []
        let candidates = here + snapshot.namespaces.filter { $0.id != rows.namespace?.id }
        for ns in candidates {
            let fw = FirewallRows.build(ns.firewall, previous: nil)
            guard let i = FirewallRows.chainRow(named: name, in: fw) else { continue }
            // Selecting another namespace empties the stack: keep it, its places are where Esc leads back to.
            let older = jumpStack + [currentPlace]
            if ns.id != selectedNamespace {
                if !Filter(filter).matches(ns, index: rows.index) { filter = "" }
                selectNamespace(ns.id)
            }
            // Esc comes back to where `:chain` was typed (another pane, tab or namespace), as after Enter on a rule.
            jumpStack = older
            focus = .details
            detailTab = .firewall
            detailRow[.firewall] = i
            scroll[.details(.firewall)] = i
            message = .info("chain \(fw[i].text) in \(ns.displayName)")
            return
        }
        message = .error("no chain '\(name)' in any namespace")
    }
}
