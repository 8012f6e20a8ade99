import ArgumentParser
import XCTest
@testable import PlumbCLI
import PlumbActions
import PlumbCapture
import PlumbModel

/// Every error type below the CLI has a category, and the category alone picks the exit code.
final class ExitStatusTests: XCTestCase {
    func code(_ error: any Error) -> Int32 { CommandFailure(error).code.rawValue }

    func testCategoriesMapToTheDocumentedCodes() {
        XCTAssertEqual(ExitStatus(.invalidInput).rawValue, 64)
        XCTAssertEqual(ExitStatus(.notFound).rawValue, 4)
        XCTAssertEqual(ExitStatus(.permission).rawValue, 77)
        XCTAssertEqual(ExitStatus(.failure).rawValue, 1)
        XCTAssertEqual(PlumbExit.usage, ExitCode.validationFailure, "the argument parser's own code is the same 64")
    }

    func testActionErrors() {
        XCTAssertEqual(code(ActionError.invalid("invalid --mtu 0: use 68..65535")), 64)
        XCTAssertEqual(code(ActionError.namespaceExists("pt-a")), 64)
        XCTAssertEqual(code(ActionError.notFound("no network named 'x'")), 4)
        XCTAssertEqual(code(ActionError.namespaceMissing("netns x", "no /run/netns/x")), 4)
        XCTAssertEqual(code(ActionError.permission("not allowed")), 77)
        XCTAssertEqual(code(ActionError.netlink(step: "ip link add", message: "File exists")), 1)
        XCTAssertEqual(code(ActionError.command(step: "iptables-restore", message: "exit 1")), 1)
        XCTAssertEqual(code(ActionError.unavailable("CNI plugin 'x' not found")), 1)
        XCTAssertEqual(code(ActionError.rolledBack(failure: "x", undone: 2)), 1)
    }

    func testStoreAndAddressErrors() {
        XCTAssertEqual(code(StoreError.addressTaken("10.0.0.2", network: "n", by: "1")), 64)
        XCTAssertEqual(code(StoreError.networkExists("n")), 64)
        XCTAssertEqual(code(StoreError.invalidPortMapping("x", reason: "y")), 64)
        XCTAssertEqual(code(StoreError.networkNotFound("n")), 4)
        XCTAssertEqual(code(StoreError.endpointNotFound(network: "n", sandbox: "1")), 4)
        XCTAssertEqual(code(StoreError.busy(path: "p", operation: "o")), 1)
        XCTAssertEqual(code(IPAMError.invalidPool("x", reason: "y")), 64)
        XCTAssertEqual(code(IPAMError.poolExhausted(pools: [], blockers: [])), 1)
        XCTAssertEqual(code(AddressError.invalidAddress("300.1.1.1", reason: "300 is over 255")), 64)
        XCTAssertEqual(code(Target.Failure.notFound("web")), 4)
        XCTAssertEqual(code(Target.Failure.ambiguous("ab", ["1", "2"])), 64)
    }

    func testCaptureErrors() {
        XCTAssertEqual(code(LiveCaptureError.badFilter(source: "s", filter: "f", message: "m")), 64)
        XCTAssertEqual(code(LiveCaptureError.noSuchInterface(source: "s", message: "m")), 4)
        XCTAssertEqual(code(LiveCaptureError.permissionDenied(source: "s", message: "m")), 77)
        XCTAssertEqual(code(LiveCaptureError.openFailed(source: "s", message: "m")), 1)
    }

    func testUncategorizedErrorsAreFailures() {
        struct Other: Error {}
        XCTAssertEqual(code(Other()), 1)
        let kept = CommandFailure("x", .notFound)
        XCTAssertEqual(code(kept), 4, "a CommandFailure keeps its own code")
    }

    func testArgumentParserMessagesBecomeOneLine() {
        XCTAssertEqual(PlumbCommand.oneLine("Missing expected argument '<name>'\nHelp:  <name>  Network name.\n"),
                       "Missing expected argument '<name>'; Help:  <name>  Network name.")
    }
}
