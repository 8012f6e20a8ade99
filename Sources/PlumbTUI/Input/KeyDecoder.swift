/// Turns raw terminal input bytes (UTF-8 text, control characters and VT100/xterm escape sequences,
/// including SGR mouse reports) into `Key`s. Curses does this itself in the live program; the decoder
/// exists so input handling can be tested byte for byte, and so a non-curses frontend (a pty in tests,
/// a future web view) reads keys the same way.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Decodes everything complete in `bytes` plus what was pending. An incomplete escape sequence or
    /// UTF-8 character stays pending until more bytes come or `flush()` is called (after the ESC delay).
    public mutating func feed(_ bytes: [UInt8]) -> [Key] {
        pending += bytes
        var keys: [Key] = []
        var i = 0
        while i < pending.count {
            guard let (key, used) = Self.decodeOne(pending, at: i) else { break }  // incomplete
            if let key { keys.append(key) }
            i += used
        }
        pending.removeFirst(i)
        return keys
    }

    /// Input went quiet: a lone pending ESC is the Escape key; anything else pending is dropped.
    public mutating func flush() -> [Key] {
        defer { pending.removeAll() }
        if pending == [0x1b] { return [.escape] }
        if pending.first == 0x1b && pending.count == 2, let k = Self.key(forCodepoint: UInt32(pending[1])) {
            return [.escape, k]  // ESC then a key typed too fast to be a sequence
        }
        return []
    }

    public static func decode(_ bytes: [UInt8]) -> [Key] {
        var d = KeyDecoder()
        return d.feed(bytes) + d.flush()
    }

    /// One code point (as from `get_wch`) to a key: control characters get their names.
    public static func key(forCodepoint v: UInt32) -> Key? {
        switch v {
        case 0x09: return .tab
        case 0x0a, 0x0d: return .enter
        case 0x1b: return .escape
        case 0x7f, 0x08: return .backspace
        case 0x00: return .ctrl(" ")
        case 0x01...0x1a: return .ctrl(Character(Unicode.Scalar(v + 0x60)!))
        case 0x1c...0x1f: return nil
        default:
            guard let s = Unicode.Scalar(v) else { return nil }
            return .char(Character(s))
        }
    }

    /// (key or nil for an ignored sequence, bytes used), or nil when more bytes are needed.
    private static func decodeOne(_ b: [UInt8], at i: Int) -> (Key?, Int)? {
        let c = b[i]
        if c == 0x1b { return decodeEscape(b, at: i) }
        if c < 0x80 { return (key(forCodepoint: UInt32(c)), 1) }
        // UTF-8 multi-byte character.
        let len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1
        if len == 1 { return (nil, 1) }  // stray continuation byte
        guard i + len <= b.count else { return nil }
        let s = String(decoding: b[i..<(i + len)], as: UTF8.self)
        return (s.first.map { Key.char($0) }, len)
    }

    private static func decodeEscape(_ b: [UInt8], at i: Int) -> (Key?, Int)? {
        guard i + 1 < b.count else { return nil }
        let next = b[i + 1]
        if next == UInt8(ascii: "[") { return decodeCSI(b, at: i) }
        if next == UInt8(ascii: "O") {  // SS3: application cursor keys, F1-F4
            guard i + 2 < b.count else { return nil }
            let map: [UInt8: Key] = [0x41: .up, 0x42: .down, 0x43: .right, 0x44: .left, 0x48: .home, 0x46: .end,
                                     0x50: .function(1), 0x51: .function(2), 0x52: .function(3),
                                     0x53: .function(4), 0x4d: .enter]
            return (map[b[i + 2]], 3)
        }
        if next == 0x1b { return (.escape, 1) }
        // ESC + key (Alt-key or a fast Escape): report Escape, let the key be decoded on its own.
        return (.escape, 1)
    }

    /// CSI: ESC [ params final. Cursor keys, ~ keys, back-tab and SGR mouse (ESC [ < b ; x ; y M/m).
    private static func decodeCSI(_ b: [UInt8], at i: Int) -> (Key?, Int)? {
        var j = i + 2
        while j < b.count && !(0x40...0x7e).contains(b[j]) { j += 1 }
        guard j < b.count else { return nil }
        let params = String(decoding: b[(i + 2)..<j], as: UTF8.self)
        let final = b[j]
        let used = j - i + 1
        if params.hasPrefix("<") { return (mouse(params.dropFirst(), pressed: final == UInt8(ascii: "M")), used) }
        switch final {
        case UInt8(ascii: "A"): return (.up, used)
        case UInt8(ascii: "B"): return (.down, used)
        case UInt8(ascii: "C"): return (.right, used)
        case UInt8(ascii: "D"): return (.left, used)
        case UInt8(ascii: "H"): return (.home, used)
        case UInt8(ascii: "F"): return (.end, used)
        case UInt8(ascii: "Z"): return (.backTab, used)
        case UInt8(ascii: "~"):
            let n = Int(params.split(separator: ";").first ?? "") ?? 0
            let map: [Int: Key] = [1: .home, 2: .insert, 3: .delete, 4: .end, 5: .pageUp, 6: .pageDown, 7: .home,
                                   8: .end, 11: .function(1), 12: .function(2), 13: .function(3),
                                   14: .function(4), 15: .function(5), 17: .function(6), 18: .function(7),
                                   19: .function(8), 20: .function(9), 21: .function(10), 23: .function(11),
                                   24: .function(12)]
            return (map[n], used)
        default:
            return (nil, used)
        }
    }

    /// SGR mouse: button code, 1-based column and row. Bit 6 marks the wheel; bit 5 motion (ignored).
    private static func mouse(_ params: Substring, pressed: Bool) -> Key? {
        let p = params.split(separator: ";").compactMap { Int($0) }
        guard p.count == 3 else { return nil }
        let (code, x, y) = (p[0], p[1] - 1, p[2] - 1)
        if code & 32 != 0 { return nil }
        let kind: MouseEvent.Kind
        if code & 64 != 0 {
            kind = code & 1 == 0 ? .wheelUp : .wheelDown
        } else if !pressed {
            kind = .release
        } else {
            kind = code & 3 == 2 ? .rightPress : .press
        }
        return .mouse(MouseEvent(kind, x: x, y: y))
    }
}
