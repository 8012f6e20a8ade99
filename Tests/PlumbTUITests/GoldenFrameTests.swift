import XCTest
import PlumbModel
@testable import PlumbTUI

/// Every view at 80x24, 120x40 and 200x60, compared with reviewed text frames in Golden/.
/// Re-record with `RECORD_GOLDEN=1 swift test --filter GoldenFrameTests`, then read the diff.
final class GoldenFrameTests: XCTestCase {
    let ctx = TestEnv.context()

    private func name(_ view: String, _ size: Size) -> String { "\(view)-\(size.width)x\(size.height)" }

    /// State after typing `keys` at `size`.
    private func state(_ size: Size, _ setup: (inout AppState) -> Void = { _ in }) -> AppState {
        var s = TestEnv.state(size)
        setup(&s)
        return s
    }

    private func command(_ s: inout AppState, _ text: String) {
        s.press([.char(":")]); s.type(text); s.press([.enter])
        s.message = nil  // keep the status line free of the confirmation
    }

    func testAppDefault() {
        for size in TestEnv.sizes { Golden.check(AppView.render(state(size), ctx), name("app", size)) }
    }

    func testAppLinkDetailFocused() {
        for size in TestEnv.sizes {
            let s = state(size) { $0.press([.tab, .down, .enter]) }
            Golden.check(AppView.render(s, ctx), name("app-link", size))
        }
    }

    func testAppFiltered() {
        for size in TestEnv.sizes {
            let s = state(size) { $0.press([.char("/")]); $0.type("web"); $0.press([.enter]) }
            Golden.check(AppView.render(s, ctx), name("app-filter-web", size))
        }
    }

    func testAppAsciiMonochrome() {
        let plain = TestEnv.context(theme: .monochrome, glyphs: .ascii)
        for size in TestEnv.sizes {
            let s = state(size) { $0.press([.tab, .down, .enter]) }
            Golden.check(AppView.render(s, plain), name("app-ascii", size))
        }
    }

    func testHelpOverlay() {
        for size in TestEnv.sizes {
            Golden.check(AppView.render(state(size) { $0.press([.char("?")]) }, ctx), name("help", size))
        }
    }

    func testNamespacesPane() {
        for size in TestEnv.sizes {
            Golden.check(AppView.renderPane(.namespaces, state(size), ctx, size: size), name("namespaces", size))
        }
    }

    func testTopologyHost() {
        for size in TestEnv.sizes {
            let s = state(size) { $0.press([.tab, .down, .down]) }
            Golden.check(AppView.renderPane(.topology, s, ctx, size: size), name("topology-host", size))
        }
    }

    func testTopologySensor() {
        for size in TestEnv.sizes {
            let s = state(size) { self.command(&$0, "ns sensor") }
            Golden.check(AppView.renderPane(.topology, s, ctx, size: size), name("topology-sensor", size))
        }
    }

    func testTopologyLeak() {
        for size in TestEnv.sizes {
            let s = state(size) { self.command(&$0, "ns pt-leak") }
            Golden.check(AppView.renderPane(.topology, s, ctx, size: size), name("topology-leak", size))
        }
    }

    func testLinkDetail() {
        for size in TestEnv.sizes {
            // The redis veth: a known peer, drops that grew, a forwarding bridge port.
            let s = state(size) { $0.press([.tab, .down, .enter]) }
            Golden.check(AppView.renderPane(.details, s, ctx, size: size), name("link-detail", size))
        }
    }

    func testLinkDetailVxlan() {
        for size in TestEnv.sizes {
            let s = state(size) { self.command(&$0, "link vxlan100") }
            Golden.check(AppView.renderPane(.details, s, ctx, size: size), name("link-detail-vxlan", size))
        }
    }

    func testFirewall() {
        for size in TestEnv.sizes {
            let s = state(size) { self.command(&$0, "chain FORWARD") }
            Golden.check(AppView.renderPane(.details, s, ctx, size: size), name("firewall", size))
        }
    }

    func testRoutes() { checkTab(.routes, "routes") }
    func testNeighbours() { checkTab(.neighbors, "neighbours") }
    func testSysctls() { checkTab(.sysctls, "sysctls") }
    func testProcesses() { checkTab(.processes, "processes") }
    func testSockets() { checkTab(.sockets, "sockets") }

    private func checkTab(_ tab: DetailTab, _ view: String) {
        for size in TestEnv.sizes {
            let s = state(size) { st in
                st.press([.tab, .tab])
                while st.detailTab != tab { st.press([.char("]")]) }
            }
            Golden.check(AppView.renderPane(.details, s, ctx, size: size), name(view, size))
        }
    }

    func testTooSmall() {
        Golden.check(AppView.render(TestEnv.state(), ctx, size: Size(width: 40, height: 10)), "too-small-40x10")
    }
}
