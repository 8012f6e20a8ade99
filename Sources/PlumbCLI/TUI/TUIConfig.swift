import Foundation
import PlumbTUI

/// `$XDG_CONFIG_HOME/plumb/config` (default ~/.config/plumb/config): `key = value` lines for the TUI's
/// defaults — interval, no-color, ascii, fd-scan; `#` starts a comment line. Unknown keys are ignored (a newer
/// plumb's keys must not break an older one), but a known key with a bad value is an error naming the file and
/// line, before the terminal is touched. Flags given on the command line win over the file.
struct TUIConfig: Equatable {
    var interval: Double?
    var noColor = false
    var ascii = false
    var scanFds = true

    /// Where the file is read from.
    static func path(environment env: [String: String]) -> String {
        let base = env["XDG_CONFIG_HOME"] ?? ((env["HOME"] ?? "/root") + "/.config")
        return "\(base)/plumb/config"
    }

    /// The file's settings; the defaults when there is no file.
    static func load(environment env: [String: String]) throws -> TUIConfig {
        let file = path(environment: env)
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return TUIConfig() }
        return try parse(text, path: file)
    }

    static func parse(_ text: String, path: String) throws -> TUIConfig {
        var c = TUIConfig()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].hasPrefix("#") else { continue }
            let (key, value) = (parts[0], parts[1])
            func bad(_ why: String) -> CommandFailure {
                CommandFailure(description: "\(path):\(number + 1): \(key) = \(value): \(why) (fix or remove the line)",
                               code: PlumbExit.usage)
            }
            func flag() throws -> Bool {
                switch value.lowercased() {
                case "1", "true", "yes", "on": return true
                case "0", "false", "no", "off": return false
                default: throw bad("use true or false")
                }
            }
            switch key {
            case "interval":
                // Double() also reads "inf", "nan" and "1e30": the range check refuses them all.
                guard let seconds = Double(value), TUICommand.intervalRange.contains(seconds) else {
                    throw bad("use \(RefreshInterval.limits)")
                }
                c.interval = seconds
            case "no-color": c.noColor = try flag()
            case "ascii": c.ascii = try flag()
            case "fd-scan": c.scanFds = try flag()
            default: continue
            }
        }
        return c
    }
}
