/// `ifindex 5 In IP ...` (a LINUX_SLL2 `any` capture) -> `eth0 In IP ...`, as tcpdump prints it. One place, so
/// `plumb capture` and the TUI's capture pane name interfaces alike.
public enum InterfaceNaming {
    public static func apply(_ summary: String, _ names: [Int: String]) -> String {
        guard summary.hasPrefix("ifindex ") else { return summary }
        let rest = summary.dropFirst("ifindex ".count)
        guard let space = rest.firstIndex(of: " "), let index = Int(rest[..<space]), let name = names[index] else { return summary }
        return name + rest[space...]
    }
}
