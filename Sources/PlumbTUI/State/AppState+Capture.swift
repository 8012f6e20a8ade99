/// The capture pane's keys. Effects carry what the live loop must do (start, restart, stop, save); the
/// list's own state (selection, pause, detail) lives here.
extension AppState {
    /// `c`: capture on the selected link, or on every link (`any`) when the namespaces pane has the focus.
    mutating func openCapture(rows: PaneRows) -> Effect {
        guard let ns = rows.namespace else {
            message = .error("select a namespace or link to capture on")
            return .none
        }
        var interface = "any"
        if focus != .namespaces, let i = rows.topologyIndex(selectedLink) { interface = rows.topology[i].name }
        // The same filter memory whether the capture is on a link or on a whole namespace.
        let filter = capture?.filter ?? captureFilterMemory
        capture = CapturePaneState(title: "\(ns.displayName)/\(interface)", namespace: ns.id, interface: interface,
                                   filter: filter)
        focus = .capture
        message = .info("capturing on \(interface) in \(ns.displayName)" + (filter.isEmpty ? "" : " (\(filter))"))
        return .startCapture(namespace: ns.id, interface: interface, filter: filter)
    }

    mutating func captureAction(_ action: Action) -> Effect {
        guard capture != nil else { return .none }
        switch action {
        case .capturePause:
            capture?.paused.toggle()
        case .captureFollow:
            capture?.selected = nil
            capture?.paused = false
        case .captureFilter:
            input = .captureFilter
            inputText = capture?.filter ?? ""
        case .captureSave:
            input = .captureSave
            inputText = Self.defaultCaptureFile(capture?.title ?? "capture")
        case .captureClose:
            capture = nil
            focus = .topology
            return .stopCapture
        default:
            break
        }
        return .none
    }

    /// Enter in the capture filter or save prompt.
    mutating func acceptCaptureInput(_ mode: InputMode, _ text: String) -> Effect {
        guard capture != nil else { return .none }
        switch mode {
        case .captureFilter:
            let filter = text.trimmingSpaces
            capture?.filter = filter
            captureFilterMemory = filter
            capture?.rowCount = 0
            capture?.selected = nil
            capture?.showDetail = false
            return .restartCapture(filter: filter)
        case .captureSave:
            let path = text.trimmingSpaces
            guard !path.isEmpty else {
                message = .error("nothing saved: no file name given (w offers one)")
                return .none
            }
            return .saveCapture(path: path, overwrite: false)
        default:
            return .none
        }
    }

    /// `w`'s suggestion: "plumb-web-eth0.pcapng" from the pane's "web/eth0" (an existing file is asked about).
    static func defaultCaptureFile(_ title: String) -> String {
        let safe = title.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "-" }
        return "plumb-\(String(safe)).pcapng"
    }

    /// The live loop holds `count` packets now: keep the selection and scrolling consistent with that.
    public mutating func captureUpdated(rowCount count: Int) {
        capture?.rowCount = count
        normalizeCapture()
    }

    /// Keeps the capture selection inside the rows the pane holds.
    mutating func normalizeCapture() {
        guard var c = capture else {
            if focus == .capture { focus = .topology }
            return
        }
        if let s = c.selected { c.selected = c.rowCount == 0 ? nil : min(s, c.rowCount - 1) }
        capture = c
        scroll[.capture] = ScrollWindow.top(selection: c.selected ?? max(0, c.rowCount - 1),
                                            storedTop: scroll[.capture] ?? 0,
                                            visible: CaptureGeometry.listRows(layout, showDetail: c.showDetail),
                                            count: c.rowCount)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
