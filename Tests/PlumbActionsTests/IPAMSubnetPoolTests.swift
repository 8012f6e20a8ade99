import XCTest
@testable import PlumbActions
import PlumbModel

final class IPAMSubnetPoolTests: XCTestCase {
    private func p(_ s: String) -> IPPrefix { IPPrefix(s)! }

    func testDefaultPoolGivesFirstSubnetWhenNothingIsInUse() throws {
        XCTAssertEqual(SubnetPool.default.description, "172.30.0.0/16 (in /24s)")
        XCTAssertEqual(try SubnetPool.default.pick(avoiding: []).description, "172.30.0.0/24")
    }

    func testPickSkipsRoutesAddressesAndNetworks() throws {
        let inUse: [(prefix: IPPrefix, owner: String)] = [
            (p("172.30.0.0/24"), "plumb network a"),
            (p("172.30.1.7/24").canonical, "address 172.30.1.7/24 on eth0"),
            (p("172.30.2.128/25"), "route on eth1 in host"),     // part of a candidate is enough to skip it
            (p("10.0.0.0/8"), "route on eth2 in host"),
            (p("fd00::/8"), "route on eth3 in host"),
        ]
        XCTAssertEqual(try SubnetPool.default.pick(avoiding: inUse).description, "172.30.3.0/24")
    }

    func testPickJumpsOverALargeBlockerInOneStep() throws {
        // A /48 IPv6 pool in /64s has 65536 candidates; a /49 in use covers half of them. The walk must jump.
        let pool = try SubnetPool(base: p("fd13:1::/48"), size: 64)
        let picked = try pool.pick(avoiding: [(p("fd13:1::/49"), "route on eth0")])
        XCTAssertEqual(picked.description, "fd13:1:0:8000::/64")
        // A pool whose single huge block is all in use: exhausted, not a 2^56-step loop.
        let huge = try SubnetPool(base: p("fd00::/8"), size: 64)
        XCTAssertThrowsError(try huge.pick(avoiding: [(p("::/0"), "route on eth0")]))
    }

    func testExhaustedPoolIsNamed() throws {
        let pool = try SubnetPool(base: p("10.9.0.0/23"), size: 24)
        let inUse: [(prefix: IPPrefix, owner: String)] = [(p("10.9.0.0/24"), "plumb network a"), (p("10.9.1.0/24"), "route on eth0 in host")]
        XCTAssertThrowsError(try pool.pick(avoiding: inUse)) { e in
            guard case .poolExhausted(let pools, let blockers)? = e as? IPAMError else { return XCTFail("\(e)") }
            XCTAssertEqual(pools, [pool])
            XCTAssertEqual(blockers.count, 2)
            XCTAssertEqual("\(e)", "address pool 10.9.0.0/23 (in /24s) is exhausted: every subnet overlaps one in use (in use: 10.9.0.0/24 (plumb network a), 10.9.1.0/24 (route on eth0 in host)); pass an explicit --subnet or remove unused networks")
        }
        // The whole IPv4 space in /1s, both in use: the walk ends at 255.255.255.255 without wrapping.
        let all = try SubnetPool(base: p("0.0.0.0/0"), size: 1)
        XCTAssertThrowsError(try all.pick(avoiding: [(p("0.0.0.0/0"), "default route")]))
    }

    func testSeveralPoolsAreTriedInOrder() throws {
        let a = try SubnetPool(base: p("10.9.0.0/24"), size: 24)
        let b = try SubnetPool(base: p("10.10.0.0/16"), size: 24)
        let inUse: [(prefix: IPPrefix, owner: String)] = [(p("10.9.0.0/24"), "x")]
        XCTAssertEqual(try SubnetPool.pick(from: [a, b], avoiding: inUse).description, "10.10.0.0/24")
        XCTAssertThrowsError(try SubnetPool.pick(from: [a], avoiding: inUse)) { e in
            XCTAssertTrue("\(e)".hasPrefix("address pool 10.9.0.0/24 (in /24s) is exhausted"), "\(e)")
        }
        XCTAssertThrowsError(try SubnetPool.pick(from: [], avoiding: [])) { e in
            XCTAssertTrue("\(e)".contains("no address pool is configured"), "\(e)")
        }
    }

    func testCollisionNamesTheFirstOverlap() throws {
        let inUse: [(prefix: IPPrefix, owner: String)] = [
            (p("192.168.1.0/24"), "address 192.168.1.5/24 on wlan0"),
            (p("10.213.0.0/16"), "route on eth0 in host"),
            (p("10.213.0.0/24"), "plumb network web"),
        ]
        let c = try XCTUnwrap(SubnetPool.collision(p("10.213.0.0/24"), inUse: inUse))
        XCTAssertEqual(c.description, "10.213.0.0/16 (route on eth0 in host)")
        XCTAssertNil(SubnetPool.collision(p("10.214.0.0/24"), inUse: inUse))
        XCTAssertThrowsError(try SubnetPool.check(p("10.213.5.0/24"), inUse: inUse)) { e in
            XCTAssertEqual("\(e)", "subnet 10.213.5.0/24 overlaps 10.213.0.0/16 (route on eth0 in host): choose another subnet")
        }
        XCTAssertNoThrow(try SubnetPool.check(p("fd13::/64"), inUse: inUse))
    }

    func testPoolConfiguration() throws {
        XCTAssertEqual(try SubnetPool.parse("base=10.50.0.0/16,size=26"), try SubnetPool(base: p("10.50.0.0/16"), size: 26))
        XCTAssertEqual(try SubnetPool.parse("10.50.0.0/16").size, 24)
        XCTAssertEqual(try SubnetPool.parse("10.50.0.0/28").size, 28)
        XCTAssertEqual(try SubnetPool.parse("fd13::/48").size, 64)
        XCTAssertThrowsError(try SubnetPool.parse("base=10.50.0.0/16,size=8")) { e in
            XCTAssertEqual("\(e)", "invalid address pool '10.50.0.0/16 size 8': the subnet size must be /16 to /32")
        }
        XCTAssertThrowsError(try SubnetPool.parse("base=10.50.0.1/16")) { e in
            XCTAssertTrue("\(e)".contains("did you mean 10.50.0.0/16?"), "\(e)")
        }
        XCTAssertThrowsError(try SubnetPool.parse("size=24")) { e in XCTAssertTrue("\(e)".contains("no base="), "\(e)") }
        XCTAssertThrowsError(try SubnetPool.parse("base=10.50.0.0/16,step=24")) { e in
            XCTAssertTrue("\(e)".contains("unknown field 'step=24'"), "\(e)")
        }
        XCTAssertThrowsError(try SubnetPool.parse("base=10.50.0.0/16,size=x"))
        let small = try SubnetPool.parse("base=10.50.0.0/24,size=26")
        XCTAssertEqual(try small.pick(avoiding: [(p("10.50.0.0/26"), "x")]).description, "10.50.0.64/26")
    }
}
