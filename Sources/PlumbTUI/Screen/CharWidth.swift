/// Display width of characters: 1 for almost everything, 2 for East Asian wide/fullwidth and emoji.
/// Interface and container names are ASCII in practice; this only keeps a stray CJK name from shifting
/// every column after it.
enum CharWidth {
    static func of(_ c: Character) -> Int {
        if c.isASCII { return 1 }
        guard let v = c.unicodeScalars.first?.value else { return 1 }
        return isWide(v) ? 2 : 1
    }

    static func of(_ s: String) -> Int {
        var w = 0
        for c in s { w += of(c) }
        return w
    }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}

extension String {
    /// Columns this string takes on a terminal.
    var displayWidth: Int { CharWidth.of(self) }
}
