/// What the app's event loop needs from a terminal: its size, drawing a frame (implementations draw only what
/// changed), keys and mouse events, and handing the screen to a shell and back. The terminal never waits: the
/// loop owns its waiting (on the terminal's input and its other sources together, `PlumbSystem.InputWait`) and
/// then takes what was typed. `CursesTerminal` drives a real terminal; the tests' `FakeTerminal` plays scripted
/// keys and keeps the frames as text, so the whole loop is tested.
public protocol Terminal: AnyObject {
    var size: Size { get }
    func draw(_ frame: ScreenBuffer)
    /// Forget what is on screen: the next `draw` repaints every cell.
    func invalidate()
    /// The descriptor keys arrive on, for the loop to wait on (borrowed: the terminal keeps it); -1 when keys
    /// are never waited for (a scripted terminal has them ready).
    var inputDescriptor: Int32 { get }
    /// A key already typed (or buffered, or a resize queued), or nil: never waits.
    func pendingKey() -> Key?
    /// Hands the terminal to another program (the shell jump) ...
    func suspend()
    /// ... and takes it back, repainted exactly.
    func resume()
}
