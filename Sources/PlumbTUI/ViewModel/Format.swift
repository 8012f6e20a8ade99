import PlumbModel

/// Number formatting for narrow columns. Foundation-free on purpose: this runs for every cell of every
/// frame, and the output must not depend on the user's locale (golden files).
enum Format {
    /// 0 … 9999 exactly, then 12.3k, 123k, 1.2M, … (packets, counts).
    static func count(_ v: UInt64) -> String { Readable.count(v) }

    /// 0 B, 999 B, 1.2 kB, 12 kB, 1.2 MB … (the CLI's text prints the same).
    static func bytes(_ v: UInt64) -> String { Readable.bytes(v) }

    static func byteRate(_ v: Double) -> String {
        if v < 1000 { return "\(Int(v.rounded())) B/s" }
        return scaled(v, units: ["B", "kB", "MB", "GB", "TB"], base: 1000, space: true) + "/s"
    }

    static func packetRate(_ v: Double) -> String {
        if v < 1000 { return oneDecimalIfSmall(v) + " p/s" }
        return scaled(v, units: ["", "k", "M", "G"], base: 1000, space: false) + " p/s"
    }

    /// "+12", "+1.2k", "0".
    static func delta(_ v: UInt64) -> String { v == 0 ? "0" : "+" + count(v) }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s))s" : oneDecimal(s) + "s"
    }

    static func millis(_ ms: Double) -> String { "\(Int(ms.rounded())) ms" }

    private static func scaled(_ v: Double, units: [String], base: Double, space: Bool) -> String {
        Readable.scaled(v, units: units, base: base, space: space)
    }

    static func oneDecimal(_ x: Double) -> String { Readable.oneDecimal(x) }

    private static func oneDecimalIfSmall(_ v: Double) -> String {
        v < 10 && v != v.rounded() ? oneDecimal(v) : String(Int(v.rounded()))
    }
}
