import Foundation

/// One line on why a file did not decode, in the user's terms (which key, where, what was expected), instead
/// of DecodingError's debug dump.
enum DecodingProblem {
    static func describe(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        switch e {
        case .dataCorrupted(let c):
            // The top-level failure is the JSON parser's: the file is not JSON at all.
            if c.codingPath.isEmpty { return "it is not JSON" }
            return "the value at \(path(c.codingPath)) is not valid (\(c.debugDescription.lowercasingFirst))"
        case .keyNotFound(let key, let c):
            return "the key \"\(key.stringValue)\" is missing\(c.codingPath.isEmpty ? "" : " at \(path(c.codingPath))")"
        case .typeMismatch(let type, let c):
            return "\(c.codingPath.isEmpty ? "the document" : path(c.codingPath)) is not \(expected(type))"
        case .valueNotFound(let type, let c):
            return "\(c.codingPath.isEmpty ? "the document" : path(c.codingPath)) is null where \(expected(type)) belongs"
        @unknown default:
            return "it does not decode"
        }
    }

    /// `namespaces[0].links[2].name`, as jq would address it.
    static func path(_ keys: [any CodingKey]) -> String {
        var s = ""
        for k in keys {
            if let i = k.intValue { s += "[\(i)]" } else { s += s.isEmpty ? k.stringValue : ".\(k.stringValue)" }
        }
        return s
    }

    private static func expected(_ type: Any.Type) -> String {
        let name = "\(type)"
        switch name {
        case "String": return "a string"
        case "Bool": return "true or false"
        case _ where name.hasPrefix("Int") || name.hasPrefix("UInt") || name == "Double": return "a number"
        case _ where name.hasPrefix("Array"): return "an array"
        case _ where name.hasPrefix("Dictionary"): return "an object"
        default: return "a valid \(name)"
        }
    }
}

private extension String {
    var lowercasingFirst: String { prefix(1).lowercased() + dropFirst() }
}
