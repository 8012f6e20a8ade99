import Foundation

/// One encoder for every `--json`: stable key order so outputs diff cleanly.
enum JSONOutput {
    static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                                      : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(value), as: UTF8.self) + "\n"
    }

    static func print<T: Encodable>(_ value: T, pretty: Bool = true) throws {
        FileHandleWriter.write(1, try encode(value, pretty: pretty))
    }
}
