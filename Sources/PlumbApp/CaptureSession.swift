import PlumbTUI

/// The capture pane's packets: polled from the loop, never blocking it. `TUICapture` captures on a link.
public protocol CaptureSession: AnyObject {
    /// Packets the pane holds.
    var count: Int { get }
    /// Reads what arrived (unless paused). True when the pane has something new to show.
    func poll(paused: Bool) -> Bool
    /// What the pane draws; the selected packet's fields and bytes only when the detail is open.
    func feed(selected: Int?, showDetail: Bool) -> CaptureFeed
    /// Writes the packets the pane holds to `path`; returns how many. An existing file is refused with
    /// `PrivateFileError.exists` unless `overwrite`.
    func save(to path: String, overwrite: Bool) throws -> Int
    /// Stops capturing and waits for the capture's threads.
    func stop()
}

extension TUICapture: CaptureSession {}
