import Foundation

/// `$XDG_CONFIG_HOME/plumb/config` (default ~/.config/plumb/config): `key = value` lines for the TUI's
/// defaults — interval, no-color, ascii, fd-scan. Unknown keys are ignored; flags override the file.
struct TUIConfig {
    var interval: Double?
    var noColor = false
    var ascii = false
    var scanFds = true

    static func load(environment env: [String: String]) -> TUIConfig {
        let base = env["XDG_CONFIG_HOME"] ?? ((env["HOME"] ?? "/root") + "/.config")
        guard let text = try? String(contentsOfFile: "\(base)/plumb/config", encoding: .utf8) else { return TUIConfig() }
        return parse(text)
    }

    static func parse(_ text: String) -> TUIConfig {
        var c = TUIConfig()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].hasPrefix("#") else { continue }
            let on = ["1", "true", "yes", "on"].contains(parts[1].lowercased())
            switch parts[0] {
            case "interval": c.interval = Double(parts[1]).flatMap { $0 >= 0.1 ? $0 : nil }
            case "no-color": c.noColor = on
            case "ascii": c.ascii = on
            case "fd-scan": c.scanFds = on
            default: continue
            }
        }
        return c
    }
}
