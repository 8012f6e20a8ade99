import XCTest
@testable import PlumbCapture
import PlumbFuzz

/// pcap and pcapng writers and readers: round trips, byte orders, and damaged files.
final class CaptureFileTests: XCTestCase {
    /// A few real frames with distinct timestamps (nanosecond parts chosen to expose precision loss).
    static func samplePackets(interfaces: Int = 1) throws -> [CapturedPacket] {
        let frames = try Fixtures.load("dns.pcap").packets.map(\.data) + Fixtures.load("arp-icmp.pcap").packets.map(\.data)
        return frames.enumerated().map { i, data in
            CapturedPacket(timestamp: PacketTimestamp(seconds: 1_750_000_000 + Int64(i), nanoseconds: UInt32(i) * 1_001_001),
                           data: data, interfaceID: i % interfaces)
        }
    }

    func testPcapMicrosecondRoundTrip() throws {
        let packets = try Self.samplePackets()
        let sink = MemorySink()
        let writer = try PcapWriter(sink: sink, linkType: .ethernet)
        for p in packets { try writer.write(p) }
        XCTAssertEqual(Array(sink.bytes.prefix(4)), [0xD4, 0xC3, 0xB2, 0xA1])
        let file = try PcapReader.read(sink.bytes)
        XCTAssertEqual(file.linkType, .ethernet)
        XCTAssertEqual(file.precision, .microseconds)
        XCTAssertFalse(file.truncatedAtEnd)
        XCTAssertEqual(file.packets.map(\.data), packets.map(\.data))
        // Microsecond files keep microseconds: the last three digits of the nanoseconds are dropped.
        XCTAssertEqual(file.packets.map(\.timestamp), packets.map {
            PacketTimestamp(seconds: $0.timestamp.seconds, nanoseconds: $0.timestamp.nanoseconds / 1000 * 1000)
        })
    }

    func testPcapNanosecondRoundTripIsExact() throws {
        let packets = try Self.samplePackets()
        let sink = MemorySink()
        let writer = try PcapWriter(sink: sink, linkType: .ethernet, snapLength: 65535, precision: .nanoseconds)
        for p in packets { try writer.write(p) }
        let file = try PcapReader.read(sink.bytes)
        XCTAssertEqual(file.precision, .nanoseconds)
        XCTAssertEqual(file.snapLength, 65535)
        XCTAssertEqual(file.packets, packets)
    }

    func testPcapSnapLengthCutsAndKeepsOriginalLength() throws {
        let sink = MemorySink()
        let writer = try PcapWriter(sink: sink, linkType: .ethernet, snapLength: 60)
        let frame = try Fixtures.load("tcp.pcap").packets[3].data
        try writer.write(CapturedPacket(timestamp: PacketTimestamp(seconds: 1, nanoseconds: 0), data: frame))
        let p = try XCTUnwrap(PcapReader.read(sink.bytes).packets.first)
        XCTAssertEqual(p.data, Array(frame.prefix(60)))
        XCTAssertEqual(p.originalLength, frame.count)
        XCTAssertEqual(PacketDecoder.decode(p.data, linkType: .ethernet, wireLength: p.originalLength).status,
                       .truncated(layer: "TCP"))
    }

    func testPcapBigEndianFileIsRead() throws {
        // Hand-built big-endian (e.g. from a SPARC or PowerPC capture host) nanosecond file with one record.
        let frame: [UInt8] = try Fixtures.load("arp-icmp.pcap").packets[0].data
        var bytes: [UInt8] = [0xA1, 0xB2, 0x3C, 0x4D, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 1]
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        bytes += be32(1_750_000_000) + be32(123_456_789) + be32(UInt32(frame.count)) + be32(UInt32(frame.count)) + frame
        let file = try PcapReader.read(bytes)
        XCTAssertTrue(file.bigEndian)
        XCTAssertEqual(file.precision, .nanoseconds)
        XCTAssertEqual(file.packets.first?.timestamp, PacketTimestamp(seconds: 1_750_000_000, nanoseconds: 123_456_789))
        XCTAssertEqual(file.packets.first?.data, frame)
    }

    func testPcapCutInTheMiddleOfARecordKeepsTheCompleteOnes() throws {
        let bytes = try Array(Data(contentsOf: Fixtures.url("dns.pcap")))
        let file = try PcapReader.read(Array(bytes.dropLast(10)))
        XCTAssertTrue(file.truncatedAtEnd)
        XCTAssertEqual(file.packets.count, 9)
        XCTAssertThrowsError(try PcapReader.read(Array(bytes.prefix(12))))
        XCTAssertThrowsError(try PcapReader.read(Array("not a capture file".utf8))) {
            XCTAssertEqual($0 as? CaptureFileError, .notACaptureFile)
        }
    }

    func testPcapngRoundTripWithInterfacesAndComments() throws {
        let packets = try Self.samplePackets(interfaces: 2).enumerated().map { i, p -> CapturedPacket in
            var p = p
            if i == 1 { p.comment = "first DNS answer" }
            return p
        }
        let sink = MemorySink()
        let writer = try PcapngWriter(sink: sink, comment: "plumb capture: web-1 <-> db-1", hardware: "x86_64",
                                      os: "Linux", application: "Plumb test")
        let a = CaptureInterface(linkType: .ethernet, snapLength: 262_144, name: "veth1a2b",
                                 description: "netns cni-1234 (container web-1)", comment: "bridge cni0")
        let b = CaptureInterface(linkType: .ethernet, snapLength: 65535, name: "eth0",
                                 description: "netns cni-5678 (container db-1)", timestampResolution: 6)
        XCTAssertEqual(try writer.addInterface(a), 0)
        XCTAssertEqual(try writer.addInterface(b), 1)
        for p in packets { try writer.write(p) }
        XCTAssertEqual(sink.bytes.count % 4, 0)

        let file = try PcapngReader.read(sink.bytes)
        XCTAssertEqual(file.comment, "plumb capture: web-1 <-> db-1")
        XCTAssertEqual(file.hardware, "x86_64")
        XCTAssertEqual(file.os, "Linux")
        XCTAssertEqual(file.application, "Plumb test")
        XCTAssertEqual(file.interfaces, [a, b])
        XCTAssertFalse(file.truncatedAtEnd)
        // Interface 1 has microsecond resolution: its packets lose the sub-microsecond digits.
        let expected = packets.map { p -> CapturedPacket in
            guard p.interfaceID == 1 else { return p }
            var q = p
            q.timestamp.nanoseconds = p.timestamp.nanoseconds / 1000 * 1000
            return q
        }
        XCTAssertEqual(file.packets, expected)

        let any = try CaptureFile.read(sink.bytes)
        XCTAssertTrue(any.isPcapng)
        XCTAssertEqual(any.decode(1).summary, "IP 10.213.1.1.53 > 10.213.1.2.53000: 4321 1/0/0 A 10.213.9.9 (46)")
    }

    func testPcapngRejectsPacketsForUndeclaredInterfaces() throws {
        let writer = try PcapngWriter(sink: MemorySink())
        XCTAssertThrowsError(try writer.write(CapturedPacket(timestamp: PacketTimestamp(seconds: 0, nanoseconds: 0),
                                                             data: [1, 2, 3])))
    }

    func testPcapngTimestampResolutions() {
        let t = PacketTimestamp(seconds: 1_750_000_000, nanoseconds: 123_456_789)
        // (Picoseconds, tsresol 12, cannot hold a current date in 64 bits: that is a limit of the format.)
        for res: UInt8 in [0, 3, 6, 9, 0x80 | 20, 0x80 | 30] {
            let back = PcapngReader.timestamp(PcapngWriter.timestampUnits(t, resolution: res), resolution: res)
            XCTAssertEqual(back.seconds, t.seconds, "tsresol \(res)")
            let tolerance: Int64 = res & 0x80 != 0 ? 1_000_000_000 >> Int64(res & 0x7F) + 1 : (res >= 9 ? 0 : Int64(PcapngWriter.pow10(9 - Int(res))))
            XCTAssertLessThanOrEqual(abs(Int64(back.nanoseconds) - Int64(t.nanoseconds)), tolerance, "tsresol \(res)")
        }
    }

    func testFileSinkWritesAndSyncs() throws {
        let path = temporaryPath("sink.pcapng")
        let sink = try FileSink(path: path, bufferSize: 256)
        let writer = try PcapngWriter(sink: sink, comment: "file sink")
        try writer.addInterface(CaptureInterface(linkType: .ethernet, name: "pta0"))
        let packets = try Self.samplePackets()
        for p in packets { try writer.write(p) }
        try sink.close()
        try sink.close()  // idempotent
        XCTAssertThrowsError(try sink.write([1]))
        let file = try PcapngReader.read(path: path)
        XCTAssertEqual(file.packets, packets)
        XCTAssertEqual(file.comment, "file sink")
        XCTAssertThrowsError(try FileSink(path: "/nonexistent-dir/x.pcap")) {
            XCTAssertTrue(String(describing: $0).contains("No such file"))
        }
    }

    func testGarbageFilesThrowInsteadOfCrashing() throws {
        var rng = SplitMix64(seed: 7)
        // Mutations of well-formed files reach the block and record parsers, which random bytes rarely do.
        let sink = MemorySink()
        let writer = try PcapngWriter(sink: sink, comment: "c")
        try writer.addInterface(CaptureInterface(linkType: .ethernet, name: "a", description: "d"))
        for p in try Self.samplePackets().prefix(4) { var p = p; p.comment = "x"; try writer.write(p) }
        let pcapng = sink.bytes
        let pcap = try Array(Data(contentsOf: Fixtures.url("arp-icmp.pcap")))
        var read = 0, threw = 0
        func tally(_ bytes: [UInt8]) {
            if (try? CaptureFile.read(bytes)) != nil { read += 1 } else { threw += 1 }
        }
        for n in 0..<4000 {
            var bytes = n % 2 == 0 ? pcapng : pcap
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let i = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[i] ^= UInt8(1) << UInt8(rng.next() % 8)
                case 1: bytes[i] = [0, 0xFF, 0x80, 0x0C][Int(rng.next() % 4)]
                default: bytes = Array(bytes.prefix(i))
                }
                if bytes.isEmpty { break }
            }
            tally(bytes)
        }
        for n in 0..<2000 {
            var bytes = (0..<(n % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if n % 2 == 0, bytes.count >= 4 { bytes.replaceSubrange(0..<4, with: [0x0A, 0x0D, 0x0D, 0x0A]) }
            if n % 3 == 0, bytes.count >= 12 { bytes.replaceSubrange(8..<12, with: [0x4D, 0x3C, 0x2B, 0x1A]) }
            tally(bytes)
        }
        // Both outcomes must occur: all-throw would mean the mutations never get past the header checks, and
        // no-throw would mean the readers accept anything.
        XCTAssertGreaterThan(read, 0, "no mutated file was readable")
        XCTAssertGreaterThan(threw, 0, "no garbage file was refused")
        XCTAssertEqual(read + threw, 6000)
    }
}
