import Foundation

/// One encoder for every `--json`: compact by default like `ip -j`, indented with `--pretty`. Keys come out
/// in the model's declaration order, so outputs diff cleanly.
enum JSONOutput {
    /// Streams to `fd` as it encodes (see StreamingJSONEncoder.write).
    static func print<T: Encodable>(_ value: T, pretty: Bool, to fd: Int32 = 1) throws {
        let t = Date()
        let count = try StreamingJSONEncoder(pretty: pretty).write(value, to: fd)
        if ProcessInfo.processInfo.environment["PLUMB_TIMING"] != nil {
            FileHandleWriter.write(2, "json encode and write: \(Date().timeIntervalSince(t) * 1000) ms, \(count) bytes\n")
        }
    }
}
