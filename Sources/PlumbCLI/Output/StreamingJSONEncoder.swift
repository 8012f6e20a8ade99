import PlumbModel

/// A JSON encoder that writes straight into a byte buffer as `encode(to:)` runs, with no intermediate tree.
///
/// Foundation's JSONEncoder builds a tree of boxed values, then sorts and serializes it: on a 500-namespace
/// snapshot (4 MB) that took longer than reading the kernel. Here keys come out in declaration order (stable,
/// and the order the README documents), dictionaries with String keys are written sorted, and `pretty` indents
/// by two spaces. Containers close when the value that opened them finishes encoding.
public struct StreamingJSONEncoder {
    public var pretty: Bool
    public init(pretty: Bool = false) { self.pretty = pretty }

    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let sink = JSONSink(pretty: pretty)
        try sink.encodeValue(value)
        if pretty { sink.out.append(0x0A) }
        return sink.out
    }
}

final class JSONSink {
    var out: [UInt8] = []
    let pretty: Bool
    /// One entry per open container: has it received an element yet?
    private var hasElements: [Bool] = []

    init(pretty: Bool) {
        self.pretty = pretty
        out.reserveCapacity(1 << 16)
    }

    func open(_ bracket: UInt8) {
        out.append(bracket)
        hasElements.append(false)
    }

    func close(_ bracket: UInt8) {
        let had = hasElements.removeLast()
        if pretty && had { newline() }
        out.append(bracket)
    }

    /// Separator and indentation before a new element of the innermost container.
    func beginElement() {
        if hasElements.last == true { out.append(0x2C) }
        if !hasElements.isEmpty { hasElements[hasElements.count - 1] = true }
        if pretty { newline() }
    }

    func key(_ k: String) {
        beginElement()
        string(k)
        out.append(0x3A)
        if pretty { out.append(0x20) }
    }

    private func newline() {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: hasElements.count * 2))
    }

    func raw(_ s: String) { out.append(contentsOf: s.utf8) }

    func string(_ s: String) {
        out.append(0x22)
        var s = s
        s.withUTF8 { buf in
            // Copy runs of plain bytes whole; only the bytes that need escaping are handled one by one.
            var runStart = 0
            for i in 0..<buf.count {
                let b = buf[i]
                guard b < 0x20 || b == 0x22 || b == 0x5C else { continue }
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<i])) }
                runStart = i + 1
                switch b {
                case 0x22: out.append(0x5C); out.append(0x22)
                case 0x5C: out.append(0x5C); out.append(0x5C)
                case 0x0A: out.append(0x5C); out.append(0x6E)
                case 0x0D: out.append(0x5C); out.append(0x72)
                case 0x09: out.append(0x5C); out.append(0x74)
                default:
                    let hex: StaticString = "0123456789abcdef"
                    out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30])
                    out.append(hex.utf8Start[Int(b >> 4)]); out.append(hex.utf8Start[Int(b & 15)])
                }
            }
            if runStart < buf.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart...])) }
        }
        out.append(0x22)
    }

    /// Digits straight into the buffer: no String per number.
    func unsigned(_ v: UInt64) {
        if v < 10 { out.append(0x30 + UInt8(v)); return }
        var digits: (UInt64, Int) = (v, 0)
        var tmp = [UInt8](repeating: 0, count: 20)
        while digits.0 > 0 { tmp[19 - digits.1] = 0x30 + UInt8(digits.0 % 10); digits.0 /= 10; digits.1 += 1 }
        out.append(contentsOf: tmp[(20 - digits.1)...])
    }

    func integer(_ v: Int64) {
        if v < 0 { out.append(0x2D); unsigned(UInt64(-(v + 1)) + 1) } else { unsigned(UInt64(v)) }
    }

    func double(_ d: Double) {
        if d.isFinite { raw(d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)) } else { raw("null") }
    }

    /// Encodes one value at the current position (after its key or separator was written). Primitive types are
    /// recognised by metatype identity (a pointer compare), not by a chain of failing dynamic casts.
    func encodeValue<T: Encodable>(_ value: T) throws {
        if T.self == String.self { string(Self.same(value, String.self)); return }
        if T.self == Int.self { integer(Int64(Self.same(value, Int.self))); return }
        if T.self == Int32.self { integer(Int64(Self.same(value, Int32.self))); return }
        if T.self == UInt64.self { unsigned(Self.same(value, UInt64.self)); return }
        if T.self == UInt32.self { unsigned(UInt64(Self.same(value, UInt32.self))); return }
        // The narrow integer types encode themselves as a single value of their own type: without these lines
        // that recursed until the stack overflowed.
        if T.self == UInt16.self { unsigned(UInt64(Self.same(value, UInt16.self))); return }
        if T.self == UInt8.self { unsigned(UInt64(Self.same(value, UInt8.self))); return }
        if T.self == UInt.self { unsigned(UInt64(Self.same(value, UInt.self))); return }
        if T.self == Int16.self { integer(Int64(Self.same(value, Int16.self))); return }
        if T.self == Int8.self { integer(Int64(Self.same(value, Int8.self))); return }
        if T.self == Int64.self { integer(Self.same(value, Int64.self)); return }
        if T.self == Bool.self { raw(Self.same(value, Bool.self) ? "true" : "false"); return }
        if T.self == Double.self { double(Self.same(value, Double.self)); return }
        if T.self == [String: Int].self { try sortedObject(Self.same(value, [String: Int].self)); return }
        if T.self == [String: Bool].self { try sortedObject(Self.same(value, [String: Bool].self)); return }
        if T.self == [String: String].self { try sortedObject(Self.same(value, [String: String].self)); return }
        // Hand-written writers for the bulk types (metatype compare, not a conformance lookup per value).
        if T.self == Link.self { Self.same(value, Link.self).writeJSON(self); return }
        if T.self == Route.self { Self.same(value, Route.self).writeJSON(self); return }
        if T.self == Neighbor.self { Self.same(value, Neighbor.self).writeJSON(self); return }
        if T.self == FirewallRule.self { Self.same(value, FirewallRule.self).writeJSON(self); return }
        let enc = ValueEncoder(sink: self)
        try value.encode(to: enc)
        enc.finish()
    }

    /// Reads a value as the type it was just proven to be (T.self == U.self).
    @inline(__always)
    static func same<T, U>(_ v: T, _: U.Type) -> U {
        withUnsafePointer(to: v) { UnsafeRawPointer($0).load(as: U.self) }
    }

    private func sortedObject<V: Encodable>(_ d: [String: V]) throws {
        open(0x7B)
        for k in d.keys.sorted() {
            key(k)
            try encodeValue(d[k]!)
        }
        close(0x7D)
    }
}

/// The Encoder handed to `encode(to:)`: it opens at most one container and closes it in `finish()`.
final class ValueEncoder: Encoder {
    let sink: JSONSink
    /// Not tracked: building a path array per value cost more than the encoding itself, and nothing reads it.
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private var opened: UInt8? = nil
    private var wroteValue = false
    /// Nested containers handed out (enums with payloads use them): closed before this container writes its
    /// next element, and before it closes itself.
    private var children: [ValueEncoder] = []

    init(sink: JSONSink) { self.sink = sink }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if opened == nil { sink.open(0x7B); opened = 0x7D }
        return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if opened == nil { sink.open(0x5B); opened = 0x5D }
        return UnkeyedContainer(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(encoder: self) }

    func finish() {
        closeChildren()
        if let c = opened { sink.close(c) } else if !wroteValue { sink.raw("null") }
    }

    func closeChildren() {
        for c in children.reversed() { c.finish() }
        children.removeAll()
    }

    func child() -> ValueEncoder {
        closeChildren()
        let c = ValueEncoder(sink: sink)
        children.append(c)
        return c
    }

    func markValue() { wroteValue = true }
}

struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil(forKey key: Key) throws {
        encoder.closeChildren()
        encoder.sink.key(key.stringValue); encoder.sink.raw("null")
    }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        encoder.closeChildren()
        encoder.sink.key(key.stringValue)
        try encoder.sink.encodeValue(value)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey> {
        encoder.closeChildren()
        encoder.sink.key(key.stringValue)
        return encoder.child().container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder.closeChildren()
        encoder.sink.key(key.stringValue)
        return encoder.child().unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { encoder }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder }
}

struct UnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count = 0

    mutating func encodeNil() throws {
        encoder.closeChildren()
        encoder.sink.beginElement(); encoder.sink.raw("null"); count += 1
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.closeChildren()
        encoder.sink.beginElement()
        try encoder.sink.encodeValue(value)
        count += 1
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey> {
        encoder.closeChildren()
        encoder.sink.beginElement()
        count += 1
        return encoder.child().container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        encoder.closeChildren()
        encoder.sink.beginElement()
        count += 1
        return encoder.child().unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { encoder }
}

struct SingleContainer: SingleValueEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    mutating func encodeNil() throws { encoder.markValue(); encoder.sink.raw("null") }
    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.markValue()
        try encoder.sink.encodeValue(value)
    }
}
