import XCTest
@testable import PlumbCLI

/// The TUI's config file: flags win over it, and a bad value is refused with its file and line before the
/// terminal is set up (1e30, inf or nan used to trap later, with the terminal left in curses mode).
final class TUIConfigTests: XCTestCase {
    let path = "/home/pt/.config/plumb/config"

    func testAFlagWinsOverTheFileWhichWinsOverTheDefault() throws {
        let config = try TUIConfig.parse("interval = 5\n", path: path)
        XCTAssertEqual(config.interval, 5)
        XCTAssertEqual(try TUICommand.parse(["--interval", "2"]).refreshInterval(config), 2)
        XCTAssertEqual(try TUICommand.parse([]).refreshInterval(config), 5)
        XCTAssertEqual(try TUICommand.parse([]).refreshInterval(TUIConfig()), 1)
    }

    func testBadValuesNameTheFileAndLine() {
        for bad in ["1e30", "inf", "-inf", "nan", "0", "0.05", "3601", "-1", "soon", ""] {
            let text = "# plumb\nascii = yes\ninterval = \(bad)\n"
            XCTAssertThrowsError(try TUIConfig.parse(text, path: path), bad) { e in
                let f = e as? CommandFailure
                XCTAssertEqual(f?.code, PlumbExit.usage, bad)
                XCTAssertEqual(f?.description, "\(path):3: interval = \(bad): use 0.1 to 3600 seconds (fix or remove the line)")
            }
        }
        XCTAssertThrowsError(try TUIConfig.parse("no-color = maybe", path: path)) { e in
            XCTAssertEqual("\(e)", "\(path):1: no-color = maybe: use true or false (fix or remove the line)")
        }
    }

    func testGoodFilesAndUnknownKeys() throws {
        let c = try TUIConfig.parse("interval = 0.5\nno-color = on\nascii = false\nfd-scan = no\nfuture-key = 7\n# x = y\n",
                                    path: path)
        XCTAssertEqual(c, TUIConfig(interval: 0.5, noColor: true, ascii: false, scanFds: false))
        XCTAssertEqual(try TUIConfig.parse("", path: path), TUIConfig())
    }
}
