import XCTest
import PlumbModel
@testable import PlumbTUI

/// The rows the reducer computed are reused by the next frame only while they still describe the state.
final class PreparedRowsTests: XCTestCase {
    func testReusedRowsDrawTheSameFrameAndStaleOnesAreIgnored() {
        var s = TestEnv.state(Size(width: 120, height: 40))
        let ctx = TestEnv.context()
        let prepared = s.update(snapshot: TestEnv.snapshot)
        XCTAssertTrue(prepared.matches(s, TestEnv.snapshot))
        XCTAssertEqual(AppView.render(s, ctx, prepared: prepared), AppView.render(s, ctx))
        // The user filters: the prepared rows no longer describe the state and are not used.
        s.filter = "postgres"
        XCTAssertFalse(prepared.matches(s, TestEnv.snapshot))
        XCTAssertEqual(AppView.render(s, ctx, prepared: prepared), AppView.render(s, ctx))
        // Another snapshot (a namespace fewer): not used either.
        var other = TestEnv.snapshot
        other.namespaces.removeLast()
        s.filter = ""
        XCTAssertFalse(prepared.matches(s, other))
    }
}
