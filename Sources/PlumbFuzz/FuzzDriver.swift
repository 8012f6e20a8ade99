import Foundation
import PlumbCapture

// Deterministic fuzzing of every decoder entry point and of the file readers. A crash or hang here is a bug:
// decoders must turn any byte string into "valid prefix + marker". The unit tests run a short campaign; `make
// fuzz` can call `runFuzz` with millions of iterations and a fresh seed.

/// SplitMix64: tiny, fast and reproducible from a seed (the system generator cannot be seeded).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

public struct FuzzReport: Sendable, Equatable {
    /// Byte strings generated (random + mutated).
    public var inputs: Int
    /// Decoder calls made (inputs x entry points, plus file-reader calls).
    public var decodes: Int
    /// Bytes fed to decoders.
    public var bytes: Int
    /// How the decodes ended.
    public var complete: Int
    public var truncated: Int
    public var malformed: Int
    public var seconds: Double
}

/// Feeds `iterations` random byte strings (length 0...`maxLength`) and `mutations` mutated copies of `corpus`
/// frames (bit flips, truncations, overwritten bytes, spliced tails) to every `StartLayer` entry point, renders
/// each result's summary and fields, and also runs the pcap/pcapng readers on file-shaped random input.
@discardableResult
public func runFuzz(iterations: Int, seed: UInt64, corpus: [[UInt8]] = [], mutations: Int = 0,
                    maxLength: Int = 1600) -> FuzzReport {
    var rng = SplitMix64(seed: seed)
    var report = FuzzReport(inputs: 0, decodes: 0, bytes: 0, complete: 0, truncated: 0, malformed: 0, seconds: 0)
    let clock = ContinuousClock()
    let start = clock.now

    func record(_ packet: DecodedPacket, _ count: Int) {
        _ = packet.summary
        _ = packet.summary(linkLevel: true)
        _ = packet.fields()
        report.decodes += 1
        report.bytes += count
        switch packet.status {
        case .complete: report.complete += 1
        case .truncated: report.truncated += 1
        case .malformed: report.malformed += 1
        }
    }

    func exercise(_ input: [UInt8], _ rng: inout SplitMix64) {
        report.inputs += 1
        input.withUnsafeBytes { raw in
            for entry in StartLayer.allCases {
                // Sometimes claim a longer wire length, as a snaplen-cut capture would.
                let wire = rng.next() % 4 == 0 ? raw.count + Int(rng.next() % 1500) : raw.count
                record(PacketDecoder.decode(raw, startingAt: entry, wireLength: wire), raw.count)
            }
            // The link-type entry point, including a type Plumb does not decode.
            let link = fuzzLinkTypes[Int(rng.next() % UInt64(fuzzLinkTypes.count))]
            record(PacketDecoder.decode(raw, linkType: link, wireLength: nil), raw.count)
        }
        _ = HexDump.lines(input)
        // File readers: give them a real magic so they get past the first check.
        var file = input
        switch rng.next() % 3 {
        case 0: file.replaceSubrange(0..<min(4, file.count), with: [0xD4, 0xC3, 0xB2, 0xA1])
        case 1: file.replaceSubrange(0..<min(4, file.count), with: [0x0A, 0x0D, 0x0D, 0x0A])
        default: break
        }
        _ = try? CaptureFile.read(file)
        report.decodes += 1
    }

    for _ in 0..<iterations {
        let length = Int(rng.next() % UInt64(maxLength + 1))
        var input = [UInt8](repeating: 0, count: length)
        for i in 0..<length { input[i] = UInt8(truncatingIfNeeded: rng.next()) }
        exercise(input, &rng)
    }
    if !corpus.isEmpty {
        for _ in 0..<mutations {
            let base = corpus[Int(rng.next() % UInt64(corpus.count))]
            exercise(mutate(base, &rng, corpus: corpus), &rng)
        }
    }
    let elapsed = clock.now - start
    report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return report
}

private let fuzzLinkTypes: [LinkType] = [.ethernet, .raw, .rawLegacy, .linuxSLL, .linuxSLL2, .ipv4, .ipv6,
                                         LinkType(rawValue: 147)]

/// Frames of capture files, as a mutation corpus for `runFuzz` (unreadable files are skipped).
public func fuzzCorpus(captureFiles paths: [String]) -> [[UInt8]] {
    paths.flatMap { path in (try? CaptureFile.read(path: path))?.packets.map(\.data) ?? [] }
}

/// One to four random edits of a real frame: the inputs most likely to reach deep decoder states.
func mutate(_ frame: [UInt8], _ rng: inout SplitMix64, corpus: [[UInt8]]) -> [UInt8] {
    var out = frame
    let edits = 1 + Int(rng.next() % 4)
    for _ in 0..<edits {
        switch rng.next() % 6 {
        case 0, 1:  // flip one bit
            guard !out.isEmpty else { continue }
            let i = Int(rng.next() % UInt64(out.count))
            out[i] ^= UInt8(1) << UInt8(rng.next() % 8)
        case 2:  // truncate
            out = Array(out.prefix(Int(rng.next() % UInt64(out.count + 1))))
        case 3:  // overwrite with a boundary value (lengths, counts and pointers love these)
            guard !out.isEmpty else { continue }
            let i = Int(rng.next() % UInt64(out.count))
            let values: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xC0, 0xFE, 0xFF]
            out[i] = values[Int(rng.next() % UInt64(values.count))]
        case 4:  // random byte
            guard !out.isEmpty else { continue }
            out[Int(rng.next() % UInt64(out.count))] = UInt8(truncatingIfNeeded: rng.next())
        default:  // splice: keep a prefix, continue with another frame's tail
            let other = corpus[Int(rng.next() % UInt64(corpus.count))]
            let cut = Int(rng.next() % UInt64(out.count + 1))
            let from = Int(rng.next() % UInt64(other.count + 1))
            out = Array(out.prefix(cut)) + other[from...]
        }
    }
    return out
}
