import Glibc

/// A failed system or library call, carrying the C function's name, the object it was about and errno,
/// so every error message says what failed, on which object.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    public let function: String
    public let object: String
    public let code: Int32

    public init(_ function: String, _ object: String, errno code: Int32 = Glibc.errno) {
        self.function = function; self.object = object; self.code = code
    }

    public var description: String {
        "\(function)(\(object)) failed: \(String(cString: strerror(code))) (errno \(code))"
    }
}
