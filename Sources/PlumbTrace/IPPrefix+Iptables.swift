import PlumbModel

extension IPPrefix {
    /// An address match as iptables-save and the routing table write it: "A", "A/LEN", or "A/MASK" with a dotted
    /// IPv4 mask (contiguous masks only, as iptables-save prints them). Kept as the subnet (host bits cleared), so
    /// two rules naming one subnet compare equal.
    init?(iptables text: String) {
        guard let slash = text.firstIndex(of: "/") else {
            guard let a = IPAddress(text) else { return nil }
            self.init(host: a)
            return
        }
        guard let a = IPAddress(text[..<slash]) else { return nil }
        let rest = text[text.index(after: slash)...]
        let length: Int
        if let n = Int(rest), n >= 0, n <= a.family.bitWidth {
            length = n
        } else if a.isIPv4, let mask = IPAddress(rest)?.ipv4Value {
            length = mask.nonzeroBitCount
        } else {
            return nil
        }
        self = IPPrefix(unchecked: a, length: length).canonical
    }
}
