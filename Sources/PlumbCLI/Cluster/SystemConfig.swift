import Foundation

/// Plumb's system configuration file, `$PLUMB_CONFIG` or `/etc/plumb/config`: `key = value` lines, `#` starts a
/// comment. It holds the machine's settings (the TUI's per-user ones are in `$XDG_CONFIG_HOME/plumb/config`):
/// the cluster store and this host's name in it. Unknown keys are ignored (a newer plumb's keys must not break
/// an older one); a known key with an empty value is an error naming the file and line.
struct SystemConfig: Equatable {
    var store: String?
    var storeCA: String?
    var storeCert: String?
    var storeKey: String?
    var hostID: String?

    static let defaultPath = "/etc/plumb/config"

    static func path(environment env: [String: String]) -> String { env["PLUMB_CONFIG"] ?? defaultPath }

    /// The file's settings; none when there is no file.
    static func load(environment env: [String: String]) throws -> SystemConfig {
        let file = path(environment: env)
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return SystemConfig() }
        return try parse(text, path: file)
    }

    static func parse(_ text: String, path: String) throws -> SystemConfig {
        var c = SystemConfig()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#") else { continue }
            let parts = trimmed.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            let (key, value) = (parts[0], parts[1])
            let known: WritableKeyPath<SystemConfig, String?>?
            switch key {
            case "store": known = \.store
            case "store-ca": known = \.storeCA
            case "store-cert": known = \.storeCert
            case "store-key": known = \.storeKey
            case "host-id": known = \.hostID
            default: known = nil
            }
            guard let known else { continue }
            guard !value.isEmpty else {
                throw CommandFailure(description: "\(path):\(number + 1): \(key) has no value (fix or remove the line)", code: PlumbExit.usage)
            }
            c[keyPath: known] = value
        }
        return c
    }
}
