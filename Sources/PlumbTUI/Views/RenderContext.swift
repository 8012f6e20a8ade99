import PlumbModel

/// Everything a frame is drawn from besides the UI state: the snapshot, the one before it (for firewall
/// counter deltas), the link counter history (rates, sparklines), and presentation choices.
public struct RenderContext: Sendable {
    public var snapshot: Snapshot
    public var previous: Snapshot?
    public var rates: RateHistory
    public var theme: Theme
    public var glyphs: Glyphs
    public var keymap: Keymap
    /// The last refresh failure, shown in the status line until a refresh succeeds.
    public var lastError: String?
    /// What changed since Plumb started (SnapshotDiff between consecutive snapshots), oldest first.
    public var events: [ChangeEvent] = []
    /// What the open capture pane shows (the live loop fills it from the capture).
    public var capture: CaptureFeed?

    public init(snapshot: Snapshot, previous: Snapshot? = nil, rates: RateHistory = RateHistory(),
                theme: Theme = .color, glyphs: Glyphs = .unicode, keymap: Keymap = .default,
                lastError: String? = nil) {
        self.snapshot = snapshot; self.previous = previous; self.rates = rates; self.theme = theme
        self.glyphs = glyphs; self.keymap = keymap; self.lastError = lastError
    }
}
