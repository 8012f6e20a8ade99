// The one file that talks to curses. Everything above it deals in ScreenBuffer and Key only, so the UI is
// tested without a terminal and this adapter stays small enough to read in one sitting.
import CCursesShim
import CNcursesw
import Glibc

public enum CursesError: Error, CustomStringConvertible {
    case notATerminal
    case cannotStart(term: String)

    public var description: String {
        switch self {
        case .notATerminal:
            return "the interactive view needs a terminal: run it in one, or use `plumb snapshot` for text"
        case .cannotStart(let term):
            let shown = term.isEmpty ? "(unset)" : term
            return "cannot start the terminal UI for TERM=\(shown): set TERM (e.g. xterm-256color)"
        }
    }
}

/// Drives a real terminal with ncursesw: raw keyboard input (keys and mouse) decoded to `Key`, frames drawn
/// as diffs against the previous frame. Curses is not thread-safe: create, use and end it on one thread.
public final class CursesTerminal: Terminal {
    public struct Options: Sendable {
        public var colors: Bool
        public var mouse: Bool
        /// How long a lone ESC waits for the rest of an escape sequence. Curses' default is a full second,
        /// which makes Esc feel broken.
        public var escapeDelayMillis: Int32
        public init(colors: Bool = true, mouse: Bool = true, escapeDelayMillis: Int32 = 25) {
            self.colors = colors; self.mouse = mouse; self.escapeDelayMillis = escapeDelayMillis
        }
    }

    private let screen: OpaquePointer
    private let win: UnsafeMutablePointer<WINDOW>
    private let useColor: Bool
    private var pairs: [ColorKey: Int16] = [:]
    private var lastFrame: ScreenBuffer?
    private var ended = false
    public private(set) var size: Size

    private struct ColorKey: Hashable { var fg: TermColor; var bg: TermColor }

    public init(options: Options = Options()) throws {
        guard isatty(0) == 1 && isatty(1) == 1 else { throw CursesError.notATerminal }
        // Without the locale, curses treats UTF-8 box drawing as bytes of Latin-1.
        setlocale(LC_ALL, "")
        // From here on every fatal path (a signal, a trap, exit) restores the terminal's present modes.
        plumb_cs_guard_begin()
        // newterm instead of initscr: initscr exit()s the process on a bad TERM, newterm returns NULL.
        guard let out = fdopen(1, "w"), let inp = fdopen(0, "r"),
              let scr = newterm(nil, out, inp), let raw = plumb_cs_stdscr() else {
            plumb_cs_guard_end()
            throw CursesError.cannotStart(term: getenv("TERM").map { String(cString: $0) } ?? "")
        }
        screen = scr
        win = raw.assumingMemoryBound(to: WINDOW.self)
        // raw (not cbreak): Ctrl-C and Ctrl-Z arrive as keys, so quitting always restores the terminal.
        CNcursesw.raw()
        noecho()
        nonl()
        keypad(win, true)
        curs_set(0)
        set_escdelay(options.escapeDelayMillis)
        useColor = options.colors && has_colors()
        if useColor {
            start_color()
            use_default_colors()  // lets TermColor.default mean the terminal's own colours
        }
        if options.mouse {
            mousemask(mmask_t(plumb_cs_mouse_mask_wanted()), nil)
            mouseinterval(0)  // report presses immediately instead of waiting to detect clicks
        }
        size = Size(width: Int(plumb_getmaxx(win)), height: Int(plumb_getmaxy(win)))
        // ncurses (6.4) writes its output at every cursor move until the screen has once been left and taken
        // back (after newterm its `_endwin` stays "initial", and mvcur flushes then): a frame that changed 50
        // rows was 50 write(2)s, 50 packets over ssh. Left here, before the first frame, the first refresh takes
        // it back (raw mode, keypad, cursor and mouse as set above) and every frame is one write.
        endwin()
    }

    deinit { end() }

    /// Restores the terminal (cooked mode, echo, cursor, main screen). Safe to call twice.
    public func end() {
        guard !ended else { return }
        ended = true
        mousemask(0, nil)
        curs_set(1)
        endwin()
        delscreen(screen)
        plumb_cs_guard_end()
    }

    /// Hands the terminal to another program (a shell): cooked mode, cursor, main screen, mouse off.
    public func suspend() {
        guard !ended else { return }
        mousemask(0, nil)
        curs_set(1)
        endwin()
    }

    /// Takes the terminal back after `suspend` and repaints every cell, exactly as before.
    public func resume() {
        guard !ended else { return }
        mousemask(mmask_t(plumb_cs_mouse_mask_wanted()), nil)
        curs_set(0)
        size = Size(width: Int(plumb_getmaxx(win)), height: Int(plumb_getmaxy(win)))
        invalidate()
        wrefresh(win)
    }

    /// Forget what is on screen: the next `draw` repaints everything (after Ctrl-L or a resize).
    public func invalidate() {
        lastFrame = nil
        wclear(win)
    }

    // MARK: - Output

    /// Draws only the cells that differ from the previous frame, then refreshes once.
    public func draw(_ frame: ScreenBuffer) {
        if frame.size != size { invalidate() }
        for run in frame.changes(since: lastFrame) {
            var x = run.x
            for cell in run.cells {
                defer { x += 1 }
                if cell.isContinuation { continue }  // the wide character before it covers this column
                put(cell, x: x, y: run.y)
            }
        }
        lastFrame = frame
        wrefresh(win)
    }

    private func put(_ cell: Cell, x: Int, y: Int) {
        guard x < size.width, y < size.height else { return }
        // A cchar_t holds a base character and up to four combining marks, NUL-terminated.
        var wch = [wchar_t](repeating: 0, count: 6)
        for (i, s) in cell.char.unicodeScalars.prefix(5).enumerated() { wch[i] = wchar_t(bitPattern: s.value) }
        var cc = cchar_t()
        setcchar(&cc, wch, attributes(cell.style), pair(for: cell.style), nil)
        mvwadd_wch(win, Int32(y), Int32(x), &cc)
    }

    private func attributes(_ s: Style) -> attr_t {
        var a: attr_t = 0
        if s.bold { a |= plumb_a_bold() }
        if s.reverse { a |= plumb_a_reverse() }
        if s.dim { a |= plumb_a_dim() }
        if s.underline { a |= plumb_a_underline() }
        return a
    }

    /// Colour pairs are allocated on first use; a theme uses a dozen, far below any terminal's limit.
    private func pair(for s: Style) -> Int16 {
        guard useColor, s.fg != .default || s.bg != .default else { return 0 }
        let key = ColorKey(fg: s.fg, bg: s.bg)
        if let p = pairs[key] { return p }
        let next = Int16(pairs.count + 1)
        guard Int32(next) < plumb_cs_color_pairs() else { return 0 }
        init_pair(next, Self.cursesColor(s.fg), Self.cursesColor(s.bg))
        pairs[key] = next
        return next
    }

    private static func cursesColor(_ c: TermColor) -> Int16 {
        switch c {
        case .default: return -1
        case .black: return Int16(COLOR_BLACK)
        case .red: return Int16(COLOR_RED)
        case .green: return Int16(COLOR_GREEN)
        case .yellow: return Int16(COLOR_YELLOW)
        case .blue: return Int16(COLOR_BLUE)
        case .magenta: return Int16(COLOR_MAGENTA)
        case .cyan: return Int16(COLOR_CYAN)
        case .white: return Int16(COLOR_WHITE)
        }
    }

    // MARK: - Input

    /// Standard input, where curses reads keys (newterm was given it); the app's loop waits on it.
    public var inputDescriptor: Int32 { 0 }

    /// A key curses has or can read now: bytes typed, the rest of an escape sequence, a resize (KEY_RESIZE,
    /// queued by curses' SIGWINCH handler). Never waits.
    public func pendingKey() -> Key? { readKey(timeoutMillis: 0) }

    /// The next key within `timeoutMillis` (-1: no limit). The app's loop waits itself and uses `pendingKey`.
    public func readKey(timeoutMillis: Int32) -> Key? {
        wtimeout(win, timeoutMillis)
        var ch: wint_t = 0
        let r = wget_wch(win, &ch)
        if r == ERR { return nil }
        if r == KEY_CODE_YES { return special(Int32(ch)) }
        return KeyDecoder.key(forCodepoint: UInt32(ch))
    }

    private func special(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_IC: return .insert
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_RESIZE:
            size = Size(width: Int(plumb_getmaxx(win)), height: Int(plumb_getmaxy(win)))
            invalidate()
            return .resize(size)
        case KEY_MOUSE:
            return mouse()
        case (KEY_F0 + 1)...(KEY_F0 + 24):
            return .function(Int(code - KEY_F0))
        default:
            return nil
        }
    }

    private func mouse() -> Key? {
        var x: Int32 = 0, y: Int32 = 0
        var b: UInt = 0
        guard plumb_cs_getmouse(&x, &y, &b) == 0 else { return nil }
        let kind: MouseEvent.Kind
        if b & plumb_cs_button4_pressed() != 0 {
            kind = .wheelUp
        } else if plumb_cs_button5_pressed() != 0 && b & plumb_cs_button5_pressed() != 0 {
            kind = .wheelDown
        } else if b & (plumb_cs_button1_pressed() | plumb_cs_button1_clicked()) != 0 {
            kind = .press
        } else if b & plumb_cs_button1_released() != 0 {
            kind = .release
        } else if b & plumb_cs_button3_pressed() != 0 {
            kind = .rightPress
        } else {
            return nil
        }
        return .mouse(MouseEvent(kind, x: Int(x), y: Int(y)))
    }
}
