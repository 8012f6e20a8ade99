import PlumbTUI

/// A terminal for tests: hands the loop a script of inputs and keeps every frame it draws, as a buffer and as
/// text. The app's event loop runs against it exactly as against curses (bandwhich tests its UI this way).
final class FakeTerminal: Terminal {
    enum Input {
        case key(Key)
        /// No key before the timeout: the loop goes round once (takes a snapshot, polls the capture, ...).
        case idle
        /// The window changes size (curses reports KEY_RESIZE).
        case resize(Size)
        /// Runs `action` (e.g. queues a snapshot in a fake source), then behaves like `.idle`.
        case run(() -> Void)
    }

    struct Frame {
        /// How many inputs the loop had read when it drew this frame.
        var afterInputs: Int
        var buffer: ScreenBuffer
        var text: String { buffer.lines().joined(separator: "\n") }
    }

    private(set) var size: Size
    private(set) var frames: [Frame] = []
    private(set) var suspensions = 0
    private(set) var invalidations = 0
    /// True when the loop asked for more input than the script had: it was then sent Ctrl-C to end it.
    private(set) var exhausted = false
    private var script: [Input]
    private var read = 0

    init(size: Size, script: [Input]) {
        self.size = size
        self.script = script
    }

    /// Keys typed one after another (`"/web"` becomes `/`, `w`, `e`, `b`).
    static func keys(_ text: String) -> [Input] { text.map { .key(.char($0)) } }

    /// The last frame drawn after `inputs` inputs had been read (and before the next was).
    func frame(afterInputs inputs: Int) -> Frame? { frames.last { $0.afterInputs == inputs } }

    var lastFrame: Frame? { frames.last }

    func draw(_ frame: ScreenBuffer) { frames.append(Frame(afterInputs: read, buffer: frame)) }
    func invalidate() { invalidations += 1 }
    func suspend() { suspensions += 1 }
    func resume() { invalidate() }

    /// Keys are scripted, never waited for.
    var inputDescriptor: Int32 { -1 }

    func pendingKey() -> Key? {
        guard read < script.count else {
            // A script that does not quit must not hang the test: Ctrl-C quits from every mode.
            exhausted = true
            return .ctrl("c")
        }
        let input = script[read]
        read += 1
        switch input {
        case .key(let k): return k
        case .idle: return nil
        case .resize(let s):
            size = s
            return .resize(s)
        case .run(let action):
            action()
            return nil
        }
    }
}
