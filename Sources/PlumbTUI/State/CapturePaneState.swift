/// The capture pane as the reducer knows it. The packets themselves live outside the state (the live loop
/// owns the capture and hands the view a `CaptureFeed`); the loop keeps `rowCount` current so the selection
/// can move over the rows.
public struct CapturePaneState: Equatable, Sendable {
    /// What is captured, e.g. `web/eth0`.
    public var title: String
    public var namespace: UInt64
    public var interface: String
    /// The BPF filter in use ("" = everything).
    public var filter: String
    /// Packets the pane holds now.
    public var rowCount = 0
    /// The selected packet; nil follows the newest.
    public var selected: Int?
    /// Paused: the list stops moving (the capture keeps running; the newest packets are kept).
    public var paused = false
    /// The selected packet's fields and bytes are shown.
    public var showDetail = false

    public init(title: String, namespace: UInt64, interface: String, filter: String = "") {
        self.title = title; self.namespace = namespace; self.interface = interface; self.filter = filter
    }

    public var following: Bool { selected == nil }
}
