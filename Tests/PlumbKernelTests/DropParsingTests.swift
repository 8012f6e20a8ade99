import Foundation
import XCTest
@testable import PlumbKernel
import PlumbModel

/// The drop watcher's parsers on a format file recorded from kernel 6.18 (and a 5.17-style one) and a kallsyms
/// excerpt: field offsets, reason names, and locations.
final class DropParsingTests: XCTestCase {
    private func fixture(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: Bundle.module.resourceURL!.appendingPathComponent("Fixtures/drops/\(name)")),
               as: UTF8.self)
    }

    func testFormatFieldsOfKernel618() throws {
        let f = try KfreeSkbFormat(parsing: try fixture("kfree_skb.format-6.18"))
        XCTAssertEqual(f.fields["skbaddr"], .init(offset: 8, size: 8))
        XCTAssertEqual(f.fields["location"], .init(offset: 16, size: 8))
        XCTAssertEqual(f.fields["rx_sk"], .init(offset: 24, size: 8))
        XCTAssertEqual(f.fields["protocol"], .init(offset: 32, size: 2))
        XCTAssertEqual(f.fields["reason"], .init(offset: 36, size: 4))
        XCTAssertEqual(f.fields["common_pid"], .init(offset: 4, size: 4))
    }

    func testReasonNamesOfKernel618() throws {
        let f = try KfreeSkbFormat(parsing: try fixture("kfree_skb.format-6.18"))
        XCTAssertEqual(f.reasons.count, 128)
        XCTAssertEqual(f.reason(2).name, "NOT_SPECIFIED")
        XCTAssertEqual(f.reason(3).name, "NO_SOCKET")
        XCTAssertEqual(f.reason(6).name, "SOCKET_RCVBUFF")
        XCTAssertEqual(f.reason(12).name, "NETFILTER_DROP")
        XCTAssertEqual(f.reason(16).name, "IP_RPFILTER")
        XCTAssertEqual(f.reason(88).name, "IP_INNOROUTES")
        XCTAssertFalse(f.reasonNames.contains("MAX"), "MAX is the enum's end, not a reason to filter on")
        XCTAssertTrue(f.reasonNames.contains("IP_OUTNOROUTES"))
        // Not in the table: a subsystem's reason, and a plain unknown number.
        XCTAssertEqual(f.reason(0x0002_0005).name, "SUBSYS_2_0x5")
        XCTAssertEqual(f.reason(999).name, "REASON_999")
    }

    func testOlderFormatWithoutRxSk() throws {
        let f = try KfreeSkbFormat(parsing: try fixture("kfree_skb.format-5.17"))
        XCTAssertNil(f.fields["rx_sk"])
        XCTAssertEqual(f.fields["protocol"], .init(offset: 24, size: 2))
        XCTAssertEqual(f.fields["reason"], .init(offset: 28, size: 4))
        XCTAssertEqual(f.reason(4).name, "PKT_TOO_SMALL")   // numbers differ between kernels: read, never assumed
    }

    func testFormatWithoutReasonIsRefused() {
        let old = """
            name: kfree_skb
            format:
            \tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;
            \tfield:void * location;\toffset:16;\tsize:8;\tsigned:0;
            \tfield:unsigned short protocol;\toffset:24;\tsize:2;\tsigned:0;
            """
        XCTAssertThrowsError(try KfreeSkbFormat(parsing: old)) { error in
            XCTAssertEqual(error as? KfreeSkbFormat.ParseError, .missingField("reason"))
        }
    }

    func testKallsymsResolvesReturnAddressesInsideFunctions() throws {
        let bytes = Array(try fixture("kallsyms.excerpt").utf8)
        let syms = KernelSymbols.resolve([0xffffffff81fbea00 + 0x3c4, 0xffffffff820a71d0, 0xffffffffc0a01010, 0x1000,
                                          0xffffffffc0a02000 + (2 << 20), 0xffffffff820ea010], inKallsyms: bytes)
        XCTAssertEqual(syms.count, 6)
        let nft = try XCTUnwrap(syms[0xffffffff81fbea00 + 0x3c4])
        XCTAssertEqual(nft.symbol, "nft_do_chain")
        XCTAssertEqual(nft.offset, 0x3c4)
        XCTAssertEqual(nft.description, "nft_do_chain+0x3c4")
        XCTAssertEqual(nft.function, "nft_do_chain")
        XCTAssertEqual(syms[0xffffffff820a71d0]?.description, "udp_queue_rcv_one_skb+0x0")
        let mod = try XCTUnwrap(syms[0xffffffffc0a01010])
        XCTAssertEqual(mod.symbol, "br_nf_pre_routing")
        XCTAssertEqual(mod.module, "br_netfilter")
        XCTAssertEqual(mod.description, "br_nf_pre_routing+0x10 [br_netfilter]")
        // Data symbols (d) are left out: past ipt_do_table's start, the data object does not name the address.
        XCTAssertEqual(syms[0xffffffff820ea010]?.description, "__udp4_lib_rcv+0x418a0")
        // Before the first symbol, and far past the last: unresolved, printed as the address.
        XCTAssertNil(syms[0x1000]?.symbol)
        XCTAssertEqual(syms[0x1000]?.description, "0x1000")
        XCTAssertNil(syms[0xffffffffc0a02000 + (2 << 20)]?.symbol)
    }

    /// The one-pass scan for many addresses answers as a plain reading of the lines does, address by address:
    /// every address between and around the excerpt's symbols, in any order, with repeats.
    func testBatchScanAgreesWithALineByLineReading() throws {
        let text = try fixture("kallsyms.excerpt")
        let bytes = Array(text.utf8)
        let symbols: [(UInt64, String)] = text.split(separator: "\n").compactMap { line in
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count >= 3, "tTwW".contains(f[1]), let a = UInt64(f[0], radix: 16) else { return nil }
            return (a, String(f[2]))
        }
        // The highest symbol at or below the address; of two at the same address (_stext, _text) the later line.
        func reference(_ address: UInt64) -> String? {
            let below = symbols.filter { $0.0 <= address && address - $0.0 < 1 << 20 }
            let top = below.map(\.0).max()
            return below.last { $0.0 == top }?.1
        }
        var addresses: [UInt64] = [0, 1, 0xffffffffffffffff]
        for (a, _) in symbols { addresses += [a - 1, a, a + 1, a + 0x3c4] }
        addresses.shuffle()
        let batch = KernelSymbols.resolve(addresses + addresses.prefix(5), inKallsyms: bytes)
        XCTAssertEqual(batch.count, Set(addresses).count)
        for address in addresses {
            XCTAssertEqual(batch[address]?.symbol, reference(address), String(address, radix: 16))
            XCTAssertEqual(KernelSymbols.resolve(address, inKallsyms: bytes), batch[address], String(address, radix: 16))
        }
        XCTAssertNil(KernelSymbols.resolve(0xffffffff81fbea10, inKallsyms: Array("0000000000000000 T nft_do_chain\n".utf8)).symbol)
    }

    /// New addresses are named from the text kept from a read, without reading kallsyms again, for as long as new
    /// addresses keep coming; an address the kept text cannot name (a module loaded since) reads it again, at most
    /// once a second, and the text is let go once it has named nothing for ten minutes.
    func testCacheNamesNewAddressesFromTheKeptText() throws {
        let bytes = Array(try fixture("kallsyms.excerpt").utf8)
        final class State { var reads = 0; var t: UInt64 = 1; var text: [UInt8] = [] }
        let st = State()
        st.text = bytes
        let cache = KernelSymbolCache(readKallsyms: { st.reads += 1; return st.text }, now: { st.t })
        cache.learn([0xffffffff81fbea00 + 8])
        XCTAssertEqual(st.reads, 1)
        XCTAssertTrue(cache.keepsText)
        st.t += 30_000_000_000
        cache.learn([0xffffffff820a71d0])
        XCTAssertEqual(st.reads, 1, "named from the kept text")
        XCTAssertEqual(cache.location(0xffffffff820a71d0).description, "udp_queue_rcv_one_skb+0x0")
        // A module loaded since: its symbol is not in the kept text. Read again (more than a second later).
        let moduleAddress: UInt64 = 0xffffffffc2001010
        st.text = bytes + Array("ffffffffc2001000 t pt_module_rcv\t[pt_mod]\n".utf8)
        cache.learn([moduleAddress])
        XCTAssertEqual(st.reads, 2)
        XCTAssertEqual(cache.location(moduleAddress).description, "pt_module_rcv+0x10 [pt_mod]")
        // Within a second of that read an unnamed address is not read for; it stays unknown and is named by a
        // later read.
        let later: UInt64 = 0xffffffffc3002020
        st.text += Array("ffffffffc3002000 t pt_later_rcv\t[pt_later]\n".utf8)
        st.t += 500_000_000
        cache.learn([later])
        XCTAssertEqual(st.reads, 2)
        XCTAssertNil(cache.location(later).symbol)
        st.t += 600_000_000
        cache.learn([later])
        XCTAssertEqual(st.reads, 3)
        XCTAssertEqual(cache.location(later).symbol, "pt_later_rcv")
        // New addresses nine minutes apart, long after the last read: still named from the kept text.
        let addresses: [UInt64] = [0xffffffff81fbea00 + 0x10, 0xffffffff820a71d0 + 4]
        for (i, address) in addresses.enumerated() {
            st.t += 540_000_000_000
            cache.learn([address])
            XCTAssertEqual(st.reads, 3, "address \(i) named from the kept text")
            XCTAssertNotNil(cache.location(address).symbol)
        }
        // Ten minutes after it last named one, the text is let go on the next batch, even one of known addresses.
        st.t += 601_000_000_000
        cache.learn([later])
        XCTAssertFalse(cache.keepsText)
        XCTAssertEqual(st.reads, 3)
    }

    func testKallsymsWithoutRootResolvesNothing() {
        // Unprivileged readers see zero addresses.
        let bytes = Array("0000000000000000 T nft_do_chain\n0000000000000000 t ip_error\n".utf8)
        XCTAssertEqual(KernelSymbols.resolve(0xffffffff81fbea10, inKallsyms: bytes).description, "0xffffffff81fbea10")
    }

    /// The watcher's cache reads kallsyms for new addresses only, never for an address it named before, and
    /// names new addresses from the text it read while new ones keep coming (reading it costs the kernel 40–70 ms).
    func testCacheReadsKallsymsOnlyForNewAddresses() throws {
        let bytes = Array(try fixture("kallsyms.excerpt").utf8)
        final class Reads { var count = 0 }
        let reads = Reads()
        // Each batch is over ten minutes after the one before: the kept text has always expired.
        final class Clock { var t: UInt64 = 0 }
        let clock = Clock()
        let cache = KernelSymbolCache(capacity: 4, readKallsyms: { reads.count += 1; return bytes },
                                      now: { clock.t += 601_000_000_000; return clock.t })
        XCTAssertEqual(cache.location(0xffffffff81fbea00 + 8).description, "0xffffffff81fbea08", "not learnt yet: the address")
        cache.learn([0xffffffff81fbea00 + 8, 0xffffffff820a71d0, 0xffffffff81fbea00 + 8])
        XCTAssertEqual(reads.count, 1)
        cache.learn([0xffffffff820a71d0])
        XCTAssertEqual(reads.count, 1, "a known address costs no read")
        XCTAssertEqual(cache.location(0xffffffff81fbea00 + 8).description, "nft_do_chain+0x8")
        XCTAssertEqual(cache.location(0xffffffff820a71d0).description, "udp_queue_rcv_one_skb+0x0")
        // Past its capacity the cache starts over instead of growing.
        cache.learn([0x1000, 0x2000, 0x3000])
        XCTAssertEqual(reads.count, 2)
        XCTAssertEqual(cache.count, 3)
        // Without kallsyms (no procfs) addresses stay addresses, and are not asked for again.
        let none = KernelSymbolCache(readKallsyms: { reads.count += 1; return nil }, now: { clock.t += 601_000_000_000; return clock.t })
        none.learn([0xffffffff81fbea08])
        none.learn([0xffffffff81fbea08])
        XCTAssertEqual(reads.count, 3)
        XCTAssertNil(none.location(0xffffffff81fbea08).symbol)
    }
}
