/// What the app's event loop needs from a terminal: its size, drawing a frame (implementations draw only what
/// changed), keys and mouse events, and handing the screen to a shell and back. `CursesTerminal` drives a real
/// terminal; the tests' `FakeTerminal` plays scripted keys and keeps the frames as text, so the whole loop is
/// tested.
public protocol Terminal: AnyObject {
    var size: Size { get }
    func draw(_ frame: ScreenBuffer)
    /// Forget what is on screen: the next `draw` repaints every cell.
    func invalidate()
    /// The next key within `timeoutMillis`, or nil when it passes or when `wake` (a pipe the snapshot source
    /// writes to) becomes readable.
    func readKey(timeoutMillis: Int32, wake: Int32) -> Key?
    /// Hands the terminal to another program (the shell jump) ...
    func suspend()
    /// ... and takes it back, repainted exactly.
    func resume()
}
