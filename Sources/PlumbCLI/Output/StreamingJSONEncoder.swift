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
        if pretty { sink.put(0x0A) }
        return sink.out
    }

    /// Encodes straight to `fd` in 64 KiB pieces (plus a final newline): the buffer stays small and warm
    /// instead of growing to the document's size, page by fresh page. Returns the bytes written.
    @discardableResult
    public func write<T: Encodable>(_ value: T, to fd: Int32) throws -> Int {
        let sink = JSONSink(pretty: pretty, flushTo: fd)
        try sink.encodeValue(value)
        sink.put(0x0A)
        return sink.flush()
    }
}

/// Where the bytes go. The buffer and the container stack live behind pointers, not in stored arrays of the
/// class: every `append` to an array property paid an exclusivity check and a uniqueness check, which made
/// writing a 550 KB snapshot cost 2.9 ms; plain stores through a pointer cost a third of that.
final class JSONSink {
    private struct State {
        var bytes: UnsafeMutablePointer<UInt8>
        var count = 0
        var capacity: Int
        /// One entry per open container: has it received an element yet?
        var open: UnsafeMutablePointer<Bool>
        var depth = 0
        var openCapacity: Int
    }
    private let state: UnsafeMutablePointer<State>
    let pretty: Bool
    /// Where full buffers go (nil: keep everything in memory for `out`).
    private let flushFD: Int32?
    private var flushed = 0

    init(pretty: Bool, flushTo fd: Int32? = nil) {
        self.pretty = pretty
        flushFD = fd
        state = .allocate(capacity: 1)
        state.initialize(to: State(bytes: .allocate(capacity: 1 << 16), capacity: 1 << 16,
                                   open: .allocate(capacity: 32), openCapacity: 32))
    }

    deinit {
        state.pointee.bytes.deallocate()
        state.pointee.open.deallocate()
        state.deallocate()
    }

    /// Everything written so far.
    var out: [UInt8] { Array(UnsafeBufferPointer(start: state.pointee.bytes, count: state.pointee.count)) }

    @inline(__always) private func reserve(_ n: Int) {
        let s = state
        if s.pointee.count + n > s.pointee.capacity { makeRoom(n) }
    }

    private func makeRoom(_ n: Int) {
        if flushFD != nil { flush() }
        if state.pointee.count + n > state.pointee.capacity { grow(state.pointee.count + n) }
    }

    /// Writes what is buffered to the flush fd; returns the total written so far.
    @discardableResult
    func flush() -> Int {
        guard let fd = flushFD else { return 0 }
        FileHandleWriter.write(fd, UnsafeBufferPointer(start: state.pointee.bytes, count: state.pointee.count))
        flushed += state.pointee.count
        state.pointee.count = 0
        return flushed
    }

    private func grow(_ needed: Int) {
        var cap = state.pointee.capacity * 2
        while cap < needed { cap *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
        bigger.update(from: state.pointee.bytes, count: state.pointee.count)
        state.pointee.bytes.deallocate()
        state.pointee.bytes = bigger
        state.pointee.capacity = cap
    }

    @inline(__always) func put(_ b: UInt8) {
        reserve(1)
        state.pointee.bytes[state.pointee.count] = b
        state.pointee.count += 1
    }

    @inline(__always) func put(_ p: UnsafeBufferPointer<UInt8>) {
        guard let src = p.baseAddress, p.count > 0 else { return }
        reserve(p.count)
        (state.pointee.bytes + state.pointee.count).update(from: src, count: p.count)
        state.pointee.count += p.count
    }

    func open(_ bracket: UInt8) {
        put(bracket)
        if state.pointee.depth == state.pointee.openCapacity {
            let cap = state.pointee.openCapacity * 2
            let bigger = UnsafeMutablePointer<Bool>.allocate(capacity: cap)
            bigger.update(from: state.pointee.open, count: state.pointee.depth)
            state.pointee.open.deallocate()
            state.pointee.open = bigger
            state.pointee.openCapacity = cap
        }
        state.pointee.open[state.pointee.depth] = false
        state.pointee.depth += 1
    }

    func close(_ bracket: UInt8) {
        state.pointee.depth -= 1
        let had = state.pointee.open[state.pointee.depth]
        if pretty && had { newline() }
        put(bracket)
    }

    /// Separator and indentation before a new element of the innermost container.
    func beginElement() {
        let d = state.pointee.depth
        if d > 0 {
            if state.pointee.open[d - 1] { put(0x2C) } else { state.pointee.open[d - 1] = true }
        }
        if pretty { newline() }
    }

    func key(_ k: String) {
        beginElement()
        string(k)
        put(0x3A)
        if pretty { put(0x20) }
    }

    private func newline() {
        put(0x0A)
        for _ in 0..<(state.pointee.depth * 2) { put(0x20) }
    }

    func raw(_ s: String) {
        var s = s
        s.withUTF8 { put($0) }
    }

    func string(_ s: String) {
        put(0x22)
        var s = s
        s.withUTF8 { buf in
            // Copy runs of plain bytes whole; only the bytes that need escaping are handled one by one.
            var runStart = 0
            for i in 0..<buf.count {
                let b = buf[i]
                guard b < 0x20 || b == 0x22 || b == 0x5C else { continue }
                if runStart < i { put(UnsafeBufferPointer(rebasing: buf[runStart..<i])) }
                runStart = i + 1
                put(0x5C)
                switch b {
                case 0x22: put(0x22)
                case 0x5C: put(0x5C)
                case 0x0A: put(0x6E)
                case 0x0D: put(0x72)
                case 0x09: put(0x74)
                default:
                    let hex: StaticString = "0123456789abcdef"
                    put(0x75); put(0x30); put(0x30)
                    put(hex.utf8Start[Int(b >> 4)]); put(hex.utf8Start[Int(b & 15)])
                }
            }
            if runStart < buf.count { put(UnsafeBufferPointer(rebasing: buf[runStart...])) }
        }
        put(0x22)
    }

    /// An address as a JSON string, formatted straight into the buffer (no String per address).
    func address(_ a: IPAddress) {
        quoted(maxLength: IPAddress.maxFormattedLength) { a.write(into: $0, at: $1) }
    }

    /// A prefix ("10.0.0.0/24") as a JSON string, formatted straight into the buffer like `address`.
    func prefix(_ p: IPPrefix) {
        quoted(maxLength: IPAddress.maxFormattedLength + 4) { p.write(into: $0, at: $1) }
    }

    /// Writes a JSON string whose text `write` formats at the given offset of the buffer (at most `maxLength`
    /// bytes that need no escaping; `write` returns how many it wrote).
    @inline(__always)
    private func quoted(maxLength: Int, _ write: (UnsafeMutableBufferPointer<UInt8>, Int) -> Int) {
        reserve(maxLength + 2)
        let s = state
        let buf = UnsafeMutableBufferPointer(start: s.pointee.bytes, count: s.pointee.capacity)
        var i = s.pointee.count
        buf[i] = 0x22
        i += 1
        i += write(buf, i)
        buf[i] = 0x22
        s.pointee.count = i + 1
    }

    /// A static name that needs no escaping, as a JSON string.
    func quoted(_ s: StaticString) {
        put(0x22)
        put(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
        put(0x22)
    }

    /// Digits straight into the buffer: no String per number.
    func unsigned(_ v: UInt64) {
        if v < 10 { put(0x30 + UInt8(v)); return }
        var n = 0
        var x = v
        while x > 0 { n += 1; x /= 10 }
        reserve(n)
        let end = state.pointee.bytes + state.pointee.count + n
        x = v
        for i in 1...n { end[-i] = 0x30 + UInt8(x % 10); x /= 10 }
        state.pointee.count += n
    }

    func integer(_ v: Int64) {
        if v < 0 { put(0x2D); unsigned(UInt64(-(v + 1)) + 1) } else { unsigned(UInt64(v)) }
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
        if T.self == Snapshot.self { Self.same(value, Snapshot.self).writeJSON(self); return }
        if T.self == Namespace.self { Self.same(value, Namespace.self).writeJSON(self); return }
        if T.self == Firewall.self { Self.same(value, Firewall.self).writeJSON(self); return }
        if T.self == Link.self { Self.same(value, Link.self).writeJSON(self); return }
        if T.self == Route.self { Self.same(value, Route.self).writeJSON(self); return }
        if T.self == Neighbor.self { Self.same(value, Neighbor.self).writeJSON(self); return }
        if T.self == FirewallRule.self { Self.same(value, FirewallRule.self).writeJSON(self); return }
        if T.self == ConntrackEntry.self { Self.same(value, ConntrackEntry.self).writeJSON(self); return }
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
