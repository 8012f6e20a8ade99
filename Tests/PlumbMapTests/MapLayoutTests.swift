import XCTest
import PlumbModel
@testable import PlumbMap

/// The text picture: golden frames of recorded and generated hosts at three sizes, its determinism, its
/// stability when a container comes, its bounds, ASCII mode, folding, and its speed.
final class MapLayoutTests: XCTestCase {
    static let sizes = [(80, 24), (160, 45), (250, 70)]

    func picture(_ snap: Snapshot, width: Int, expandAll: Bool = false) -> MapPicture {
        var o = MapLayoutOptions(width: width)
        o.expandAll = expandAll
        return MapLayout.layout(HostMapBuilder.build(snap), options: o)
    }

    /// The first `rows` lines at `cols` columns: what a terminal of that size shows before scrolling.
    func frame(_ p: MapPicture, rows: Int) -> String {
        (0..<min(rows, p.height)).map { p.canvas.line($0) + "\n" }.joined()
    }

    func checkGoldens(_ snap: Snapshot, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        for (cols, rows) in Self.sizes {
            let p = picture(snap, width: cols)
            MapGolden.check(frame(p, rows: rows), "\(name)-\(cols)x\(rows).txt", file: file, line: line)
            XCTAssertTrue((0..<p.height).allSatisfy { p.canvas.line($0).unicodeScalars.count <= cols }, file: file, line: line)
        }
    }

    func testGoldenFramesOfTheDemoLab() throws { checkGoldens(try MapFixtures.recorded("demo-lab"), "demo-lab") }

    func testGoldenFramesOfTheDockerAndPodmanHost() throws { checkGoldens(try MapFixtures.recorded("lab-host"), "lab-host") }

    func testGoldenFramesOfAHundredContainersOnTenBridges() {
        checkGoldens(MapFixtures.generated(containers: 100, bridges: 10), "generated-100")
    }

    func testAHundredContainersOnTenBridgesFitTwoHundredBySixty() {
        let p = picture(MapFixtures.generated(containers: 100, bridges: 10), width: 200)
        XCTAssertLessThanOrEqual(p.height, 60, p.text())
        let placed = Set(p.regions.compactMap(\.edge))
        XCTAssertEqual(placed.count, 100, "every container has its box")
    }

    func testTheSamePictureEveryTimeAndANewContainerMovesNothingOnOtherBuses() {
        let full = picture(MapFixtures.generated(containers: 60, bridges: 6), width: 160)
        XCTAssertEqual(full, picture(MapFixtures.generated(containers: 60, bridges: 6), width: 160))
        let less = picture(MapFixtures.generated(containers: 60, bridges: 6, skip: ["c-03-004"]), width: 160)
        // Buses before br-03 are drawn identically; br-03's other boxes keep their order.
        let firstBus3 = full.region(of: "bus:\(MapFixtures.hostID):13")!.y
        XCTAssertEqual((0..<firstBus3).map { full.canvas.line($0) }, (0..<firstBus3).map { less.canvas.line($0) })
        let order = { (p: MapPicture) in p.regions.filter { $0.edge?.hasSuffix("~bus:\(MapFixtures.hostID):13:eth0") ?? false }.map(\.node) }
        XCTAssertEqual(order(full).filter { order(less).contains($0) }, order(less))
    }

    func testABusWithManyPortsFoldsIntoColumnsAndUnfoldsOnRequest() {
        let snap = MapFixtures.generated(containers: 120, bridges: 2)
        let folded = picture(snap, width: 120)
        let bus = "bus:\(MapFixtures.hostID):10"
        XCTAssertNotNil(folded.regions.first { $0.foldOf == bus }, folded.text())
        XCTAssertTrue(folded.text().contains("more (+ unfolds)"))
        var o = MapLayoutOptions(width: 120)
        o.expanded = [bus]
        let open = MapLayout.layout(HostMapBuilder.build(snap), options: o)
        XCTAssertNil(open.regions.first { $0.foldOf == bus })
        XCTAssertEqual(open.regions.filter { $0.edge?.hasSuffix("~\(bus):eth0") ?? false }.count, 60)
    }

    func testASCIIModeUsesOnlyASCII() throws {
        let text = picture(try MapFixtures.recorded("lab-host"), width: 120).text(ascii: true)
        XCTAssertTrue(text.unicodeScalars.allSatisfy(\.isASCII), text)
    }

    func testHostileNamesCannotBreakThePicture() {
        var snap = MapFixtures.generated(containers: 2, bridges: 1)
        snap.namespaces[1].containers[0].name = "evil\u{1b}[2J名前\u{0301}"
        let p = picture(snap, width: 80)
        XCTAssertFalse(p.text().unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        XCTAssertTrue(p.text().contains("evil?[2J???"), p.text())
    }

    /// Laying out 1,000 endpoints on 20 bridges must take under 50 ms in a release build (`make bench` measures
    /// that); a debug build is several times slower, so this only guards against an accidental blow-up.
    func testLayoutOfAThousandEndpointsStaysFast() {
        let snap = MapFixtures.generated(containers: 1000, bridges: 20)
        let clock = ContinuousClock()
        let t = clock.measure {
            var o = MapLayoutOptions(width: 200)
            o.expandAll = true
            _ = MapLayout.layout(HostMapBuilder.build(snap), options: o)
        }
        XCTAssertLessThan(t, .seconds(2), "debug build: \(t)")
    }
}
