// `xxd`-style hex dump: `00000010: 4500 0054 0000 4000 4001 2695 0ad5 0102  E..T..@.@.&.....`
// (offset, sixteen bytes in two-byte groups, ASCII with '.' for non-printables). Used by the detail view.

public enum HexDump {
    public static let bytesPerLine = 16

    /// One string per line, exactly as `xxd` prints it (short last line padded so the ASCII column lines up).
    /// `startOffset` is added to the printed offsets.
    public static func lines(_ bytes: [UInt8], startOffset: Int = 0) -> [String] {
        bytes.withUnsafeBytes { lines($0, startOffset: startOffset) }
    }

    public static func lines(_ bytes: UnsafeRawBufferPointer, startOffset: Int = 0) -> [String] {
        var out: [String] = []
        out.reserveCapacity((bytes.count + bytesPerLine - 1) / bytesPerLine)
        var lineStart = 0
        while lineStart < bytes.count {
            let n = min(bytesPerLine, bytes.count - lineStart)
            out.append(line(bytes, from: lineStart, count: n, offset: startOffset + lineStart))
            lineStart += n
        }
        return out
    }

    /// The whole dump, one line per 16 bytes, each ending in a newline (like `xxd` output).
    public static func string(_ bytes: [UInt8], startOffset: Int = 0) -> String {
        lines(bytes, startOffset: startOffset).map { $0 + "\n" }.joined()
    }

    // Layout: 8 hex digits + ": " (10), 8 groups of 4 hex digits separated by spaces (39), 2 spaces, ASCII.
    private static let hexColumnWidth = 39

    private static func line(_ b: UnsafeRawBufferPointer, from: Int, count: Int, offset: Int) -> String {
        let capacity = 10 + hexColumnWidth + 2 + bytesPerLine + 8
        return String(unsafeUninitializedCapacity: capacity) { out in
            var i = 0
            // Offsets wider than 8 digits (files over 4 GiB) print in full rather than wrapping.
            let digits = max(8, (String(offset, radix: 16)).count)
            var shift = (digits - 1) * 4
            while shift >= 0 {
                out[i] = hexDigitLower(UInt8(truncatingIfNeeded: offset >> shift) & 0xF)
                i += 1; shift -= 4
            }
            out[i] = UInt8(ascii: ":"); out[i + 1] = UInt8(ascii: " "); i += 2
            let hexStart = i
            for k in 0..<count {
                if k > 0 && k % 2 == 0 { out[i] = UInt8(ascii: " "); i += 1 }
                let v = b[from + k]
                out[i] = hexDigitLower(v >> 4); out[i + 1] = hexDigitLower(v & 0xF); i += 2
            }
            while i - hexStart < hexColumnWidth { out[i] = UInt8(ascii: " "); i += 1 }
            out[i] = UInt8(ascii: " "); out[i + 1] = UInt8(ascii: " "); i += 2
            for k in 0..<count {
                let v = b[from + k]
                out[i] = (v >= 0x20 && v < 0x7F) ? v : UInt8(ascii: ".")
                i += 1
            }
            return i
        }
    }
}
