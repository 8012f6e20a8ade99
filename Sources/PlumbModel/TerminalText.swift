/// Text for a terminal that no name can take over. Link names (whoever controls a container's namespace names
/// its links), namespace names, process names and packet contents reach Plumb's text output; a control
/// character among them (ESC starting `ESC[7m` or an OSC title sequence, a C1 CSI, a carriage return) would
/// be executed by the terminal. Each one is shown instead as a visible escape: `\x1b`, `\x7f`, `\u{9b}`.
/// The TUI draws them as `?` and the JSON escapes them, so the same name is harmless in every output.
public enum TerminalText {
    /// `text` with every C0 control (U+0000–U+001F), DEL and C1 control (U+0080–U+009F) written as an escape.
    /// With `keepingLayout`, newline and tab stay: that is for whole outputs, whose lines and columns are
    /// their own; a single field (a table cell, a name) escapes them too, so it cannot fake a line.
    public static func escaped(_ text: String, keepingLayout: Bool = false) -> String {
        guard needsEscaping(text, keepingLayout: keepingLayout) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if keepingLayout && (v == 0x0A || v == 0x09) {
                out.unicodeScalars.append(scalar)
            } else if v < 0x20 || v == 0x7F {
                out += "\\x" + hex(v, digits: 2)
            } else if v >= 0x80 && v <= 0x9F {
                out += "\\u{" + hex(v, digits: 2) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A byte scan, so output without control characters (nearly all of it) costs one pass and no copy.
    public static func needsEscaping(_ text: String, keepingLayout: Bool = false) -> Bool {
        var previous: UInt8 = 0
        for b in text.utf8 {
            if b < 0x20 {
                if !(keepingLayout && (b == 0x0A || b == 0x09)) { return true }
            } else if b == 0x7F {
                return true
            } else if previous == 0xC2 && b >= 0x80 && b <= 0x9F {
                return true  // U+0080–U+009F are encoded C2 80 – C2 9F
            }
            previous = b
        }
        return false
    }

    private static func hex(_ v: UInt32, digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
