import PlumbModel

/// The reducer: key -> new state + an effect for the outside world. Keys become actions through the keymap
/// table; only typing into the filter or command line reads characters directly.
extension AppState {
    public mutating func handle(_ key: Key, snapshot: Snapshot, keymap: Keymap = .default) -> Effect {
        switch key {
        case .resize(let s):
            size = s
            normalize(snapshot)
            return .none
        case .mouse(let m):
            let e = handleMouse(m, snapshot: snapshot)
            normalize(snapshot)
            return e
        default:
            break
        }
        if let c = confirm {
            // Only yes or no while a plan waits for an answer.
            guard let b = keymap.binding(for: key, in: [.confirm]) else { return .none }
            confirm = nil
            if b.action == .confirmYes { return c.effect }
            message = .info("nothing changed")
            return .none
        }
        if input != nil {
            let e = handleInput(key, snapshot: snapshot, keymap: keymap)
            normalize(snapshot)
            return e
        }
        let contexts: [KeyContext] = showHelp ? [.help, .global] : mapView != nil ? [.map, .global] : [focus.context, .global]
        guard let binding = keymap.binding(for: key, in: contexts) else { return .none }
        message = nil
        guard binding.available else {
            message = .info("\(binding.keysLabel()): \(binding.help) is not yet available")
            return .notAvailable(binding.action)
        }
        let effect = showHelp ? performInHelp(binding.action) : perform(binding.action, snapshot: snapshot)
        normalize(snapshot)
        return effect
    }

    /// A new snapshot arrived: keep selections valid (a namespace or link may be gone).
    /// Returns the rows it computed, which `AppView.render` can reuse for the frame drawn right after (on a host
    /// with hundreds of links, building them is most of a frame's cost).
    /// `contentVersion`: the source's count of changes other than counters (nil: unknown); the Map view keeps
    /// its graph while it stays the same.
    @discardableResult
    public mutating func update(snapshot: Snapshot, contentVersion: UInt64? = nil) -> PreparedRows {
        snapshotGeneration &+= 1
        snapshotContent = contentVersion
        if !toldUnreadableProcesses, message == nil, let note = snapshot.notes.first(where: UnreadableProcessesNote.matches) {
            message = .info("note: " + note)
            toldUnreadableProcesses = true
        }
        return PreparedRows(rows: normalize(snapshot), for: self, snapshot: snapshot)
    }

    // MARK: - Actions

    private mutating func performInHelp(_ action: Action) -> Effect {
        let page = max(1, layout.helpRect().height - 3)
        switch action {
        case .moveUp: scroll[.help] = max(0, (scroll[.help] ?? 0) - 1)
        case .moveDown: scroll[.help] = (scroll[.help] ?? 0) + 1
        case .pageUp: scroll[.help] = max(0, (scroll[.help] ?? 0) - page)
        case .pageDown: scroll[.help] = (scroll[.help] ?? 0) + page
        case .top: scroll[.help] = 0
        case .closeHelp, .help, .back: showHelp = false
        case .quit: return .quit
        case .redraw: return .redraw
        default: break  // the help covers the panes: other keys would act on something invisible
        }
        return .none
    }

    mutating func perform(_ action: Action, snapshot: Snapshot) -> Effect {
        if readonly, let refusal = ReadonlyPolicy.refusal(for: action) {
            message = .error(refusal)
            return .none
        }
        if let e = performInMap(action, snapshot: snapshot) { return e }
        let rows = PaneRows(self, snapshot)
        let page = max(1, layout.visibleRows(focus) - 1)
        switch action {
        case .map: toggleMap(snapshot: snapshot)
        case .mapLeft, .mapRight, .mapUnfold, .mapNextNeighbour, .mapPreviousNeighbour: break  // the map's own keys (performInMap)
        case .moveUp: move(by: -1, rows: rows)
        case .moveDown: move(by: 1, rows: rows)
        case .pageUp: move(by: -page, rows: rows)
        case .pageDown: move(by: page, rows: rows)
        case .top: move(by: -Int.max / 2, rows: rows)
        case .bottom: move(by: Int.max / 2, rows: rows)
        case .nextPane, .previousPane:
            let order = layout.tabOrder
            let i = order.firstIndex(of: focus) ?? 0
            focus = order[(i + (action == .nextPane ? 1 : order.count - 1)) % order.count]
        case .drillIn: drillIn(rows: rows, snapshot: snapshot)
        case .back: back()
        case .nextTab: switchTab(by: 1)
        case .previousTab: switchTab(by: -1)
        case .showSockets:
            detailTab = .sockets
            focus = .details
        case .showPorts:
            detailTab = .ports
            focus = .details
        case .liveTrace:
            askTraceDestination(rows: rows, snapshot: snapshot)
        case .filter:
            input = .filter; inputText = filter
        case .command:
            input = .command; inputText = ""
        case .help:
            showHelp = true; scroll[.help] = 0
            return .openHelp
        case .closeHelp: showHelp = false
        case .refresh: return .refresh
        case .redraw: return .redraw
        case .pause:
            paused.toggle()
            return .pause(paused)
        case .zoom: zoomed.toggle()
        case .toggleAllRows:
            showAllRows.toggle()
            message = .info(showAllRows ? "showing kernel threads and noarp/multicast neighbours"
                                        : "hiding kernel threads and noarp/multicast neighbours (a shows them)")
        case .cycleSort:
            processSort = processSort.next
            message = .info("processes sorted by \(processSort.rawValue)")
        case .quit: return .quit
        case .shell:
            guard let ns = rows.namespace else {
                message = .error("select a namespace, container or link first")
                return .none
            }
            return .shell(namespace: ns.id)
        case .capture: return openCapture(rows: rows)
        case .capturePause, .captureFollow, .captureFilter, .captureSave, .captureClose:
            return captureAction(action)
        case .fix: return askFix(rows: rows)
        case .undo: return askUndo()
        case .confirmYes, .confirmNo: break
        case .inputAccept, .inputCancel, .inputDeleteBackward, .inputClear, .inputComplete: break
        }
        return .none
    }

    /// Moves the selection of the focused pane. In the link tab the details follow the topology
    /// selection, so there j/k walk through the links.
    mutating func move(by delta: Int, rows: PaneRows) {
        func clamp(_ i: Int, _ count: Int) -> Int { max(0, min(count - 1, i)) }
        func step(_ current: Int?) -> Int {
            guard let c = current else { return delta > 0 ? 0 : Int.max / 2 }
            return c.addingReportingOverflow(delta).overflow ? (delta > 0 ? Int.max / 2 : 0) : c + delta
        }
        switch focus {
        case .namespaces:
            guard !rows.namespaces.isEmpty else { return }
            let i = clamp(step(rows.namespaceIndex), rows.namespaces.count)
            selectNamespace(rows.namespaces[i].id)
        case .details where detailTab != .link:
            let count = rows.detailCount(detailTab)
            guard count > 0 else { return }
            detailRow[detailTab] = clamp(step(selectedRow(detailTab)), count)
        case .capture:
            guard var c = capture, c.rowCount > 0 else { return }
            c.selected = clamp(step(c.selected ?? c.rowCount - 1), c.rowCount)
            capture = c
        case .topology, .details:
            guard !rows.topology.isEmpty else { return }
            let i = clamp(step(rows.topologyIndex(selectedLink)), rows.topology.count)
            selectedLink = rows.topology[i].id
        }
    }

    /// Selecting another namespace resets everything that belonged to the previous one.
    mutating func selectNamespace(_ id: UInt64) {
        guard id != selectedNamespace else { return }
        selectedNamespace = id
        selectedLink = nil
        detailRow = [:]
        jumpStack = []
        for tab in DetailTab.allCases { scroll[.details(tab)] = 0 }
        scroll[.topology] = 0
    }

    private mutating func drillIn(rows: PaneRows, snapshot: Snapshot) {
        switch focus {
        case .capture:
            capture?.showDetail.toggle()
            if capture?.showDetail == true, capture?.selected == nil, let n = capture?.rowCount, n > 0 {
                capture?.selected = n - 1  // the detail of the newest packet stays on it
            }
        case .namespaces:
            focus = .topology
        case .topology:
            focus = .details
            detailTab = .link
        case .details:
            guard detailTab == .firewall else { return }
            let fw = rows.firewall(previous: nil)
            let cur = selectedRow(.firewall)
            guard cur < fw.count, let target = fw[cur].jumpTarget,
                  let to = fw.firstIndex(where: { $0.kind == .chain && $0.table == fw[cur].table && $0.text == target })
            else { return }
            jumpStack.append(currentPlace)
            detailRow[.firewall] = to
            scroll[.details(.firewall)] = to  // show the chain at the top, its rules below it
        }
    }

    private mutating func back() {
        if zoomed { zoomed = false; return }
        switch focus {
        case .capture:
            if capture?.showDetail == true { capture?.showDetail = false } else { focus = .topology }
        case .details:
            if detailTab != .firewall || !returnFromJump() { focus = .topology }
        case .topology:
            focus = .namespaces
        case .namespaces:
            if !filter.isEmpty { filter = "" }
        }
    }

    private mutating func switchTab(by d: Int) {
        let n = DetailTab.allCases.count
        detailTab = DetailTab(rawValue: (detailTab.rawValue + d + n) % n)!
    }

    // MARK: - Keeping the state consistent with the snapshot and the screen

    /// Makes selections point at visible rows (first row when their object vanished or is filtered out)
    /// and scrolls every list so its selection is on screen.
    @discardableResult
    mutating func normalize(_ snapshot: Snapshot) -> PaneRows {
        var rows = PaneRows(self, snapshot)
        if let ns = rows.namespace, ns.id != selectedNamespace {
            let had = selectedNamespace != nil
            if had { selectNamespace(ns.id) } else { selectedNamespace = ns.id }
            rows = PaneRows(self, snapshot)
        }
        if rows.topologyIndex(selectedLink) == nil {
            // In a container the interesting link is eth0, not lo: the first link that is not a loopback.
            selectedLink = (rows.topology.first { $0.name != "lo" && rows.index.link($0)?.kind != .loopback } ?? rows.topology.first)?.id
        }
        // Only the tab on screen: counting every tab built the firewall, sysctl and process rows on each update.
        // A tab is clamped when it is switched to (every key ends here).
        if detailTab != .link {
            let count = rows.detailCount(detailTab)
            detailRow[detailTab] = count == 0 ? 0 : min(selectedRow(detailTab), count - 1)
        }
        let l = layout
        scroll[.namespaces] = ScrollWindow.top(selection: rows.namespaceIndex, storedTop: scroll[.namespaces] ?? 0,
                                               visible: l.visibleRows(.namespaces), count: rows.namespaces.count)
        scroll[.topology] = ScrollWindow.top(selection: rows.topologyIndex(selectedLink),
                                             storedTop: scroll[.topology] ?? 0,
                                             visible: l.visibleRows(.topology), count: rows.topology.count)
        if detailTab != .link {
            scroll[.details(detailTab)] = ScrollWindow.top(
                selection: selectedRow(detailTab), storedTop: scroll[.details(detailTab)] ?? 0,
                visible: l.visibleRows(.details), count: rows.detailCount(detailTab))
        }
        normalizeCapture()
        return rows
    }
}
