import Glibc
import CLinuxShims

/// Both ends of a pipe2(O_CLOEXEC) pipe, each owned. Take an end out with `consume pipe.readEnd` (or
/// `pipe.writeEnd.take()` to hand it to a child's stdio).
@frozen public struct PipeDescriptors: ~Copyable, Sendable {
    public var readEnd: FileDescriptor
    public var writeEnd: FileDescriptor

    public init() throws(SystemError) {
        var fds: [Int32] = [-1, -1]
        guard plumb_pipe_cloexec(&fds) == 0 else { throw SystemError("pipe2", "O_CLOEXEC") }
        readEnd = FileDescriptor(owning: fds[0])
        writeEnd = FileDescriptor(owning: fds[1])
    }
}
