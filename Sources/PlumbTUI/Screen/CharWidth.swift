/// Display width of characters: 1 for almost everything, 2 for East Asian wide/fullwidth and emoji.
/// Interface and container names are ASCII in practice; this only keeps a stray CJK name from shifting
/// every column after it.
enum CharWidth {
    static func of(_ c: Character) -> Int {
        if c.isASCII { return 1 }
        guard let v = c.unicodeScalars.first?.value else { return 1 }
        return isWide(v) ? 2 : 1
    }

    /// Per scalar when no scalar can join with its neighbour (the usual case: ASCII names, box-drawing tree
    /// prefixes); per grapheme cluster otherwise. Grapheme breaking was most of a 500-row topology's layout.
    static func of(_ s: String) -> Int {
        var w = 0
        for v in s.unicodeScalars {
            if v.value < 0x80 { w += 1; continue }
            if joins(v.value) { return s.reduce(0) { $0 + of($1) } }
            w += isWide(v.value) ? 2 : 1
        }
        return w
    }

    /// Scalars that combine with the one before (marks, joiners, variation selectors, emoji modifiers).
    private static func joins(_ v: UInt32) -> Bool {
        switch v {
        case 0x0300...0x036F, 0x0483...0x0489, 0x0591...0x05BD, 0x0610...0x061A, 0x064B...0x065F,
             0x0900...0x0903, 0x093A...0x094F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x200B...0x200F,
             0x20D0...0x20FF, 0xFE00...0xFE0F, 0xFE20...0xFE2F, 0x1F3FB...0x1F3FF, 0xE0000...0xE0FFF:
            return true
        default:
            return v >= 0x0E31 && v <= 0x0E4E  // Thai vowels and tone marks
        }
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
