import PlumbModel

/// Clicks focus a pane and select the row under the pointer (a click on the selected row drills in);
/// the wheel moves the selection of the pane under the pointer; clicks on the tab strip switch tabs.
extension AppState {
    mutating func handleMouse(_ m: MouseEvent, snapshot: Snapshot) -> Effect {
        let l = layout
        if l.isTooSmall { return .none }
        if showHelp {
            if m.kind == .press { showHelp = false }
            return .none
        }
        guard let pane = l.pane(atX: m.x, y: m.y), let rect = l.rect(pane) else { return .none }
        switch m.kind {
        case .wheelUp, .wheelDown:
            focus = pane
            move(by: m.kind == .wheelUp ? -3 : 3, rows: PaneRows(self, snapshot))
        case .press:
            focus = pane
            if pane == .details && m.y == rect.y {
                for t in DetailTabStrip.layout(width: rect.width - 4)
                where m.x >= rect.x + 2 + t.x && m.x < rect.x + 2 + t.x + t.title.displayWidth {
                    detailTab = t.tab
                }
                return .none
            }
            let row = m.y - rect.y - 2  // border + column header
            guard row >= 0, row < l.visibleRows(pane) else { return .none }
            select(row: row, in: pane, snapshot: snapshot)
        case .release, .rightPress:
            break
        }
        return .none
    }

    private mutating func select(row: Int, in pane: Pane, snapshot: Snapshot) {
        let rows = PaneRows(self, snapshot)
        switch pane {
        case .namespaces:
            let i = (scroll[.namespaces] ?? 0) + row
            guard i < rows.namespaces.count else { return }
            if rows.namespaces[i].id == selectedNamespace {
                focus = .topology
            } else {
                selectNamespace(rows.namespaces[i].id)
            }
        case .topology:
            let i = (scroll[.topology] ?? 0) + row
            guard i < rows.topology.count else { return }
            if rows.topology[i].id == selectedLink {
                focus = .details
                detailTab = .link
            } else {
                selectedLink = rows.topology[i].id
            }
        case .details:
            guard detailTab != .link else { return }
            let i = (scroll[.details(detailTab)] ?? 0) + row
            if i < rows.detailCount(detailTab) { detailRow[detailTab] = i }
        case .capture:
            let i = (scroll[.capture] ?? 0) + row
            guard let c = capture, i < c.rowCount, row < CaptureGeometry.listRows(layout, showDetail: c.showDetail) else { return }
            if capture?.selected == i { capture?.showDetail.toggle() } else { capture?.selected = i }
        }
    }
}
