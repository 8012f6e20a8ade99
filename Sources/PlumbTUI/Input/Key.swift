/// One input event, independent of curses: the reducer, the keymap and the tests speak only this.
public enum Key: Hashable, Sendable {
    /// A printable character (letters, digits, punctuation, space, any Unicode).
    case char(Character)
    /// Control + letter, lower case (`.ctrl("c")` is Ctrl-C). Tab, Enter, Backspace and Esc have own cases.
    case ctrl(Character)
    case up, down, left, right
    case home, end, pageUp, pageDown
    case insert, delete
    case tab, backTab, enter, escape, backspace
    case function(Int)
    case mouse(MouseEvent)
    /// The terminal changed size; the adapter sends this after KEY_RESIZE.
    case resize(Size)

    /// How the help overlay and the README name this key.
    public func label(unicode: Bool = true) -> String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "Ctrl-" + String(c).uppercased()
        case .up: return unicode ? "↑" : "Up"
        case .down: return unicode ? "↓" : "Down"
        case .left: return unicode ? "←" : "Left"
        case .right: return unicode ? "→" : "Right"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .insert: return "Ins"
        case .delete: return "Del"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Backspace"
        case .function(let n): return "F\(n)"
        case .mouse: return "mouse"
        case .resize: return "resize"
        }
    }
}

public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case press, release, rightPress, wheelUp, wheelDown }
    public var kind: Kind
    public var x: Int
    public var y: Int
    public init(_ kind: Kind, x: Int, y: Int) { self.kind = kind; self.x = x; self.y = y }
}
