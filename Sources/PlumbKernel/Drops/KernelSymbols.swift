import CDrops
import Glibc
import PlumbModel

/// Names kernel text addresses from /proc/kallsyms ("nft_do_chain+0x3c4 [nf_tables]"). Without root kallsyms
/// shows zero addresses; then nothing resolves and locations are printed as addresses.
///
/// There is no symbol table: building one (120,000 strings and a sort) took 1.6–2.1 s in a debug build and held
/// back the first drop that long. Drops come from a few dozen places in the kernel, so only the addresses
/// actually seen are named, all of a batch's in one pass over the text (`KernelSymbolCache` remembers them).
public enum KernelSymbols {
    /// The symbol at or before each of `addresses` (a return address lies inside its function), found in one
    /// pass over kallsyms text (`ffffffff81fbea00 T nft_do_chain [nf_tables]`; text symbols only: t, T, w, W).
    public static func resolve(_ addresses: some Sequence<UInt64>, inKallsyms bytes: [UInt8]) -> [UInt64: KernelLocation] {
        let targets = Array(Set(addresses)).sorted()
        guard !targets.isEmpty else { return [:] }
        var symbolAddress = [UInt64](repeating: 0, count: targets.count)
        var nameOffset = [Int64](repeating: -1, count: targets.count)
        bytes.withUnsafeBufferPointer { buf in
            plumb_kallsyms_scan(buf.baseAddress, buf.count, targets, targets.count, &symbolAddress, &nameOffset)
        }
        var out: [UInt64: KernelLocation] = [:]
        out.reserveCapacity(targets.count)
        for (i, target) in targets.enumerated() {
            let symbol = nameOffset[i] < 0 ? nil : (addr: symbolAddress[i], nameStart: Int(nameOffset[i]))
            out[target] = location(target, symbolAt: symbol, in: bytes)
        }
        return out
    }

    /// One address (the live trace's lost probe).
    public static func resolve(_ address: UInt64, inKallsyms bytes: [UInt8]) -> KernelLocation {
        resolve([address], inKallsyms: bytes)[address] ?? KernelLocation(address: address)
    }

    /// `address` inside the symbol whose name starts at `nameStart`; past 1 MiB from the nearest symbol the
    /// address is not inside it (a gap, or an unlisted region) and stays unnamed.
    private static func location(_ address: UInt64, symbolAt symbol: (addr: UInt64, nameStart: Int)?,
                                 in bytes: [UInt8]) -> KernelLocation {
        guard let symbol, address - symbol.addr < 1 << 20 else { return KernelLocation(address: address) }
        let end = bytes[symbol.nameStart...].firstIndex(of: 0x0A) ?? bytes.endIndex
        let line = bytes[symbol.nameStart..<end]
        let nameEnd = line.firstIndex { $0 == 0x20 || $0 == 0x09 } ?? end
        var module: String?
        if let open = line.firstIndex(of: UInt8(ascii: "[")), let close = line.lastIndex(of: UInt8(ascii: "]")), open < close {
            module = String(decoding: bytes[(open + 1)..<close], as: UTF8.self)
        }
        return KernelLocation(address: address, symbol: String(decoding: bytes[symbol.nameStart..<nameEnd], as: UTF8.self),
                              offset: address - symbol.addr, module: module)
    }
}

/// The drop locations named so far, for the watcher's reader thread (not shared: no lock). Addresses seen
/// before cost a dictionary lookup. New addresses are named from the text of /proc/kallsyms, which is kept until
/// it has named nothing new for `textKept`: reading it costs the kernel 40–70 ms (5 MB of text formatted line by
/// line), and drops keep coming from new places in the kernel for minutes (each caller of kfree_skb is a
/// location), so reading it for each of them was most of an idle TUI's drops cost. Kept only a minute after its
/// read, it was read again for a location that first dropped two minutes in on a host whose bridges drop
/// multicast: 70 ms, more than the idle TUI's whole 20 s around it. An address the kept text cannot name (code
/// of a module loaded after it was read) reads it again, at most once per `rereadSpacing`.
final class KernelSymbolCache {
    private var known: [UInt64: KernelLocation] = [:]
    private let readKallsyms: () -> [UInt8]?
    /// Drops come from a few dozen kernel functions; past this many addresses something is odd (a corrupt
    /// stream), and the cache starts over rather than grow.
    private let capacity: Int
    private let now: () -> UInt64
    /// The last read of kallsyms, when, and when it last named a new address (CLOCK_MONOTONIC ns); nil once it
    /// has named nothing for `textKept` (its 5 MB are let go).
    private var text: (bytes: [UInt8]?, readAt: UInt64, usedAt: UInt64)?
    static let textKept: UInt64 = 600_000_000_000
    static let rereadSpacing: UInt64 = 1_000_000_000

    init(capacity: Int = 16_384, readKallsyms: @escaping () -> [UInt8]? = { readWholeFile("/proc/kallsyms") },
         now: @escaping () -> UInt64 = { DropWatcher.monotonicNanos() }) {
        self.capacity = capacity
        self.readKallsyms = readKallsyms
        self.now = now
    }

    /// Names every address of `addresses` not named yet (from the kept text, or one read for all of them).
    func learn(_ addresses: some Sequence<UInt64>) {
        let new = Set(addresses.lazy.filter { self.known[$0] == nil })
        let t = now()
        if let kept = text, t &- kept.usedAt >= Self.textKept { text = nil }
        guard !new.isEmpty else { return }
        if known.count + new.count > capacity { known.removeAll(keepingCapacity: true) }
        var named: [UInt64: KernelLocation] = [:]
        if let bytes = text?.bytes {
            named = KernelSymbols.resolve(new, inKallsyms: bytes)
            text?.usedAt = t
        }
        let unnamed = new.filter { named[$0]?.symbol == nil }
        var retry: Set<UInt64> = []
        if !unnamed.isEmpty {
            if text.map({ t &- $0.readAt >= Self.rereadSpacing }) ?? true {
                let bytes = readKallsyms()
                text = (bytes, t, t)
                if let bytes { named.merge(KernelSymbols.resolve(unnamed, inKallsyms: bytes)) { _, fresh in fresh } }
            } else {
                // Read less than a second ago: these stay unknown, so that a later batch names them from a new
                // read (an address a fresh read cannot name stays an address for good).
                retry = unnamed
            }
        }
        for address in new where !retry.contains(address) {
            known[address] = named[address] ?? KernelLocation(address: address)
        }
    }

    /// The location of `address`, named if `learn` saw it.
    func location(_ address: UInt64) -> KernelLocation {
        known[address] ?? KernelLocation(address: address)
    }

    var count: Int { known.count }

    /// Whether the text of kallsyms is kept now (tests).
    var keepsText: Bool { text?.bytes != nil }
}
