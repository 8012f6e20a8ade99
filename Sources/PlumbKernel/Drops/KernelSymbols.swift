import Glibc
import PlumbModel

/// The kernel's text symbols from /proc/kallsyms, sorted by address, to name a drop's location
/// ("nft_do_chain+0x3c4 [nf_tables]"). Without root kallsyms shows zero addresses; then nothing resolves
/// and locations are printed as addresses.
public struct KernelSymbols: Sendable {
    private var addresses: [UInt64] = []
    private var names: [String] = []
    private var modules: [String?] = []

    public init() {}

    /// Parses kallsyms text: `ffffffff81fbea00 T nft_do_chain [nf_tables]`; only text symbols (t, T, w, W).
    public init(parsing bytes: [UInt8]) {
        var entries: [(UInt64, String, String?)] = []
        entries.reserveCapacity(bytes.count / 40)
        bytes.withUnsafeBufferPointer { buf in
            var i = 0
            let n = buf.count
            while i < n {
                var lineEnd = i
                while lineEnd < n && buf[lineEnd] != 0x0A { lineEnd += 1 }
                defer { i = lineEnd + 1 }
                // address
                var addr: UInt64 = 0
                var j = i
                while j < lineEnd, let d = Self.hex(buf[j]) { addr = addr &<< 4 | UInt64(d); j += 1 }
                guard j < lineEnd, buf[j] == 0x20, addr != 0, j + 3 < lineEnd else { continue }
                let type = buf[j + 1]
                guard type == UInt8(ascii: "t") || type == UInt8(ascii: "T") || type == UInt8(ascii: "w")
                        || type == UInt8(ascii: "W"), buf[j + 2] == 0x20 else { continue }
                let nameStart = j + 3
                var nameEnd = nameStart
                while nameEnd < lineEnd && buf[nameEnd] != 0x20 && buf[nameEnd] != 0x09 { nameEnd += 1 }
                let name = String(decoding: UnsafeBufferPointer(rebasing: buf[nameStart..<nameEnd]), as: UTF8.self)
                var module: String?
                if let open = (nameEnd..<lineEnd).first(where: { buf[$0] == UInt8(ascii: "[") }),
                   let close = (open..<lineEnd).first(where: { buf[$0] == UInt8(ascii: "]") }) {
                    module = String(decoding: UnsafeBufferPointer(rebasing: buf[(open + 1)..<close]), as: UTF8.self)
                }
                entries.append((addr, name, module))
            }
        }
        entries.sort { $0.0 < $1.0 }
        addresses = entries.map(\.0)
        names = entries.map(\.1)
        modules = entries.map(\.2)
    }

    public var count: Int { addresses.count }

    /// The symbol at or before `address` (a return address lies inside its function).
    public func resolve(_ address: UInt64) -> KernelLocation {
        var lo = 0, hi = addresses.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if addresses[mid] <= address { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return KernelLocation(address: address) }
        let i = lo - 1
        let offset = address - addresses[i]
        // Past 1 MiB from the nearest symbol the address is not inside it (a gap, or an unlisted region).
        guard offset < 1 << 20 else { return KernelLocation(address: address) }
        return KernelLocation(address: address, symbol: names[i], offset: offset, module: modules[i])
    }

    /// The symbol at or before one `address`, found in one pass over kallsyms text without building the
    /// table: what a caller that names a single drop needs (the live trace's lost probe). Building the whole
    /// table costs 120,000 strings and a sort; this costs a scan of the lines' addresses.
    public static func resolve(_ address: UInt64, inKallsyms bytes: [UInt8]) -> KernelLocation {
        var best: (addr: UInt64, line: Int, nameStart: Int)?
        bytes.withUnsafeBufferPointer { buf in
            let n = buf.count
            var i = 0
            while i < n {
                var addr: UInt64 = 0
                var j = i
                while j < n, let d = hex(buf[j]) { addr = addr &<< 4 | UInt64(d); j += 1 }
                if j + 3 < n, buf[j] == 0x20, addr != 0, addr <= address, addr >= (best?.addr ?? 0), buf[j + 2] == 0x20 {
                    let type = buf[j + 1] | 0x20   // t/T and w/W alike
                    if type == UInt8(ascii: "t") || type == UInt8(ascii: "w") { best = (addr, i, j + 3) }
                }
                // To the next line.
                guard let base = buf.baseAddress, let nl = memchr(base + j, 0x0A, n - j) else { break }
                i = base.distance(to: nl.assumingMemoryBound(to: UInt8.self)) + 1
            }
        }
        guard let best, address - best.addr < 1 << 20 else { return KernelLocation(address: address) }
        let end = bytes[best.nameStart...].firstIndex(of: 0x0A) ?? bytes.endIndex
        let line = bytes[best.nameStart..<end]
        let nameEnd = line.firstIndex { $0 == 0x20 || $0 == 0x09 } ?? end
        var module: String?
        if let open = line.firstIndex(of: UInt8(ascii: "[")), let close = line.lastIndex(of: UInt8(ascii: "]")), open < close {
            module = String(decoding: bytes[(open + 1)..<close], as: UTF8.self)
        }
        return KernelLocation(address: address, symbol: String(decoding: bytes[best.nameStart..<nameEnd], as: UTF8.self),
                              offset: address - best.addr, module: module)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}
