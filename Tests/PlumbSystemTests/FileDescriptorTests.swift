import XCTest
import Glibc
import PlumbSystem

final class FileDescriptorTests: XCTestCase {
    /// fcntl(F_GETFD) fails with EBADF on a number nobody has open.
    private func isOpen(_ raw: Int32) -> Bool { fcntl(raw, F_GETFD) >= 0 }

    func testEndOfScopeClosesTheDescriptor() throws {
        var raw: Int32 = -1
        do {
            let fd = try FileDescriptor.open("/dev/null", O_RDONLY)
            raw = fd.rawValue
            XCTAssertTrue(isOpen(raw))
            XCTAssertNotEqual(fcntl(raw, F_GETFD) & FD_CLOEXEC, 0, "every open is close-on-exec")
        }
        XCTAssertFalse(isOpen(raw))
    }

    func testTakeHandsOwnershipOnWithoutClosing() throws {
        let fd = try FileDescriptor.open("/dev/null", O_RDONLY)
        let raw = fd.take()
        XCTAssertTrue(isOpen(raw))
        try FileDescriptor(owning: raw).close()
        XCTAssertFalse(isOpen(raw))
    }

    func testFailedOpenNamesTheCallThePathAndErrno() {
        do {
            _ = try FileDescriptor.open("/nonexistent/plumb-test", O_RDONLY)
            XCTFail("opened a path that does not exist")
        } catch {
            XCTAssertEqual(error.function, "open")
            XCTAssertEqual(error.object, "/nonexistent/plumb-test")
            XCTAssertEqual(error.code, ENOENT)
            XCTAssertEqual(error.description, "open(/nonexistent/plumb-test) failed: No such file or directory (errno 2)")
        }
        let missing = FileDescriptor.openIfPresent("/nonexistent/plumb-test", O_RDONLY)
        XCTAssertTrue(missing == nil)
    }

    func testPipeCarriesBytesAndEndsWhenTheWriterCloses() throws {
        let pipe = try PipeDescriptors()
        let reader = pipe.readEnd, writer = pipe.writeEnd
        try writer.writeAll(Array("plumb".utf8))
        try writer.close()
        XCTAssertEqual(try reader.read(upTo: 16), Array("plumb".utf8))
        XCTAssertEqual(try reader.read(upTo: 16), [], "EOF once the only writer is closed")
    }

    func testPollReportsReadableDataAndTimesOutWithout() throws {
        let pipe = try PipeDescriptors()
        XCTAssertEqual(try pipe.readEnd.poll(Int16(POLLIN), timeoutMillis: 0), 0)
        try pipe.writeEnd.writeAll([1])
        XCTAssertNotEqual(try pipe.readEnd.poll(Int16(POLLIN), timeoutMillis: 0) & Int16(POLLIN), 0)
    }

    func testSharedDescriptorClosesWithItsLastReference() throws {
        var shared: SharedFileDescriptor? = SharedFileDescriptor(try FileDescriptor.open("/dev/null", O_RDONLY))
        let raw = shared!.rawValue
        XCTAssertTrue(isOpen(raw))
        shared = nil
        XCTAssertFalse(isOpen(raw))
    }

    func testEpollReportsTheTokenOfTheReadyDescriptor() throws {
        let epoll = try Epoll()
        let quiet = try PipeDescriptors(), busy = try PipeDescriptors()
        try epoll.add(quiet.readEnd.rawValue, token: 7)
        try epoll.add(busy.readEnd.rawValue, token: 9)
        try busy.writeEnd.writeAll([1])
        var tokens = [UInt64](repeating: 0, count: 4)
        XCTAssertEqual(try epoll.wait(into: &tokens, timeoutMillis: 0), 1)
        XCTAssertEqual(tokens[0], 9)
    }
}
