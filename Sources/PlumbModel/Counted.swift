/// "1 rule", "2 rules", "1 process", "3 processes": a count with its noun in the right number, for every
/// text Plumb prints (never "rule(s)" or "1 rules").
public func counted(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
}

public func counted(_ n: UInt64, _ singular: String, _ plural: String? = nil) -> String {
    "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
}

/// Byte counts and counts in readable units, the same in the CLI's text and the TUI. Foundation-free and
/// locale-independent on purpose: golden files compare it, and the TUI runs it for every cell of every frame.
public enum Readable {
    /// "45s", "12m", "3h 12m", "2d 4h": how long something has existed, to the two largest units.
    public static func age(_ seconds: Int) -> String {
        let s = max(0, seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86_400 { return s % 3600 / 60 == 0 ? "\(s / 3600)h" : "\(s / 3600)h \(s % 3600 / 60)m" }
        return s % 86_400 / 3600 == 0 ? "\(s / 86_400)d" : "\(s / 86_400)d \(s % 86_400 / 3600)h"
    }

    /// 0 B, 999 B, 1.2 kB, 12 kB, 1.2 MB … (decimal units, like `ip -h -s` without the binary confusion).
    public static func bytes(_ v: UInt64) -> String {
        if v < 1000 { return "\(v) B" }
        return scaled(Double(v), units: ["B", "kB", "MB", "GB", "TB", "PB"], base: 1000, space: true)
    }

    /// 0 … 9999 exactly, then 12.3k, 123k, 1.2M, … (packets, counts).
    public static func count(_ v: UInt64) -> String {
        if v < 10_000 { return String(v) }
        return scaled(Double(v), units: ["", "k", "M", "G", "T", "P"], base: 1000, space: false)
    }

    /// `v` in the largest unit below it: at most three significant characters (1.2k, 12k, 123k).
    public static func scaled(_ v: Double, units: [String], base: Double, space: Bool) -> String {
        var x = v, i = 0
        while x >= base && i < units.count - 1 { x /= base; i += 1 }
        var num = x < 10 ? oneDecimal(x) : String(Int(x.rounded()))
        if num == "10.0" { num = "10" }
        if num == "1000" && i < units.count - 1 { num = "1.0"; i += 1 }
        return num + (space ? " " : "") + units[i]
    }

    public static func oneDecimal(_ x: Double) -> String {
        let t = Int((x * 10).rounded())
        return "\(t / 10).\(abs(t % 10))"
    }
}
