/// A value whose JSON is its text: a string it was parsed from and prints back (a route destination, a map
/// address). Decoding parses the string once and refuses one that does not parse, naming what was expected.
public protocol CodableAsText: Codable, LosslessStringConvertible {
    /// "a route destination ('default' or a prefix)": what the decoding error says the text is not.
    static var textExpected: String { get }
}

extension CodableAsText {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let value = Self(text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not \(Self.textExpected)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
