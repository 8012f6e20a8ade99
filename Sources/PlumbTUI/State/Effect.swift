/// What the reducer asks the outside world to do. The reducer itself never performs I/O.
public enum Effect: Equatable, Sendable {
    case none
    case quit
    /// Take a new snapshot now.
    case refresh
    /// Repaint the whole terminal (CursesTerminal.invalidate), after something else scribbled on it.
    case redraw
    case openHelp
    /// Stop or resume the refresh timer.
    case pause(Bool)
    /// The refresh interval changed (seconds).
    case setInterval(Double)
    /// Suspend the screen and run a shell in this namespace (the TUI's `s`); restore the screen after.
    case shell(namespace: UInt64)
    /// Open (or re-aim) the capture pane: capture on `interface` (a link name or `any`) in that namespace.
    case startCapture(namespace: UInt64, interface: String, filter: String)
    /// Restart the open capture with another BPF filter.
    case restartCapture(filter: String)
    /// Close the capture pane and stop capturing.
    case stopCapture
    /// Write the packets the capture pane holds to a pcap/pcapng file; an existing file only with
    /// `overwrite` (after the user confirmed it).
    case saveCapture(path: String, overwrite: Bool)
    /// Apply the doctor's fix for this finding id (after the user confirmed its plan).
    case applyFix(id: String)
    /// Undo the last fix Plumb applied (after confirmation).
    case undoFix
    /// `u`: read the journal's last fix and ask about undoing it, naming it and its undo steps
    /// (`AppState.showUndo`). Reads only.
    case previewUndo
    /// `t`: run a live trace (one real probe, `plumb trace --live`) and show it (`AppState.showLiveTrace`).
    case liveTrace(LiveTraceRequest)
    /// A reserved key (capture, shell, fix, undo) whose feature has not landed.
    case notAvailable(Action)
}
