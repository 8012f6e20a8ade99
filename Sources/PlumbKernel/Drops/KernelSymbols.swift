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

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}
