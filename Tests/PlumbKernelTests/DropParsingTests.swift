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
        let syms = KernelSymbols(parsing: Array(try fixture("kallsyms.excerpt").utf8))
        XCTAssertEqual(syms.count, 15, "data symbols (d) are left out")
        let nft = syms.resolve(0xffffffff81fbea00 + 0x3c4)
        XCTAssertEqual(nft.symbol, "nft_do_chain")
        XCTAssertEqual(nft.offset, 0x3c4)
        XCTAssertEqual(nft.description, "nft_do_chain+0x3c4")
        XCTAssertEqual(nft.function, "nft_do_chain")
        XCTAssertEqual(syms.resolve(0xffffffff820a71d0).description, "udp_queue_rcv_one_skb+0x0")
        let mod = syms.resolve(0xffffffffc0a01010)
        XCTAssertEqual(mod.symbol, "br_nf_pre_routing")
        XCTAssertEqual(mod.module, "br_netfilter")
        XCTAssertEqual(mod.description, "br_nf_pre_routing+0x10 [br_netfilter]")
        // Before the first symbol, and far past the last: unresolved, printed as the address.
        XCTAssertNil(syms.resolve(0x1000).symbol)
        XCTAssertEqual(syms.resolve(0x1000).description, "0x1000")
        XCTAssertNil(syms.resolve(0xffffffffc0a02000 + (2 << 20)).symbol)
    }

    /// The one-address scan (the live trace's lost probe) answers as the whole table does.
    func testOneAddressScanAgreesWithTheTable() throws {
        let bytes = Array(try fixture("kallsyms.excerpt").utf8)
        let syms = KernelSymbols(parsing: bytes)
        for address: UInt64 in [0xffffffff81fbea00 + 0x3c4, 0xffffffff820a71d0, 0xffffffffc0a01010, 0x1000,
                                0xffffffffc0a02000 + (2 << 20)] {
            XCTAssertEqual(KernelSymbols.resolve(address, inKallsyms: bytes), syms.resolve(address),
                           String(address, radix: 16))
        }
        XCTAssertNil(KernelSymbols.resolve(0xffffffff81fbea10, inKallsyms: Array("0000000000000000 T nft_do_chain\n".utf8)).symbol)
    }

    func testKallsymsWithoutRootResolvesNothing() {
        // Unprivileged readers see zero addresses.
        let syms = KernelSymbols(parsing: Array("0000000000000000 T nft_do_chain\n0000000000000000 t ip_error\n".utf8))
        XCTAssertEqual(syms.count, 0)
        XCTAssertEqual(syms.resolve(0xffffffff81fbea10).description, "0xffffffff81fbea10")
    }
}
