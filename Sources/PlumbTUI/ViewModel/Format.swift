/// Number formatting for narrow columns. Foundation-free on purpose: this runs for every cell of every
/// frame, and the output must not depend on the user's locale (golden files).
enum Format {
    /// 0 … 9999 exactly, then 12.3k, 123k, 1.2M, … (packets, counts).
    static func count(_ v: UInt64) -> String {
        if v < 10_000 { return String(v) }
        return scaled(Double(v), units: ["", "k", "M", "G", "T", "P"], base: 1000, space: false)
    }

    /// 0 B, 999 B, 1.2 kB, 12 kB, 1.2 MB … (decimal units, like `ip -h -s` without the binary confusion).
    static func bytes(_ v: UInt64) -> String {
        if v < 1000 { return "\(v) B" }
        return scaled(Double(v), units: ["B", "kB", "MB", "GB", "TB", "PB"], base: 1000, space: true)
    }

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
        var x = v, i = 0
        while x >= base && i < units.count - 1 { x /= base; i += 1 }
        // 1.2k but 12k and 123k: three significant characters at most.
        var num = x < 10 ? oneDecimal(x) : String(Int(x.rounded()))
        if num == "10.0" { num = "10" }
        if num == "1000" && i < units.count - 1 { num = "1.0"; i += 1 }
        return num + (space ? " " : "") + units[i]
    }

    static func oneDecimal(_ x: Double) -> String {
        let t = Int((x * 10).rounded())
        return "\(t / 10).\(abs(t % 10))"
    }

    private static func oneDecimalIfSmall(_ v: Double) -> String {
        v < 10 && v != v.rounded() ? oneDecimal(v) : String(Int(v.rounded()))
    }
}
