/// The characters that draw structure. Unicode by default; ASCII for terminals or fonts without box-drawing
/// (`TERM=linux` consoles, `LANG=C`), chosen once at start-up.
public struct Glyphs: Sendable, Equatable {
    public var horizontal: Character
    public var vertical: Character
    public var topLeft: Character
    public var topRight: Character
    public var bottomLeft: Character
    public var bottomRight: Character
    /// Tree drawing: a child with siblings below it, the last child, and the line that continues past a
    /// child with its own children.
    public var treeBranch: String
    public var treeLast: String
    public var treePipe: String
    public var treeSpace: String
    public var arrow: String
    public var ellipsis: Character
    public var selectionMarker: Character
    public var separator: String
    public var breadcrumb: String
    /// Sparkline levels, lowest first.
    public var sparks: [Character]
    public var cursor: Character
    /// Doctor badges on namespaces and links.
    public var badgeError: Character
    public var badgeWarning: Character
    public var isUnicode: Bool

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        treeBranch: "├─", treeLast: "└─", treePipe: "│ ", treeSpace: "  ", arrow: "→", ellipsis: "…",
        selectionMarker: "▸", separator: " │ ", breadcrumb: " › ",
        sparks: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], cursor: "█", badgeError: "✗", badgeWarning: "▲",
        isUnicode: true)

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        treeBranch: "|-", treeLast: "`-", treePipe: "| ", treeSpace: "  ", arrow: "->", ellipsis: "~",
        selectionMarker: ">", separator: " | ", breadcrumb: " > ",
        sparks: ["_", ".", ",", "-", "=", "+", "*", "#"], cursor: "_", badgeError: "X", badgeWarning: "^",
        isUnicode: false)

    /// ASCII when the locale cannot encode UTF-8 (LANG/LC_ALL/LC_CTYPE without "UTF-8") or TERM=linux
    /// (the kernel console's font lacks most box-drawing glyphs).
    public static func forEnvironment(_ env: [String: String]) -> Glyphs {
        let locale = env["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? env["LC_CTYPE"].flatMap { $0.isEmpty ? nil : $0 } ?? env["LANG"] ?? ""
        let utf8 = locale.uppercased().filter { $0 != "-" }.contains("UTF8")
        if !utf8 || env["TERM"] == "linux" { return .ascii }
        return .unicode
    }
}
