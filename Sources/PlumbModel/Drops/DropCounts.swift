/// Numbers as the drop views print them.
public enum DropCounts {
    /// 1204 → "1,204".
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A rate for a badge: "3/s", "1.2k/s", "45k/s".
    public static func rate(_ perSecond: Double) -> String {
        if perSecond < 10 && perSecond > 0 && perSecond.rounded() != perSecond {
            return perSecond < 1 ? "<1/s" : String(Int(perSecond.rounded())) + "/s"
        }
        if perSecond < 1000 { return String(Int(perSecond.rounded())) + "/s" }
        let k = perSecond / 1000
        if k < 10 {
            let tenths = Int((k * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)k/s"
        }
        return String(Int(k.rounded())) + "k/s"
    }
}
