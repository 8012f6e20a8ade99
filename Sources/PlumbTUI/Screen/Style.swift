/// The eight ANSI colours curses guarantees, plus the terminal's own default. Anything richer would not
/// survive a 16-colour console or `tmux` without true-colour, and a network tool must work over any ssh.
public enum TermColor: UInt8, Hashable, Sendable, CaseIterable {
    case `default`, black, red, green, yellow, blue, magenta, cyan, white
}

/// How one cell is drawn. Plain value, so buffers compare cheaply and diffs are exact.
public struct Style: Hashable, Sendable {
    public var fg: TermColor
    public var bg: TermColor
    public var bold: Bool
    public var reverse: Bool
    public var dim: Bool
    public var underline: Bool

    public init(fg: TermColor = .default, bg: TermColor = .default, bold: Bool = false, reverse: Bool = false,
                dim: Bool = false, underline: Bool = false) {
        self.fg = fg; self.bg = bg; self.bold = bold; self.reverse = reverse; self.dim = dim
        self.underline = underline
    }

    public static let plain = Style()

    // Variants of a theme style, for emphasis inside one view.
    public var bolded: Style { var s = self; s.bold = true; return s }
    public var dimmed: Style { var s = self; s.dim = true; return s }
}
