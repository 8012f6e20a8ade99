import Glibc
import PlumbCapture

/// Packet lines for stdout: tcpdump-style text (`HH:MM:SS.ffffff [source] summary`) or NDJSON with every
/// decoded field. Collects a batch into one buffer and writes it with one system call.
final class CapturePrinter {
    let json: Bool
    let sources: [CaptureSourceInfo]
    /// Print the source label on each line (several sources).
    let labelled: Bool
    private var out: [UInt8] = []

    init(json: Bool, sources: [CaptureSourceInfo]) {
        self.json = json
        self.sources = sources
        labelled = sources.count > 1
        out.reserveCapacity(1 << 16)
    }

    func add(_ p: LivePacket) {
        let info = sources[p.source]
        let decoded = p.data.withUnsafeBytes { raw in
            PacketDecoder.decode(Array(raw), linkType: info.linkType, wireLength: p.originalLength)
        }
        let line = PacketLine(packet: p, info: info, decoded: decoded, labelled: labelled)
        if let bytes = try? line.bytes(as: OutputFormat(json: json)) { out += bytes }
    }

    /// `ifindex 5 In IP ...` (an `any` capture) -> `eth0 In IP ...`, as tcpdump prints it.
    static func naming(_ summary: String, _ names: [Int: String]) -> String { InterfaceNaming.apply(summary, names) }

    /// Writes what was collected; false when stdout is gone (a closed pipe).
    func flush() -> Bool {
        defer { out.removeAll(keepingCapacity: true) }
        var off = 0
        return out.withUnsafeBytes { raw in
            while off < raw.count {
                let n = write(1, raw.baseAddress! + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return true
        }
    }

    /// Local wall-clock time with microseconds, as tcpdump prints it.
    static func clock(_ t: PacketTimestamp) -> String {
        var secs = time_t(t.seconds)
        var tmv = tm()
        localtime_r(&secs, &tmv)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let micros = String(t.nanoseconds / 1000)
        return "\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec))." + String(repeating: "0", count: 6 - micros.count) + micros
    }

    /// ISO 8601 UTC with nanoseconds.
    static func iso(_ t: PacketTimestamp) -> String {
        var secs = time_t(t.seconds)
        var tmv = tm()
        gmtime_r(&secs, &tmv)
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(Int(tmv.tm_year) + 1900, 4))-\(pad(Int(tmv.tm_mon) + 1, 2))-\(pad(Int(tmv.tm_mday), 2))T"
            + "\(pad(Int(tmv.tm_hour), 2)):\(pad(Int(tmv.tm_min), 2)):\(pad(Int(tmv.tm_sec), 2)).\(pad(Int(t.nanoseconds), 9))Z"
    }
}

/// One packet as `plumb capture` prints it: a tcpdump-style line, or one NDJSON object with every decoded field.
struct PacketLine: CommandOutput {
    var packet: LivePacket
    var info: CaptureSourceInfo
    var decoded: DecodedPacket
    /// Text: the source label after the time (several sources).
    var labelled: Bool

    var json: PacketJSON { PacketJSON(packet, info: info, decoded: decoded) }
    func text() -> String {
        var line = CapturePrinter.clock(packet.timestamp) + " "
        if labelled { line += info.source.label + " " }
        return line + CapturePrinter.naming(decoded.summary, info.source.interfaceNames) + "\n"
    }
}

/// One NDJSON line of `plumb capture --json`.
struct PacketJSON: Encodable {
    struct LayerJSON: Encodable {
        var name: String
        /// Field name -> value as the detail view shows it, numbers and flags as JSON numbers and booleans; a
        /// repeated name gets `#2`, `#3`...
        var fields: [String: FieldValue]

        enum CodingKeys: String, CodingKey { case name, fields }
        /// The fields sorted by name, as they always were (a dictionary of non-String values would come out
        /// in hash order).
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            var f = c.nestedContainer(keyedBy: FieldKey.self, forKey: .fields)
            for k in fields.keys.sorted() { try f.encode(fields[k]!, forKey: FieldKey(stringValue: k)) }
        }
    }

    struct FieldKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    var seq: UInt64
    var time: String
    /// Nanoseconds since the Unix epoch (exact; `time` is the same instant as text).
    var epochNanos: UInt64
    var source: String
    var interface: String
    var namespace: String
    var linkType: String
    var length: Int
    var capturedLength: Int
    var summary: String
    var layers: [LayerJSON]

    init(_ p: LivePacket, info: CaptureSourceInfo, decoded: DecodedPacket) {
        seq = p.sequence
        time = CapturePrinter.iso(p.timestamp)
        epochNanos = p.timestamp.totalNanoseconds
        source = info.source.label
        interface = info.source.interface
        namespace = info.source.namespaceDescription
        linkType = info.linkType.description
        length = p.originalLength
        capturedLength = p.data.count
        summary = CapturePrinter.naming(decoded.summary, info.source.interfaceNames)
        var layers: [LayerJSON] = []
        for row in decoded.typedFields() {
            if layers.last?.name != row.layer { layers.append(LayerJSON(name: row.layer, fields: [:])) }
            var key = row.name, n = 2
            while layers[layers.count - 1].fields[key] != nil { key = "\(row.name)#\(n)"; n += 1 }
            layers[layers.count - 1].fields[key] = row.value
        }
        self.layers = layers
    }
}
