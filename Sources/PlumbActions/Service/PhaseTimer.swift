import Foundation

/// Phase timings of one operation on stderr when PLUMB_TIMING is set (how the bulk path was profiled:
/// `PLUMB_TIMING=1 plumb net connect NET T1 T2 ...`).
struct PhaseTimer {
    private let enabled = ProcessInfo.processInfo.environment["PLUMB_TIMING"] != nil
    private var last = Date()
    private var parts: [String] = []
    let operation: String

    init(_ operation: String) { self.operation = operation }

    mutating func mark(_ phase: String) {
        guard enabled else { return }
        let now = Date()
        parts.append("\(phase) \(String(format: "%.1f", now.timeIntervalSince(last) * 1000))ms")
        last = now
    }

    func report() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("timing \(operation): \(parts.joined(separator: ", "))\n".utf8))
    }
}
