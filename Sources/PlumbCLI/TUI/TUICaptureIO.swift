import PlumbApp
import PlumbCapture

extension CaptureIO {
    /// The capture pane enters namespaces, stamps packets and writes files exactly as `plumb capture` does.
    static let cli = CaptureIO(
        source: { ns, interface, label in try CaptureTargets.source(for: ns, interface: interface, label: label) },
        clock: { CapturePrinter.clock($0) },
        save: { path, overwrite, sources, comment, packets in
            let out = try CaptureFileOutput(path: path, sources: sources, comment: comment, overwrite: overwrite)
            do {
                for p in packets { try out.write(p) }
                try out.close()
            } catch let e as CommandFailure {
                throw e
            } catch {
                throw CommandFailure(description: "cannot write \(path): \(error)", code: PlumbExit.failure)
            }
            return out.written
        })
}
