import PlumbModel

/// Left-aligned columns separated by two spaces, like `ip -br` or `docker ps`.
enum TextTable {
    /// Each cell is escaped on its own (`TerminalText`), newline and tab too, so a name can neither fake a
    /// row nor shift the columns, and the widths are those of what is printed.
    static func render(header: [String], rows: [[String]]) -> String {
        let rows = rows.map { $0.map { TerminalText.escaped($0) } }
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            var s = ""
            for (i, c) in cells.enumerated() {
                s += i == cells.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count + 2)
            }
            return s + "\n"
        }
        return line(header) + rows.map(line).joined()
    }
}
