import Foundation

/// `plumb ns ls --json`, and the row whose containers include one named `name`.
enum NamespaceListing {
    static func rows() throws -> [[String: Any]] {
        try Shell.json([CLITests.binary, "ns", "ls", "--json"]) as? [[String: Any]] ?? []
    }

    static func row(container name: String) throws -> [String: Any]? {
        try rows().first { row in
            (row["containers"] as? [[String: Any]] ?? []).contains { $0["name"] as? String == name }
        }
    }

    static func container(_ row: [String: Any]?, _ name: String) -> [String: Any]? {
        (row?["containers"] as? [[String: Any]] ?? []).first { $0["name"] as? String == name }
    }
}
