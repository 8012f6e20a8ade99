/// `--readonly`: Plumb changes nothing on the system at all. No fix or undo (the kernel), no root shell (which
/// could change anything), no capture file written, and no interface put into promiscuous mode by a capture
/// (the capture pane still works, seeing what the interface receives anyway).
///
/// One table, checked at both ends: the reducer refuses the keys (`refusal(for:)`), and the app refuses the
/// effects (`allows(_:)`) and opens captures with `promiscuousCapture`, so a new key or effect that changes
/// the system has to be classified here to work at all.
public enum ReadonlyPolicy {
    /// What the status line says when a key is refused in read-only mode; nil for keys that change nothing.
    public static func refusal(for action: Action) -> String? {
        switch action {
        case .fix: return "read-only mode (--readonly): no fixes"
        case .undo: return "read-only mode (--readonly): no undo"
        case .shell: return "read-only mode (--readonly): no shells"
        case .captureSave: return "read-only mode (--readonly): no files are written"
        case .liveTrace: return "read-only mode (--readonly): no live traces (they add nftables rules and send a packet)"
        case .moveUp, .moveDown, .pageUp, .pageDown, .top, .bottom, .nextPane, .previousPane, .drillIn, .back,
             .nextTab, .previousTab, .showSockets, .showPorts, .filter, .command, .help, .closeHelp, .refresh, .redraw, .pause, .zoom, .quit,
             .capture, .capturePause, .captureFollow, .captureFilter, .captureClose, .confirmYes, .confirmNo,
             .inputAccept, .inputCancel, .inputDeleteBackward, .inputClear, .inputComplete, .toggleAllRows, .cycleSort,
             .map, .mapLeft, .mapRight, .mapUnfold, .mapNextNeighbour, .mapPreviousNeighbour:
            return nil
        }
    }

    /// Whether the app may carry out `effect` in read-only mode.
    public static func allows(_ effect: Effect) -> Bool {
        switch effect {
        case .shell, .saveCapture, .applyFix, .undoFix, .liveTrace: return false
        case .none, .quit, .refresh, .redraw, .openHelp, .pause, .setInterval, .startCapture, .restartCapture,
             .stopCapture, .notAvailable, .previewUndo:
            return true
        }
    }

    /// Captures in read-only mode leave the interface's promiscuous flag alone.
    public static func promiscuousCapture(readonly: Bool) -> Bool { !readonly }
}
